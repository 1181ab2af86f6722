"""Athena SQL, made runnable on DuckDB: header parameters, safe binding, transpiling.

Queries in ``sql/athena`` use Athena's own execution parameters (``?``, positional), so the same
text runs in the Athena console, as a CDK saved query and locally. Each file names its
parameters in order in its header::

    -- @param season integer  Championship year, e.g. 2023.

Binding never pastes user text into SQL: each value is checked against the declared type and
turned into a literal by sqlglot's generator, then spliced in place of its ``?`` token.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError
from sqlglot.tokens import TokenType

from f1lake.settings import PROJECT_ROOT

READ_DIALECT = "athena"
WRITE_DIALECT = "duckdb"
SQL_ROOT = PROJECT_ROOT / "sql" / "athena"
VIEWS_DIR = SQL_ROOT / "views"

_PARAM_LINE = re.compile(r"^\s*--\s*@param\s+([A-Za-z_]\w*)\s+([A-Za-z]+)\b\s*(.*)$")
_INT = re.compile(r"^[+-]?\d+$")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_INTEGER_TYPES = {"integer", "int", "bigint", "smallint", "tinyint"}
_NUMBER_TYPES = {"double", "real", "float", "decimal"}
_STRING_TYPES = {"varchar", "string", "char"}
PARAM_TYPES = _INTEGER_TYPES | _NUMBER_TYPES | _STRING_TYPES | {"date", "boolean"}


class QueryError(Exception):
    """A query that cannot run locally; the message says what was wrong."""


class QuerySyntaxError(QueryError):
    """The SQL does not parse as Athena (Trino) SQL."""


class ParameterError(QueryError, ValueError):
    """A parameter is missing, unexpected, or not a value of its declared type."""


class UnknownTableError(QueryError, LookupError):
    """The query names a table that is not in the Glue catalog database."""


@dataclass(frozen=True)
class ParamSpec:
    name: str
    type: str
    description: str = ""


def parse_params(sql: str) -> tuple[ParamSpec, ...]:
    """The ``-- @param name type description`` lines of a SQL text, in order."""
    specs: list[ParamSpec] = []
    for line in sql.splitlines():
        m = _PARAM_LINE.match(line)
        if not m:
            continue
        name, type_, description = m.group(1), m.group(2).lower(), m.group(3).strip()
        if type_ not in PARAM_TYPES:
            raise ParameterError(
                f"parameter {name!r} declares unsupported type {type_!r} "
                f"(supported: {', '.join(sorted(PARAM_TYPES))})"
            )
        if any(s.name == name for s in specs):
            raise ParameterError(f"parameter {name!r} is declared twice")
        specs.append(ParamSpec(name, type_, description))
    return tuple(specs)


def _bad(name: str, type_: str, value: object) -> ParameterError:
    return ParameterError(f"parameter {name!r} must be {type_}, got {value!r}")


def literal(value: object, type_: str | None = None, name: str = "?") -> exp.Expression:
    """A SQL literal for ``value``, checked against the declared type (None: from the value).

    ``None`` binds as NULL whatever the type: a check runs over every season with NULL.
    """
    if value is None:
        return exp.null()
    if type_ is None:
        if value is None:
            return exp.null()
        if isinstance(value, bool):
            type_ = "boolean"
        elif isinstance(value, int):
            type_ = "bigint"
        elif isinstance(value, float):
            type_ = "double"
        elif isinstance(value, str):
            type_ = "varchar"
        elif isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            type_ = "date"
        else:
            raise ParameterError(
                f"parameter {name!r}: unsupported value type {type(value).__name__}"
            )
    if type_ in _INTEGER_TYPES:
        if isinstance(value, bool) or not (
            isinstance(value, int) or (isinstance(value, str) and _INT.match(value.strip()))
        ):
            raise _bad(name, "an integer", value)
        return exp.Literal.number(int(value))  # type: ignore[arg-type]
    if type_ in _NUMBER_TYPES:
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        if isinstance(value, str) and _NUMBER.match(value.strip()):
            ok = True
        if not ok or not math.isfinite(float(value)):  # type: ignore[arg-type]
            raise _bad(name, "a finite number", value)
        return exp.Literal.number(repr(float(value)))  # type: ignore[arg-type]
    if type_ in _STRING_TYPES:
        if not isinstance(value, str):
            raise _bad(name, "a string", value)
        return exp.Literal.string(value)
    if type_ == "boolean":
        if isinstance(value, str) and value.strip().lower() in {"true", "false"}:
            value = value.strip().lower() == "true"
        if not isinstance(value, bool):
            raise _bad(name, "true or false", value)
        return exp.Boolean(this=value)
    if type_ == "date":
        if isinstance(value, str):
            try:
                value = dt.date.fromisoformat(value.strip())
            except ValueError:
                raise _bad(name, "a date (YYYY-MM-DD)", value) from None
        if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
            raise _bad(name, "a date (YYYY-MM-DD)", value)
        return exp.cast(exp.Literal.string(value.isoformat()), "date")
    raise ParameterError(f"parameter {name!r}: unsupported type {type_!r}")


def bind(sql: str, params: Mapping[str, object] | None, specs: Sequence[ParamSpec] = ()) -> str:
    """Replace each ``?`` with the literal of its parameter (declared order, else dict order)."""
    params = dict(params or {})
    try:
        tokens = sqlglot.Dialect.get_or_raise(READ_DIALECT).tokenize(sql)
    except TokenError as exc:
        raise QuerySyntaxError(f"SQL does not tokenize: {exc}") from None
    marks = [t for t in tokens if t.token_type == TokenType.PLACEHOLDER and t.text == "?"]
    if specs:
        unknown = sorted(set(params) - {s.name for s in specs})
        if unknown:
            raise ParameterError(
                f"unknown parameter(s) {', '.join(unknown)}; "
                f"this query takes: {', '.join(s.name for s in specs)}"
            )
        missing = [s for s in specs if s.name not in params]
        if missing:
            raise ParameterError(
                "missing parameter(s): "
                + "; ".join(f"{s.name} ({s.type}) {s.description}".strip() for s in missing)
            )
        if len(marks) != len(specs):
            raise ParameterError(
                f"the SQL has {len(marks)} '?' placeholder(s) but declares {len(specs)} "
                "@param line(s); they must match one to one, in order"
            )
        values = [literal(params[s.name], s.type, s.name) for s in specs]
    else:
        if len(marks) != len(params):
            raise ParameterError(
                f"the SQL has {len(marks)} '?' placeholder(s) but {len(params)} parameter(s) "
                "were given (declare them with '-- @param name type' lines to bind by name)"
            )
        values = [literal(v, None, k) for k, v in params.items()]
    out, last = [], 0
    for mark, value in zip(marks, values, strict=True):
        out.append(sql[last : mark.start])
        out.append(value.sql(dialect=READ_DIALECT))
        last = mark.end + 1
    out.append(sql[last:])
    return "".join(out)


def parse_statement(sql: str) -> exp.Expression:
    """Parse exactly one Athena statement; syntax errors name the line and column."""
    try:
        statements = [s for s in sqlglot.parse(sql, read=READ_DIALECT) if s is not None]
    except ParseError as exc:
        details = exc.errors[0] if exc.errors else {}
        where = (
            f" at line {details.get('line')}, column {details.get('col')}"
            if details.get("line")
            else ""
        )
        desc = details.get("description") or str(exc).splitlines()[0]
        raise QuerySyntaxError(f"SQL syntax error{where}: {desc}") from None
    except TokenError as exc:
        raise QuerySyntaxError(f"SQL syntax error: {exc}") from None
    if not statements:
        raise QuerySyntaxError("empty SQL: nothing to run")
    if len(statements) > 1:
        raise QuerySyntaxError(
            f"{len(statements)} statements given; Athena runs one statement per query"
        )
    return statements[0]


def query_body(statement: exp.Expression) -> exp.Query:
    """The query to run: the statement itself, or the SELECT of a CREATE VIEW."""
    if isinstance(statement, exp.Create) and statement.kind == "VIEW":
        statement = statement.expression
    if not isinstance(statement, exp.Query):
        raise QueryError(
            f"only queries (SELECT/WITH) run on the local engine, got {statement.key.upper()}"
        )
    return statement


def cte_names(expression: exp.Expression) -> set[str]:
    return {cte.alias_or_name.lower() for cte in expression.find_all(exp.CTE)}


def table_refs(expression: exp.Expression) -> list[exp.Table]:
    """Table references that are not CTEs (database/catalog qualifiers kept)."""
    ctes = cte_names(expression)
    return [
        t
        for t in expression.find_all(exp.Table)
        if t.name and not (not t.db and t.name.lower() in ctes)
    ]


def to_duckdb(expression: exp.Expression) -> str:
    return expression.sql(dialect=WRITE_DIALECT)


def transpile(sql: str) -> str:
    """Athena SQL text to DuckDB SQL text (one statement, parameters already bound)."""
    return to_duckdb(parse_statement(sql))


@dataclass(frozen=True)
class ViewDef:
    name: str
    path: Path
    body: exp.Query


def load_view(path: Path) -> ViewDef:
    """A ``CREATE [OR REPLACE] VIEW <file stem> AS ...`` file from sql/athena/views."""
    statement = parse_statement(path.read_text(encoding="utf-8"))
    if not (isinstance(statement, exp.Create) and statement.kind == "VIEW"):
        raise QueryError(f"{path} must hold one CREATE VIEW statement")
    name = statement.this.name.lower()
    if name != path.stem.lower():
        raise QueryError(f"{path} creates view {name!r}; the file must be named {name}.sql")
    return ViewDef(name, path, query_body(statement))


def load_views(directory: Path = VIEWS_DIR) -> dict[str, ViewDef]:
    return {v.name: v for v in map(load_view, sorted(directory.glob("*.sql")))}
