"""The transforms of sprint, qualifying, official standings and the season dimensions."""

from __future__ import annotations

from datetime import date

import pytest

from f1lake.endpoints import (
    CIRCUITS,
    CONSTRUCTOR_STANDINGS,
    CONSTRUCTORS,
    DRIVER_STANDINGS,
    DRIVERS,
    LAPS,
    PIT_STOPS,
    QUALIFYING,
    SPRINT,
    STATUS,
)
from f1lake.transform import ShapeError, ValidationError, transform_object, transform_record
from tests.processing.factories import (
    circuit,
    constructor,
    constructor_standing,
    driver,
    driver_standing,
    envelope,
    qualifying_row,
    race,
    result,
    season_record,
    standings,
)


def _sprint_race() -> dict:
    r = race(
        2021,
        10,
        [
            result("bottas", 1, points="3", time={"millis": "1538426", "time": "25:38.426"}),
            result("hamilton", 2, points="2", time={"millis": "1540126", "time": "+1.700"}),
            result("gasly", 20, position_text="R", status="Collision", laps="0"),
        ],
    )
    r["SprintResults"] = r.pop("Results")
    return r


def test_sprint_results_are_typed_like_race_results():
    out = transform_object(envelope(SPRINT, _sprint_race()))
    assert set(out.tables) == {"sprint_results"}
    first, second, retired = out.tables["sprint_results"].to_pylist()
    assert (first["points"], first["time_millis"], first["time_text"]) == (
        3.0,
        1_538_426,
        "25:38.426",
    )
    assert second["time_text"] == "+1.700" and second["time_millis"] == 1_540_126
    assert (retired["position"], retired["position_text"], retired["laps"]) == (None, "R", 0)
    assert out.round == 10


def test_sprint_object_needs_its_sprint_results():
    with pytest.raises(ValidationError, match="no SprintResults list"):
        transform_record("sprint", race(2021, 10, [result("bottas", 1)]))


def test_qualifying_times_are_milliseconds_and_null_when_not_run():
    r = race(2023, 1)
    r["QualifyingResults"] = [
        qualifying_row("max_verstappen", 1, "1:31.295", "1:30.503", "1:29.708"),
        qualifying_row("sargeant", 20, "1:32.101"),
        qualifying_row("stroll", 21, "", "", ""),
    ]
    rows = transform_object(envelope(QUALIFYING, r)).tables["qualifying"].to_pylist()
    pole, knocked_out, no_time = rows
    assert (pole["q1_millis"], pole["q2_millis"], pole["q3_millis"]) == (91_295, 90_503, 89_708)
    assert (knocked_out["q2_millis"], knocked_out["q3_millis"]) == (None, None)
    assert no_time["q1_millis"] is None and no_time["position"] == 21
    assert pole["race_date"] == date(2023, 9, 1) and pole["constructor_id"] == "ferrari"


def test_qualifying_rejects_a_gap_or_garbage_as_a_lap_time():
    r = race(2023, 1)
    r["QualifyingResults"] = [
        qualifying_row("albon", 1, "+0.123"),
        qualifying_row("norris", 2, "1:31.x"),
    ]
    with pytest.raises(ValidationError) as err:
        transform_record("qualifying", r)
    assert any(
        p.startswith("qualifying row 1 (driver 'albon'): q1_millis") and "gap" in p
        for p in err.value.problems
    )
    assert any(
        p.startswith("qualifying row 2 (driver 'norris'): q1_millis") for p in err.value.problems
    )


def test_driver_standings_keep_position_text_and_every_team():
    item = standings(
        2023,
        22,
        [
            driver_standing("max_verstappen", 1, "575", "red_bull", wins="19"),
            driver_standing("ricciardo", 17, "6", "alphatauri", "red_bull"),
            driver_standing("schumacher", None, "78", "ferrari", position_text="D"),
            driver_standing("lawson", None, "0.5", position_text="-"),
        ],
        "DriverStandings",
    )
    out = transform_object(envelope(DRIVER_STANDINGS, item))
    assert (out.season, out.round) == (2023, 22)
    rows = out.tables["driver_standings"].to_pylist()
    by_id = {r["driver_id"]: r for r in rows}
    assert by_id["max_verstappen"]["wins"] == 19 and by_id["max_verstappen"]["points"] == 575.0
    assert by_id["ricciardo"]["constructor_ids"] == ["alphatauri", "red_bull"]
    assert (by_id["schumacher"]["position"], by_id["schumacher"]["position_text"]) == (None, "D")
    lawson = by_id["lawson"]
    assert (lawson["position_text"], lawson["points"], lawson["constructor_ids"]) == ("-", 0.5, [])
    assert "round" in out.tables["driver_standings"].column_names


def test_driver_standings_without_a_constructors_list_are_null_not_empty():
    row = driver_standing("farina", 1, "30")
    del row["Constructors"]
    rows = transform_record("driver_standings", standings(1950, 7, [row], "DriverStandings"))[
        "driver_standings"
    ].to_pylist()
    assert rows[0]["constructor_ids"] is None


def test_constructor_standings():
    item = standings(
        2007,
        17,
        [
            constructor_standing("ferrari", 1, "204", wins="9"),
            constructor_standing("mclaren", 11, "0", position_text="E"),
        ],
        "ConstructorStandings",
    )
    rows = (
        transform_object(envelope(CONSTRUCTOR_STANDINGS, item))
        .tables["constructor_standings"]
        .to_pylist()
    )
    assert rows[0] == {
        "round": 17,
        "constructor_id": "ferrari",
        "constructor_name": "Ferrari",
        "constructor_nationality": "Italian",
        "position": 1,
        "position_text": "1",
        "points": 204.0,
        "wins": 9,
    }
    assert rows[1]["position_text"] == "E" and rows[1]["position"] == 11


def test_standings_problems_name_the_row_and_field():
    item = standings(
        2023,
        5,
        [
            driver_standing("perez", 1, "many", "red_bull", wins="two"),
            {**driver_standing("alonso", 2, "75"), "Constructors": [{"name": "no id"}]},
        ],
        "DriverStandings",
    )
    with pytest.raises(ValidationError) as err:
        transform_record("driver_standings", item)
    problems = err.value.problems
    assert "driver_standings row 1 (driver 'perez'): points 'many' is not a number" in problems
    assert "driver_standings row 1 (driver 'perez'): wins 'two' is not an integer" in problems
    assert (
        "driver_standings row 2 (driver 'alonso'): Constructors item 1 has no constructorId"
        in problems
    )
    with pytest.raises(ValidationError, match="position_text is missing"):
        row = driver_standing("perez", 1, "1")
        del row["positionText"]
        transform_record("driver_standings", standings(2023, 5, [row], "DriverStandings"))


def test_dimensions_one_row_per_id_of_the_season():
    drivers = season_record(
        2023,
        "Drivers",
        [driver("albon", code="ALB", permanent="23"), driver("alonso", code="ALO", permanent="14")],
    )
    out = transform_object(envelope(DRIVERS, drivers))
    assert (out.season, out.round) == (2023, None)
    rows = out.tables["drivers"].to_pylist()
    assert [r["driver_id"] for r in rows] == ["albon", "alonso"]
    assert rows[0]["driver_number"] == 23 and rows[0]["date_of_birth"] == date(1950, 1, 2)
    assert "round" not in out.tables["drivers"].column_names

    teams = transform_object(
        envelope(CONSTRUCTORS, season_record(2023, "Constructors", [constructor("haas")]))
    ).tables["constructors"]
    assert teams.to_pylist() == [
        {
            "constructor_id": "haas",
            "constructor_name": "Haas",
            "constructor_nationality": "Italian",
            "url": "http://en.wikipedia.org/wiki/haas",
        }
    ]
    tracks = transform_object(
        envelope(CIRCUITS, season_record(2023, "Circuits", [circuit("monza"), circuit("spa")]))
    ).tables["circuits"]
    assert tracks.column("lng").to_pylist() == [9.28, 9.28]
    statuses = transform_object(
        envelope(
            STATUS,
            season_record(
                2023,
                "Status",
                [
                    {"statusId": "1", "count": "316", "status": "Finished"},
                    {"statusId": "143", "count": "70", "status": "Lapped"},
                ],
            ),
        )
    ).tables["status"]
    assert statuses.to_pylist() == [
        {"status_id": 1, "status": "Finished", "count": 316},
        {"status_id": 143, "status": "Lapped", "count": 70},
    ]


def test_a_season_without_entries_yet_gives_an_empty_table():
    out = transform_object(envelope(DRIVERS, season_record(2026, "Drivers", [])))
    assert out.tables["drivers"].num_rows == 0


def test_dimension_problems_name_the_row_and_field():
    bad = season_record(
        2023,
        "Drivers",
        [driver("albon"), {**driver("alonso"), "dateOfBirth": "29/07/1981"}, driver("albon")],
    )
    with pytest.raises(ValidationError) as err:
        transform_record("drivers", bad)
    problems = err.value.problems
    assert any(
        p.startswith("drivers row 2 (driverId 'alonso'): date_of_birth '29/07/1981'")
        for p in problems
    )
    assert any("duplicate drivers key" in p and "driver_id='albon'" in p for p in problems)
    with pytest.raises(ValidationError, match=r"status row 1 .*: count 'n/a' is not an integer"):
        transform_record(
            "status",
            season_record(2023, "Status", [{"statusId": "1", "count": "n/a", "status": "X"}]),
        )


def test_season_and_round_must_agree_with_the_envelope():
    env = envelope(DRIVERS, season_record(2023, "Drivers", [driver("albon")]))
    env["f1lake"]["season"] = 2022
    with pytest.raises(ShapeError, match="season"):
        transform_object(env)
    item = standings(2023, 5, [driver_standing("perez", 1, "1", "red_bull")], "DriverStandings")
    env = envelope(DRIVER_STANDINGS, item)
    env["f1lake"]["round"] = 6
    with pytest.raises(ValidationError, match="envelope says season 2023 round 6"):
        transform_object(env)


def _stop(driver_id: str, stop: str, lap: str, time: str, duration: str) -> dict:
    return {"driverId": driver_id, "lap": lap, "stop": stop, "time": time, "duration": duration}


def test_pit_stops_keep_red_flag_waits_in_milliseconds_and_as_published():
    stops = [
        _stop("hulkenberg", "1", "7", "15:14:17", "41.972"),
        _stop("sainz", "1", "1", "14:08:50", "16:44.718"),  # a red-flag wait in the pit lane
        _stop("sainz", "2", "20", "16:41:12", "2:03.124"),
    ]
    out = transform_object(envelope(PIT_STOPS, race(2023, 10, PitStops=stops)))

    rows = out.frames()["pit_stops"].to_dict("records")
    got = [
        (r["driver_id"], r["stop"], r["lap"], r["time_of_day"], r["duration_millis"]) for r in rows
    ]
    assert got == [
        ("hulkenberg", 1, 7, "15:14:17", 41_972),
        ("sainz", 1, 1, "14:08:50", 1_004_718),
        ("sainz", 2, 20, "16:41:12", 123_124),
    ]
    assert [r["duration_text"] for r in rows] == ["41.972", "16:44.718", "2:03.124"]


def test_pit_stop_problems_name_the_row_and_field():
    stops = [_stop("sainz", "1", "x", "15:14:17", "+1.2"), _stop("sainz", "1", "3", "1:2", "22")]
    with pytest.raises(ValidationError) as caught:
        transform_object(envelope(PIT_STOPS, race(2023, 10, PitStops=stops)))
    text = " ".join(caught.value.problems)
    assert "pit_stops row 1: lap 'x' is not an integer" in text
    assert "pit_stops row 1: duration_millis '+1.2' is a gap" in text
    assert "time_of_day '1:2'" in text
    assert "duplicate pit_stops key" in text  # the same driver's stop 1 twice


def test_laps_give_one_row_per_driver_per_lap():
    laps = [
        {"number": "1", "Timings": [
            {"driverId": "norris", "position": "1", "time": "1:36.551"},
            {"driverId": "max_verstappen", "position": "2", "time": "1:37.167"},
        ]},
        {"number": "2", "Timings": [
            {"driverId": "max_verstappen", "position": "1", "time": "1:33.001"},
        ]},
    ]  # fmt: skip
    out = transform_object(envelope(LAPS, race(2023, 10, Laps=laps)))

    got = out.frames()["laps"][["lap", "driver_id", "position", "time_millis"]]
    assert got.values.tolist() == [
        [1, "norris", 1, 96_551],
        [1, "max_verstappen", 2, 97_167],
        [2, "max_verstappen", 1, 93_001],
    ]
    bad = [{"number": "1", "Timings": "none"}, {"number": "2", "Timings": [{"time": "fast"}]}]
    with pytest.raises(ValidationError) as caught:
        transform_object(envelope(LAPS, race(2023, 10, Laps=bad)))
    text = " ".join(caught.value.problems)
    assert "laps item 1: is not a lap with a Timings list" in text
    assert "laps lap '2' timing 1: time_millis 'fast' is not a time" in text
    assert "laps lap '2' timing 1: driver_id is missing" in text
