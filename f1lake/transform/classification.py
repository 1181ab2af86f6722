"""Race and sprint classifications (``Results`` / ``SprintResults``) and the driver and
constructor dimensions seen in them."""

from __future__ import annotations

from collections import Counter
from typing import Any

from f1lake.transform.parse import (
    parse_date,
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


def classification_rows(
    table: str, race: dict[str, Any], row_key: str
) -> tuple[list[RowBuilder], list[dict[str, Any]]]:
    """Typed rows of one race's classification, plus the source rows (for the dimensions)."""
    header, rows, source = race_rows_source(table, race, row_key)
    entries: Counter[str] = Counter()
    out: list[RowBuilder] = []
    for i, row in enumerate(rows, start=1):
        b = RowBuilder(_label(table, i, row))
        out.append(b)
        for k, v in header.items():
            b.put(k, v)
        if not isinstance(row, dict):
            b.problem("is not an object")
            continue
        driver = obj(row, "Driver", b, required=True)
        driver_columns(b, driver)
        entries[b.values.get("driver_id") or ""] += 1
        b.put("entry", entries[b.values.get("driver_id") or ""])
        constructor_columns(b, obj(row, "Constructor", b, required=False))
        b.set("car_number", row.get("number"), parse_int)
        b.set("grid", row.get("grid"), parse_int)
        b.set("position_order", row.get("position"), parse_int)
        b.set("position_text", row.get("positionText"))
        text = row.get("positionText")
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
    return out, source


def _speed_kph(speed: dict[str, Any], b: RowBuilder) -> Any:
    units = speed.get("units", "kph")
    if speed and units != "kph":
        b.problem(f"AverageSpeed units {units!r} are not kph")
        return None
    return speed.get("speed")


def driver_rows(race: dict[str, Any], source: list[dict[str, Any]]) -> list[RowBuilder]:
    """One row per driver appearing in the race (a shared car lists him twice: one row)."""
    out: dict[str, RowBuilder] = {}
    for row in source:
        driver = row.get("Driver") if isinstance(row, dict) else None
        if not isinstance(driver, dict) or driver.get("driverId") in out:
            continue
        b = RowBuilder(f"drivers row {len(out) + 1} (driver {driver.get('driverId')!r})")
        _race_key(b, race)
        driver_columns(b, driver)
        b.set("date_of_birth", driver.get("dateOfBirth"), parse_date)
        b.set("url", driver.get("url"))
        out[driver.get("driverId")] = b
    return list(out.values())


def constructor_rows(race: dict[str, Any], source: list[dict[str, Any]]) -> list[RowBuilder]:
    out: dict[str, RowBuilder] = {}
    for row in source:
        con = row.get("Constructor") if isinstance(row, dict) else None
        if not isinstance(con, dict) or con.get("constructorId") in out:
            continue
        b = RowBuilder(
            f"constructors row {len(out) + 1} (constructor {con.get('constructorId')!r})"
        )
        _race_key(b, race)
        constructor_columns(b, con)
        b.set("url", con.get("url"))
        out[con.get("constructorId")] = b
    return list(out.values())


def _race_key(b: RowBuilder, race: dict[str, Any]) -> None:
    b.set("season", race.get("season"), parse_int)
    b.set("round", race.get("round"), parse_int)
