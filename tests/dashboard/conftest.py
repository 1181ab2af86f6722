"""One small lake (2022 and 2023) on the session's moto server, shared by the dashboard tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from f1lake.dashboard import Written, write_dashboard
from f1lake.settings import Settings
from tests.conftest import unique_names
from tests.dashboard import lakedata


@pytest.fixture(scope="package")
def lake(moto_endpoint: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Read-only for the tests: none of them writes to it."""
    settings = Settings(
        aws_endpoint_url=moto_endpoint,
        state_dir=tmp_path_factory.mktemp("dashboard-state"),
        **unique_names(),
    )
    return lakedata.build(settings)


@pytest.fixture(scope="package")
def page(lake: Settings, tmp_path_factory: pytest.TempPathFactory) -> Written:
    """The dashboard of every season in the lake, written once."""
    return write_dashboard(lake, tmp_path_factory.mktemp("dashboard") / "season.html")


def embedded(path: Path) -> dict:
    """The JSON data a written page carries."""
    import json
    import re

    text = path.read_text(encoding="utf-8")
    m = re.search(
        r'<script id="f1lake-dashboard-data" type="application/json">(.*?)</script>', text, re.S
    )
    assert m, "the page carries no data element"
    return json.loads(m.group(1))
