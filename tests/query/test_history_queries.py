"""Named queries over the real 1950-2025 history (../shared/data; skipped when absent).

The official tables of the dump (driver_standings after each season's last round) are the
independent answer the derived queries must give.
"""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd
import pytest

from f1lake.query.library import find_query, load_library
from f1lake.query.local import LocalEngine
from tests.checks.history import load_history
from tests.conftest import shared_path

pytestmark = pytest.mark.shared


@pytest.fixture(scope="module")
def history() -> Iterator[LocalEngine]:
    with LocalEngine(con=load_history(shared_path("ergast-csv"))) as local:
        yield local


def official(history: LocalEngine, season: int) -> dict[str, tuple[int, float, int]]:
    df = history.run(
        "-- @param season varchar  Year.\n"
        "SELECT driver_id, position, points, wins FROM driver_standings WHERE CAST(season AS integer) = :season",
        {"season": str(season)},
    )
    return {
        r["driver_id"]: (int(r["position"]), float(r["points"]), int(r["wins"]))
        for r in df.to_dict("records")
    }


@pytest.mark.parametrize("season", [2021, 2022, 2023])
def test_standings_equal_the_official_driver_standings(history: LocalEngine, season: int) -> None:
    df = history.run(find_query("standings").text, {"season": season})
    derived = {
        r["driver_id"]: (int(r["position"]), float(r["points"]), int(r["wins"]))
        for r in df.to_dict("records")
    }
    assert derived == official(history, season)


@pytest.mark.parametrize("season", [1988, 2021, 2023])
def test_progression_ends_on_the_standings(history: LocalEngine, season: int) -> None:
    progression = history.run(find_query("standings_progression").text, {"season": season})
    last = progression[progression["round"] == progression["round"].max()]
    standings = history.run(find_query("standings").text, {"season": season})
    cols = ["driver_id", "position", "points", "wins"]
    assert last[cols].sort_values("driver_id").to_dict("records") == standings[cols].sort_values(
        "driver_id"
    ).to_dict("records")


def test_alltime_champions_are_the_official_champions(history: LocalEngine) -> None:
    leaders = history.run(
        "SELECT CAST(season AS integer) AS season, driver_id FROM driver_standings "
        "WHERE position = 1"
    )
    calendar = history.run(
        "SELECT CAST(season AS integer) AS season, count(*) AS rounds FROM races GROUP BY 1"
    )
    run = history.run(
        "SELECT CAST(season AS integer) AS season, count(DISTINCT round) AS rounds "
        "FROM results GROUP BY 1"
    )
    scheduled = dict(zip(calendar["season"], calendar["rounds"], strict=True))
    complete = {s for s, n in zip(run["season"], run["rounds"], strict=True) if n == scheduled[s]}
    titles: dict[str, list[int]] = {}
    for season, driver in sorted(zip(leaders["season"], leaders["driver_id"], strict=True)):
        if season in complete:
            titles.setdefault(driver, []).append(int(season))
    df = history.run(find_query("alltime_championships").text)
    assert {r["driver_id"]: r["seasons"] for r in df.to_dict("records")} == {
        d: ", ".join(map(str, s)) for d, s in titles.items()
    }


SAMPLE = {"season": 2021, "round": 5, "constructor": "ferrari", "driver": "hamilton"}
NO_LAP_TIMES = {"lap_positions", "race_pace", "race_laps"}
"""The dump has no lap_times.csv: these answer nothing over it (tests/pipeline covers them)."""


def test_every_named_query_answers_over_the_history(history: LocalEngine) -> None:
    for query in load_library().values():
        df = history.run(query.text, {p.name: SAMPLE[p.name] for p in query.params})
        assert df.empty == (query.name in NO_LAP_TIMES), query.name


# --- the race, driver and history views' queries, against the dump's own tables --------------


def _plain(history: LocalEngine, sql: str) -> list[tuple]:
    return [tuple(r) for r in history.run(sql).itertuples(index=False)]


def test_race_queries_of_abu_dhabi_2021(history: LocalEngine) -> None:
    races = history.run(find_query("season_races").text, {"season": 2021})
    assert len(races) == 22 and races.iloc[-1]["race_name"] == "Abu Dhabi Grand Prix"
    df = history.run(find_query("race_classification").text, {"season": 2021})
    race = df[df["round"] == 22]
    order = _plain(
        history,
        "SELECT driver_id FROM results WHERE season = '2021' AND round = 22 ORDER BY position_order",
    )
    assert list(race["driver_id"]) == [d for (d,) in order]
    top = race.head(2).to_dict("records")
    assert [(r["driver_name"], r["points"], r["gap"]) for r in top] == [
        ("Max Verstappen", 26.0, "1:30:17.345"),
        ("Lewis Hamilton", 18.0, "+2.256"),
    ]
    finished = race.dropna(subset=["finish"])
    finished = finished[finished["grid"] > 0]
    assert list(finished["positions_gained"]) == list(finished["grid"] - finished["finish"])
    laps = history.run(find_query("race_fastest_laps").text, {"season": 2021})
    fastest = history.run(find_query("fastest_laps").text, {"season": 2021})
    firsts = laps[laps["lap_rank"] == 1]
    assert list(firsts["driver_id"]) == list(fastest["driver_id"])
    out = history.run(find_query("race_retirements").text, {"season": 2021})
    ((dnfs,),) = _plain(
        history, "SELECT count(*) FROM results WHERE season = '2021' AND position_text = 'R'"
    )
    assert len(out) == dnfs


def test_careers_and_champions_match_the_official_standings(history: LocalEngine) -> None:
    career = history.run(find_query("driver_career").text)
    hamilton = career[career["driver_id"] == "hamilton"]
    assert list(hamilton[hamilton["title"] == "Champion"]["season"]) == [
        2008, 2014, 2015, 2017, 2018, 2019, 2020,
    ]  # fmt: skip
    for season in (2021, 2023):
        got = career[career["season"] == season].dropna(subset=["position"])
        derived = {
            r["driver_id"]: (int(r["position"]), float(r["points"]), int(r["wins"]))
            for r in got.to_dict("records")
        }
        assert derived == official(history, season)
    # 1997: Schumacher disqualified from the championship, his 78 points kept, as standings.
    in_1997 = career[career["season"] == 1997].dropna(subset=["position"])
    standings = history.run(find_query("standings").text, {"season": 1997})
    cols = ["driver_id", "position", "position_text", "points"]
    assert in_1997[cols].sort_values("driver_id").to_dict("records") == standings[cols].sort_values(
        "driver_id"
    ).to_dict("records")
    schumacher = in_1997[in_1997["driver_id"] == "michael_schumacher"].iloc[0]
    assert (schumacher["position_text"], schumacher["points"]) == ("D", 78.0)
    champions = history.run(find_query("champions").text)
    by_season = {r["season"]: r for r in champions.to_dict("records")}
    assert (by_season[2023]["driver_name"], by_season[2023]["constructor_name"]) == (
        "Max Verstappen",
        "Red Bull",
    )
    assert by_season[2021]["constructor_name"] == "Mercedes"
    assert pd.isna(by_season[1955]["constructor_name"])  # no constructors' title before 1958
    titles = history.run(find_query("alltime_championships").text)
    counted = champions["driver_id"].value_counts().to_dict()
    assert counted == dict(zip(titles["driver_id"], titles["championships"], strict=True))


def test_teammate_head_to_heads_read_both_ways(history: LocalEngine) -> None:
    df = history.run(find_query("driver_teammates").text)
    pairs = {(r["driver_id"], r["teammate_id"]): r for r in df.to_dict("records")}
    for (a, b), r in pairs.items():
        back = pairs[(b, a)]
        assert (r["race_ahead"], r["qualifying_ahead"]) == (
            back["race_behind"],
            back["qualifying_behind"],
        )
    bottas = pairs[("hamilton", "bottas")]
    ahead = 0
    for season in range(2017, 2022):
        per = history.run(find_query("teammate_race").text, {"season": season})
        row = per[
            per["driver_id"].isin(["hamilton", "bottas"])
            & per["teammate_id"].isin(["hamilton", "bottas"])
        ].iloc[0]
        ahead += row["driver_ahead"] if row["driver_id"] == "hamilton" else row["teammate_ahead"]
    assert (bottas["first_season"], bottas["last_season"], bottas["race_ahead"]) == (
        2017,
        2021,
        ahead,
    )


def test_alltime_poles_nationalities_and_points_share(history: LocalEngine) -> None:
    poles = history.run(find_query("alltime_poles").text)
    top = poles.iloc[0]
    ((qualifying_firsts,),) = _plain(
        history,
        "SELECT count(*) FROM qualifying WHERE driver_id = 'hamilton' AND position = 1",
    )
    assert (top["driver_id"], top["poles"]) == ("hamilton", qualifying_firsts)
    nations = history.run(find_query("nationalities").text)
    british = nations[nations["nationality"] == "British"].iloc[0]
    ((drivers,),) = _plain(
        history,
        "SELECT count(DISTINCT driver_id) FROM results "
        "WHERE driver_nationality = 'British' AND position_text NOT IN ('F', 'W')",
    )
    assert british["drivers"] == drivers and british["winners"] <= drivers
    share = history.run(find_query("team_points_share").text)
    assert share.groupby("decade")["share_pct"].sum().max() <= 100.05
    ((ferrari,),) = _plain(
        history,
        "SELECT round(100 * sum(CASE WHEN constructor_id = 'ferrari' THEN points ELSE 0 END) "
        "/ sum(points), 1) FROM results WHERE CAST(season AS INTEGER) BETWEEN 2000 AND 2009",
    )
    got = share[(share["decade"] == 2000) & (share["constructor_id"] == "ferrari")]
    assert float(got["share_pct"].iloc[0]) == ferrari


def test_driver_teams_follow_hamilton_from_mclaren_to_mercedes_to_ferrari(
    history: LocalEngine,
) -> None:
    career = history.run(find_query("driver_team_history").text, {"driver": "Lewis Hamilton"})
    spells = career[["constructor_id", "first_season", "last_season", "is_latest"]]
    assert spells.values.tolist() == [
        ["mclaren", 2007, 2012, False],
        ["mercedes", 2013, 2024, False],
        ["ferrari", 2025, 2025, True],
    ]
    # valid-from / valid-to: each spell ends the day the next one begins
    assert list(career["valid_to"][:-1]) == list(career["valid_from"][1:])
    assert pd.isna(career["valid_to"].iloc[-1])  # still his team
    assert list(career["races"][:2]) == [110, 246]
    ferrari = history.run(
        find_query("team_drivers").text, {"season": 2019, "constructor": "Ferrari"}
    )
    assert sorted(ferrari["driver_id"]) == ["leclerc", "vettel"]
    assert set(ferrari["races"]) == {21}
    # NULL: every team's drivers, every driver's spells (what the dashboards load at once)
    every = history.run(find_query("team_drivers").text, {"season": 2019, "constructor": None})
    assert every["constructor_id"].nunique() == 10
    assert every[every["constructor_id"] == "ferrari"].reset_index(drop=True).equals(ferrari)
    spells = history.run(find_query("driver_team_history").text, {"driver": None})
    assert spells[spells["driver_id"] == "hamilton"].reset_index(drop=True).equals(career)
