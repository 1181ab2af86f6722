"""Ingesting a season: every endpoint runs, and every failure is raised together."""

from __future__ import annotations

import pytest

from f1lake.endpoints import ENDPOINTS
from f1lake.pipeline import ingest
from f1lake.pipeline.contracts import IngestReport, Plan
from f1lake.pipeline.ingest import RunInfo, ingest_season
from f1lake.settings import Settings


def test_a_season_raises_every_failing_endpoint_together(monkeypatch: pytest.MonkeyPatch):
    ran: list[str] = []

    def ingest_endpoint(settings, dsn, name: str, plan: Plan, run: RunInfo) -> IngestReport:
        ran.append(name)
        if name in ("sprint", "status"):
            raise RuntimeError(f"{name} broke")
        return IngestReport(name, plan.season)

    monkeypatch.setattr(ingest, "ingest_endpoint", ingest_endpoint)

    failing = f"season 2023: 2 of {len(ENDPOINTS)} endpoints failed"
    with pytest.raises(ExceptionGroup, match=failing) as failed:
        ingest_season(Settings(), "dsn", Plan(2023, 2024, [1]), RunInfo(), threads=2)

    assert sorted(str(e) for e in failed.value.exceptions) == ["sprint broke", "status broke"]
    assert sorted(ran) == sorted(ENDPOINTS)  # the others ran to the end


def test_a_season_without_failures_reports_in_the_registry_order(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(
        ingest, "ingest_endpoint", lambda _s, _d, name, plan, _r: IngestReport(name, plan.season)
    )

    reports = ingest_season(Settings(), "dsn", Plan(2023, 2024, [1]), RunInfo())

    assert [r.endpoint for r in reports] == list(ENDPOINTS)
