"""The request budget a backfill states before its first request: lap times only when asked."""

from __future__ import annotations

import threading
from datetime import date
from pathlib import Path

from f1lake.endpoints import LAPS
from f1lake.ledger import Ledger
from f1lake.local.run_progress import RunProgress, laps_of
from f1lake.pipeline.plan_rules import race_pages
from f1lake.settings import Settings


def _budget_line(dsn: str, state_dir: Path, *, laps: bool) -> str:
    told = threading.Event()
    lines: list[str] = []

    def say(line: str) -> None:
        lines.append(line)
        if line.startswith("budget:"):
            told.set()

    settings = Settings(state_dir=state_dir, rate_limit_per_second=4, rate_limit_per_hour=500)
    with RunProgress(settings, dsn, [2024], say, today=date(2024, 4, 1), poll=0.02, laps=laps):
        assert told.wait(30), lines
    return next(line for line in lines if line.startswith("budget:"))


def test_the_budget_shows_lap_times_and_their_cost_only_when_asked(
    ledger: Ledger, pg_dsn: str, tmp_path: Path
) -> None:
    plain = _budget_line(pg_dsn, tmp_path, laps=laps_of({"season": 2024}))
    assert "pit_stops 3" in plain and "laps" not in plain

    with_laps = _budget_line(pg_dsn, tmp_path, laps=laps_of({"season": 2024, "laps": True}))
    assert f"laps {3 * race_pages(LAPS)}" in with_laps
    total = int(with_laps.split("about ", 1)[1].split()[0])
    assert total == int(plain.split("about ", 1)[1].split()[0]) + 3 * race_pages(LAPS)
