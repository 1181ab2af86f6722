"""The checks and standings over the real 1950-2025 history (skipped without ../shared/data).

The tables come straight from the CSV dump into DuckDB (tests/checks/history.py) rather than
through S3, so the whole history runs in seconds; the SQL is the same as on the lake.
"""

from __future__ import annotations

import time

import pytest

from f1lake.checks import format_results, run_checks_in
from f1lake.query.local import LocalEngine
from f1lake.resources import SQL_ROOT
from tests.checks.history import load_history
from tests.conftest import shared_path

pytestmark = pytest.mark.shared


@pytest.fixture(scope="module")
def history():
    with LocalEngine(con=load_history(shared_path("ergast-csv"))) as local:
        yield local


def test_every_check_passes_over_the_full_history(history: LocalEngine) -> None:
    started = time.perf_counter()
    results = run_checks_in(history)
    print(
        f"\n{format_results(results)}\nchecks over 1950-2025: {time.perf_counter() - started:.2f}s"
    )
    assert [r.name for r in results if not r.passed] == []
    seasons = history.run("SELECT count(DISTINCT season) AS n FROM results")["n"].item()
    assert seasons == 76  # the checks saw every season, not an empty lake


@pytest.mark.parametrize("season", [1988, 2021, 2022, 2023])
def test_season_standings_equal_the_official_tables(history: LocalEngine, season: int) -> None:
    official = history.run(
        "-- @param season varchar  Year.\n"
        "SELECT driver_id, points FROM driver_standings WHERE season = :season AND points > 0",
        {"season": str(season)},
    )
    derived = history.run_file(SQL_ROOT / "standings.sql", {"season": season})
    scored = derived[derived["points"] > 0]
    assert dict(zip(scored["driver_id"], scored["points"], strict=True)) == dict(
        zip(official["driver_id"], official["points"], strict=True)
    )
    teams = history.run(
        "-- @param season varchar  Year.\n"
        "SELECT constructor_id, points FROM constructor_standings WHERE season = :season AND points > 0",
        {"season": str(season)},
    )
    derived_teams = history.run_file(SQL_ROOT / "team_standings.sql", {"season": season})
    scored_teams = derived_teams[derived_teams["points"] > 0]
    assert dict(zip(scored_teams["constructor_id"], scored_teams["points"], strict=True)) == dict(
        zip(teams["constructor_id"], teams["points"], strict=True)
    )
