"""The transforms on real recorded Ergast responses (skipped when ../shared is absent)."""

from __future__ import annotations

import json

import pytest

from f1lake.endpoints import RACES, RESULTS
from f1lake.transform import transform_object, transform_race
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
        tables = transform_race("results", race)
        assert tables["results"].num_rows == len(race["Results"])


def test_recorded_2023_calendar():
    races = _races("races", "2023.json")
    rows = [transform_object(envelope(RACES, r)).tables["races"].to_pylist()[0] for r in races]
    assert [r["round"] for r in rows] == list(range(1, len(races) + 1))
    sprint_weekends = [r for r in rows if r["sprint_date"] is not None]
    assert sprint_weekends and all(r["sprint_date"] < r["race_date"] for r in sprint_weekends)
    assert all(r["fp1_date"] is not None and r["race_time"] is not None for r in rows)
