"""One self-contained HTML file: data, Chart.js, styles and script inlined, no network at all.

The file must open from ``file://`` after the local stack is gone, on a machine without
internet, so nothing is fetched: the vendored Chart.js build (assets/VENDORED.md) is inlined.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from f1lake.atomic import write_text
from f1lake.dashboard.charts import payload
from f1lake.dashboard.data import DashboardData

CHART_JS = "chart.umd.min.js"
CHART_JS_VERSION = "4.6.1"
DATA_ELEMENT_ID = "f1lake-dashboard-data"
_SLOT = re.compile(r"<!--@(\w+)@-->")
_SOURCE_MAP = re.compile(r"^//# sourceMappingURL=.*$", re.MULTILINE)


@cache
def asset(name: str) -> str:
    return (resources.files("f1lake.dashboard") / "assets" / name).read_text(encoding="utf-8")


@cache
def chart_js() -> str:
    """The vendored Chart.js without its source map line (the page has no map to point at)."""
    return _SOURCE_MAP.sub("", asset(CHART_JS)).rstrip()


def embed_json(value: Any) -> str:
    """JSON safe inside a <script> element: '<', '>' and '&' escaped, so no '</script>'."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def render_html(data: DashboardData, *, generated: dt.datetime | None = None) -> str:
    """The page for ``data``; ``generated`` (default now, UTC) is shown in the footer."""
    when = (generated or dt.datetime.now(dt.UTC)).strftime("%Y-%m-%d %H:%M UTC")
    seasons = data.seasons
    span = str(seasons[0]) if len(seasons) == 1 else f"{seasons[0]}-{seasons[-1]}"
    footer = (
        f"Generated {when} by f1lake from the lake's named queries (sql/athena), "
        f"seasons {span}. Charts: Chart.js {CHART_JS_VERSION} (MIT licence)."
    )
    parts = {
        "title": html.escape(f"{data.spec.title} {data.default_season} - f1lake"),
        "css": asset("dashboard.css"),
        "footer": html.escape(footer),
        "data": embed_json(payload(data)),
        "chartjs": chart_js(),
        "app": asset("dashboard.js"),
    }
    return _SLOT.sub(lambda m: parts[m.group(1)], asset("page.html"))


def write_html(data: DashboardData, out: Path, *, generated: dt.datetime | None = None) -> Path:
    """Write the page atomically (a reader never sees half a file); returns its absolute path."""
    out = Path(out).expanduser().resolve()
    write_text(out, render_html(data, generated=generated), mode=0o644)
    return out
