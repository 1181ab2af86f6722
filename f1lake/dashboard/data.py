"""The dashboard's data: every visual's named query as JSON-able rows, run once per season when
it takes the season (the root parameter), else once for the whole lake.

The page is a single file that must outlive the local stack, so every answer is computed here
once and embedded; the browser never queries anything, it only filters the embedded rows by the
race, driver and team selectors (a query taking one of those besides the season runs once
with it NULL, "every": the selector picks its rows too).
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from f1lake.dashboard.spec import Dashboard
from f1lake.query.errors import QueryError
from f1lake.query.library import find_query

if TYPE_CHECKING:  # a client of the query service draws the page without pandas or DuckDB
    import pandas as pd
    import pyarrow as pa

    from f1lake.query.engines import Engine


class DashboardError(RuntimeError):
    """The dashboard cannot be built from this lake; the message says why."""


@dataclass(frozen=True)
class Rows:
    """One query's answer: column names and rows of JSON-able values."""

    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]

    def records(self) -> list[dict[str, Any]]:
        """The rows as dicts, made once (a visual's shape and its colours both read them, for
        every part of every season); callers read them, never change them."""
        made = self.__dict__.get("_records")
        if made is None:
            columns = self.columns
            made = [dict(zip(columns, row, strict=True)) for row in self.rows]
            self.__dict__["_records"] = made
        return made

    def select(self, columns: Sequence[str]) -> Rows:
        """Only ``columns``, in that order."""
        at = [self.columns.index(c) for c in columns]
        return Rows(tuple(columns), tuple(tuple(row[i] for i in at) for row in self.rows))


@dataclass(frozen=True)
class DashboardData:
    """Answers per season and named query (``overall``: queries without the season), the
    selectable seasons, and the visuals the lake cannot draw yet (id -> why)."""

    spec: Dashboard
    seasons: tuple[int, ...]  # ascending
    default_season: int
    answers: Mapping[int, Mapping[str, Rows]] = field(default_factory=dict)
    overall: Mapping[str, Rows] = field(default_factory=dict)
    unavailable: Mapping[str, str] = field(default_factory=dict)


def run_named(engine: Engine, name: str, params: Mapping[str, object]) -> Rows:
    """The answer of the named query ``name`` of the library (``sql/athena/<name>.sql``); the
    local engine's straight from Arrow (no DataFrame made and taken apart again)."""
    from f1lake.query.local import LocalEngine

    text = find_query(name).text
    if isinstance(engine, LocalEngine):
        return arrow_rows(engine.run_arrow(text, params))
    return frame_rows(engine.run(text, params))


def available_seasons(engine: Engine, spec: Dashboard) -> list[int]:
    """The seasons the lake holds, from the parameter's values query."""
    query = spec.parameter.values_query
    try:
        answer = run_named(engine, query, {})
    except QueryError as exc:
        raise DashboardError(f"the season list (named query {query!r}) failed: {exc}") from None
    if not answer.columns:
        raise DashboardError(f"named query {query!r} returned no columns")
    name = spec.parameter.name
    at = answer.columns.index(name) if name in answer.columns else 0
    return sorted({int(row[at]) for row in answer.rows if row[at] is not None})


def choose_seasons(
    in_lake: Sequence[int],
    wanted: Iterable[int] | None,
    spec: Dashboard,
    *,
    missing_ok: bool = False,
) -> tuple[tuple[int, ...], int]:
    """The seasons to embed and the one shown first (pure).

    ``missing_ok``: leave out wanted seasons the lake lacks, unless that leaves none.
    """
    if not in_lake:
        raise DashboardError("the lake holds no season yet: load one first (f1lake run --season S)")
    chosen = sorted(set(wanted)) if wanted else sorted(in_lake)
    missing = [s for s in chosen if s not in in_lake]
    if missing_ok and len(missing) < len(chosen):
        chosen, missing = [s for s in chosen if s in in_lake], []
    if missing:
        raise DashboardError(
            f"season(s) {', '.join(map(str, missing))} not in the lake; it holds {_span(in_lake)}"
        )
    default = spec.parameter.default
    first = default if isinstance(default, int) and default in chosen else chosen[-1]
    return tuple(chosen), first


def collect(
    engine: Engine,
    spec: Dashboard,
    seasons: Iterable[int] | None = None,
    *,
    missing_ok: bool = False,
) -> DashboardData:
    """Run every visual's and selector's query: those taking the season for every chosen
    season (default: every season in the lake), the others once."""
    in_lake = available_seasons(engine, spec)
    chosen, first = choose_seasons(in_lake, seasons, spec, missing_ok=missing_ok)
    unavailable = missing_tables(engine, spec)
    wanted = [q for q in spec.queries() if _drawn(spec, q, unavailable)]
    wanted += [p.values_query for p in spec.parameters[1:] if p.values_query not in wanted]
    root = spec.parameter.name
    by_season = [q for q in wanted if root in _param_names(q, spec)]
    overall = {q: _answer(engine, spec, q, _every(spec, q)) for q in wanted if q not in by_season}
    answers: dict[int, dict[str, Rows]] = {}
    for season in chosen:
        answers[season] = {
            q: _answer(engine, spec, q, {root: season, **_every(spec, q)}) for q in by_season
        }
    return DashboardData(
        spec=spec,
        seasons=chosen,
        default_season=first,
        answers=answers,
        overall=overall,
        unavailable=unavailable,
    )


def _every(spec: Dashboard, query: str) -> dict[str, None]:
    """A query bound to a selector (the race's round, the driver, the team) runs once for
    every value of it, its parameter NULL (which its SQL reads as "every"); the visual's filter
    then picks the chosen value's rows, as for any other query."""
    return dict.fromkeys(spec.bindings(query))


def to_json(data: DashboardData) -> dict[str, Any]:
    """The answers of ``data`` as JSON (what the query service sends; the definition stays with
    the client, which read it from the same file)."""

    def rows(answers: Mapping[str, Rows]) -> dict[str, Any]:
        return {q: {"columns": r.columns, "rows": r.rows} for q, r in answers.items()}

    return {
        "seasons": data.seasons,
        "default_season": data.default_season,
        "answers": {str(season): rows(answers) for season, answers in data.answers.items()},
        "overall": rows(data.overall),
        "unavailable": data.unavailable,
    }


def from_json(spec: Dashboard, value: Mapping[str, Any]) -> DashboardData:
    """``to_json``'s answers back as the DashboardData of ``spec``."""

    def rows(answers: Mapping[str, Any]) -> dict[str, Rows]:
        return {
            q: Rows(tuple(r["columns"]), tuple(map(tuple, r["rows"]))) for q, r in answers.items()
        }

    return DashboardData(
        spec=spec,
        seasons=tuple(value["seasons"]),
        default_season=int(value["default_season"]),
        answers={int(season): rows(answers) for season, answers in value["answers"].items()},
        overall=rows(value["overall"]),
        unavailable=dict(value["unavailable"]),
    )


def missing_tables(engine: Engine, spec: Dashboard) -> dict[str, str]:
    """Visuals whose ``requires`` tables the lake lacks (id -> why): feature detection, so a
    lake that gains pit stops or laps lights those visuals up without a change here."""
    have = set(engine.tables())
    out = {}
    for v in spec.visuals():
        lacking = [t for t in v.requires if t not in have]
        if lacking:
            out[v.id] = f"The lake has no {', '.join(lacking)} table yet."
    return out


def _drawn(spec: Dashboard, query: str, unavailable: Mapping[str, str]) -> bool:
    return any(v.query == query and v.id not in unavailable for v in spec.visuals())


def _param_names(query: str, spec: Dashboard) -> set[str]:
    try:
        return {p.name for p in find_query(query).params}
    except QueryError as exc:
        users = ", ".join(v.id for v in spec.visuals() if v.query == query) or "a selector"
        raise DashboardError(f"named query {query!r} ({users}): {exc}") from None


def _answer(engine: Engine, spec: Dashboard, query: str, params: Mapping[str, object]) -> Rows:
    users = ", ".join(v.id for v in spec.visuals() if v.query == query)
    try:
        answer = run_named(engine, query, params)
    except QueryError as exc:
        raise DashboardError(f"named query {query!r} (visuals {users}) failed: {exc}") from None
    needed = spec.columns_of(query)
    missing = [c for c in needed if c not in answer.columns]
    if missing:
        raise DashboardError(
            f"named query {query!r} returned no column(s) {', '.join(missing)} that visual(s) "
            f"{users} of the dashboard definition need; it returned: {', '.join(answer.columns)}"
        )
    return answer.select(needed)


def arrow_rows(table: pa.Table) -> Rows:
    """An Arrow answer as JSON-able rows, column by column (as ``frame_rows`` makes them)."""
    columns = [_arrow_values(table.column(i)) for i in range(table.num_columns)]
    return Rows(tuple(table.column_names), tuple(zip(*columns, strict=True)))


def _arrow_values(column: pa.ChunkedArray) -> list[Any]:
    import pyarrow as pa

    kind = column.type
    values = column.to_pylist()
    if pa.types.is_integer(kind) or pa.types.is_string(kind) or pa.types.is_boolean(kind):
        return values
    if pa.types.is_large_string(kind) or pa.types.is_null(kind):
        return values
    return [jsonable(v) for v in values]


def frame_rows(frame: pd.DataFrame) -> Rows:
    """A frame as JSON-able rows: NULL/NaN -> None, numpy scalars -> Python, dates -> ISO."""
    rows = tuple(
        tuple(jsonable(v) for v in row) for row in frame.astype(object).itertuples(index=False)
    )
    return Rows(tuple(str(c) for c in frame.columns), rows)


def jsonable(value: Any) -> Any:
    import pandas as pd

    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        value = value.item()  # numpy / pyarrow scalars
    if isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta | pd.Timedelta):
        return str(value)
    return str(value)


def _span(seasons: Sequence[int]) -> str:
    ordered = sorted(seasons)
    if len(ordered) > 2 and ordered == list(range(ordered[0], ordered[-1] + 1)):
        return f"{ordered[0]}-{ordered[-1]}"
    return ", ".join(map(str, ordered))
