"""The written page is one self-contained file: data, Chart.js and script inline, nothing fetched."""

from __future__ import annotations

import json
import re
import threading
import urllib.request

from f1lake.dashboard import Written
from f1lake.dashboard.data import DashboardData, Rows
from f1lake.dashboard.render import CHART_JS_VERSION, render_html
from f1lake.dashboard.serve import make_server, page_url
from f1lake.dashboard.spec import load_spec
from tests.dashboard import lakedata
from tests.dashboard.conftest import embedded


def test_the_page_embeds_every_season_and_references_nothing_outside_itself(
    page: Written,
) -> None:
    text = page.path.read_text(encoding="utf-8")
    assert page.path.is_absolute() and page.seasons == (2022, 2023) and page.default_season == 2023
    # No external resource of any kind: no src/href to a URL, no @import, no fetch.
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", text, re.I)
    assert "@import" not in text and "fetch(" not in text
    assert f"Chart.js v{CHART_JS_VERSION}" in text and "Released under the MIT License" in text
    assert "sourceMappingURL" not in text
    data = embedded(page.path)
    assert data["seasons"] == [2022, 2023] and data["default_season"] == 2023
    progression = data["visuals"]["2023"]["driver_progression"]["parts"][""]  # no driver chosen
    assert {d["label"]: d["data"] for d in progression["datasets"]} == lakedata.progression(2023)


def test_text_from_the_lake_cannot_break_out_of_the_data_element() -> None:
    spec = load_spec()
    hostile = "</script><script>alert(1)</script> & <!--"
    rows = {q: Rows(spec.columns_of(q), ()) for q in spec.queries()}
    rows["dnfs_by_cause"] = Rows(("cause", "dnfs"), ((hostile, 1),))
    text = render_html(DashboardData(spec, (2023,), 2023, {2023: rows}))
    assert text.count("</script>") == 3  # the data element, Chart.js and the page script
    assert "alert(1)" in text  # kept as data ...
    assert "<script>alert(1)" not in text  # ... never as markup
    m = re.search(r'type="application/json">(.*?)</script>', text, re.S)
    assert m is not None
    assert json.loads(m.group(1))["visuals"]["2023"]["dnfs"]["labels"] == [hostile]


def test_serve_returns_the_page_on_loopback(page: Written) -> None:
    server = make_server(page.path, port=0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = page_url(server, page.path)
        assert url.startswith("http://127.0.0.1:")
        with urllib.request.urlopen(url, timeout=10) as response:
            assert response.status == 200
            assert response.read() == page.path.read_bytes()
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
