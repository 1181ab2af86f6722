"""The dashboard's definition (dashboards/season.json) as typed, validated objects.

One file drives both the local HTML dashboard and the QuickSight dashboard of the CDK app, so a
mistake in it must be caught before either is built: every error names the field's path (e.g.
``sheets[0].visuals[2].y``) and what was expected. Pure: no I/O beyond reading the file.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from f1lake.resources import DASHBOARD_SPEC

VISUAL_TYPES = ("line", "bar", "table")
PARAMETER_TYPES = ("integer", "string")
_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")  # QuickSight ids allow [A-Za-z0-9_-]
_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")  # query and column names: SQL identifiers


class SpecError(ValueError):
    """The dashboard definition is not valid; the message names the field."""


@dataclass(frozen=True)
class Parameter:
    """A selector. The first parameter (the season) is the root: its values query takes no
    parameter and every query that declares it runs once per season. The others take their
    values from a query of the chosen season (``value_column``, shown as ``text_column``).
    ``optional``: the empty choice means "all" (a driver filter on season charts)."""

    name: str
    type: str
    label: str
    values_query: str
    default: str | int  # "latest" (the last value), "" (none) or a value
    value_column: str = ""
    text_column: str = ""
    optional: bool = False

    @property
    def value_field(self) -> str:
        return self.value_column or self.name


@dataclass(frozen=True)
class Visual:
    id: str
    title: str
    type: str  # one of VISUAL_TYPES
    query: str
    x: str | None = None
    y: tuple[str, ...] = ()
    series: str | None = None
    top_series: int | None = None
    columns: tuple[str, ...] = ()
    top: int | None = None
    """Bars: the first N rows, the rest summed into one 'Others' bar."""
    colour: str | None = None
    """Column holding the constructor id whose team colour paints the bar, line or row."""
    filter: tuple[tuple[str, str], ...] = ()
    """(column, parameter): rows whose column equals the parameter's chosen value."""
    bind: tuple[tuple[str, str], ...] = ()
    """(query parameter, selector): a query that takes more than the season runs once per
    value of the selector (the race's round, the driver, the team); ``filter`` on the same
    selector then shows the chosen value's rows."""
    requires: tuple[str, ...] = ()
    """Tables the query reads that a lake may not hold yet: absent, the visual says so."""
    footnote: str | None = None
    """Tables: a column whose distinct values are listed under the table (the governing
    body's decisions behind a standings table's D/E entries and deductions)."""

    @property
    def fields(self) -> tuple[str, ...]:
        """The query columns this visual reads, in order, each once."""
        names = [*self.columns] if self.type == "table" else [self.x or "", *self.y]
        names += [self.series or "", self.colour or "", *(c for c, _ in self.filter)]
        names += [self.footnote or ""]
        return tuple(dict.fromkeys(n for n in names if n))


@dataclass(frozen=True)
class Sheet:
    id: str
    title: str
    visuals: tuple[Visual, ...]
    controls: tuple[str, ...] = ()
    """The parameters whose selector this sheet shows, in order."""


@dataclass(frozen=True)
class Dashboard:
    id: str
    title: str
    description: str
    parameters: tuple[Parameter, ...]
    sheets: tuple[Sheet, ...]

    @property
    def parameter(self) -> Parameter:
        """The root parameter: the season."""
        return self.parameters[0]

    def param(self, name: str) -> Parameter:
        return next(p for p in self.parameters if p.name == name)

    def visuals(self) -> Iterator[Visual]:
        for sheet in self.sheets:
            yield from sheet.visuals

    def queries(self) -> tuple[str, ...]:
        """Named queries of the visuals, in first-use order (not the root's values query)."""
        return tuple(dict.fromkeys(v.query for v in self.visuals()))

    def values_queries(self) -> tuple[str, ...]:
        """The selectors' values queries, the root's first."""
        return tuple(dict.fromkeys(p.values_query for p in self.parameters))

    def bindings(self, query: str) -> dict[str, str]:
        """Query parameter -> the selector whose values it runs with (the same for every visual
        of ``query``: checked when the definition is read)."""
        return next((dict(v.bind) for v in self.visuals() if v.query == query and v.bind), {})

    def columns_of(self, query: str) -> tuple[str, ...]:
        """Every column some visual or selector reads from ``query``."""
        names = [c for v in self.visuals() if v.query == query for c in v.fields]
        for p in self.parameters[1:]:
            if p.values_query == query:
                names += [p.value_field, p.text_column]
        return tuple(dict.fromkeys(n for n in names if n))


# Known keys per object, each with whether it is required.
_DASHBOARD_KEYS = {
    "id": True,
    "title": True,
    "description": False,
    "parameters": True,
    "sheets": True,
}
_PARAMETER_KEYS = {
    "name": True,
    "type": True,
    "label": False,
    "values_query": True,
    "default": False,
    "value_column": False,
    "text_column": False,
    "optional": False,
}
_SHEET_KEYS = {"id": True, "title": True, "controls": False, "visuals": True}
_VISUAL_KEYS = {
    "id": True,
    "title": True,
    "type": True,
    "query": True,
    "x": False,
    "y": False,
    "series": False,
    "top_series": False,
    "columns": False,
    "top": False,
    "colour": False,
    "filter": False,
    "bind": False,
    "requires": False,
    "footnote": False,
}


def load_spec(path: Path = DASHBOARD_SPEC) -> Dashboard:
    """Read and validate a dashboard definition file."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SpecError(f"dashboard definition not found: {path}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SpecError(
            f"{path}: not valid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        ) from None
    try:
        return parse_spec(data)
    except SpecError as exc:
        raise SpecError(f"{path}: {exc}") from None


def parse_spec(data: Any) -> Dashboard:
    """Validate a decoded definition; the first problem found raises :class:`SpecError`."""
    obj = _object(data, "the dashboard", _DASHBOARD_KEYS)
    sheets_raw = _list(obj["sheets"], "sheets")
    sheets = tuple(_sheet(s, f"sheets[{i}]") for i, s in enumerate(sheets_raw))
    _unique([s.id for s in sheets], "sheets", "sheet id")
    visuals = [(i, j, v) for i, s in enumerate(sheets) for j, v in enumerate(s.visuals)]
    seen: set[str] = set()
    for i, j, v in visuals:
        if v.id in seen:
            raise SpecError(f"sheets[{i}].visuals[{j}].id: visual id {v.id!r} is used twice")
        seen.add(v.id)
    params_raw = _list(obj["parameters"], "parameters")
    parameters = tuple(_parameter(p, f"parameters[{k}]") for k, p in enumerate(params_raw))
    names = [p.name for p in parameters]
    _unique(names, "parameters", "parameter")
    if parameters[0].optional:
        raise SpecError("parameters[0].optional: the first (root) parameter cannot be optional")
    if parameters[0].default != "latest" and not isinstance(parameters[0].default, int):
        raise SpecError('parameters[0].default: must be "latest" or an integer (a season)')
    for i, sheet in enumerate(sheets):
        for k, name in enumerate(sheet.controls):
            if name not in names:
                raise SpecError(f"sheets[{i}].controls[{k}]: no parameter {name!r}")
    for i, j, v in visuals:
        for column, name in v.filter:
            if name not in names[1:]:
                raise SpecError(
                    f"sheets[{i}].visuals[{j}].filter.{column}: {name!r} is not a parameter "
                    f"after the first (one of: {', '.join(names[1:]) or 'none'})"
                )
        for param, name in v.bind:
            if name not in names[1:]:
                raise SpecError(
                    f"sheets[{i}].visuals[{j}].bind.{param}: {name!r} is not a parameter "
                    f"after the first (one of: {', '.join(names[1:]) or 'none'})"
                )
            if name not in [p for _, p in v.filter]:
                raise SpecError(
                    f"sheets[{i}].visuals[{j}].bind.{param}: needs a filter by {name!r} too, "
                    "so the page shows the chosen value's rows"
                )
    bound: dict[str, tuple[str, tuple[tuple[str, str], ...]]] = {}
    for i, j, v in visuals:
        first = bound.setdefault(v.query, (v.id, v.bind))
        if first[1] != v.bind:
            raise SpecError(
                f"sheets[{i}].visuals[{j}].bind: query {v.query!r} is bound as visual "
                f"{first[0]!r} binds it; visuals of one query run it once"
            )
    return Dashboard(
        id=_ident(obj["id"], "id"),
        title=_text(obj["title"], "title"),
        description=_text(obj.get("description", ""), "description", empty_ok=True),
        parameters=parameters,
        sheets=sheets,
    )


def _parameter(data: Any, where: str) -> Parameter:
    obj = _object(data, where, _PARAMETER_KEYS)
    type_ = _text(obj["type"], f"{where}.type")
    if type_ not in PARAMETER_TYPES:
        raise SpecError(
            f"{where}.type: {type_!r} is not supported (supported: {', '.join(PARAMETER_TYPES)})"
        )
    optional = obj.get("optional", False)
    if not isinstance(optional, bool):
        raise SpecError(f"{where}.optional: must be true or false, got {optional!r}")
    default = obj.get("default", "" if optional else "latest")
    if isinstance(default, bool) or not isinstance(default, int | str):
        raise SpecError(f'{where}.default: must be "latest", "" or a value, got {default!r}')
    name = _ident(obj["name"], f"{where}.name")
    return Parameter(
        name=name,
        type=type_,
        label=_text(obj.get("label", name), f"{where}.label"),
        values_query=_query(obj["values_query"], f"{where}.values_query"),
        default=default,
        value_column=_column(obj["value_column"], f"{where}.value_column")
        if "value_column" in obj
        else "",
        text_column=_column(obj["text_column"], f"{where}.text_column")
        if "text_column" in obj
        else "",
        optional=optional,
    )


def _sheet(data: Any, where: str) -> Sheet:
    obj = _object(data, where, _SHEET_KEYS)
    raw = _list(obj["visuals"], f"{where}.visuals")
    controls = obj.get("controls", [])
    if not isinstance(controls, list):
        raise SpecError(f"{where}.controls: must be a list, got {_kind(controls)}")
    return Sheet(
        id=_ident(obj["id"], f"{where}.id"),
        title=_text(obj["title"], f"{where}.title"),
        visuals=tuple(_visual(v, f"{where}.visuals[{j}]") for j, v in enumerate(raw)),
        controls=tuple(_ident(c, f"{where}.controls[{k}]") for k, c in enumerate(controls)),
    )


def _visual(data: Any, where: str) -> Visual:
    obj = _object(data, where, _VISUAL_KEYS)
    type_ = _text(obj["type"], f"{where}.type")
    if type_ not in VISUAL_TYPES:
        raise SpecError(
            f"{where}.type: {type_!r} is not a visual type (one of: {', '.join(VISUAL_TYPES)})"
        )
    allowed = {
        "table": {"columns", "footnote"},
        "bar": {"x", "y", "top"},
        "line": {"x", "y", "series", "top_series"},
    }
    for key in ("x", "y", "series", "top_series", "columns", "top", "footnote"):
        if key in obj and key not in allowed[type_]:
            raise SpecError(f"{where}.{key}: not used by a {type_} visual; remove it")
    for key in sorted(allowed[type_] - {"series", "top_series", "top", "footnote"}):
        if key not in obj:
            raise SpecError(f"{where}: a {type_} visual needs {key!r}")
    for key in ("top_series", "top"):
        top = obj.get(key)
        if top is not None and (isinstance(top, bool) or not isinstance(top, int) or top < 1):
            raise SpecError(f"{where}.{key}: must be a positive integer, got {top!r}")
    if obj.get("top_series") is not None and "series" not in obj:
        raise SpecError(f"{where}.top_series: only applies with 'series'")
    filter_ = obj.get("filter", {})
    if not isinstance(filter_, dict) or len(filter_) > 1:
        raise SpecError(f"{where}.filter: must be an object of one column: parameter")
    bind = obj.get("bind", {})
    if not isinstance(bind, dict) or len(bind) > 1:
        raise SpecError(f"{where}.bind: must be an object of one query parameter: selector")
    requires = obj.get("requires", [])
    return Visual(
        id=_ident(obj["id"], f"{where}.id"),
        title=_text(obj["title"], f"{where}.title"),
        type=type_,
        query=_query(obj["query"], f"{where}.query"),
        x=_column(obj["x"], f"{where}.x") if "x" in obj else None,
        y=_columns(obj["y"], f"{where}.y") if "y" in obj else (),
        series=_column(obj["series"], f"{where}.series") if "series" in obj else None,
        top_series=obj.get("top_series"),
        columns=_columns(obj["columns"], f"{where}.columns") if "columns" in obj else (),
        top=obj.get("top"),
        colour=_column(obj["colour"], f"{where}.colour") if "colour" in obj else None,
        filter=tuple(
            (_column(c, f"{where}.filter"), _ident(p, f"{where}.filter.{c}"))
            for c, p in filter_.items()
        ),
        bind=tuple(
            (_column(q, f"{where}.bind"), _ident(p, f"{where}.bind.{q}")) for q, p in bind.items()
        ),
        requires=_columns(requires, f"{where}.requires") if requires else (),
        footnote=_column(obj["footnote"], f"{where}.footnote") if "footnote" in obj else None,
    )


def _object(data: Any, where: str, keys: Mapping[str, bool]) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise SpecError(f"{where}: must be an object, got {_kind(data)}")
    unknown = sorted(set(data) - set(keys))
    if unknown:
        raise SpecError(
            f"{where}: unknown field(s) {', '.join(map(repr, unknown))} (known: {', '.join(keys)})"
        )
    missing = [k for k, required in keys.items() if required and k not in data]
    if missing:
        raise SpecError(f"{where}: missing required field(s) {', '.join(map(repr, missing))}")
    return data


def _list(data: Any, where: str) -> list[Any]:
    if not isinstance(data, list) or not data:
        raise SpecError(f"{where}: must be a non-empty list, got {_kind(data)}")
    return data


def _text(data: Any, where: str, *, empty_ok: bool = False) -> str:
    if not isinstance(data, str) or (not empty_ok and not data.strip()):
        raise SpecError(f"{where}: must be a non-empty string, got {data!r}")
    return data


def _ident(data: Any, where: str) -> str:
    text = _text(data, where)
    if not _ID.match(text):
        raise SpecError(f"{where}: {text!r} is not an id (letters, digits, '_' and '-')")
    return text


def _query(data: Any, where: str) -> str:
    text = _text(data, where)
    if not _NAME.match(text):
        raise SpecError(
            f"{where}: {text!r} is not a named query (the stem of a file of sql/athena/)"
        )
    return text


def _column(data: Any, where: str) -> str:
    text = _text(data, where)
    if not _NAME.match(text):
        raise SpecError(f"{where}: {text!r} is not a column name (lowercase letters, digits, _)")
    return text


def _columns(data: Any, where: str) -> tuple[str, ...]:
    items = _list(data, where)
    names = tuple(_column(c, f"{where}[{k}]") for k, c in enumerate(items))
    _unique(list(names), where, "column")
    return names


def _unique(values: list[str], where: str, what: str) -> None:
    seen: set[str] = set()
    for value in values:
        if value in seen:
            raise SpecError(f"{where}: {what} {value!r} appears twice")
        seen.add(value)


def _kind(data: Any) -> str:
    if isinstance(data, list):
        return "an empty list" if not data else "a list"
    return {dict: "an object", str: "a string", bool: "a boolean", type(None): "null"}.get(
        type(data), type(data).__name__
    )
