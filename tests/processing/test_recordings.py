"""The transforms on real recorded Ergast responses (skipped when ../shared is absent)."""

from __future__ import annotations

import json

import pytest

from f1lake.endpoints import DRIVER_STANDINGS, QUALIFYING, RACES, RESULTS, Endpoint, get_endpoint
from f1lake.transform import transform_object, transform_record
from tests.conftest import shared_path
from tests.processing.factories import envelope

pytestmark = pytest.mark.shared


def _races(*parts: str) -> list[dict]:
    return json.loads(shared_path("ergast-responses", *parts).read_text())["MRData"]["RaceTable"][
        "Races"
    ]


def test_recorded_2023_austrian_gp_results():
    [race] = _races("results", "2023@9@results.json")
    out = transform_object(envelope(RESULTS, race))
    rows = out.tables["results"].to_pylist()
    assert len(rows) == len(race["Results"])
    by_driver = {r["driver_id"]: r for r in rows}
    winner = by_driver["max_verstappen"]
    assert (winner["car_number"], winner["driver_number"]) == (1, 33)
    assert winner["time_millis"] == int(race["Results"][0]["Time"]["millis"])
    # a gap stays text, its millis come from Time.millis
    second = rows[1]
    assert second["time_text"].startswith("+")
    assert second["time_millis"] > winner["time_millis"]
    retired = [r for r in rows if r["position_text"] == "R"]
    assert retired and all(r["position"] is None and r["time_millis"] is None for r in retired)
    assert sum(r["points"] for r in rows) == sum(float(r["points"]) for r in race["Results"])


def test_recorded_2023_season_results_page_each_race_transforms():
    for race in _races("results", "2023@results.json"):
        tables = transform_record("results", race)
        assert tables["results"].num_rows == len(race["Results"])


def test_recorded_2023_calendar():
    races = _races("races", "2023.json")
    rows = [transform_object(envelope(RACES, r)).tables["races"].to_pylist()[0] for r in races]
    assert [r["round"] for r in rows] == list(range(1, len(races) + 1))
    sprint_weekends = [r for r in rows if r["sprint_date"] is not None]
    assert sprint_weekends and all(r["sprint_date"] < r["race_date"] for r in sprint_weekends)
    assert all(r["fp1_date"] is not None and r["race_time"] is not None for r in rows)


RECORDED = [
    # (endpoint, recording): every item of each must transform
    ("sprint", ("sprint", "2023@sprint.json")),
    ("qualifying", ("qualifying", "2023@qualifying.json")),
    ("qualifying", ("qualifying", "2023@13@qualifying.json")),
    ("driver_standings", ("driverstandings", "2023@22@driverstandings.json")),
    ("driver_standings", ("driverstandings", "2023@4@driverStandings.json")),
    ("driver_standings", ("driverstandings", "1980@14@driverstandings.json^limit=21")),
    ("constructor_standings", ("constructorstandings", "2023@22@constructorstandings.json")),
    ("constructor_standings", ("constructorstandings", "2023@13@constructorstandings.json")),
    ("drivers", ("drivers", "2023@drivers.json")),
    ("constructors", ("constructors", "2023@constructors.json")),
    ("circuits", ("circuits", "2023@circuits.json")),
    ("status", ("status", "2023@status.json")),
]


def _records(endpoint: Endpoint, parts: tuple[str, ...]) -> list[dict]:
    """The raw records the ingestion makes of a recorded answer: one per race/standings item,
    or the season's table wrapper."""
    table = json.loads(shared_path("ergast-responses", *parts).read_text())["MRData"][
        endpoint.table_key
    ]
    if endpoint.scope == "season":
        return [{"season": table["season"], endpoint.items_key: table[endpoint.items_key]}]
    return table[endpoint.items_key]


@pytest.mark.parametrize(
    ("endpoint", "parts"), RECORDED, ids=lambda v: "/".join(v) if isinstance(v, tuple) else v
)
def test_recorded_answers_of_every_endpoint_transform(endpoint, parts):
    ep = get_endpoint(endpoint)
    records = _records(ep, parts)
    assert records
    for record in records:
        out = transform_object(envelope(ep, record))
        [data] = out.tables.values()
        rows = record[ep.row_key] if ep.row_key else record[ep.items_key]
        assert data.num_rows == len(rows), (endpoint, parts)
        assert out.round == (None if ep.scope == "season" else int(record["round"]))


def test_recorded_2023_final_driver_standings_values():
    [item] = _records(DRIVER_STANDINGS, ("driverstandings", "2023@22@driverstandings.json"))
    rows = transform_object(envelope(DRIVER_STANDINGS, item)).tables["driver_standings"]
    by_id = {r["driver_id"]: r for r in rows.to_pylist()}
    source = {r["Driver"]["driverId"]: r for r in item["DriverStandings"]}
    assert by_id.keys() == source.keys()
    for driver_id, row in by_id.items():
        assert row["points"] == float(source[driver_id]["points"])
        assert row["constructor_ids"] == [
            c["constructorId"] for c in source[driver_id]["Constructors"]
        ]
    assert all(r["constructor_ids"] for r in by_id.values())


def test_recorded_2023_qualifying_times():
    races = _records(QUALIFYING, ("qualifying", "2023@qualifying.json"))
    row = races[0]["QualifyingResults"][0]
    out = transform_object(envelope(QUALIFYING, races[0])).tables["qualifying"].to_pylist()[0]
    minutes, seconds = row["Q3"].split(":")
    assert out["q3_millis"] == round((int(minutes) * 60 + float(seconds)) * 1000)
