"""Named queries over the real 1950-2025 history (../shared/data; skipped when absent).

The official tables of the dump (driver_standings after each season's last round) are the
independent answer the derived queries must give.
"""

from __future__ import annotations

from collections.abc import Iterator

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
        "SELECT driver_id, position, points, wins FROM driver_standings WHERE season = :season",
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


def test_every_named_query_answers_over_the_history(history: LocalEngine) -> None:
    for query in load_library().values():
        df = history.run(query.text, {p.name: 2021 for p in query.params})
        assert not df.empty, query.name
