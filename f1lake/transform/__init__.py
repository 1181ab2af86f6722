"""Pure transforms: one raw object (envelope + one race) -> typed Arrow tables.

Each raw endpoint feeds one or more processed tables (``results`` feeds results, drivers and
constructors). Every problem in the object is collected; any problem rejects the whole object,
so a race is either written completely or quarantined.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd
import pyarrow as pa

from f1lake.raw.envelope import EnvelopeMeta, read_envelope
from f1lake.schema import get_table
from f1lake.transform.classification import classification_rows, constructor_rows, driver_rows
from f1lake.transform.parse import (
    parse_clock,
    parse_date,
    parse_duration_ms,
    parse_float,
    parse_int,
)
from f1lake.transform.race import circuit_rows, race_header, race_rows
from f1lake.transform.rows import RowBuilder, ValidationError, to_arrow

__all__ = [
    "TRANSFORMS",
    "RaceTables",
    "ShapeError",
    "ValidationError",
    "parse_clock",
    "parse_date",
    "parse_duration_ms",
    "parse_float",
    "parse_int",
    "transform_object",
    "transform_race",
]


class ShapeError(ValueError):
    """The object is not a raw race object at all (no envelope, not exactly one race...)."""


RowsFn = Callable[[dict[str, Any]], dict[str, list[RowBuilder]]]


def _results(race: dict[str, Any]) -> dict[str, list[RowBuilder]]:
    rows, source = classification_rows("results", race, "Results")
    return {
        "results": rows,
        "drivers": driver_rows(race, source),
        "constructors": constructor_rows(race, source),
    }


def _races(race: dict[str, Any]) -> dict[str, list[RowBuilder]]:
    return {"races": race_rows(race), "circuits": circuit_rows(race)}


TRANSFORMS: dict[str, RowsFn] = {"results": _results, "races": _races}
"""Raw endpoint -> function building the rows of every table it feeds."""


def transform_race(endpoint: str, race: dict[str, Any]) -> dict[str, pa.Table]:
    """Typed tables (data columns, no partition column) of one race of ``endpoint``."""
    try:
        build = TRANSFORMS[endpoint]
    except KeyError:
        raise ShapeError(
            f"no transform for endpoint {endpoint!r} (known: {', '.join(TRANSFORMS)})"
        ) from None
    rows = build(race)
    problems: list[str] = []
    tables: dict[str, pa.Table] = {}
    for name, builders in rows.items():
        try:
            tables[name] = to_arrow(get_table(name), builders)
        except ValidationError as exc:
            problems.extend(exc.problems)
    if problems:
        raise ValidationError(problems)
    return tables


@dataclass(frozen=True)
class RaceTables:
    """The typed output of one raw object."""

    meta: EnvelopeMeta
    season: int
    round: int
    tables: dict[str, pa.Table]

    def frames(self) -> dict[str, pd.DataFrame]:
        """The tables as pandas frames with Arrow-backed dtypes (types survive the trip)."""
        return {name: t.to_pandas(types_mapper=pd.ArrowDtype) for name, t in self.tables.items()}


def transform_object(body: Any) -> RaceTables:
    """Envelope + MRData of one race -> typed tables.

    Raises ShapeError when the object is not a raw race object, ValidationError (with every
    problem) when its records do not validate.
    """
    try:
        meta, race = read_envelope(body)
    except (ValueError, TypeError, AttributeError) as exc:
        raise ShapeError(str(exc)) from None
    header = race_header(race)
    if (header["season"], header["round"]) != (meta.season, meta.round):
        raise ValidationError(
            [
                f"race is season {header['season']} round {header['round']} but the envelope "
                f"says season {meta.season} round {meta.round}"
            ]
        )
    return RaceTables(meta, meta.season, meta.round, transform_race(meta.endpoint, race))
