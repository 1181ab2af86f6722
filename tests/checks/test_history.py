"""The checks and standings over the real 1950-2025 history (skipped without ../shared/data).

The tables come straight from the CSV dump into DuckDB (tests/checks/history.py) rather than
through S3, so the whole history runs in seconds; the SQL is the same as on the lake.
"""

from __future__ import annotations

import datetime as dt
import time

import pytest

from f1lake.checks import format_results, run_checks_in
from f1lake.query.local import LocalEngine
from f1lake.resources import SQL_ROOT
from tests.checks.history import load_history, residual_differences
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
        "SELECT driver_id, points FROM driver_standings WHERE CAST(season AS integer) = :season AND points > 0",
        {"season": str(season)},
    )
    derived = history.run_file(SQL_ROOT / "standings.sql", {"season": season})
    scored = derived[derived["points"] > 0]
    assert dict(zip(scored["driver_id"], scored["points"], strict=True)) == dict(
        zip(official["driver_id"], official["points"], strict=True)
    )
    teams = history.run(
        "-- @param season varchar  Year.\n"
        "SELECT constructor_id, points FROM constructor_standings WHERE CAST(season AS integer) = :season AND points > 0",
        {"season": str(season)},
    )
    derived_teams = history.run_file(SQL_ROOT / "team_standings.sql", {"season": season})
    scored_teams = derived_teams[derived_teams["points"] > 0]
    assert dict(zip(scored_teams["constructor_id"], scored_teams["points"], strict=True)) == dict(
        zip(teams["constructor_id"], teams["points"], strict=True)
    )


# The derived standings after each season's last round against the official final table: the
# entrants whose position, mark or points differ, per season.
_DIFFERENCES = """
WITH derived AS (
    SELECT season, {key} AS entrant_id, position_text, points
    FROM {view}
    WHERE round = (SELECT max(v.round) FROM {view} AS v WHERE v.season = {view}.season)
),
official AS (
    SELECT CAST(season AS integer) AS season, {key} AS entrant_id, position_text, points
    FROM {official}
)
SELECT coalesce(d.season, o.season) AS season, coalesce(d.entrant_id, o.entrant_id) AS entrant
FROM derived AS d
FULL OUTER JOIN official AS o ON o.season = d.season AND o.entrant_id = d.entrant_id
WHERE d.entrant_id IS NULL OR o.entrant_id IS NULL OR d.position_text <> o.position_text
    OR abs(d.points - o.points) > 1e-6
"""


def _differences(history: LocalEngine, championship: str) -> dict[int, set[str]]:
    view, official, key = {
        "drivers": ("driver_standings_by_round", "driver_standings", "driver_id"),
        "constructors": (
            "constructor_standings_by_round",
            "constructor_standings",
            "constructor_id",
        ),
    }[championship]
    rows = history.run(_DIFFERENCES.format(view=view, official=official, key=key))
    out: dict[int, set[str]] = {}
    for season, entrant in zip(rows["season"], rows["entrant"], strict=True):
        out.setdefault(int(season), set()).add(entrant)
    return out


@pytest.mark.parametrize("championship", ["drivers", "constructors"])
def test_standings_equal_the_official_tables_but_the_documented_residuals(
    history: LocalEngine, championship: str
) -> None:
    documented = {
        season: entrants
        for (table, season), entrants in residual_differences().items()
        if table == championship
    }
    found = _differences(history, championship)
    first = 1950 if championship == "drivers" else 1958
    print(
        f"\n{championship}: {76 - len(found)} of 76 seasons exactly equal "
        f"({2025 - first + 1 - len(found)} of {2025 - first + 1} championships)"
    )
    assert found == documented


def test_the_decisions_show_as_the_official_tables_print_them(history: LocalEngine) -> None:
    drivers = history.run_file(SQL_ROOT / "standings.sql", {"season": 1997})
    schumacher = drivers[drivers["driver_id"] == "michael_schumacher"].iloc[0]
    assert (schumacher["position_text"], schumacher["points"]) == ("D", 78.0)
    assert schumacher["position"] == len(drivers)  # listed after every ranked driver
    assert drivers.iloc[0]["driver_id"] == "villeneuve"
    teams = history.run_file(SQL_ROOT / "team_standings.sql", {"season": 2007})
    assert teams.iloc[-1][["constructor_id", "position_text", "points"]].tolist() == [
        "mclaren",
        "E",
        218.0,
    ]
    force_india = history.run_file(SQL_ROOT / "team_standings.sql", {"season": 2018})
    row = force_india[force_india["constructor_id"] == "force_india"].iloc[0]
    assert (row["points"], row["points_scored"]) == (52.0, 111.0)
    assert row["adjustment"].startswith("Force India's 59 points")


def test_a_season_in_progress_has_no_champion_and_provisional_standings() -> None:
    with LocalEngine(
        con=load_history(shared_path("ergast-csv"), as_of=dt.date(2025, 10, 6))
    ) as lake:
        calendar = lake.run("SELECT * FROM season_calendars WHERE season >= 2024")
        assert calendar.set_index("season")["rounds_to_run"].to_dict() == {2024: 0, 2025: 6}
        champions = lake.run_file(SQL_ROOT / "alltime_championships.sql")
        seasons = {int(s) for row in champions["seasons"] for s in row.split(", ")}
        assert 2024 in seasons and 2025 not in seasons
        assert len(seasons) == 75  # every complete season 1950-2024 has its champion
        standings = lake.run_file(SQL_ROOT / "standings.sql", {"season": 2025})
        assert set(standings["provisional"]) == {True}
        teams = lake.run_file(SQL_ROOT / "team_standings.sql", {"season": 2024})
        assert set(teams["provisional"]) == {False}
