from __future__ import annotations

from datetime import date

import pytest

from f1lake.endpoints import RACES, RESULTS
from f1lake.transform import ShapeError, ValidationError, transform_object, transform_record
from tests.processing.factories import envelope, race, result


def _traps_race() -> dict:
    """A 1950s-style race with every trap of the format in a few rows."""
    return race(
        1957,
        3,
        [
            result(
                "fangio",
                1,
                points="8",
                grid="0",
                code="FAN",
                permanent="99",
                number="1",
                time={"millis": "10834000", "time": "3:00:34.0"},
                fastest={
                    "rank": "1",
                    "lap": "12",
                    "Time": {"time": "1:27.452"},
                    "AverageSpeed": {"units": "kph", "speed": "201.5"},
                },
            ),
            # the same driver again, in a shared car: half points
            result("fangio", 2, points="0.5", number="4", status="+1 Lap"),
            result(
                "moss", 3, position_text="R", status="Engine", laps="12", team=None, number=None
            ),
            result("behra", 4, position_text="D", status="Disqualified", points="1.33"),
        ],
    )


def test_results_traps_are_typed():
    tables = transform_record("results", _traps_race())
    rows = tables["results"].to_pylist()
    assert [r["driver_id"] for r in rows] == ["fangio", "fangio", "moss", "behra"]
    assert [r["entry"] for r in rows] == [1, 2, 1, 1]
    first, shared, retired, dsq = rows
    assert first["grid"] == 0
    assert first["driver_code"] == "FAN" and first["driver_number"] == 99
    assert first["car_number"] == 1
    assert first["time_millis"] == 10_834_000 and first["time_text"] == "3:00:34.0"
    assert first["fastest_lap_time_millis"] == 87_452
    assert first["fastest_lap_avg_speed_kph"] == 201.5
    assert first["race_date"] == date(1957, 9, 3)
    assert shared["points"] == 0.5 and shared["car_number"] == 4
    assert shared["time_millis"] is None and shared["fastest_lap_time_millis"] is None
    assert shared["driver_code"] is None and shared["driver_number"] is None
    assert retired["position"] is None and retired["position_text"] == "R"
    assert retired["position_order"] == 3 and retired["laps"] == 12
    assert retired["constructor_id"] is None and retired["car_number"] is None
    assert dsq["position"] is None and dsq["position_text"] == "D" and dsq["points"] == 1.33
    assert "season" not in tables["results"].column_names


def test_a_disqualification_listed_as_a_place_is_stored_as_d_from_either_source():
    """Jolpica lists the 2023 United States GP disqualifications as 19th and 20th, the Ergast
    data as D: the lake holds both as D, unclassified, in their classification order."""
    rows = [result(f"d{i}", i) for i in range(1, 19)]
    jolpica = [
        result("hamilton", 19, status="Disqualified", points="0"),
        result("leclerc", 20, status="Disqualified", points="0"),
    ]
    ergast = [
        result(d, p, position_text="D", status="Disqualified", points="0") for d, p in
        (("hamilton", 19), ("leclerc", 20))
    ]  # fmt: skip
    stored = []
    for dsq in (jolpica, ergast):
        table = transform_record("results", race(2023, 19, rows + dsq))["results"].to_pylist()
        stored.append([(r["position"], r["position_text"], r["position_order"]) for r in table])
    assert stored[0] == stored[1]
    assert stored[0][-2:] == [(None, "D", 19), (None, "D", 20)]
    assert stored[0][17] == (18, "18", 18)  # a classified place stays as it is


def test_results_feed_only_the_results_table():
    # the dimensions come from their own endpoints now, not from the results objects
    assert set(transform_record("results", _traps_race())) == {"results"}
    assert set(transform_record("races", race(1950, 1))) == {"races"}


def test_races_row_with_and_without_sessions():
    modern = race(
        2023,
        9,
        time="13:00:00Z",
        FirstPractice={"date": "2023-06-30", "time": "11:30:00Z"},
        Sprint={"date": "2023-07-01", "time": "14:30:00Z"},
    )
    row = transform_record("races", modern)["races"].to_pylist()[0]
    assert row["race_time"] == "13:00:00"
    assert row["fp1_date"] == date(2023, 6, 30) and row["fp1_time"] == "11:30:00"
    assert row["sprint_time"] == "14:30:00" and row["fp3_date"] is None
    assert row["lat"] == pytest.approx(45.6156) and row["lng"] == pytest.approx(9.28111)
    old = transform_record("races", race(1950, 1))["races"].to_pylist()[0]
    assert old["race_time"] is None and old["qualifying_date"] is None


def test_bad_values_are_all_reported_with_record_and_field():
    bad = race(
        2023,
        9,
        [
            result("verstappen", 1, points="25"),
            result(
                "hamilton",
                2,
                grid="x",
                points="lots",
                fastest={"lap": "3", "Time": {"time": "+1.234"}},
            ),
            result("", 3),
        ],
    )
    with pytest.raises(ValidationError) as err:
        transform_record("results", bad)
    problems = err.value.problems
    assert "results row 2 (driver 'hamilton'): grid 'x' is not an integer" in problems
    assert "results row 2 (driver 'hamilton'): points 'lots' is not a number" in problems
    assert any("fastest_lap_time_millis '+1.234' is a gap" in p for p in problems)
    assert "results row 3: driver_id is missing" in problems
    assert not any("verstappen" in p for p in problems)


def test_missing_required_and_wrong_shapes_are_reported():
    missing_laps = result("alonso", 1)
    del missing_laps["laps"]
    cases = {
        "laps is missing": [missing_laps],
        "Driver is missing": [
            {
                "position": "1",
                "positionText": "1",
                "points": "0",
                "grid": "1",
                "laps": "1",
                "status": "Finished",
            }
        ],
        "is not an object": ["not a row"],
    }
    for expected, rows in cases.items():
        with pytest.raises(ValidationError, match=expected):
            transform_record("results", race(2023, 1, rows))
    with pytest.raises(ValidationError, match="no Results list"):
        transform_record("results", race(2023, 1))
    with pytest.raises(ValidationError, match="race_date"):
        transform_record("races", race(2023, 1, date="soon"))


def test_duplicate_key_is_rejected():
    # Two rows claiming the same (driver, entry) cannot happen by counting, but a schedule
    # object carries one race; check the key check itself via a doubled race record.
    from f1lake.schema import get_table
    from f1lake.transform.race import race_rows
    from f1lake.transform.rows import to_arrow

    rows = race_rows(race(2023, 1)) + race_rows(race(2023, 1))
    with pytest.raises(ValidationError, match="duplicate races key"):
        to_arrow(get_table("races"), rows)


def test_transform_object_reads_the_envelope():
    out = transform_object(envelope(RESULTS, race(2023, 4, [result("norris", 1)])))
    assert (out.season, out.round, out.meta.endpoint) == (2023, 4, "results")
    frames = out.frames()
    assert str(frames["results"]["grid"].dtype) == "int32[pyarrow]"
    assert transform_object(envelope(RACES, race(2023, 4))).tables["races"].num_rows == 1


def test_transform_object_refuses_wrong_shapes_and_mismatches():
    with pytest.raises(ShapeError):
        transform_object({"MRData": {}})
    with pytest.raises(ShapeError):
        transform_object(["not", "an", "object"])
    env = envelope(RESULTS, race(2023, 4, [result("norris", 1)]))
    env["f1lake"]["round"] = 5
    with pytest.raises(ValidationError, match="envelope says season 2023 round 5"):
        transform_object(env)
