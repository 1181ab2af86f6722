"""Query results as text: an aligned table for people, CSV and JSON for programs."""

from __future__ import annotations

import datetime as dt
import decimal
import json
import math
from typing import Any

import pandas as pd
from tabulate import tabulate

FORMATS = ("table", "csv", "json")


def format_table(df: pd.DataFrame) -> str:
    """A readable text table; NULLs show as NULL."""
    if df.empty and not len(df.columns):
        return "(no columns)"
    cells = df.astype(object).where(df.notna(), None)
    text = tabulate(
        cells.values.tolist(),
        headers=list(df.columns),
        tablefmt="psql",
        missingval="NULL",
        floatfmt="g",
        disable_numparse=True,
    )
    return f"{text}\n({len(df)} row{'s' if len(df) != 1 else ''})"


def format_expanded(df: pd.DataFrame) -> str:
    """One block per row, a line per column (psql's ``\\x``): for results wider than the
    terminal."""
    if df.empty:
        return format_table(df)
    names = [str(c) for c in df.columns]
    width = max(len(n) for n in names)
    blocks = []
    cells = df.astype(object).where(df.notna(), None)
    for i, values in enumerate(cells.itertuples(index=False, name=None), start=1):
        lines = [f"-[ RECORD {i} ]" + "-" * max(0, width - 8)]
        lines += [
            f"{n:<{width}} | {'NULL' if v is None else v}"
            for n, v in zip(names, values, strict=True)
        ]
        blocks.append("\n".join(lines))
    return "\n".join(blocks) + f"\n({len(df)} row{'s' if len(df) != 1 else ''})"


def fits(text: str, width: int) -> bool:
    """Whether every line of a rendered result fits ``width`` columns."""
    return all(len(line) <= width for line in text.splitlines())


def _plain(value: Any) -> Any:
    """A JSON value: NULLs (None, NA, NaN) become null, numpy scalars Python numbers, dates
    and times ISO text."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dt.datetime | dt.date | dt.time | pd.Timestamp):
        return value.isoformat()
    if hasattr(value, "tolist"):  # numpy scalars and arrays (array columns)
        return _plain(value.tolist())
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def to_records(df: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows as dicts of JSON values (see ``_plain``): the JSON output, the checks' samples."""
    columns = list(df.columns)
    return [
        {c: _plain(v) for c, v in zip(columns, row, strict=True)}
        for row in df.astype(object).itertuples(index=False, name=None)
    ]


def render(df: pd.DataFrame, fmt: str = "table") -> str:
    """The result in one of FORMATS (CSV: NULL is an empty field; JSON: an array of rows)."""
    if fmt == "table":
        return format_table(df)
    if fmt == "csv":
        return df.to_csv(index=False, lineterminator="\n").rstrip("\n")
    if fmt == "json":
        return json.dumps(to_records(df), ensure_ascii=False, indent=2)
    raise ValueError(f"unknown output format {fmt!r}; formats: {', '.join(FORMATS)}")
