"""The race record itself: the calendar row with its circuit, and the race columns every
per-race row repeats (season, round, race_date)."""

from __future__ import annotations

from typing import Any

from f1lake.transform.parse import parse_clock, parse_date, parse_float, parse_int
from f1lake.transform.rows import RowBuilder, ValidationError, obj

# Session objects by their API names; the names and their order changed over the years,
# so they are looked up by name and any unknown one is ignored.
SESSIONS = {
    "FirstPractice": "fp1",
    "SecondPractice": "fp2",
    "ThirdPractice": "fp3",
    "Qualifying": "qualifying",
    "SprintQualifying": "sprint_qualifying",
    "SprintShootout": "sprint_qualifying",
    "Sprint": "sprint",
}


def race_header(race: dict[str, Any]) -> dict[str, Any]:
    """(season, round, race_date) of a race; ValidationError when they do not parse."""
    b = RowBuilder(f"race {race.get('season')!r} round {race.get('round')!r}")
    b.set("season", race.get("season"), parse_int)
    b.set("round", race.get("round"), parse_int)
    b.set("race_date", race.get("date"), parse_date)
    for column, value in b.values.items():
        if value is None and not b.failed(column):
            b.problem(f"{column} is missing")
    if b.problems:
        raise ValidationError(b.problems)
    return b.values


def race_rows_source(
    table: str, race: dict[str, Any], row_key: str
) -> tuple[dict[str, Any], list[Any]]:
    """The race header and its list of rows under ``row_key``; a wrong shape is a problem."""
    header = race_header(race)
    rows = race.get(row_key)
    if not isinstance(rows, list):
        raise ValidationError([f"{table}: race has no {row_key} list"])
    if not rows:
        raise ValidationError([f"{table}: race has an empty {row_key} list"])
    return header, rows


def circuit_columns(b: RowBuilder, circuit: dict[str, Any]) -> None:
    """The circuit columns shared by ``races`` and the ``circuits`` dimension."""
    location = obj(circuit, "Location", b, required=False)
    b.set("circuit_id", circuit.get("circuitId"))
    b.set("circuit_name", circuit.get("circuitName"))
    b.set("locality", location.get("locality"))
    b.set("country", location.get("country"))
    b.set("lat", location.get("lat"), parse_float)
    b.set("lng", location.get("long"), parse_float)


def race_rows(race: dict[str, Any]) -> list[RowBuilder]:
    header = race_header(race)
    b = RowBuilder(f"races row 1 (round {header['round']})")
    b.put("season", header["season"])
    b.put("round", header["round"])
    b.put("race_date", header["race_date"])
    b.set("race_name", race.get("raceName"))
    b.set("race_time", race.get("time"), parse_clock)
    circuit_columns(b, obj(race, "Circuit", b, required=True))
    b.set("url", race.get("url"))
    for column in dict.fromkeys(SESSIONS.values()):
        b.put(f"{column}_date", None)
        b.put(f"{column}_time", None)
    for key, column in SESSIONS.items():
        session = race.get(key)
        if session is None:
            continue
        if not isinstance(session, dict):
            b.problem(f"{key} is not an object")
            continue
        b.set(f"{column}_date", session.get("date"), parse_date)
        b.set(f"{column}_time", session.get("time"), parse_clock)
    return [b]
