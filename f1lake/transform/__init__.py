"""Pure transforms: one raw object (envelope + its record) -> typed Arrow tables.

Each raw endpoint feeds exactly one processed table (see :mod:`f1lake.schema`). Every problem in
the object is collected; any problem rejects the whole object, so an object is either written
completely or quarantined.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd
import pyarrow as pa

from f1lake.endpoints import get_endpoint
from f1lake.raw.envelope import EnvelopeMeta, read_envelope
from f1lake.schema import get_table, tables_for_source
from f1lake.transform.classification import classification_rows, qualifying_rows
from f1lake.transform.dimensions import (
    circuit_rows,
    constructor_rows,
    driver_rows,
    season_of,
    status_rows,
)
from f1lake.transform.parse import (
    parse_clock,
    parse_date,
    parse_duration_ms,
    parse_float,
    parse_int,
)
from f1lake.transform.race import race_header, race_rows
from f1lake.transform.rows import RowBuilder, ValidationError, to_arrow
from f1lake.transform.standings import (
    constructor_standing_rows,
    driver_standing_rows,
    standings_header,
)
from f1lake.transform.timing import lap_rows, pit_stop_rows

__all__ = [
    "TRANSFORMS",
    "ObjectTables",
    "ShapeError",
    "ValidationError",
    "parse_clock",
    "parse_date",
    "parse_duration_ms",
    "parse_float",
    "parse_int",
    "transform_object",
    "transform_record",
]


class ShapeError(ValueError):
    """The object is not a raw object at all (no envelope, not exactly one race...)."""


RowsFn = Callable[[dict[str, Any]], list[RowBuilder]]

TRANSFORMS: dict[str, RowsFn] = {
    "races": race_rows,
    "results": lambda race: classification_rows("results", race, "Results"),
    "sprint": lambda race: classification_rows("sprint_results", race, "SprintResults"),
    "qualifying": qualifying_rows,
    "pit_stops": pit_stop_rows,
    "laps": lap_rows,
    "driver_standings": driver_standing_rows,
    "constructor_standings": constructor_standing_rows,
    "drivers": driver_rows,
    "constructors": constructor_rows,
    "circuits": circuit_rows,
    "status": status_rows,
}
"""Raw endpoint -> function building the rows of the one table it feeds."""


def transform_record(endpoint: str, record: dict[str, Any]) -> dict[str, pa.Table]:
    """Typed tables (data columns, no partition column) of one record of ``endpoint``: a race
    or standings item (race scope) or a season's table wrapper (season scope)."""
    try:
        build = TRANSFORMS[endpoint]
    except KeyError:
        raise ShapeError(
            f"no transform for endpoint {endpoint!r} (known: {', '.join(TRANSFORMS)})"
        ) from None
    [table] = tables_for_source(endpoint)
    return {table.name: to_arrow(get_table(table.name), build(record))}


@dataclass(frozen=True)
class ObjectTables:
    """The typed output of one raw object (``round`` is None for a season-scoped one)."""

    meta: EnvelopeMeta
    season: int
    round: int | None
    tables: dict[str, pa.Table]

    def frames(self) -> dict[str, pd.DataFrame]:
        """The tables as pandas frames with Arrow-backed dtypes (types survive the trip)."""
        return {name: t.to_pandas(types_mapper=pd.ArrowDtype) for name, t in self.tables.items()}


def _record_position(endpoint: str, record: dict[str, Any]) -> tuple[int, int | None]:
    """(season, round) the record itself claims; ValidationError when they do not parse."""
    ep = get_endpoint(endpoint)
    if ep.scope == "season":
        return season_of(record, tables_for_source(endpoint)[0].name), None
    header = standings_header(record) if ep.table_key == "StandingsTable" else race_header(record)
    return header["season"], header["round"]


def transform_object(body: Any) -> ObjectTables:
    """Envelope + MRData of one raw object -> typed tables.

    Raises ShapeError when the object is not a raw object, ValidationError (with every
    problem) when its records do not validate or disagree with the envelope.
    """
    try:
        meta, record = read_envelope(body)
    except (ValueError, TypeError, AttributeError) as exc:
        raise ShapeError(str(exc)) from None
    if meta.endpoint not in TRANSFORMS:
        raise ShapeError(f"no transform for endpoint {meta.endpoint!r}")
    season, round_ = _record_position(meta.endpoint, record)
    if (season, round_) != (meta.season, meta.round):
        what = f"season {season}" + ("" if round_ is None else f" round {round_}")
        said = f"season {meta.season}" + ("" if meta.round is None else f" round {meta.round}")
        raise ValidationError([f"{meta.endpoint} record is {what} but the envelope says {said}"])
    return ObjectTables(meta, meta.season, meta.round, transform_record(meta.endpoint, record))
