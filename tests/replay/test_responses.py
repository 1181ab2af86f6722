"""The replay API's answers on the invented minidump; expectations come from its CSV rows."""

from __future__ import annotations

import csv
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

import pytest

from f1lake.endpoints import LAPS
from f1lake.ergast.paging import assemble, parse_page
from f1lake.replay.dump import Dump, DumpError, default_today, load_dump
from f1lake.replay.responses import ReplayView, Response, respond
from tests.support.minidump import (
    MINIDUMP_LAST_RACE_DATE,
    MINIDUMP_SCHEDULED_ROUNDS,
    MINIDUMP_TODAY,
)

NULL = "\\N"


def rows(directory: Path, table: str) -> list[dict[str, str]]:
    with (directory / f"{table}.csv").open(newline="") as handle:
        return list(csv.DictReader(handle))


def race_ids(directory: Path) -> dict[tuple[int, int], str]:
    return {(int(r["year"]), int(r["round"])): r["raceId"] for r in rows(directory, "races")}


def get(view: ReplayView, path: str, **query: str) -> Response:
    return respond(view, path, query, f"http://test/ergast/f1/{path}")


def mrdata(view: ReplayView, path: str, **query: str) -> dict:
    answer = get(view, path, **query)
    assert answer.status == 200, answer.body
    return answer.body["MRData"]


@pytest.fixture
def view(minidump: Dump) -> ReplayView:
    return ReplayView(minidump, MINIDUMP_TODAY)


def leaves(obj: object) -> list[object]:
    if isinstance(obj, dict):
        return [leaf for v in obj.values() for leaf in leaves(v)]
    if isinstance(obj, list):
        return [leaf for v in obj for leaf in leaves(v)]
    return [obj]


def test_results_total_counts_rows_and_a_cut_race_appears_on_both_pages(
    view: ReplayView, minidump_dir: Path
) -> None:
    ids = race_ids(minidump_dir)
    raced = [ids[(2023, rnd)] for rnd in range(1, 8) if (2023, rnd) in ids]
    csv_results = [r for r in rows(minidump_dir, "results") if r["raceId"] in raced]
    first = mrdata(view, "2023/results.json", limit="100")
    second = mrdata(view, "2023/results.json", limit="100", offset="100")

    assert first["total"] == second["total"] == str(len(csv_results))
    assert len(csv_results) > 100
    first_rows = [(r["round"], x) for r in first["RaceTable"]["Races"] for x in r["Results"]]
    second_rows = [(r["round"], x) for r in second["RaceTable"]["Races"] for x in r["Results"]]
    assert len(first_rows) == 100
    assert len(second_rows) == len(csv_results) - 100
    cut_round = first_rows[-1][0]
    assert second["RaceTable"]["Races"][0]["round"] == cut_round  # on both pages
    cut_race_id = ids[(2023, int(cut_round))]
    cut_csv = sorted(
        (r for r in csv_results if r["raceId"] == cut_race_id),
        key=lambda r: int(r["positionOrder"]),
    )
    served = [x for rnd, x in first_rows + second_rows if rnd == cut_round]
    assert [x["position"] for x in served] == [r["positionOrder"] for r in cut_csv]
    assert [x["grid"] for x in served] == [r["grid"] for r in cut_csv]


def test_offset_past_the_end_is_an_empty_page_and_limit_is_capped(view: ReplayView) -> None:
    data = mrdata(view, "2023/results.json", offset="5000")
    assert data["RaceTable"]["Races"] == []
    assert data["offset"] == "5000"
    assert int(data["total"]) > 0
    assert mrdata(view, "2023/results.json", limit="1000")["limit"] == "100"
    assert mrdata(view, "2023/results.json")["limit"] == "30"


def test_every_value_is_a_string_and_mrdata_has_the_api_keys(view: ReplayView) -> None:
    for path in (
        "2023/results.json",
        "2023/2/sprint.json",
        "2023/qualifying.json",
        "2023/driverStandings.json",
        "2023/constructorStandings.json",
        "2023/1/pitstops.json",
        "2023.json",
        "2023/status.json",
        "seasons.json",
    ):
        data = mrdata(view, path)
        assert list(data)[:6] == ["xmlns", "series", "url", "limit", "offset", "total"], path
        assert data["url"] == f"http://test/ergast/f1/{path}"
        assert all(isinstance(leaf, str) for leaf in leaves(data)), path


def test_absent_values_are_left_out_not_null(view: ReplayView, minidump_dir: Path) -> None:
    drivers = {r["driverRef"]: r for r in rows(minidump_dir, "drivers")}
    no_number = next(ref for ref, r in drivers.items() if r["number"] == NULL and r["code"] == NULL)
    listed = mrdata(view, "2023/drivers.json", limit="100")["DriverTable"]["Drivers"]
    served = next(d for d in listed if d["driverId"] == no_number)
    assert "permanentNumber" not in served and "code" not in served
    assert None not in leaves(mrdata(view, "2022/results.json", limit="100"))

    results = mrdata(view, "2023/1/results.json")["RaceTable"]["Races"][0]["Results"]
    for result in results:
        assert ("Time" in result) == result["status"].startswith("Finished"), result
    assert any("FastestLap" not in r for r in results)
    assert any("FastestLap" in r for r in results)

    first_2022 = mrdata(view, "2022/1/results.json")["RaceTable"]["Races"][0]
    assert "time" not in first_2022  # no race time in the dump
    assert all("FastestLap" not in r for r in first_2022["Results"])
    withdrawn = [r for r in first_2022["Results"] if r["positionText"] == "W"]
    assert withdrawn and all("number" not in r for r in withdrawn)

    schedule = mrdata(view, "2022.json")["RaceTable"]["Races"]
    assert not any(key.endswith("Practice") for key in schedule[0])  # no session dates
    assert "FirstPractice" in schedule[1] and "Sprint" not in schedule[1]

    qualifying = mrdata(view, "2023/1/qualifying.json")["RaceTable"]["Races"][0]
    by_csv = {
        r["position"]: r
        for r in rows(minidump_dir, "qualifying")
        if r["raceId"] == race_ids(minidump_dir)[(2023, 1)]
    }
    for entry in qualifying["QualifyingResults"]:
        row = by_csv[entry["position"]]
        for key, column in (("Q1", "q1"), ("Q2", "q2"), ("Q3", "q3")):
            assert entry.get(key) == (None if row[column] == NULL else row[column])


def test_results_keep_the_format_traps(view: ReplayView) -> None:
    all_2022 = mrdata(view, "2022/results.json", limit="100")["RaceTable"]["Races"]
    shared = all_2022[1]["Results"]
    driver_ids = [r["Driver"]["driverId"] for r in shared]
    assert len(driver_ids) > len(set(driver_ids))  # one driver twice in a race
    assert any(r["points"] == "0.5" for race in all_2022 for r in race["Results"])
    races_2023 = mrdata(view, "2023/results.json", limit="100")["RaceTable"]["Races"]
    texts = {r["positionText"] for race in races_2023 for r in race["Results"]}
    assert {"R", "D"} <= texts
    assert any(r["grid"] == "0" for race in races_2023 for r in race["Results"])
    for race in races_2023:
        assert [r["position"] for r in race["Results"]] == [
            str(i) for i in range(1, len(race["Results"]) + 1)
        ]


def test_schedule_lists_every_race_but_only_past_races_have_results(view: ReplayView) -> None:
    schedule = mrdata(view, "2023.json")
    assert schedule["total"] == str(MINIDUMP_SCHEDULED_ROUNDS[2023])
    assert mrdata(view, "2023/races.json") == {
        **schedule,
        "url": mrdata(view, "2023/races.json")["url"],
    }
    today_race = next(
        r for r in schedule["RaceTable"]["Races"] if r["date"] == MINIDUMP_TODAY.isoformat()
    )
    assert mrdata(view, f"2023/{today_race['round']}/results.json")["total"] == "0"
    assert mrdata(view, f"2023/{today_race['round']}/qualifying.json")["total"] == "0"
    assert mrdata(view, f"2023/{today_race['round']}.json")["total"] == "1"

    earlier = ReplayView(view.dump, date.fromisoformat(schedule["RaceTable"]["Races"][2]["date"]))
    seen = {
        r["round"] for r in mrdata(earlier, "2023/results.json", limit="100")["RaceTable"]["Races"]
    }
    assert seen == {"1", "2"}
    standings = mrdata(earlier, "2023/driverStandings.json")["StandingsTable"]
    assert standings["StandingsLists"][0]["round"] == "2"


def test_current_and_last_resolve_to_numbers(view: ReplayView) -> None:
    data = mrdata(view, "current/last/results.json")
    assert (data["RaceTable"]["season"], data["RaceTable"]["round"]) == ("2023", "5")
    assert data["url"].endswith("/current/last/results.json")
    assert mrdata(view, "current.json")["RaceTable"]["season"] == "2023"
    assert mrdata(view, "current.json")["total"] == "7"
    assert mrdata(view, "2022/last/results.json")["RaceTable"]["round"] == "3"
    assert mrdata(view, "2023/last.json")["RaceTable"]["Races"][0]["round"] == "5"
    later = ReplayView(view.dump, date(2031, 1, 1))  # past the dump: its latest season
    assert mrdata(later, "current/last/results.json")["RaceTable"]["round"] == "7"
    assert mrdata(later, "current.json")["RaceTable"]["season"] == "2023"


def test_default_today_is_the_day_after_the_latest_result(minidump: Dump) -> None:
    assert default_today(minidump) == MINIDUMP_LAST_RACE_DATE + timedelta(days=1)


def test_unknown_round_is_an_empty_200_and_bad_requests_are_errors(view: ReplayView) -> None:
    data = mrdata(view, "2023/99/results.json")
    assert data["RaceTable"] == {"season": "2023", "round": "99", "Races": []}
    assert data["total"] == "0"
    assert mrdata(view, "1901/results.json")["RaceTable"]["Races"] == []
    for path in ("2023/lapz.json", "2023/results/extra.json", "drivers/alonso/results.json"):
        answer = get(view, path)
        assert answer.status == 404, path
        assert "detail" in answer.body
    for query in ({"limit": "ten"}, {"offset": "-1"}):
        answer = get(view, "2023/results.json", **query)
        assert answer.status == 400
        assert next(iter(query)) in answer.body["detail"]


def _points_after(directory: Path, season: int, last_round: int) -> dict[str, float]:
    ids = race_ids(directory)
    wanted = {ids[(season, rnd)] for rnd in range(1, last_round + 1)}
    refs = {r["driverId"]: r["driverRef"] for r in rows(directory, "drivers")}
    points: dict[str, float] = defaultdict(float)
    for table in ("results", "sprint_results"):
        for row in rows(directory, table):
            if row["raceId"] in wanted:
                points[refs[row["driverId"]]] += float(row["points"])
    return points


@pytest.mark.parametrize(
    "path,last_round", [("2023/3/driverStandings.json", 3), ("2023/driverstandings.json", 5)]
)
def test_driver_standings_after_a_round(
    view: ReplayView, minidump_dir: Path, path: str, last_round: int
) -> None:
    expected = _points_after(minidump_dir, 2023, last_round)
    data = mrdata(view, path, limit="100")
    (standings,) = data["StandingsTable"]["StandingsLists"]
    assert standings["round"] == str(last_round)
    served = {s["Driver"]["driverId"]: float(s["points"]) for s in standings["DriverStandings"]}
    assert served == expected
    ordered = [float(s["points"]) for s in standings["DriverStandings"]]
    assert ordered == sorted(ordered, reverse=True)
    assert data["total"] == str(len(expected))


def test_standings_list_every_team_a_driver_raced_for(view: ReplayView, minidump_dir: Path) -> None:
    ids = race_ids(minidump_dir)
    teams: dict[str, set[str]] = defaultdict(set)
    refs = {r["driverId"]: r["driverRef"] for r in rows(minidump_dir, "drivers")}
    team_refs = {
        r["constructorId"]: r["constructorRef"] for r in rows(minidump_dir, "constructors")
    }
    season = {ids[(2023, rnd)] for rnd in range(1, 6)}
    for row in rows(minidump_dir, "results"):
        if row["raceId"] in season:
            teams[refs[row["driverId"]]].add(team_refs[row["constructorId"]])
    assert any(len(t) == 2 for t in teams.values())
    (standings,) = mrdata(view, "2023/driverStandings.json", limit="100")["StandingsTable"][
        "StandingsLists"
    ]
    for entry in standings["DriverStandings"]:
        served = [c["constructorId"] for c in entry["Constructors"]]
        assert sorted(served) == sorted(teams[entry["Driver"]["driverId"]])
    constructors = mrdata(view, "2023/constructorStandings.json")["StandingsTable"]
    assert constructors["StandingsLists"][0]["round"] == "5"
    assert mrdata(view, "2023/6/driverStandings.json")["StandingsTable"]["StandingsLists"] == []


def test_lists_of_drivers_constructors_circuits_status_seasons(
    view: ReplayView, minidump_dir: Path
) -> None:
    drivers = mrdata(view, "2023/drivers.json", limit="100")["DriverTable"]["Drivers"]
    assert [d["familyName"] for d in drivers] == sorted(d["familyName"] for d in drivers)
    status = mrdata(view, "2023/status.json", limit="100")["StatusTable"]["Status"]
    assert sum(int(s["count"]) for s in status) == int(mrdata(view, "2023/results.json")["total"])
    assert list(status[0]) == ["statusId", "count", "status"]
    circuits = mrdata(view, "2023/circuits.json")
    assert circuits["total"] == str(
        len({r["circuitId"] for r in rows(minidump_dir, "races") if r["year"] == "2023"})
    )
    one = mrdata(view, "2023/4/constructors.json")
    assert one["ConstructorTable"]["round"] == "4"
    assert int(one["total"]) > 0
    seasons = mrdata(view, "seasons.json")
    assert [s["season"] for s in seasons["SeasonTable"]["Seasons"]] == ["2022", "2023"]
    assert mrdata(view, "2023/seasons.json")["SeasonTable"]["Seasons"][0]["season"] == "2023"
    assert mrdata(view, "2023/99/seasons.json")["total"] == "0"


def test_long_gaps_are_served_in_minutes(tmp_path: Path, minidump_dir: Path) -> None:
    text = (minidump_dir / "results.csv").read_text().splitlines()
    header, first, second = text[0], text[1], text[2]
    cells = second.split(",")
    cells[header.split(",").index("time")] = "+67.05"
    (tmp_path / "results.csv").write_text("\n".join([header, first, ",".join(cells)]) + "\n")
    for other in minidump_dir.glob("*.csv"):
        if other.name != "results.csv":
            (tmp_path / other.name).write_text(other.read_text())
    view = ReplayView(load_dump(tmp_path), MINIDUMP_TODAY)
    results = mrdata(view, "2022/1/results.json")["RaceTable"]["Races"][0]["Results"]
    assert results[1]["Time"]["time"] == "+1:07.05"


def test_a_folder_without_the_dump_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(DumpError, match=r"missing .*races\.csv"):
        load_dump(tmp_path)


def test_objects_keep_the_api_key_order(view: ReplayView) -> None:
    """Key order is part of the format: clients and recorded fixtures compare it."""
    race = mrdata(view, "2023/1/results.json")["RaceTable"]["Races"][0]
    assert list(race) == [
        "season", "round", "url", "raceName", "Circuit", "date", "time", "Results"
    ]  # fmt: skip
    winner = race["Results"][0]
    assert list(winner) == [
        "number", "position", "positionText", "points", "Driver", "Constructor", "grid", "laps",
        "status", "Time", "FastestLap",
    ]  # fmt: skip
    assert list(winner["Time"]) == ["millis", "time"]
    assert list(winner["FastestLap"]) == ["rank", "lap", "Time", "AverageSpeed"]
    assert list(winner["Driver"]) == [
        "driverId", "permanentNumber", "code", "url", "givenName", "familyName", "dateOfBirth",
        "nationality",
    ]  # fmt: skip
    assert list(race["Circuit"]) == ["circuitId", "url", "circuitName", "Location"]
    assert list(race["Circuit"]["Location"]) == ["lat", "long", "locality", "country"]
    (standings,) = mrdata(view, "2023/driverStandings.json")["StandingsTable"]["StandingsLists"]
    assert list(standings["DriverStandings"][0]) == [
        "position", "positionText", "points", "wins", "Driver", "Constructors"
    ]  # fmt: skip


def test_laps_page_over_timings_and_assemble_back_to_every_lap_of_the_race(
    view: ReplayView, minidump_dir: Path
) -> None:
    race_id = race_ids(minidump_dir)[(2023, 3)]
    source = [r for r in rows(minidump_dir, "lap_times") if r["raceId"] == race_id]
    first = mrdata(view, "2023/3/laps.json", limit="100")
    assert int(first["total"]) == len(source)  # total counts timings, not laps
    [race] = first["RaceTable"]["Races"]
    assert [lap["number"] for lap in race["Laps"]][:1] == ["1"]
    assert set(race["Laps"][0]["Timings"][0]) == {"driverId", "position", "time"}

    pages = []
    for offset in range(0, len(source), 100):
        body = get(view, "2023/3/laps.json", limit="100", offset=str(offset)).body
        pages.append(parse_page(body, LAPS, f"laps?offset={offset}"))
    cut = [p.items[0]["Laps"][0]["number"] for p in pages[1:]]
    assert any(n == pages[i].items[0]["Laps"][-1]["number"] for i, n in enumerate(cut))

    [whole] = assemble(LAPS, pages)

    numbers = [int(lap["number"]) for lap in whole["Laps"]]
    assert numbers == sorted(set(numbers))  # a lap cut by a page boundary is joined, once
    got = [
        (lap["number"], t["position"], t["time"]) for lap in whole["Laps"] for t in lap["Timings"]
    ]
    assert got == [(r["lap"], r["position"], r["time"]) for r in source]
    season_wide = get(view, "2023/laps.json")
    assert season_wide.status == 400 and "round" in str(season_wide.body["detail"])
