"""Seasons resolved as the source means them, against the replay behaving like Jolpica.

Jolpica answers ``current/last`` with 404 while the calendar year's season is unpublished
(every January), and names an unrun round 1 ``last`` between seasons. The planner never asks
``current/last``: the latest published season bounds a request, and a round counts as
completed only when its date has passed and the API has its results.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest
import requests

from f1lake.ledger import Ledger, migrate
from f1lake.pipeline.plan import plan_backfill, plan_latest
from f1lake.pipeline.plan_rules import PlanError
from f1lake.replay.faults import FaultConfig, FaultRule
from f1lake.replay.server import Faults, replay_api
from f1lake.settings import Settings

NEVER_CURRENT = FaultRule("server_error", path="current*")
"""Any request for ``current...`` would be answered 503 and counted: none must come."""


@contextmanager
def jolpica_like(csv_dir: Path, today: date, pg_dsn: str, tmp_path: Path) -> Iterator[tuple]:
    faults = Faults(FaultConfig(jolpica=True))
    with replay_api(csv_dir, today=today, faults=faults) as url:
        migrate(pg_dsn)
        settings = Settings(
            api_base_url=url,
            state_dir=tmp_path,
            rate_limit_per_second=100,
            http_max_attempts=2,
            http_backoff_seconds=0.01,
        )
        yield settings, faults, url


def test_a_past_season_backfills_in_january_when_current_last_answers_404(
    minidump, pg_dsn, tmp_path
):
    # 15 January 2024: the replay (like Jolpica) has no 2024 season yet
    with jolpica_like(minidump, date(2024, 1, 15), pg_dsn, tmp_path) as (settings, faults, url):
        assert requests.get(f"{url}/current/last.json", timeout=5).status_code == 404
        faults.configure(FaultConfig(jolpica=True, rules=(NEVER_CURRENT,)))

        [plan] = plan_backfill(settings, pg_dsn, 2023)

        # rounds 6 and 7 have been run by the calendar but the source has no results for them
        assert plan.targets == [1, 2, 3, 4, 5]
        assert plan.work["results"] and plan.last_round == 5
        [past] = plan_backfill(settings, pg_dsn, 2022)
        assert past.targets == [1, 2, 3]
        assert faults.injected == {}, "the planner asked for current/last"


def test_an_unrun_round_1_called_last_is_not_taken_as_completed(minidump, pg_dsn, tmp_path):
    # 1 February 2023: the 2023 calendar is published, its round 1 (5 March) not yet run
    with jolpica_like(minidump, date(2023, 2, 1), pg_dsn, tmp_path) as (settings, faults, url):
        last = requests.get(f"{url}/current/last.json", timeout=5).json()["MRData"]["RaceTable"]
        assert (last["season"], last["round"]) == ("2023", "1")
        faults.configure(FaultConfig(jolpica=True, rules=(NEVER_CURRENT,)))

        with pytest.raises(PlanError, match="season 2023: no race has been run"):
            plan_backfill(settings, pg_dsn, 2023)
        with Ledger(pg_dsn) as ledger:
            assert ledger.ingestions(2023) == []
        latest = plan_latest(settings, pg_dsn, today=date(2023, 2, 1))

        # the latest DAG tends the season last run, not an empty new one
        assert (latest.season, latest.targets) == (2022, [1, 2, 3])
        assert faults.injected == {}


def test_seasons_beyond_the_latest_published_are_refused_naming_the_range(
    minidump, pg_dsn, tmp_path
):
    with jolpica_like(minidump, date(2023, 9, 1), pg_dsn, tmp_path) as (settings, _, _url):
        with pytest.raises(PlanError, match="1950 to 2023, the latest season the source has"):
            plan_backfill(settings, pg_dsn, 2024)
        with pytest.raises(PlanError, match="season 2023 has no round 99"):
            plan_backfill(settings, pg_dsn, 2023, round_=99)
        with Ledger(pg_dsn) as ledger:  # round 99 left the schedule unwritten
            assert ledger.races(2023) == []
