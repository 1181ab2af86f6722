"""Race, sprint and qualifying classifications (``Results``, ``SprintResults``,
``QualifyingResults``): one typed row per entry."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

from f1lake.transform.parse import (
    parse_duration_ms,
    parse_float,
    parse_int,
)
from f1lake.transform.race import race_rows_source
from f1lake.transform.rows import RowBuilder, obj


def _is_number(text: Any) -> bool:
    return isinstance(text, str) and text.strip().isdigit()


def driver_columns(b: RowBuilder, driver: dict[str, Any], prefix: str = "driver_") -> None:
    b.set(f"{prefix}id", driver.get("driverId"))
    b.set(f"{prefix}code", driver.get("code"))
    b.set(f"{prefix}number", driver.get("permanentNumber"), parse_int)
    b.set(f"{prefix}given_name", driver.get("givenName"))
    b.set(f"{prefix}family_name", driver.get("familyName"))
    b.set(f"{prefix}nationality", driver.get("nationality"))


def constructor_columns(b: RowBuilder, constructor: dict[str, Any]) -> None:
    b.set("constructor_id", constructor.get("constructorId"))
    b.set("constructor_name", constructor.get("name"))
    b.set("constructor_nationality", constructor.get("nationality"))


def _label(table: str, index: int, row: Any) -> str:
    driver = row.get("Driver") if isinstance(row, dict) else None
    driver_id = driver.get("driverId") if isinstance(driver, dict) else None
    return f"{table} row {index}" + (f" (driver {driver_id!r})" if driver_id else "")


def _entry_rows(
    table: str, race: dict[str, Any], row_key: str
) -> Iterator[tuple[RowBuilder, dict]]:
    """Per source row: a builder holding the race header, driver, constructor, car number and
    entry (1, or 2 for a driver's second car in the same event); rows that are not objects
    are recorded as problems and not yielded."""
    header, rows = race_rows_source(table, race, row_key)
    entries: Counter[str] = Counter()
    for i, row in enumerate(rows, start=1):
        b = RowBuilder(_label(table, i, row))
        for k, v in header.items():
            b.put(k, v)
        if not isinstance(row, dict):
            b.problem("is not an object")
            yield b, {}
            continue
        driver = obj(row, "Driver", b, required=True)
        driver_columns(b, driver)
        entries[b.values.get("driver_id") or ""] += 1
        b.put("entry", entries[b.values.get("driver_id") or ""])
        constructor_columns(b, obj(row, "Constructor", b, required=False))
        b.set("car_number", row.get("number"), parse_int)
        yield b, row


def classification_rows(table: str, race: dict[str, Any], row_key: str) -> list[RowBuilder]:
    """Typed rows of one race or sprint classification."""
    out: list[RowBuilder] = []
    for b, row in _entry_rows(table, race, row_key):
        out.append(b)
        if not row:
            continue
        b.set("grid", row.get("grid"), parse_int)
        b.set("position_order", row.get("position"), parse_int)
        text = _position_text(row)
        b.set("position_text", text)
        b.set("position", text if _is_number(text) else None, parse_int)
        b.set("points", row.get("points"), parse_float)
        b.set("laps", row.get("laps"), parse_int)
        b.set("status", row.get("status"))
        time = obj(row, "Time", b, required=False)
        b.set("time_millis", time.get("millis"), parse_int)
        b.set("time_text", time.get("time"))
        fastest = obj(row, "FastestLap", b, required=False)
        b.set("fastest_lap_rank", fastest.get("rank"), parse_int)
        b.set("fastest_lap_lap", fastest.get("lap"), parse_int)
        b.set(
            "fastest_lap_time_millis",
            obj(fastest, "Time", b, required=False).get("time"),
            parse_duration_ms,
        )
        b.set(
            "fastest_lap_avg_speed_kph",
            _speed_kph(obj(fastest, "AverageSpeed", b, required=False), b),
            parse_float,
        )
    return out


def _position_text(row: dict[str, Any]) -> Any:
    """positionText, except that a disqualified entry is D whatever place the source lists it
    in: Jolpica stores the 2023 United States GP disqualifications (Hamilton, Leclerc) as
    classified 19th and 20th, the Ergast data as D, and the lake holds one truth for both."""
    text = row.get("positionText")
    if row.get("status") == "Disqualified" and _is_number(text):
        return "D"
    return text


def qualifying_rows(race: dict[str, Any]) -> list[RowBuilder]:
    """Typed rows of one qualifying classification; a session not run by a driver is null."""
    out: list[RowBuilder] = []
    for b, row in _entry_rows("qualifying", race, "QualifyingResults"):
        out.append(b)
        if not row:
            continue
        b.set("position", row.get("position"), parse_int)
        for session in ("Q1", "Q2", "Q3"):
            b.set(f"{session.lower()}_millis", row.get(session), parse_duration_ms)
    return out


def _speed_kph(speed: dict[str, Any], b: RowBuilder) -> Any:
    units = speed.get("units", "kph")
    if speed and units != "kph":
        b.problem(f"AverageSpeed units {units!r} are not kph")
        return None
    return speed.get("speed")
