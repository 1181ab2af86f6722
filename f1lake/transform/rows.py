"""Row building with collected problems, and the schema check that turns rows into Arrow.

Problems are gathered rather than raised one by one, so a quarantine record lists everything
wrong with an object at once; any problem rejects the whole object (never half a race).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import pyarrow as pa

from f1lake.schema import Table
from f1lake.transform.parse import parse_text

_INT_BOUNDS = {"int": 2**31, "bigint": 2**63}
"""Signed range of the integer column types: a larger number is a problem, not an overflow."""


class ValidationError(ValueError):
    """An object failed validation; ``problems`` lists every reason, naming record and field."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        shown = "; ".join(self.problems[:20])
        more = f" (and {len(self.problems) - 20} more)" if len(self.problems) > 20 else ""
        super().__init__(f"{len(self.problems)} validation problem(s): {shown}{more}")


class RowBuilder:
    """Collects one output row; a value that does not parse becomes a problem, not an exception."""

    def __init__(self, where: str) -> None:
        self.where = where
        self.values: dict[str, Any] = {}
        self.problems: list[str] = []
        self._failed: set[str] = set()

    def set(self, column: str, raw: Any, parse: Callable[[Any], Any] = parse_text) -> None:
        """Parse ``raw`` into ``column``; absent (None or "") stays null."""
        if raw is None or (isinstance(raw, str) and raw.strip() == ""):
            self.values[column] = None
            return
        try:
            self.values[column] = parse(raw)
        except ValueError as exc:
            self.values[column] = None
            self._failed.add(column)
            self.problems.append(f"{self.where}: {column} {exc}")

    def put(self, column: str, value: Any) -> None:
        self.values[column] = value

    def problem(self, message: str) -> None:
        self.problems.append(f"{self.where}: {message}")

    def failed(self, column: str) -> bool:
        return column in self._failed


def obj(parent: Mapping[str, Any], key: str, builder: RowBuilder, *, required: bool) -> dict:
    """A nested object of the source (``Driver``, ``Time``); {} when absent or not an object."""
    value = parent.get(key)
    if value is None:
        if required:
            builder.problem(f"{key} is missing")
        return {}
    if not isinstance(value, dict):
        builder.problem(f"{key} is not an object")
        return {}
    return value


def to_arrow(table: Table, rows: Iterable[RowBuilder]) -> pa.Table:
    """Check rows against the table definition (nullability, unique key) and build the Arrow
    table of its data columns; raises ValidationError listing every problem."""
    rows = list(rows)
    problems: list[str] = []
    expected = set(table.column_names)
    seen_keys: dict[tuple, str] = {}
    for row in rows:
        problems.extend(row.problems)
        got = set(row.values)
        if got != expected:
            if not row.problems:  # a bug in a transform: reported, never written half-typed
                problems.append(
                    f"{row.where}: columns differ from table {table.name} "
                    f"(missing {sorted(expected - got)}, unexpected {sorted(got - expected)})"
                )
            continue
        for c in table.columns:
            value = row.values[c.name]
            if not c.nullable and value is None and not row.failed(c.name):
                problems.append(f"{row.where}: {c.name} is missing")
            bound = _INT_BOUNDS.get(c.type)
            if bound and isinstance(value, int) and not -bound <= value < bound:
                problems.append(f"{row.where}: {c.name} {value} is out of range for {c.type}")
        key = tuple(row.values[k] for k in table.key)
        if key in seen_keys:
            shown = ", ".join(f"{k}={v!r}" for k, v in zip(table.key, key, strict=True))
            problems.append(
                f"{row.where}: duplicate {table.name} key ({shown}), also in {seen_keys[key]}"
            )
        else:
            seen_keys[key] = row.where
    if problems:
        raise ValidationError(problems)
    schema = table.arrow_schema()
    data = [{name: row.values[name] for name in schema.names} for row in rows]
    return pa.Table.from_pylist(data, schema=schema)
