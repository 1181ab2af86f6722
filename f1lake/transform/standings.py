"""The official championship standings after a round (``StandingsLists`` items).

A standings item carries only season and round (no race date): standings are a state of the
championship, not an event. ``position`` is absent when the driver is unranked (``positionText``
"-"), so it is nullable; ``positionText`` is kept verbatim (D, E and "-" mean different things).
"""

from __future__ import annotations

from typing import Any

from f1lake.transform.classification import constructor_columns, driver_columns
from f1lake.transform.parse import parse_float, parse_int
from f1lake.transform.rows import RowBuilder, ValidationError, obj


def standings_header(item: dict[str, Any]) -> dict[str, Any]:
    """(season, round) of a StandingsLists item; ValidationError when they do not parse."""
    b = RowBuilder(f"standings {item.get('season')!r} round {item.get('round')!r}")
    b.set("season", item.get("season"), parse_int)
    b.set("round", item.get("round"), parse_int)
    for column, value in b.values.items():
        if value is None and not b.failed(column):
            b.problem(f"{column} is missing")
    if b.problems:
        raise ValidationError(b.problems)
    return b.values


def _rows(table: str, item: dict[str, Any], row_key: str) -> list[tuple[RowBuilder, dict]]:
    header = standings_header(item)
    rows = item.get(row_key)
    if not isinstance(rows, list):
        raise ValidationError([f"{table}: standings have no {row_key} list"])
    if not rows:
        raise ValidationError([f"{table}: standings have an empty {row_key} list"])
    out: list[tuple[RowBuilder, dict]] = []
    for i, row in enumerate(rows, start=1):
        who = _who(row)
        b = RowBuilder(f"{table} row {i}" + (f" ({who})" if who else ""))
        b.put("season", header["season"])
        b.put("round", header["round"])
        if not isinstance(row, dict):
            b.problem("is not an object")
            row = {}
        else:
            b.set("position", row.get("position"), parse_int)
            b.set("position_text", row.get("positionText"))
            b.set("points", row.get("points"), parse_float)
            b.set("wins", row.get("wins"), parse_int)
        out.append((b, row))
    return out


def _who(row: Any) -> str:
    if not isinstance(row, dict):
        return ""
    for key, id_key, label in (
        ("Driver", "driverId", "driver"),
        ("Constructor", "constructorId", "constructor"),
    ):
        value = row.get(key)
        if isinstance(value, dict) and value.get(id_key):
            return f"{label} {value[id_key]!r}"
    return ""


def driver_standing_rows(item: dict[str, Any]) -> list[RowBuilder]:
    out = []
    for b, row in _rows("driver_standings", item, "DriverStandings"):
        out.append(b)
        if not row:
            continue
        driver_columns(b, obj(row, "Driver", b, required=True))
        b.put("constructor_ids", _constructor_ids(b, row.get("Constructors")))
    return out


def _constructor_ids(b: RowBuilder, teams: Any) -> list[str] | None:
    """The constructorIds of a driver's ``Constructors`` list (None when the list is absent)."""
    if teams is None:
        return None
    if not isinstance(teams, list):
        b.problem("Constructors is not a list")
        return None
    ids: list[str] = []
    for i, team in enumerate(teams, start=1):
        team_id = team.get("constructorId") if isinstance(team, dict) else None
        if not isinstance(team_id, str) or not team_id:
            b.problem(f"Constructors item {i} has no constructorId")
        elif team_id not in ids:
            ids.append(team_id)
    return ids


def constructor_standing_rows(item: dict[str, Any]) -> list[RowBuilder]:
    out = []
    for b, row in _rows("constructor_standings", item, "ConstructorStandings"):
        out.append(b)
        if row:
            constructor_columns(b, obj(row, "Constructor", b, required=True))
    return out
