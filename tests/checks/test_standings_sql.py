"""Standings SQL (per round and per season) over a small lake with half points and a sprint."""

from __future__ import annotations

from collections import defaultdict

import pytest

from f1lake.catalog import crawl
from f1lake.query.local import run_file, run_query
from f1lake.resources import SQL_ROOT
from f1lake.settings import Settings
from tests.checks.lakedata import Season, build, modern_season


@pytest.fixture
def lake(settings: Settings) -> Settings:
    build(settings, [modern_season(2021)])
    crawl(settings)
    return settings


def _cumulative(season: Season, by: str) -> dict[tuple[int, str], float]:
    """(round, entrant) -> points after that round, from the entrant's first round on."""
    per_round: dict[int, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for sessions in (season.races, season.sprints):
        for rnd, entries in sessions.items():
            for e in entries:
                per_round[rnd][getattr(e, by)] += e.points
    out, running = {}, defaultdict(float)
    for rnd in sorted(per_round):
        for who, pts in per_round[rnd].items():
            running[who] += pts
        for who, pts in running.items():
            out[(rnd, who)] = pts
    return out


@pytest.mark.parametrize(
    ("view", "entrant", "by"),
    [
        ("driver_standings_by_round", "driver_id", "driver"),
        ("constructor_standings_by_round", "constructor_id", "team"),
    ],
)
def test_standings_by_round_are_cumulative_race_plus_sprint_points(
    lake: Settings, view: str, entrant: str, by: str
) -> None:
    df = run_query(lake, f"SELECT season, round, {entrant}, points, position FROM {view}")
    got = {(int(r["round"]), r[entrant]): float(r["points"]) for r in df.to_dict("records")}
    assert got == _cumulative(modern_season(2021), by)
    assert set(df["season"]) == {2021}
    after_last = df[df["round"] == 3].sort_values("position")
    assert list(after_last["points"]) == sorted(after_last["points"], reverse=True)


def test_season_standings_include_sprints_and_rank_by_count_back(lake: Settings) -> None:
    season = modern_season(2021)
    drivers = run_file(lake, SQL_ROOT / "standings.sql", {"season": 2021})
    totals = {k[1]: v for k, v in _cumulative(season, "driver").items() if k[0] == 3}
    assert dict(zip(drivers["driver_id"], drivers["points"], strict=True)) == totals
    # alpha 51, delta 35.5 incl. the sprint win (3), bravo 42.5, charlie 40
    assert drivers["driver_id"].tolist() == ["alpha", "bravo", "charlie", "delta"]
    assert drivers["wins"].tolist() == [1, 1, 0, 1]
    teams = run_file(lake, SQL_ROOT / "team_standings.sql", {"season": 2021})
    assert dict(zip(teams["constructor_id"], teams["points"], strict=True)) == {
        "red": 91.0,
        "blue": 78.0,
    }


def test_from_results_queries_still_leave_sprints_out(lake: Settings) -> None:
    df = run_file(lake, SQL_ROOT / "driver_standings_from_results.sql", {"season": 2021})
    assert dict(zip(df["driver_id"], df["points"], strict=True))["delta"] == 32.5
