"""`f1lake dashboard` through the stack's warm query service: the page the service builds in
one request is the page built in process, and its errors are the same one line."""

from __future__ import annotations

from pathlib import Path

import pytest

from f1lake.dashboard import DashboardError, Written, write_dashboard
from f1lake.query.service import QueryService
from f1lake.settings import Settings
from tests.dashboard.conftest import embedded
from tests.support.query_service import running


def test_the_page_via_the_service_is_the_page_built_in_process(
    lake: Settings, page: Written, tmp_path: Path
) -> None:
    service = QueryService(lake)
    built = service.dashboard
    requests: list[dict] = []
    service.dashboard = lambda request: (requests.append(request), built(request))[1]
    with running(service) as url:
        served = lake.model_copy(update={"query_url": url})
        written = write_dashboard(served, tmp_path / "served.html")
        assert len(requests) == 1  # one request, not one per query
        assert embedded(written.path) == embedded(page.path)
        assert (written.seasons, written.default_season) == (page.seasons, page.default_season)

        errors = []
        for settings in (lake, served):
            with pytest.raises(DashboardError) as caught:
                write_dashboard(settings, tmp_path / "none.html", [1999])
            errors.append(str(caught.value))
        assert errors[0] == errors[1] == "season(s) 1999 not in the lake; it holds 2022, 2023"
        assert len(requests) == 2
