"""The data step over a small lake: each visual's answer equals what the race data implies."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from f1lake.dashboard.data import DashboardData, DashboardError, collect, run_named
from f1lake.dashboard.spec import load_spec, parse_spec
from f1lake.query.local import LocalEngine
from f1lake.resources import DASHBOARD_SPEC
from f1lake.settings import Settings
from tests.conftest import unique_names
from tests.dashboard import lakedata


@pytest.fixture(scope="module")
def data(lake: Settings) -> DashboardData:
    with LocalEngine(lake) as session:
        return collect(session, load_spec())


def _records(data: DashboardData, season: int, query: str) -> list[dict[str, Any]]:
    return data.answers[season][query].records()


def test_every_season_in_the_lake_is_collected_and_the_latest_comes_first(
    data: DashboardData,
) -> None:
    assert data.seasons == (2022, 2023)
    assert data.default_season == 2023
    assert set(data.answers) == {2022, 2023}
    json.dumps({s: {q: r.rows for q, r in a.items()} for s, a in data.answers.items()})


@pytest.mark.parametrize("season", [2022, 2023])
def test_final_standings_match_the_race_results(data: DashboardData, season: int) -> None:
    columns = ("position_text", "driver_name", "constructor_name", "points", "wins", "podiums")
    got = [tuple(r[c] for c in columns) for r in _records(data, season, "standings")]
    want = [
        (str(s["position"]), s["name"], s["team"], s["points"], s["wins"], s["podiums"])
        for s in lakedata.standings(season)
    ]
    assert got == want


@pytest.mark.parametrize("season", [2022, 2023])
def test_progression_is_the_running_total_after_each_round(
    data: DashboardData, season: int
) -> None:
    for query, column, by in (
        ("standings_progression", "driver_name", "driver"),
        ("team_standings_progression", "constructor_name", "team"),
    ):
        got = {(r["round"], r[column]): r["points"] for r in _records(data, season, query)}
        want = {
            (i, who): pts
            for who, points in lakedata.progression(season, by).items()
            for i, pts in enumerate(points, start=1)
            if pts is not None
        }
        assert got == want, query


def test_constructor_points_wins_and_podiums(data: DashboardData) -> None:
    teams = {r["constructor_name"]: r["points"] for r in _records(data, 2023, "team_standings")}
    assert teams == {s["name"]: s["points"] for s in lakedata.standings(2023, by="team")}
    got = {
        r["driver_name"]: (r["wins"], r["podiums"]) for r in _records(data, 2023, "wins_podiums")
    }
    want = {s["name"]: (s["wins"], s["podiums"]) for s in lakedata.standings(2023)}
    # Drivers without a podium may be left out; everyone listed must be right.
    assert {k: v for k, v in want.items() if v != (0, 0)}.items() <= got.items()
    assert all(got[k] == want.get(k, (0, 0)) for k in got)


def _lap_time(value: Any, millis: int) -> bool:
    minutes, rest = divmod(millis, 60_000)
    return value in (millis, millis / 1000, f"{minutes}:{rest / 1000:06.3f}")


def test_fastest_laps_and_retirements(data: DashboardData) -> None:
    for season in (2022, 2023):
        rows = _records(data, season, "fastest_laps")
        want = lakedata.fastest_laps(season)
        keys = ("round", "race_name", "driver_name", "constructor_name", "lap")
        assert [tuple(r[k] for k in keys) for r in rows] == [
            tuple(w[k] for k in keys) for w in want
        ]
        for row, expected in zip(rows, want, strict=True):
            assert _lap_time(row["fastest_lap_time"], expected["millis"]), row
        dnfs = {r["cause"]: r["dnfs"] for r in _records(data, season, "dnfs_by_cause")}
        assert dnfs == lakedata.dnfs_by_cause(season)


def test_chosen_seasons_only(lake: Settings) -> None:
    with LocalEngine(lake) as session:
        one = collect(session, load_spec(), [2022])
        assert (one.seasons, one.default_season, set(one.answers)) == ((2022,), 2022, {2022})
        # The main job's range may run past the seasons with races: those are left out.
        some = collect(session, load_spec(), range(2021, 2023), missing_ok=True)
        assert some.seasons == (2022,)
        with pytest.raises(DashboardError) as info:
            collect(session, load_spec(), [2022, 1999])
    assert "season(s) 1999 not in the lake" in str(info.value)
    assert "2022, 2023" in str(info.value)


def test_an_empty_lake_says_to_load_a_season_first(moto_endpoint: str) -> None:
    from tests.catalog.lakedata import make_bucket

    empty = Settings(aws_endpoint_url=moto_endpoint, **unique_names())
    make_bucket(empty)
    with LocalEngine(empty) as session, pytest.raises(DashboardError, match="no season yet"):
        collect(session, load_spec())


def _spec_with(edit) -> Any:
    raw = json.loads(DASHBOARD_SPEC.read_text(encoding="utf-8"))
    raw = copy.deepcopy(raw)
    edit(raw)
    return parse_spec(raw)


def test_a_column_the_query_does_not_return_is_named_with_the_visual(lake: Settings) -> None:
    def edit(raw: dict) -> None:
        raw["sheets"][0]["visuals"][1]["columns"].append("pole_positions")

    with LocalEngine(lake) as session, pytest.raises(DashboardError) as info:
        collect(session, _spec_with(edit), [2023])
    message = str(info.value)
    assert "'standings'" in message and "pole_positions" in message
    assert "driver_standings" in message and "driver_name" in message  # visual, what it returned


def test_a_query_that_is_not_in_the_library_is_named(lake: Settings) -> None:
    def edit(raw: dict) -> None:
        raw["sheets"][1]["visuals"][2]["query"] = "retirements_by_weather"

    with LocalEngine(lake) as session, pytest.raises(DashboardError) as info:
        collect(session, _spec_with(edit), [2023])
    assert "retirements_by_weather" in str(info.value)


def test_a_race_with_laps_and_pit_stops_lights_up_their_visuals(
    data: DashboardData, lake: Settings
) -> None:
    assert data.unavailable == {}  # the lake holds laps and pit_stops: nothing waits for them
    (season, rnd), times = next(iter(lakedata.LAP_TIMES.items()))
    gaps = {
        (r["driver_name"], r["lap"]): r["gap_seconds"]
        for r in _records(data, season, "lap_positions")
    }
    want = {}
    for d, own in times.items():
        for lap in range(1, len(own) + 1):
            leader = min(sum(t[:lap]) for t in times.values() if len(t) >= lap)
            want[(lakedata.name(d), lap)] = (sum(own[:lap]) - leader) / 1000
    assert gaps == want
    assert {r["round"] for r in _records(data, season, "lap_positions")} == {rnd}
    positions = {
        (r["driver_name"], r["lap"]): r["position"] for r in _records(data, season, "race_laps")
    }
    assert positions == {
        (lakedata.name(d), lap): p
        for d, places in lakedata.lap_positions(season, rnd).items()
        for lap, p in enumerate(places, start=1)
    }
    pace = {r["driver_name"]: r["pace_gap_seconds"] for r in _records(data, season, "race_pace")}
    assert pace == lakedata.pace_gaps(season, rnd)
    # Bound to the race, a query runs once for every round: each round's rows are its answer.
    with LocalEngine(lake) as session:
        for query in ("lap_positions", "race_pace"):
            every = data.answers[season][query]
            one = run_named(session, query, {"season": season, "round": rnd})
            assert one.select(every.columns).rows == every.rows, query

    team_of = {
        r.driver: r.team
        for race in lakedata.SEASONS[season]
        if race.round == rnd
        for r in race.results
    }
    stops: dict[str, list[float]] = {}
    for d, _, _, ms in lakedata.PIT_STOPS[(season, rnd)]:
        stops.setdefault(team_of[d], []).append(ms / 1000)
    by_team = {
        r["constructor_id"]: r["avg_seconds"] for r in _records(data, season, "pit_stops_by_team")
    }
    assert by_team == {t: round(sum(s) / len(s), 3) for t, s in stops.items()}
    fastest = [(r["rank"], r["driver_name"]) for r in _records(data, season, "fastest_pit_stops")]
    ordered = sorted(lakedata.PIT_STOPS[(season, rnd)], key=lambda s: s[3])
    assert fastest == [(i, lakedata.name(s[0])) for i, s in enumerate(ordered, start=1)]
    assert {
        r["driver_name"]: r["stops"] for r in _records(data, season, "pit_stops_by_driver")
    } == {lakedata.name(d): n for d, n, _, _ in lakedata.PIT_STOPS[(season, rnd)]}


def test_every_team_s_drivers_and_every_driver_s_teams(data: DashboardData) -> None:
    for season, races in lakedata.SEASONS.items():
        entries = [(r.team, r.driver) for race in races for r in race.results]
        rows = _records(data, season, "team_drivers")
        assert {(r["constructor_id"], r["driver_name"]): r["races"] for r in rows} == {
            (t, lakedata.name(d)): entries.count((t, d)) for t, d in set(entries)
        }
    spells: dict[str, list[str]] = {}
    for season in sorted(lakedata.SEASONS):
        for race in lakedata.SEASONS[season]:
            for r in race.results:
                if spells.setdefault(r.driver, [])[-1:] != [r.team]:
                    spells[r.driver].append(r.team)
    rows = data.overall["driver_team_history"].records()
    got: dict[str, list[str]] = {}
    for r in sorted(rows, key=lambda r: (r["driver_id"], r["spell"])):
        got.setdefault(r["driver_id"], []).append(r["constructor_id"])
    assert got == spells
