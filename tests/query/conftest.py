"""A lake of the seasons in ``seasondata``, built once for the query tests."""

from __future__ import annotations

import pytest

from f1lake.catalog import crawl
from f1lake.settings import Settings
from tests.checks.lakedata import build
from tests.conftest import unique_names
from tests.query.seasondata import seasons


@pytest.fixture(scope="session")
def season_lake(moto_endpoint: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings of a crawled lake holding 2022, 2023 and 2024 (read-only for the tests)."""
    settings = Settings(
        aws_endpoint_url=moto_endpoint,
        state_dir=tmp_path_factory.mktemp("state"),
        **unique_names(),
    )
    build(settings, seasons())
    crawl(settings)
    return settings
