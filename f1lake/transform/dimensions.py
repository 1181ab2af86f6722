"""The season dimensions (drivers, constructors, circuits, status), each from its own
season-scoped endpoint: the record is the table wrapper ``{"season": "2023", "Drivers": [...]}``.

An empty list is valid (a season that has not started lists nobody yet) and gives an empty file.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from f1lake.transform.classification import constructor_columns, driver_columns
from f1lake.transform.parse import parse_date, parse_int
from f1lake.transform.race import circuit_columns
from f1lake.transform.rows import RowBuilder, ValidationError


def season_of(record: dict[str, Any], table: str) -> int:
    """The season of a dimension record; ValidationError when it does not parse."""
    b = RowBuilder(f"{table} season {record.get('season')!r}")
    b.set("season", record.get("season"), parse_int)
    if b.values["season"] is None and not b.problems:
        b.problem("season is missing")
    if b.problems:
        raise ValidationError(b.problems)
    return b.values["season"]


def _dimension_rows(
    table: str,
    record: dict[str, Any],
    items_key: str,
    id_key: str,
    fill: Callable[[RowBuilder, dict[str, Any]], None],
) -> list[RowBuilder]:
    season = season_of(record, table)
    items = record.get(items_key)
    if not isinstance(items, list):
        raise ValidationError([f"{table}: season record has no {items_key} list"])
    out = []
    for i, item in enumerate(items, start=1):
        item_id = item.get(id_key) if isinstance(item, dict) else None
        b = RowBuilder(f"{table} row {i}" + (f" ({id_key} {item_id!r})" if item_id else ""))
        b.put("season", season)
        if isinstance(item, dict):
            fill(b, item)
        else:
            b.problem("is not an object")
        out.append(b)
    return out


def _driver(b: RowBuilder, item: dict[str, Any]) -> None:
    driver_columns(b, item)
    b.set("date_of_birth", item.get("dateOfBirth"), parse_date)
    b.set("url", item.get("url"))


def _constructor(b: RowBuilder, item: dict[str, Any]) -> None:
    constructor_columns(b, item)
    b.set("url", item.get("url"))


def _circuit(b: RowBuilder, item: dict[str, Any]) -> None:
    circuit_columns(b, item)
    b.set("url", item.get("url"))


def _status(b: RowBuilder, item: dict[str, Any]) -> None:
    b.set("status_id", item.get("statusId"), parse_int)
    b.set("status", item.get("status"))
    b.set("count", item.get("count"), parse_int)


def driver_rows(record: dict[str, Any]) -> list[RowBuilder]:
    return _dimension_rows("drivers", record, "Drivers", "driverId", _driver)


def constructor_rows(record: dict[str, Any]) -> list[RowBuilder]:
    return _dimension_rows("constructors", record, "Constructors", "constructorId", _constructor)


def circuit_rows(record: dict[str, Any]) -> list[RowBuilder]:
    return _dimension_rows("circuits", record, "Circuits", "circuitId", _circuit)


def status_rows(record: dict[str, Any]) -> list[RowBuilder]:
    return _dimension_rows("status", record, "Status", "statusId", _status)
