"""The named queries of ``sql/athena``: one file per query, named by its file stem.

A file's first comment line is its one-line description and its ``-- @param`` lines declare its
parameters, so the CLI, the console, the dashboards and the CDK app's saved queries all read the
same catalog from the files themselves (views and checks live in their own folders and are not
named queries).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from f1lake.query.errors import ParameterError, QueryError
from f1lake.query.params import ParamSpec, parse_params
from f1lake.resources import SQL_ROOT

_OPTION = re.compile(r"^--([A-Za-z_][\w-]*)(?:=(.*))?$", re.DOTALL)
_FLOAT = re.compile(r"^[+-]?(\d+\.\d*|\.\d+|\d+)([eE][+-]?\d+)?$")


class UnknownQueryError(QueryError, LookupError):
    """No file of that name among the named queries."""


@dataclass(frozen=True)
class NamedQuery:
    name: str
    path: Path
    description: str
    params: tuple[ParamSpec, ...]

    @property
    def text(self) -> str:
        return self.path.read_text(encoding="utf-8")

    @property
    def usage(self) -> str:
        """``standings --season INTEGER``: how to call it from the command line."""
        return " ".join([self.name, *(f"--{p.name} {p.type.upper()}" for p in self.params)])


def base_tables(query: NamedQuery) -> frozenset[str]:
    """The tables (not views: through them) a query reads, so a caller can tell a query over a
    table the lake or the schema does not have yet (pit stops, laps) before running it."""
    from f1lake.query.dialect import bind, load_views, parse_statement, placeholders, table_refs

    views = load_views()
    text = bind(query.text, {m.name: None for m in placeholders(query.text)}, query.params)
    found: set[str] = set()
    todo, seen = [parse_statement(text)], set()
    while todo:
        for ref in table_refs(todo.pop()):
            name = ref.name.lower()
            if name in views and name not in seen:
                seen.add(name)
                todo.append(views[name].body)
            elif name not in views:
                found.add(name)
    return frozenset(found)


def description(sql: str) -> str:
    """The first line of the file's header comment: what the query answers."""
    for line in sql.splitlines():
        stripped = line.strip()
        if stripped.startswith("--"):
            return stripped.lstrip("-").strip()
        if stripped:
            break
    return ""


def load_query(path: Path) -> NamedQuery:
    sql = path.read_text(encoding="utf-8")
    return NamedQuery(path.stem, path, description(sql), parse_params(sql))


def load_library(root: Path = SQL_ROOT) -> dict[str, NamedQuery]:
    """Every named query (``root/*.sql``), by name."""
    return {p.stem: load_query(p) for p in sorted(root.glob("*.sql"))}


def find_query(name: str, root: Path = SQL_ROOT) -> NamedQuery:
    """The named query, or an error that lists the close names (or all of them)."""
    path = root / f"{name}.sql"
    if is_query_name(name) and path.is_file():  # one file read, not the whole library
        return load_query(path)
    library = load_library(root)
    if name in library:
        return library[name]
    close = difflib.get_close_matches(name, library, n=3, cutoff=0.6)
    hint = f"did you mean {', '.join(close)}?" if close else f"queries: {', '.join(library)}"
    raise UnknownQueryError(f"unknown query {name!r}; {hint}")


def is_query_name(text: str) -> bool:
    """A bare word names a query; anything else (spaces, punctuation) is SQL text."""
    return re.fullmatch(r"[A-Za-z_]\w*", text.strip()) is not None


def parse_invocation(args: Sequence[str]) -> tuple[str | None, dict[str, str]]:
    """Split ``standings --season 2023 --param driver=x`` into the query and its parameters.

    ``--NAME VALUE``, ``--NAME=VALUE`` and ``--param NAME=VALUE`` (or ``-p``) all set a
    parameter; the one bare word (or quoted SQL text) is the query.
    """
    query: str | None = None
    params: dict[str, str] = {}
    items = list(args)
    i = 0

    def put(name: str, value: str) -> None:
        name = name.replace("-", "_")
        if name in params:
            raise ParameterError(f"parameter {name!r} given twice")
        params[name] = value

    while i < len(items):
        item = items[i]
        if item in ("-p", "--param"):
            if i + 1 >= len(items):
                raise ParameterError(f"{item} needs NAME=VALUE")
            name, sep, value = items[i + 1].partition("=")
            if not sep or not re.fullmatch(r"[A-Za-z_]\w*", name):
                raise ParameterError(f"{items[i + 1]!r} is not NAME=VALUE")
            put(name, value)
            i += 2
            continue
        m = _OPTION.match(item)
        if m:
            if m.group(2) is not None:
                put(m.group(1), m.group(2))
                i += 1
            elif i + 1 < len(items):
                put(m.group(1), items[i + 1])
                i += 2
            else:
                raise ParameterError(f"option --{m.group(1)} needs a value")
            continue
        if item.startswith("-") and query is None and not _FLOAT.match(item):
            raise ParameterError(f"unknown option {item!r}")
        if query is not None:
            raise ParameterError(
                f"more than one query given ({query!r} and {item!r}); quote ad-hoc SQL as one "
                "argument"
            )
        query = item
        i += 1
    return query, params


def coerce(value: str) -> object:
    """A command-line value for a parameter no header declares: number, boolean or text."""
    text = value.strip()
    if re.fullmatch(r"[+-]?\d+", text):
        return int(text)
    if _FLOAT.match(text):
        return float(text)
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    return value


def typed_params(raw: Mapping[str, str], specs: Sequence[ParamSpec]) -> dict[str, object]:
    """Declared parameters stay text (the binder checks them against their type); undeclared
    ones take the type their text looks like."""
    declared = {s.name for s in specs}
    return {k: (v if k in declared else coerce(v)) for k, v in raw.items()}
