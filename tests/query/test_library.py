"""Every named query of sql/athena on the local engine, over a small lake the tests write.

Expected answers come from ``expected`` (plain Python over the same Season objects), never
from query output.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from f1lake.dashboard.spec import load_spec
from f1lake.query.dialect import to_athena
from f1lake.query.errors import ParameterError
from f1lake.query.library import (
    UnknownQueryError,
    find_query,
    load_library,
    parse_invocation,
)
from f1lake.query.local import LocalEngine
from f1lake.settings import Settings
from tests.query import expected as ex
from tests.query.seasondata import season_2022, season_2023, season_2024, seasons

S23 = season_2023()
LIBRARY = load_library()

# The named queries the tests of this module (and test_engine.py) run.
COVERED = {
    "standings",
    "team_standings",
    "standings_progression",
    "team_standings_progression",
    "wins_podiums",
    "poles_front_rows",
    "fastest_laps",
    "dnfs_by_cause",
    "constructor_reliability",
    "teammate_qualifying",
    "teammate_race",
    "positions_gained",
    "points_by_circuit",
    "alltime_wins",
    "alltime_podiums",
    "alltime_championships",
    "seasons",
    "driver_standings_from_results",  # tests/query/test_engine.py
    "constructor_standings_from_results",
    # The race, driver and history views' queries: tests/query/test_history_queries.py
    "season_races",
    "season_schedule",
    "race_classification",
    "race_fastest_laps",
    "race_retirements",
    "driver_career",
    "driver_teammates",
    "champions",
    "alltime_poles",
    "nationalities",
    "team_points_share",
    # Over pit_stops and laps: the dashboard draws them only when the lake has them
    # (tests/dashboard); race_pit_stops answers over the history in test_history_queries.py
    "race_pit_stops",
    "race_laps",
    # tests/pipeline (test_dags.py, test_stages.py) over the test dump, tests/query over the
    # real history (test_history_queries.py), tests/dashboard (test_data.py: every round or
    # team at once, as the dashboards run them)
    "fastest_pit_stops",
    "pit_stops_by_driver",
    "pit_stops_by_team",
    "lap_positions",
    "race_pace",
    "team_drivers",
    "driver_team_history",
}


@pytest.fixture(scope="module")
def lake(season_lake: Settings) -> Iterator[LocalEngine]:
    with LocalEngine(season_lake) as session:
        yield session


def run(lake: LocalEngine, name: str, **params: object) -> pd.DataFrame:
    query = find_query(name)
    return lake.run(query.text, params)


def by(df: pd.DataFrame, key: str | list[str], *cols: str) -> dict:
    """{key: (col, ...)} with plain Python values."""
    out = {}
    for row in df.to_dict("records"):
        k = tuple(row[c] for c in key) if isinstance(key, list) else row[key]
        values = tuple(None if pd.isna(row[c]) else row[c] for c in cols)
        out[k] = values if len(values) > 1 else values[0]
    return out


def test_standings(lake: LocalEngine) -> None:
    df = run(lake, "standings", season=2023)
    want = ex.standings(S23)
    assert by(df, "driver_id", "position", "points", "wins") == {
        d: (w["position"], w["points"], w["wins"]) for d, w in want.items()
    }
    # delta, foxtrot and echo end on 31 points: wins, then second places, decide.
    assert df["driver_id"].tolist()[3:6] == ["delta", "foxtrot", "echo"]
    assert by(df, "driver_id", "driver_name", "constructor_name") == {
        d: (ex.driver_name(d), ex.team_name(ex.team_at_end(S23, d))) for d in want
    }
    assert by(df, "driver_id", "constructor_name")["foxtrot"] == "Blue"  # his last team


def test_team_standings(lake: LocalEngine) -> None:
    df = run(lake, "team_standings", season=2023)
    want = ex.standings(S23, by="team")
    assert by(df, "constructor_id", "position", "points", "wins", "constructor_name") == {
        t: (w["position"], w["points"], w["wins"], ex.team_name(t)) for t, w in want.items()
    }


@pytest.mark.parametrize(
    ("name", "final", "key", "by_"),
    [
        ("standings_progression", "standings", "driver_id", "driver"),
        ("team_standings_progression", "team_standings", "constructor_id", "team"),
    ],
)
def test_progression_by_round_ends_on_the_final_standings(
    lake: LocalEngine, name: str, final: str, key: str, by_: str
) -> None:
    df = run(lake, name, season=2023)
    want = ex.progression(S23, by=by_)
    got = by(df, ["round", key], "position", "points", "wins")
    assert got == {k: (w["position"], w["points"], w["wins"]) for k, w in want.items()}
    last = df[df["round"] == df["round"].max()]
    standings = run(lake, final, season=2023)
    cols = [key, "position", "points", "wins"]
    assert last[cols].sort_values(key).to_dict("records") == standings[cols].sort_values(
        key
    ).to_dict("records")
    assert set(df.loc[df["round"] == 1, "race_name"]) == {"Alpha Grand Prix"}


def test_progression_numbers_ties_by_the_running_order(lake: LocalEngine) -> None:
    df = run(lake, "standings_progression", season=2023)
    first = by(df[df["round"] == 1], "driver_id", "position")
    # Level on 0 points with no classified place: delta ran further than foxtrot (out on lap 0).
    assert (first["delta"], first["foxtrot"]) == (5, 6)
    assert "golf" not in first  # he had not raced yet
    assert set(df.loc[df["driver_id"] == "golf", "round"]) == {3, 4}


def test_wins_podiums(lake: LocalEngine) -> None:
    df = run(lake, "wins_podiums", season=2023)
    assert by(df, "driver_id", "wins", "podiums", "starts") == ex.wins_podiums(S23)
    assert by(df, "driver_id", "starts")["delta"] == 3  # withdrawn in round 4: no start
    assert df["wins"].tolist() == sorted(df["wins"], reverse=True)


def test_poles_front_rows(lake: LocalEngine) -> None:
    df = run(lake, "poles_front_rows", season=2023)
    assert by(df, "driver_id", "poles", "front_rows", "starts") == ex.poles_front_rows(S23)
    # alpha's pole in round 4 stands although a penalty put him third on the grid.
    assert by(df, "driver_id", "poles")["alpha"] == 2


def test_fastest_laps(lake: LocalEngine) -> None:
    df = run(lake, "fastest_laps", season=2023)
    want = ex.fastest_laps(S23)
    assert by(df, "round", "driver_id", "lap", "fastest_lap_time_millis") == want
    assert by(df, "round", "fastest_lap_time") == {
        r: ex.lap_text(ms) for r, (_d, _lap, ms) in want.items()
    }
    assert by(df, "round", "driver_name", "constructor_name")[4] == (
        ex.driver_name("foxtrot"),
        "Blue",
    )
    assert 3 not in set(df["round"])  # no lap times that day


def test_dnfs_by_cause(lake: LocalEngine) -> None:
    df = run(lake, "dnfs_by_cause", season=2023)
    assert by(df, "cause", "dnfs") == ex.dnfs_by_cause(S23)
    categories = by(df, "cause", "category")
    assert {c for c, k in categories.items() if k == "mechanical"} == ex.MECHANICAL
    assert {c for c, k in categories.items() if k == "accident"} == ex.ACCIDENTS


def test_constructor_reliability(lake: LocalEngine) -> None:
    df = run(lake, "constructor_reliability", season=2023)
    want = ex.reliability(S23)
    got = by(df, "constructor_id", "starts", "finishes", "dnfs", "mechanical_dnfs")
    assert got == want
    rates = by(df, "constructor_id", "finish_rate")
    assert rates == {t: pytest.approx(v[1] / v[0], abs=5e-4) for t, v in want.items()}


@pytest.mark.parametrize(
    ("name", "place"),
    [("teammate_qualifying", ex.qualifying_place), ("teammate_race", ex.race_place)],
)
def test_teammate_head_to_heads(lake: LocalEngine, name: str, place) -> None:
    df = run(lake, name, season=2023)
    got = {
        frozenset((r["driver_id"], r["teammate_id"])): {
            r["driver_id"]: r["driver_ahead"],
            r["teammate_id"]: r["teammate_ahead"],
            "races": r["races"],
        }
        for r in df.to_dict("records")
    }
    assert got == ex.head_to_head(S23, place)
    assert len(got) == len(df)  # one row per pair
    assert (df["driver_ahead"] >= df["teammate_ahead"]).all()
    # blue ran three drivers: charlie met delta and foxtrot.
    assert {"charlie", "delta"} in [set(k) for k in got]
    assert {"charlie", "foxtrot"} in [set(k) for k in got]


def test_positions_gained(lake: LocalEngine) -> None:
    df = run(lake, "positions_gained", season=2023)
    assert by(df, "driver_id", "races", "positions_gained", "best_gain") == (
        ex.positions_gained(S23)
    )


def test_points_by_circuit(lake: LocalEngine) -> None:
    df = run(lake, "points_by_circuit", season=2023)
    assert by(df, ["round", "driver_id"], "points") == ex.points_by_circuit(S23)
    assert by(df, "round", "circuit_name", "country")[2] == ("Circuit 2", "Country 2")


def test_alltime_wins_and_podiums(lake: LocalEngine) -> None:
    everything = seasons()
    wins = run(lake, "alltime_wins")
    assert by(wins, "driver_id", "wins") == ex.alltime(everything, {"1"})
    assert wins["wins"].tolist() == sorted(wins["wins"], reverse=True)
    podiums = run(lake, "alltime_podiums")
    assert by(podiums, "driver_id", "podiums") == ex.alltime(everything, {"1", "2", "3"})
    assert by(wins, "driver_id", "first_win_season", "last_win_season")["bravo"] == (2022, 2022)


def test_alltime_championships_leave_a_season_in_progress_out(lake: LocalEngine) -> None:
    df = run(lake, "alltime_championships")
    want = ex.champions(seasons())
    assert by(df, "driver_id", "championships") == {d: len(s) for d, s in want.items()}
    assert by(df, "driver_id", "seasons") == {d: ", ".join(map(str, s)) for d, s in want.items()}
    assert "charlie" not in set(df["driver_id"])  # leads 2024, which is not over


def test_a_career_row_is_the_drivers_row_in_the_seasons_standings(lake: LocalEngine) -> None:
    career = run(lake, "driver_career")
    for season in seasons():
        table = run(lake, "standings", season=season.year)
        cols = ("position", "position_text", "points")
        rows = career[career["season"] == season.year]
        assert by(rows, "driver_id", *cols) == by(table, "driver_id", *cols), season.year
    # 2023: delta, foxtrot and echo end level on 31 points; the count-back places them.
    tied = career[(career["season"] == 2023) & career["driver_id"].isin(["delta", "echo"])]
    assert by(tied, "driver_id", "position_text") == {"delta": "4", "echo": "6"}
    titles = career[career["title"] == "Champion"]
    want = ex.champions(seasons())
    assert sorted(zip(titles["driver_id"], titles["season"], strict=True)) == sorted(
        (d, s) for d, won in want.items() for s in won
    )
    champions = run(lake, "champions")
    assert sorted(zip(champions["driver_id"], champions["season"], strict=True)) == sorted(
        zip(titles["driver_id"], titles["season"], strict=True)
    )


def test_season_schedule_lists_the_rounds_still_to_come(lake: LocalEngine) -> None:
    df = run(lake, "season_schedule", season=2024)
    assert by(df, "round", "run", "winner_name") == {
        1: (True, "Charlie CHARLIE"), 2: (False, None), 3: (False, None)
    }  # fmt: skip
    assert run(lake, "season_schedule", season=2023)["run"].all()


def test_seasons_newest_first(lake: LocalEngine) -> None:
    df = run(lake, "seasons")
    assert df["season"].tolist() == [2024, 2023, 2022]
    assert by(df, "season", "races") == {
        s.year: len(s.races) for s in (season_2022(), season_2023(), season_2024())
    }


def test_the_season_parameter_selects_the_season(lake: LocalEngine) -> None:
    df = run(lake, "standings", season="2022")
    assert by(df, "driver_id", "points") == {
        d: w["points"] for d, w in ex.standings(season_2022()).items()
    }


def test_dashboard_queries_return_the_columns_it_names(lake: LocalEngine) -> None:
    spec = load_spec()
    assert "season" in run(lake, spec.parameter.values_query).columns
    for name in dict.fromkeys([*spec.queries(), *spec.values_queries()[1:]]):
        if any(v.requires for v in spec.visuals() if v.query == name):
            continue  # feature-detected: tests/dashboard
        query = find_query(name)
        bound = spec.bindings(name)  # a selector's parameter: NULL, every value at once
        df = run(lake, name, **{p.name: None if p.name in bound else 2023 for p in query.params})
        assert set(spec.columns_of(name)) <= set(df.columns), (name, df.columns)
        assert not df.empty or name == "nationalities", name  # this lake names none


def test_every_named_query_has_a_description_and_is_tested_here() -> None:
    for query in LIBRARY.values():
        assert query.description, query.name
        native = to_athena(query.text)
        assert set(native.names) == {p.name for p in query.params}, query.name
    assert {"standings", "team_standings", "seasons"} <= set(LIBRARY)
    assert "driver_standings" not in LIBRARY  # the official table's name stays the table's
    assert "constructor_standings" not in LIBRARY


def test_every_named_query_is_covered_by_a_test() -> None:
    """A query added to sql/athena needs a test here (and an entry in COVERED)."""
    assert set(LIBRARY) == COVERED


def test_unknown_query_suggests_close_names() -> None:
    with pytest.raises(
        UnknownQueryError, match=r"unknown query 'standing'; did you mean standings"
    ):
        find_query("standing")


@pytest.mark.parametrize(
    ("args", "query", "params"),
    [
        (["standings", "--season", "2023"], "standings", {"season": "2023"}),
        (["standings", "--season=2023"], "standings", {"season": "2023"}),
        (["--param", "season=2023", "teammate_race"], "teammate_race", {"season": "2023"}),
        (["SELECT 1 AS n", "-p", "x=-4"], "SELECT 1 AS n", {"x": "-4"}),
        (["alltime_wins"], "alltime_wins", {}),
        ([], None, {}),
    ],
)
def test_command_line_invocations_parse(args, query, params) -> None:
    assert parse_invocation(args) == (query, params)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["standings", "--season"], "--season needs a value"),
        (["standings", "--season", "1", "--season", "2"], "given twice"),
        (["standings", "seasons"], "more than one query"),
        (["-x"], "unknown option"),
        (["-p", "season"], "not NAME=VALUE"),
    ],
)
def test_bad_invocations_are_named(args, message) -> None:
    with pytest.raises(ParameterError, match=message):
        parse_invocation(args)


def test_library_lists_files_not_views_or_checks(tmp_path: Path) -> None:
    (tmp_path / "views").mkdir()
    (tmp_path / "views" / "v.sql").write_text("CREATE VIEW v AS SELECT 1 AS x")
    (tmp_path / "q.sql").write_text(
        "-- What q answers.\n-- @param season integer  Year.\nSELECT :season AS s"
    )
    lib = load_library(tmp_path)
    assert list(lib) == ["q"]
    assert lib["q"].description == "What q answers."
    assert lib["q"].usage == "q --season INTEGER"
