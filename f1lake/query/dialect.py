"""The Athena SQL dialect as text: header parameters, safe binding, Athena's native ``?`` form,
parsing and transpiling to DuckDB. Pure: it talks to neither Athena nor DuckDB.

Queries in ``sql/athena`` name their parameters (``:season``) and declare them in the header::

    -- @param season integer  Championship year, e.g. 2023.

Athena itself only knows positional ``?`` execution parameters, so ``to_athena`` rewrites a
file into that native form (``?`` per occurrence, plus the ordered names) for saved queries and
``StartQueryExecution``; ``execution_parameters`` renders the values in that order.

Binding never pastes user text into SQL: each value is checked against the declared type and
turned into a literal by sqlglot's generator, then spliced in place of its ``:name`` token.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError
from sqlglot.tokens import Token, TokenType

from f1lake.query.errors import ParameterError, QueryError, QuerySyntaxError
from f1lake.query.params import INTEGER_TYPES, NUMBER_TYPES, STRING_TYPES, ParamSpec
from f1lake.resources import SQL_ROOT

READ_DIALECT = "athena"
WRITE_DIALECT = "duckdb"
VIEWS_DIR = SQL_ROOT / "views"

_INT = re.compile(r"^[+-]?\d+$")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


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
    if type_ in INTEGER_TYPES:
        if isinstance(value, bool) or not (
            isinstance(value, int) or (isinstance(value, str) and _INT.match(value.strip()))
        ):
            raise _bad(name, "an integer", value)
        return exp.Literal.number(int(value))  # type: ignore[arg-type]
    if type_ in NUMBER_TYPES:
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        if isinstance(value, str) and _NUMBER.match(value.strip()):
            ok = True
        if not ok or not math.isfinite(float(value)):  # type: ignore[arg-type]
            raise _bad(name, "a finite number", value)
        return exp.Literal.number(repr(float(value)))  # type: ignore[arg-type]
    if type_ in STRING_TYPES:
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


_NAME = re.compile(r"^[A-Za-z_]\w*$")


@dataclass(frozen=True)
class Placeholder:
    """One ``:name`` in a SQL text: its name and the character span it covers."""

    name: str
    start: int
    end: int  # exclusive


@dataclass(frozen=True)
class AthenaQuery:
    """A query in Athena's native form: positional ``?`` and the parameter name of each."""

    sql: str
    names: tuple[str, ...]


def _tokens(sql: str) -> list[Token]:
    try:
        return sqlglot.Dialect.get_or_raise(READ_DIALECT).tokenize(sql)
    except TokenError as exc:
        raise QuerySyntaxError(f"SQL does not tokenize: {exc}") from None


def placeholders(sql: str) -> list[Placeholder]:
    """The ``:name`` parameters of a SQL text in text order (comments and strings skipped).

    A ``?`` is refused: files name their parameters, Athena's ``?`` form is derived from them.
    """
    tokens = _tokens(sql)
    found = []
    for i, tok in enumerate(tokens):
        if tok.token_type == TokenType.PLACEHOLDER and tok.text == "?":
            raise ParameterError(
                "positional '?' parameters are Athena's native form; name them instead "
                "(WHERE season = :season, declared by '-- @param season integer ...')"
            )
        if tok.token_type != TokenType.COLON or i + 1 >= len(tokens):
            continue
        nxt = tokens[i + 1]
        prev = tokens[i - 1] if i else None
        adjacent = nxt.start == tok.end + 1
        after_colon = prev is not None and prev.token_type == TokenType.COLON
        if adjacent and not after_colon and _NAME.match(nxt.text):
            found.append(Placeholder(nxt.text, tok.start, nxt.end + 1))
    return found


def _check_names(
    marks: Sequence[Placeholder], params: Mapping[str, object], specs: Sequence[ParamSpec]
) -> None:
    used = {m.name for m in marks}
    if specs:
        declared = {s.name for s in specs}
        undeclared = sorted(used - declared)
        if undeclared:
            raise ParameterError(
                f"the SQL uses :{', :'.join(undeclared)} but declares no such @param "
                "(add '-- @param NAME TYPE description' to its header)"
            )
        unused = [s.name for s in specs if s.name not in used]
        if unused:
            raise ParameterError(
                f"parameter(s) {', '.join(unused)} declared by @param but not used in the SQL"
            )
        allowed = declared
    else:
        allowed = used
    unknown = sorted(set(params) - allowed)
    if unknown:
        takes = ", ".join(s.name for s in specs) if specs else ", ".join(sorted(used))
        raise ParameterError(
            f"unknown parameter(s) {', '.join(unknown)}; "
            + (f"this query takes: {takes}" if takes else "this query takes no parameters")
        )
    missing_specs = [s for s in specs if s.name not in params]
    missing = [f"{s.name} ({s.type}) {s.description}".strip() for s in missing_specs]
    missing += sorted(n for n in used - {s.name for s in specs} if n not in params)
    if missing:
        raise ParameterError("missing parameter(s): " + "; ".join(missing))


def literals(
    sql: str, params: Mapping[str, object] | None, specs: Sequence[ParamSpec] = ()
) -> tuple[list[Placeholder], dict[str, exp.Expression]]:
    """The placeholders of ``sql`` and a checked literal per parameter name.

    Declared parameters are checked against their type; undeclared ones (ad-hoc SQL with no
    header) take the type of the Python value.
    """
    params = dict(params or {})
    marks = placeholders(sql)
    _check_names(marks, params, specs)
    types = {s.name: s.type for s in specs}
    values = {
        name: literal(params[name], types.get(name), name) for name in {m.name for m in marks}
    }
    return marks, values


def bind(sql: str, params: Mapping[str, object] | None, specs: Sequence[ParamSpec] = ()) -> str:
    """Replace each ``:name`` with the literal of its parameter (checked as declared)."""
    marks, values = literals(sql, params, specs)
    out, last = [], 0
    for mark in marks:
        out.append(sql[last : mark.start])
        out.append(values[mark.name].sql(dialect=READ_DIALECT))
        last = mark.end
    out.append(sql[last:])
    return "".join(out)


def to_athena(sql: str) -> AthenaQuery:
    """The text Athena runs (saved queries, ``StartQueryExecution``): each ``:name`` becomes
    ``?``, and ``names`` says which parameter each ``?`` takes, in order (a name used twice is
    passed twice)."""
    marks = placeholders(sql)
    out, last = [], 0
    for mark in marks:
        out.append(sql[last : mark.start])
        out.append("?")
        last = mark.end
    out.append(sql[last:])
    return AthenaQuery("".join(out), tuple(m.name for m in marks))


def execution_parameters(
    sql: str, params: Mapping[str, object] | None, specs: Sequence[ParamSpec] = ()
) -> tuple[str, list[str]]:
    """The native query and its ``ExecutionParameters``: one Athena literal per ``?``.

    Athena splices each execution parameter in as SQL text, so strings arrive quoted
    (``'x'``), dates as ``DATE '2023-01-01'`` and ``None`` as ``NULL``: the same checked
    literals the local engine binds.
    """
    _, values = literals(sql, params, specs)
    native = to_athena(sql)
    return native.sql, [values[name].sql(dialect=READ_DIALECT) for name in native.names]


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


def duck_ident(name: str) -> str:
    """A name quoted for DuckDB SQL (table and column names come from the catalog)."""
    return exp.to_identifier(name, quoted=True).sql(dialect=WRITE_DIALECT)


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


class ViewFiles(Mapping[str, ViewDef]):
    """The views of a folder by name (the file stem), each parsed on first use: parsing them all
    costs more than a short query, and a query needs only the few it names."""

    def __init__(self, directory: Path) -> None:
        self._paths = {p.stem.lower(): p for p in sorted(directory.glob("*.sql"))}
        self._parsed: dict[str, ViewDef] = {}

    def __getitem__(self, name: str) -> ViewDef:
        if name not in self._parsed:
            self._parsed[name] = load_view(self._paths[name])
        return self._parsed[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._paths)

    def __len__(self) -> int:
        return len(self._paths)


def load_views(directory: Path = VIEWS_DIR) -> ViewFiles:
    return ViewFiles(directory)
