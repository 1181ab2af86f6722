"""The local engine: Athena SQL on DuckDB over the tables of the Glue catalog.

The Glue catalog (moto locally) decides which tables exist, their column types, and which
partitions a query sees, as in Athena: a season folder the crawler has not cataloged yet is
invisible. Only the tables a query references (directly or through the views of
``sql/athena/views``) are read from S3 (``s3load``), so a large catalog stays fast.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import boto3
import duckdb
import pandas as pd
import pyarrow as pa
from sqlglot import exp

from f1lake.aws import client, session
from f1lake.catalog.glue_tables import GlueTable, read_table, table_names
from f1lake.query.dialect import (
    VIEWS_DIR,
    ViewDef,
    bind,
    duck_ident,
    load_views,
    parse_statement,
    query_body,
    table_refs,
    to_duckdb,
)
from f1lake.query.errors import QueryError, UnknownTableError
from f1lake.query.frames import to_pandas
from f1lake.query.freshness import LakeVersion
from f1lake.query.params import parse_params
from f1lake.query.rewrite import inline_constants, type_mismatch, unqualified
from f1lake.query.s3load import LakeMirror, TableState, load_table, table_state
from f1lake.schema import TABLES
from f1lake.settings import Settings

DEFAULT_CATALOG = "awsdatacatalog"
LAKE_MIRROR_DIR = "lake-mirror"
_KEPT_ANSWERS = 4096


class LocalEngine:
    """One DuckDB database for many queries: each table is read from S3 once per engine.

    Checks run a dozen queries over the same tables; loading them once keeps a full-history
    run in seconds. With ``settings`` None the engine only sees the tables already in ``con``
    (e.g. loaded by a caller from elsewhere) plus the views of ``sql/athena/views``.
    """

    name = "local"

    def __init__(
        self,
        settings: Settings | None = None,
        con: duckdb.DuckDBPyConnection | None = None,
        lake_version: LakeVersion | None = None,
    ) -> None:
        self.settings = settings
        self.con = con if con is not None else duckdb.connect()
        self._views = load_views(VIEWS_DIR) if VIEWS_DIR.is_dir() else {}
        self._present = {
            row[0].lower()
            for row in self.con.execute(
                "SELECT table_name FROM information_schema.tables"
            ).fetchall()
        }
        self._aws: boto3.Session | None = None
        self._glue: Any = None
        self._mirror: LakeMirror | None = None
        self._loaded: dict[str, str] = {}  # catalog table -> key of the state DuckDB holds
        self._version = lake_version
        self._token: int | None = None  # the lake's version this query looks at
        self._checked: dict[str, int | None] = {}  # catalog table -> version last checked at
        self._answers: dict[str, tuple[dict[str, str | None], pa.Table]] = {}
        self._derived: dict[str, set[str]] = {}  # materialized view -> tables it reads
        self._view_bases: dict[str, set[str]] = {}  # view -> tables it reads (fixed)
        if settings is not None:
            self._aws = session(settings)  # one session: fresh ones cost more than the reads
            self._glue = client("glue", settings, self._aws)

    def __enter__(self) -> LocalEngine:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.con.close()

    @property
    def database(self) -> str:
        return self.settings.glue_database if self.settings else ""

    def run(self, sql: str, params: Mapping[str, object] | None = None) -> pd.DataFrame:
        """Run one Athena SQL query; ``params`` bind its ``?`` placeholders."""
        return to_pandas(self.run_arrow(sql, params))

    def run_arrow(self, sql: str, params: Mapping[str, object] | None = None) -> pa.Table:
        """``run``'s answer as Arrow, with Athena's types (what the query service sends).

        With a ``lake_version`` an answer is kept with the states of the tables it read, and
        given again while each of them is still in that state (checked as ``_prepare`` checks
        them): a dashboard asks the same questions of an unchanged lake every time.
        """
        key = _answer_key(sql, params) if self._version is not None else None
        if key is not None and (kept := self._kept(key)) is not None:
            return kept
        bound = bind(sql, params, parse_params(sql))
        query = inline_constants(query_body(parse_statement(bound)))
        read_tables = self._prepare(query)
        local = unqualified(query, self.database)
        refusal = type_mismatch(local, self._column_types)
        if refusal:
            raise QueryError(f"query failed: {refusal}")
        try:
            result = self.con.sql(to_duckdb(local)).to_arrow_table()
        except duckdb.Error as exc:
            raise QueryError(f"query failed: {_one_line(exc)}") from None
        answer = _athena_types(result)
        if key is not None:
            read = {name: self._loaded.get(name) for name in read_tables}
            self._answers[key] = (read, answer)
            while len(self._answers) > _KEPT_ANSWERS:
                del self._answers[next(iter(self._answers))]  # the oldest
        return answer

    def _kept(self, key: str) -> pa.Table | None:
        """The kept answer of ``key`` if every table it read is still in the state it read."""
        if key not in self._answers:
            return None
        read, answer = self._answers[key]
        if self.holds(read):
            return answer
        del self._answers[key]
        return None

    def states(self) -> dict[str, str]:
        """The state of every table loaded (what a caller keeps beside something it built)."""
        return dict(self._loaded)

    def holds(self, read: Mapping[str, str | None]) -> bool:
        """Whether each table of ``read`` is still in the state it names, those checked at an
        older lake version looked at again first (an engine with a ``lake_version`` only)."""
        assert self._version is not None
        self._token = self._version.current()
        stale = [t for t in read if t in self._loaded and self._checked.get(t) != self._token]
        if stale:
            self.refresh(stale)
        return all(self._loaded.get(t) == state for t, state in read.items())

    def tables(self) -> dict[str, str]:
        """Every name a query can use: catalog (or loaded) tables and the views, with kind."""
        names = {name: "table" for name in self._present}
        if self._glue is not None:
            names.update(dict.fromkeys(table_names(self._glue, self.database) or [], "table"))
        names.update({name: "view" for name in self._views})
        return dict(sorted(names.items()))

    def describe(self, name: str) -> pd.DataFrame:
        """The columns of a table or view (name, type), as the local engine sees them."""
        table = exp.to_table(name, dialect="athena")
        self._prepare(exp.select("*").from_(table))
        rows = self.con.execute(f"DESCRIBE {duck_ident(table.name)}").fetchall()
        return pd.DataFrame([(r[0], r[1]) for r in rows], columns=["column", "type"])

    def _column_types(self) -> dict[str, dict[str, str]]:
        """DuckDB's types of every loaded table's and view's columns."""
        types: dict[str, dict[str, str]] = {}
        for table, column, type_ in self.con.execute(
            "SELECT table_name, column_name, data_type FROM information_schema.columns"
        ).fetchall():
            types.setdefault(table, {})[column] = type_
        return types

    def mirror(self) -> LakeMirror:
        """The local mirror of the lake this engine reads through (made on first use: a query
        over views and loaded tables only needs no S3 client)."""
        if self._mirror is None:
            assert self.settings is not None  # only catalog tables are loaded, and only with it
            s3 = client("s3", self.settings, self._aws)
            self._mirror = LakeMirror(s3, mirror_root(self.settings))
        return self._mirror

    def run_file(self, path: Path, params: Mapping[str, object] | None = None) -> pd.DataFrame:
        """Run a SQL file of ``sql/athena`` (a view file runs the view's query)."""
        return self.run(_read_sql(path), params)

    def _prepare(self, query: exp.Expression) -> set[str]:
        """Load the tables and create the views the query needs, those not present yet; with a
        ``lake_version``, first reload the loaded ones it reads that changed in the lake, and
        return the tables it reads (without, nothing)."""
        read: set[str] = set()
        if self._version is not None:
            self._token = self._version.current()
            read = self._base_tables(query)
            stale = [
                name
                for name in sorted(read)
                if name in self._loaded and self._checked.get(name) != self._token
            ]
            if stale:
                self.refresh(stale)
        tables, ordered_views = _resolve(
            self._glue, self.database, query, self._views, self._present
        )
        for table in tables.values():
            self._load(table_state(table, self.mirror))
        for view in ordered_views:
            body = to_duckdb(unqualified(view.body, self.database))
            # A warm engine computes each view once per state of the tables it reads (the
            # standings by round over every season take a second), a one-off engine at use.
            kind = "VIEW" if self._version is None else "TABLE"
            self.con.execute(f"CREATE {kind} {duck_ident(view.name)} AS {body}")
            self._present.add(view.name)
            if self._version is not None:
                self._derived[view.name] = self._view_tables(view.name)
        return read

    def _load(self, state: TableState) -> None:
        load_table(self.con, state, self.mirror)
        name = state.table.name.lower()
        self._present.add(name)
        self._loaded[name] = state.key
        self._checked[name] = self._token

    def _base_tables(self, query: exp.Expression) -> set[str]:
        """The tables a query reads, directly or through the views."""
        found: set[str] = set()
        for ref in table_refs(query):
            name = ref.name.lower()
            found |= self._view_tables(name) if name in self._views else {name}
        return found

    def _view_tables(self, view: str) -> set[str]:
        """The tables a view reads, found once per engine (walking the bodies of the views a
        query uses took a third of a dashboard's first build)."""
        if view not in self._view_bases:
            self._view_bases[view] = set()  # a view that reads itself stops here
            self._view_bases[view] = self._base_tables(self._views[view].body)
        return self._view_bases[view]

    def refresh(self, names: list[str]) -> list[str]:
        """Reload each of the loaded catalog tables ``names`` whose state changed since it was
        loaded (a partition cataloged or dropped, an object written, replaced or deleted); the
        names reloaded.

        One catalog read and one listing per table, all side by side: what a warm engine pays
        to be sure it answers from the lake as it is now.
        """
        if self._glue is not None:
            self.mirror()  # made once, before the threads share it

        def current(name: str) -> TableState | None:
            table = read_table(self._glue, self.database, name) if self._glue else None
            table = table or _schema_table(name)
            return None if table is None else table_state(table, self.mirror)

        with ThreadPoolExecutor(min(8, len(names))) as pool:
            states = list(pool.map(current, names))
        changed = []
        for name, state in zip(names, states, strict=True):
            if state is not None and state.key == self._loaded[name]:
                self._checked[name] = self._token
                continue
            self.con.execute(f"DROP TABLE {duck_ident(name)}")
            del self._loaded[name]
            self._present.discard(name)
            for view in [v for v, read in self._derived.items() if name in read]:
                self.con.execute(f"DROP TABLE {duck_ident(view)}")  # made again at next use
                del self._derived[view]
                self._present.discard(view)
            if state is not None:
                self._load(state)
            changed.append(name)
        return changed

    def load_catalog(self) -> None:
        """Load every table of the catalog now (a warm service's start), not at first use."""
        if self._glue is None:
            return
        for name in table_names(self._glue, self.database) or []:
            self._prepare(exp.select("*").from_(exp.to_table(name)))


def run_query(
    settings: Settings, sql: str, params: dict[str, object] | None = None
) -> pd.DataFrame:
    """Run one Athena SQL query locally; ``params`` bind its ``?`` placeholders."""
    with LocalEngine(settings) as local:
        return local.run(sql, params)


def run_file(
    settings: Settings, path: Path, params: dict[str, object] | None = None
) -> pd.DataFrame:
    """Run a SQL file of ``sql/athena`` (a view file runs the view's query)."""
    with LocalEngine(settings) as local:
        return local.run_file(path, params)


def mirror_root(settings: Settings) -> Path:
    """Where the lake's mirror lives: beside the stack's other state, or (read-only state
    folder, e.g. on a managed Airflow worker) in a folder of this process."""
    root = settings.state_dir / LAKE_MIRROR_DIR
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError:
        root = Path(tempfile.mkdtemp(prefix="f1lake-lake-"))
    return root


def _answer_key(sql: str, params: Mapping[str, object] | None) -> str:
    """A query and its values (with their types: '2023' and 2023 bind differently)."""
    values = sorted((k, type(v).__name__, repr(v)) for k, v in (params or {}).items())
    return json.dumps([sql, values])


def _read_sql(path: Path) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise QueryError(f"SQL file not found: {path}") from None


def _athena_types(table: pa.Table) -> pa.Table:
    """DuckDB sums integers into HUGEINT (Arrow decimal(38, 0)); Athena's sum of integers is a
    bigint, so the local engine answers with the same type (and JSON-friendly values)."""
    for i, field in enumerate(table.schema):
        if pa.types.is_decimal(field.type) and field.type.scale == 0:
            table = table.set_column(i, field.name, table.column(i).cast(pa.int64()))
    return table


def _one_line(exc: Exception) -> str:
    """DuckDB's message without the SQL excerpt it quotes (that SQL is the transpiled text,
    not what the user typed); the candidate columns stay, they name the likely fix."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    first = lines[0] if lines else type(exc).__name__
    hints = [line for line in lines[1:] if line.startswith("Candidate bindings:")]
    return "; ".join([first, *hints])


def _resolve(
    glue: Any,
    database: str,
    query: exp.Expression,
    views: Mapping[str, ViewDef],
    present: set[str] = frozenset(),  # type: ignore[assignment]
) -> tuple[dict[str, GlueTable], list[ViewDef]]:
    """The catalog tables and views (in creation order) a query needs, beyond ``present``."""
    tables: dict[str, GlueTable] = {}
    ordered: list[ViewDef] = []
    visiting: set[str] = set()

    def visit(expression: exp.Expression) -> None:
        for ref in table_refs(expression):
            name = ref.name.lower()
            qualified = f"{ref.db}.{name}" if ref.db else name
            if ref.db and (
                ref.db.lower() != database.lower()
                or (ref.catalog and ref.catalog.lower() != DEFAULT_CATALOG)
            ):
                raise _unknown(
                    glue, database, views, ".".join(p for p in (ref.catalog, ref.db, name) if p)
                )
            if name in present or name in tables or any(v.name == name for v in ordered):
                continue
            if name in views:
                if name in visiting:
                    raise QueryError(f"view {name!r} depends on itself")
                visiting.add(name)
                visit(views[name].body)
                visiting.discard(name)
                ordered.append(views[name])
                continue
            table = read_table(glue, database, name) if glue is not None else None
            if table is None:
                table = _schema_table(name)
            if table is None:
                raise _unknown(glue, database, views, qualified)
            tables[name] = table

    visit(query)
    return tables, ordered


def _schema_table(name: str) -> GlueTable | None:
    """An empty table for a processed table that has no data (so no catalog table) yet.

    A lake of 1950s seasons has no sprint_results folder, so the crawler makes no table;
    queries that add sprints must still run. Partition keys are strings, as Glue types them.
    """
    table = TABLES.get(name)
    if table is None:
        return None
    return GlueTable(
        name=table.name,
        location="",
        columns={c.name: c.type for c in table.data_columns},
        partition_keys={k: "string" for k in table.partition_keys},
        partitions={},
    )


def _unknown(
    glue: Any, database: str, views: Mapping[str, ViewDef], name: str
) -> UnknownTableError:
    if glue is None:
        return UnknownTableError(f"table {name!r} is not loaded in this session")
    names = table_names(glue, database)
    if names is None:
        listing = "the database does not exist yet (run the crawler)"
    else:
        listing = f"tables: {', '.join(names)}" if names else "no tables yet (run the crawler)"
    if views:
        listing += f"; views: {', '.join(sorted(views))}"
    return UnknownTableError(
        f"table {name!r} is not in the catalog database {database!r}; {listing}"
    )
