"""The season queries of sql/athena as QuickSight custom-SQL datasets: their SQL with the season
as a dataset parameter, and their columns, worked out offline at synth time.

Why a dataset parameter (``<<$season>>``) rather than one dataset over every season with a
filter: the queries compute per season (positions, count-backs, dropped scores, cumulative
points by round), so running them over all seasons would need different SQL; with the parameter
the one text of sql/athena runs as it does in the console and locally, and each visual scans
one season's partitions (direct query, under the workgroup's scan limit).

QuickSight needs each custom SQL's columns and types up front. They come from the local engine:
the query runs on DuckDB over empty tables built from ``f1lake.schema`` (and the views of
sql/athena/views), and its result's types map to QuickSight's.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from f1lake.query.dialect import placeholders
from f1lake.resources import SQL_ROOT

SQL_LIMIT = 168_000
"""QuickSight's longest custom SQL."""
_DECIMAL = re.compile(r"^DECIMAL\(\d+,\s*(\d+)\)$")
_INTEGERS = {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT",
             "UINTEGER", "UBIGINT", "UHUGEINT"}  # fmt: skip
_DECIMALS = {"FLOAT", "REAL", "DOUBLE"}


class DatasetError(ValueError):
    """A query cannot become a QuickSight dataset; the message names the file and why."""


@dataclass(frozen=True)
class SeasonQuery:
    name: str
    """File stem under sql/athena: the named query (``standings``)."""
    path: Path
    text: str
    parameters: tuple[str, ...]
    """Distinct parameter names, in first-use order."""


def season_queries(
    parameter: str, root: Path = SQL_ROOT, bound: Mapping[str, Collection[str]] | None = None
) -> dict[str, SeasonQuery]:
    """Top-level queries of ``root`` that take no parameter but ``parameter`` (the season) and
    those ``bound`` names for them (a query's parameters the dashboard sets from a selector:
    the race's round, the driver, the team), and read only tables of the lake's schema (their
    columns are described from it).

    Views, checks, queries with other parameters and queries over a table the schema has not
    yet are not season queries.
    """
    from f1lake.query.library import base_tables, load_query
    from f1lake.schema import TABLES

    found = {}
    for path in sorted(root.glob("*.sql")):
        text = path.read_text(encoding="utf-8")
        names = tuple(dict.fromkeys(p.name for p in placeholders(text)))
        allowed = {parameter, *(bound or {}).get(path.stem, ())}
        if set(names) <= allowed and base_tables(load_query(path)) <= set(TABLES):
            found[path.stem] = SeasonQuery(path.stem, path, text, names)
    return found


def quicksight_sql(query: SeasonQuery) -> str:
    """Pure: the query as QuickSight custom SQL: each ``:name`` becomes ``<<$name>>`` (a dataset
    parameter), the header comment goes (QuickSight wraps the SQL in a sub-select, and the
    header is documentation), and it ends in a newline so a trailing comment cannot swallow
    the wrapper's closing parenthesis."""
    text = query.text
    out, last = [], 0
    for mark in placeholders(text):
        out.append(text[last : mark.start])
        out.append(f"<<${mark.name}>>")
        last = mark.end
    out.append(text[last:])
    lines = "".join(out).splitlines()
    while lines and (not lines[0].strip() or lines[0].lstrip().startswith("--")):
        lines.pop(0)
    body = "\n".join(lines).rstrip().removesuffix(";").rstrip()
    if not body:
        raise DatasetError(f"{query.path}: no SQL after the header comment")
    if len(body) >= SQL_LIMIT:
        raise DatasetError(f"{query.path}: {len(body)} characters, over QuickSight's {SQL_LIMIT}")
    return body + "\n"


def quicksight_type(duckdb_type: str) -> str:
    """Pure: a DuckDB result type -> QuickSight's InputColumn type (Athena's types map alike:
    integers, double, varchar, date/timestamp, boolean)."""
    t = duckdb_type.upper().strip()
    if t in _INTEGERS:
        return "INTEGER"
    if t in _DECIMALS:
        return "DECIMAL"
    m = _DECIMAL.match(t)
    if m:
        return "INTEGER" if m.group(1) == "0" else "DECIMAL"
    if t == "VARCHAR":
        return "STRING"
    if t == "BOOLEAN":
        return "BOOLEAN"
    if t == "DATE" or t.startswith("TIMESTAMP"):
        return "DATETIME"
    raise DatasetError(f"no QuickSight column type for {duckdb_type!r}")


def describe_columns(
    queries: Iterable[SeasonQuery], parameter: str, value: object
) -> dict[str, dict[str, str]]:
    """Each query's result columns (name -> QuickSight type), in order, from DuckDB over empty
    tables shaped by ``f1lake.schema``: no AWS, no data. The season is ``value``; a bound
    parameter is NULL (the queries read it as "every value": the same columns)."""
    from f1lake.query.dialect import bind, parse_statement, query_body, to_duckdb
    from f1lake.query.local import LocalEngine
    from f1lake.query.params import parse_params

    described: dict[str, dict[str, str]] = {}
    with LocalEngine(None) as session:
        for q in queries:
            params: Mapping[str, object] = {
                name: value if name == parameter else None for name in q.parameters
            }
            try:
                session.run(q.text, params)  # creates the empty tables and views it reads
                sql = to_duckdb(
                    query_body(parse_statement(bind(q.text, params, parse_params(q.text))))
                )
                rows = session.con.execute(f"DESCRIBE {sql}").fetchall()
            except Exception as exc:
                raise DatasetError(f"{q.path}: cannot describe its columns: {exc}") from None
            try:
                described[q.name] = {name: quicksight_type(type_) for name, type_, *_ in rows}
            except DatasetError as exc:
                raise DatasetError(f"{q.path}: {exc}") from None
    return described
