"""Every endpoint through the Lambda handler on the moto server, then the local crawler and
the local Athena engine: the new tables land, are cataloged and read back typed."""

from __future__ import annotations

import json
from datetime import date, timedelta

from f1lake import aws
from f1lake.catalog import crawl
from f1lake.endpoints import (
    CIRCUITS,
    CONSTRUCTOR_STANDINGS,
    CONSTRUCTORS,
    DRIVER_STANDINGS,
    DRIVERS,
    QUALIFYING,
    SPRINT,
    STATUS,
)
from f1lake.keys import processed_key
from f1lake.processing import processed_source, quarantine_record
from f1lake.query.local import run_query
from lambda_processor.handler import handler
from tests.processing.factories import (
    T0,
    circuit,
    constructor,
    constructor_standing,
    driver,
    driver_standing,
    envelope,
    put_raw,
    qualifying_row,
    race,
    result,
    s3_event,
    season_record,
    sqs_event,
    standings,
    weekend_envelopes,
)


def test_every_endpoint_is_written_cataloged_and_queryable_with_its_types(stack):
    keys = [put_raw(stack, env) for env in weekend_envelopes(2023, 9) + weekend_envelopes(2022, 3)]
    response = handler(sqs_event(*(json.dumps(s3_event(stack.raw_bucket, k)) for k in keys)), None)
    assert response == {"batchItemFailures": []}

    listed = aws.client("s3", stack).list_objects_v2(Bucket=stack.processed_bucket)["Contents"]
    written = {o["Key"] for o in listed}
    for table in ("races", "results", "sprint_results", "qualifying", "pit_stops", "laps"):
        assert processed_key(table, 2023, 9) in written
    for table in ("driver_standings", "constructor_standings"):
        assert processed_key(table, 2022, 3) in written
    for table in ("drivers", "constructors", "circuits", "status"):
        assert processed_key(table, 2023, None) in written  # one file per season
        assert processed_source(stack, table, 2023, None)[0] in keys
    assert len(written) == 24

    report = crawl(stack)
    assert report.errors == []
    assert len(report.tables_created) == 12

    stops = run_query(
        stack,
        "SELECT stop, lap, time_of_day, duration_millis, duration_text FROM pit_stops "
        "WHERE season = '2023' ORDER BY stop",
    )
    assert stops.values.tolist() == [
        [1, 1, "14:08:50", 1_004_718, "16:44.718"],  # a red-flag wait, kept
        [2, 20, "15:02:01", 22_104, "22.104"],
    ]
    laps = run_query(
        stack, "SELECT driver_id, position, time_millis FROM laps WHERE season = '2023' ORDER BY 2"
    )
    assert laps.values.tolist() == [["ascari", 1, 96_551], ["farina", 2, 97_167]]

    quali = run_query(
        stack,
        "SELECT driver_id, q1_millis, q3_millis, race_date FROM qualifying "
        "WHERE season = '2023' ORDER BY position",
    )
    assert quali["q1_millis"].tolist()[0] == 91_295
    assert quali["q3_millis"].isna().tolist() == [False, True]
    assert quali["race_date"].tolist()[0] == date(2023, 9, 9)

    # constructor_ids is array<string> in Glue; Athena array functions work on it locally too
    standing = run_query(
        stack,
        "SELECT driver_id, position, position_text, points, wins, "
        "cardinality(constructor_ids) AS teams, contains(constructor_ids, 'alfa') AS drove_alfa "
        "FROM driver_standings WHERE season = '2022' ORDER BY points DESC, driver_id",
    )
    assert standing.to_dict("records") == [
        {
            "driver_id": "ascari",
            "position": 1,
            "position_text": "1",
            "points": 16.0,
            "wins": 1,
            "teams": 1,
            "drove_alfa": False,
        },
        {
            "driver_id": "farina",
            "position": 2,
            "position_text": "2",
            "points": 6.5,
            "wins": 0,
            "teams": 2,
            "drove_alfa": True,
        },
        {
            "driver_id": "behra",
            "position": None,
            "position_text": "-",
            "points": 0.0,
            "wins": 0,
            "teams": 0,
            "drove_alfa": False,
        },
    ]
    unnested = run_query(
        stack,
        "SELECT s.driver_id, t.constructor_id FROM driver_standings s "
        "CROSS JOIN UNNEST(s.constructor_ids) AS t(constructor_id) "
        "WHERE s.season = '2022' ORDER BY 1, 2",
    )
    assert unnested.values.tolist() == [
        ["ascari", "ferrari"],
        ["farina", "alfa"],
        ["farina", "ferrari"],
    ]

    # the dimensions join the facts on (season, id)
    joined = run_query(
        stack,
        "SELECT r.season, r.driver_id, d.date_of_birth, c.circuit_name, st.status_id "
        "FROM results r "
        "JOIN drivers d ON d.season = r.season AND d.driver_id = r.driver_id "
        "JOIN races ra ON ra.season = r.season AND ra.round = r.round "
        "JOIN circuits c ON c.season = ra.season AND c.circuit_id = ra.circuit_id "
        "JOIN status st ON st.season = r.season AND st.status = r.status "
        "ORDER BY r.season, r.driver_id",
    )
    assert len(joined) == 4
    assert set(joined["circuit_name"]) == {"Monza"}
    assert joined["date_of_birth"].tolist()[0] == date(1950, 1, 2)
    counts = run_query(
        stack,
        "SELECT season, count(*) AS n FROM constructors GROUP BY season ORDER BY season",
    )
    assert counts["n"].tolist() == [2, 2]


def test_season_objects_converge_on_the_newest_and_are_idempotent(stack, read_processed):
    old = put_raw(stack, envelope(DRIVERS, season_record(2023, "Drivers", [driver("albon")])))
    new = put_raw(
        stack,
        envelope(
            DRIVERS,
            season_record(2023, "Drivers", [driver("albon"), driver("sargeant")]),
            T0 + timedelta(hours=1),
        ),
    )
    other = put_raw(stack, envelope(DRIVERS, season_record(2022, "Drivers", [driver("vettel")])))
    first = handler(s3_event(stack.raw_bucket, new), None)["outcomes"][0]
    late = handler(s3_event(stack.raw_bucket, old), None)["outcomes"][0]
    again = handler(s3_event(stack.raw_bucket, new), None)["outcomes"][0]
    handler(s3_event(stack.raw_bucket, other), None)
    assert (first["status"], late["status"], again["status"]) == (
        "written",
        "superseded",
        "unchanged",
    )
    assert late["source_key"] == new
    assert read_processed("drivers", 2023, None).column("driver_id").to_pylist() == [
        "albon",
        "sargeant",
    ]
    assert read_processed("drivers", 2022, None).column("driver_id").to_pylist() == ["vettel"]
    assert processed_source(stack, "drivers", 2023, None)[0] == new


def _violations() -> dict[str, tuple[dict, str]]:
    """Per new endpoint: a schema-violating object, and the problem its quarantine names."""
    sprint = race(2023, 4, [result("perez", 1, points="eight")])
    sprint["SprintResults"] = sprint.pop("Results")
    quali = race(2023, 4)
    quali["QualifyingResults"] = [qualifying_row("perez", 1, "+0.300")]
    no_points = driver_standing("perez", 1, "", "red_bull")
    return {
        "sprint": (envelope(SPRINT, sprint), "sprint_results row 1 (driver 'perez'): points"),
        "qualifying": (envelope(QUALIFYING, quali), "qualifying row 1 (driver 'perez'): q1_millis"),
        "driver_standings": (
            envelope(DRIVER_STANDINGS, standings(2023, 4, [no_points], "DriverStandings")),
            "driver_standings row 1 (driver 'perez'): points is missing",
        ),
        "constructor_standings": (
            envelope(
                CONSTRUCTOR_STANDINGS,
                standings(
                    2023,
                    4,
                    [constructor_standing("red_bull", 1, "87", wins="x")],
                    "ConstructorStandings",
                ),
            ),
            "constructor_standings row 1 (constructor 'red_bull'): wins 'x' is not an integer",
        ),
        "drivers": (
            envelope(
                DRIVERS, season_record(2023, "Drivers", [{**driver("perez"), "givenName": ""}])
            ),
            "drivers row 1 (driverId 'perez'): driver_given_name is missing",
        ),
        "constructors": (
            envelope(
                CONSTRUCTORS,
                season_record(
                    2023, "Constructors", [constructor("a"), {**constructor("b"), "name": ""}]
                ),
            ),
            "constructors row 2 (constructorId 'b'): constructor_name is missing",
        ),
        "circuits": (
            envelope(
                CIRCUITS,
                season_record(
                    2023,
                    "Circuits",
                    [{**circuit("monza"), "Location": {"lat": "north", "long": "9.2"}}],
                ),
            ),
            "circuits row 1 (circuitId 'monza'): lat 'north' is not a number",
        ),
        "status": (
            envelope(STATUS, season_record(2023, "Status", [{"statusId": "one", "count": "1"}])),
            "status row 1 (statusId 'one'): status_id 'one' is not an integer",
        ),
    }


def test_a_schema_violating_object_of_each_endpoint_is_quarantined_whole(stack, read_processed):
    cases = _violations()
    keys = {endpoint: put_raw(stack, env) for endpoint, (env, _) in cases.items()}
    good = put_raw(stack, envelope(STATUS, season_record(2022, "Status", [])))
    ordered = [*keys.values(), good]
    response = handler(
        sqs_event(*(json.dumps(s3_event(stack.raw_bucket, k)) for k in ordered)), None
    )
    assert response["batchItemFailures"] == [{"itemIdentifier": f"m{i}"} for i in range(len(keys))]
    for endpoint, key in keys.items():
        record = quarantine_record(stack, key)
        expected = cases[endpoint][1]
        assert record["kind"] == "invalid", endpoint
        assert any(p.startswith(expected) for p in record["problems"]), (endpoint, record)
    listed = aws.client("s3", stack).list_objects_v2(Bucket=stack.processed_bucket)
    assert [o["Key"] for o in listed["Contents"]] == ["status/season=2022/2022.parquet"]
    assert read_processed("status", 2022, None).num_rows == 0
