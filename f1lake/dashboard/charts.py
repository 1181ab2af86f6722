"""Query rows shaped for the page: chart labels and datasets, or table rows (pure).

Shaping lives here, not in the browser, so the rules (which series a line chart keeps, in what
order, which bars are grouped into "Others", which colour a team gets, which rows a race or
driver selection shows) are tested in Python and the page's JavaScript only picks and draws
what it is given.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from f1lake.dashboard.colours import TeamColours, load_colours
from f1lake.dashboard.data import DashboardData, Rows
from f1lake.dashboard.spec import Dashboard, Parameter, Visual

ALL = ""
"""The part of a filtered visual shown when an optional selector (the driver) is empty."""


def shape(
    visual: Visual,
    rows: Rows,
    season: int | None = None,
    colours: TeamColours | None = None,
    *,
    with_all: bool = False,
) -> dict[str, Any]:
    """The payload of one visual for one season (None: a query over every season).

    A filtered visual becomes ``{"parts": {value: payload}}``, one part per value of its filter
    column (and ``ALL``, every row, when ``with_all``: an optional selector left empty), so the
    page only picks a part.
    """
    if visual.filter:
        column = visual.filter[0][0]
        i = rows.columns.index(column)
        groups: dict[str, list[tuple[Any, ...]]] = {}
        for row in rows.rows:
            groups.setdefault(str(row[i]), []).append(row)
        parts = {
            key: _shape(visual, Rows(rows.columns, tuple(part)), season, colours)
            for key, part in groups.items()
        }
        if with_all:
            parts[ALL] = _shape(visual, rows, season, colours)
        return {"parts": parts}
    return _shape(visual, rows, season, colours)


def _shape(
    visual: Visual, rows: Rows, season: int | None, colours: TeamColours | None
) -> dict[str, Any]:
    if visual.type == "table":
        out = table(visual, rows)
    elif visual.type == "line":
        out = line(visual, rows)
    else:
        out = bar(visual, rows)
    if visual.colour and colours is not None:
        _paint(visual, rows, out, season, colours)
    return out


def table(visual: Visual, rows: Rows) -> dict[str, Any]:
    index = [rows.columns.index(c) for c in visual.columns]
    shaped = {"columns": list(visual.columns), "rows": [[r[i] for i in index] for r in rows.rows]}
    if visual.footnote:
        at = rows.columns.index(visual.footnote)
        notes = (r[at] for r in rows.rows if r[at] is not None and r[at] == r[at])  # not NaN
        shaped["notes"] = list(dict.fromkeys(str(n) for n in notes))
    return shaped


def bar(visual: Visual, rows: Rows) -> dict[str, Any]:
    """One bar per row, in the query's order; one dataset per y column.

    With ``top`` N only the first N rows get a bar and the rest are summed into one
    "Others (k)" bar, so a 1950s season of a hundred drivers stays readable.
    """
    records = rows.records()
    rest: list[dict[str, Any]] = []
    if visual.top and len(records) > visual.top + 1:
        records, rest = records[: visual.top], records[visual.top :]
    labels = [r[visual.x] for r in records]
    datasets = [{"label": label(y), "data": [r[y] for r in records]} for y in visual.y]
    if rest:
        labels.append(f"Others ({len(rest)})")
        for d, y in zip(datasets, visual.y, strict=True):
            d["data"].append(sum(r[y] or 0 for r in rest))
    return {"labels": labels, "datasets": datasets}


def _paint(
    visual: Visual, rows: Rows, out: dict[str, Any], season: int | None, colours: TeamColours
) -> None:
    """Team colours: per row of a table, per bar of a one-measure bar chart, per line."""
    records = rows.records()

    def colour(r: dict[str, Any]) -> str:
        year = r.get("season", season)
        return colours.of(r[visual.colour], int(year) if year is not None else None)

    if visual.type == "table":
        out["colours"] = [colour(r) for r in records]
    elif visual.type == "bar" and len(visual.y) == 1:
        painted = [colour(r) for r in records[: len(out["labels"])]]
        out["datasets"][0]["colours"] = painted + [colours.default] * (
            len(out["labels"]) - len(painted)
        )
    elif visual.type == "line" and visual.series:
        last: dict[Any, str] = {}
        for r in records:
            last[str(r[visual.series])] = colour(r)
        for d in out["datasets"]:
            d["colour"] = last.get(d["label"], colours.default)


def line(visual: Visual, rows: Rows) -> dict[str, Any]:
    """One line per series (per y column without a series), over the sorted x values.

    With ``top_series`` N only the N series with the highest first-y value at their last x
    are kept (the championship leaders after the last round), in that order; a series has no
    point (None) at an x where the query has no row for it.
    """
    records = rows.records()
    labels = sorted({r[visual.x] for r in records if r[visual.x] is not None}, key=_sort_key)
    slot = {x: i for i, x in enumerate(labels)}
    if not visual.series:
        return {
            "labels": labels,
            "datasets": [
                {"label": label(y), "data": _points(records, visual.x, y, slot)} for y in visual.y
            ],
        }
    by_series: dict[Any, list[dict[str, Any]]] = {}
    for r in records:
        if r[visual.x] is not None:
            by_series.setdefault(r[visual.series], []).append(r)
    first_y = visual.y[0]

    def final(name: Any) -> tuple[float, str]:
        last = max(by_series[name], key=lambda r: _sort_key(r[visual.x]))
        value = last[first_y]
        return (-(value if isinstance(value, int | float) else float("-inf")), str(name))

    ranked = sorted(by_series, key=final)
    if visual.top_series:
        ranked = ranked[: visual.top_series]
    datasets = []
    for name in ranked:
        for y in visual.y:
            text = str(name) if len(visual.y) == 1 else f"{name} ({label(y)})"
            datasets.append({"label": text, "data": _points(by_series[name], visual.x, y, slot)})
    return {"labels": labels, "datasets": datasets}


def payload(data: DashboardData, colours: TeamColours | None = None) -> dict[str, Any]:
    """Everything the page needs, JSON-able: the definition, seasons, the selectors' choices
    per season and the shaped visuals (per season, or ``overall`` for all-season queries)."""
    spec = data.spec
    colours = colours or load_colours()
    drawn = [v for v in spec.visuals() if v.id not in data.unavailable]
    return {
        "dashboard": {
            "id": spec.id,
            "title": spec.title,
            "description": spec.description,
            "parameters": [
                {"name": p.name, "label": p.label, "optional": p.optional, "default": p.default}
                for p in spec.parameters
            ],
            "sheets": [
                {
                    "id": sheet.id,
                    "title": sheet.title,
                    "controls": list(sheet.controls),
                    "visuals": [_visual_info(v, data) for v in sheet.visuals],
                }
                for sheet in spec.sheets
            ],
        },
        "seasons": list(data.seasons),
        "default_season": data.default_season,
        "options": {
            str(season): {p.name: choices(p, answers, data.overall) for p in spec.parameters[1:]}
            for season, answers in data.answers.items()
        },
        "visuals": {
            str(season): {
                v.id: shape(v, answers[v.query], season, colours, with_all=_optional(spec, v))
                for v in drawn
                if v.query in answers
            }
            for season, answers in data.answers.items()
        },
        "overall": {
            v.id: shape(v, data.overall[v.query], None, colours)
            for v in drawn
            if v.query in data.overall
        },
        "unavailable": dict(data.unavailable),
        "default_colour": colours.default,
    }


def _optional(spec: Dashboard, visual: Visual) -> bool:
    """A season visual filtered by an optional selector shows every row when it is empty (an
    all-season one, the driver's career, asks for a choice instead)."""
    return bool(visual.filter) and spec.param(visual.filter[0][1]).optional


def choices(
    param: Parameter, answers: Mapping[str, Rows], overall: Mapping[str, Rows]
) -> list[list[Any]]:
    """A selector's (value, text) pairs, in the values query's order, each value once."""
    rows = answers.get(param.values_query) or overall.get(param.values_query)
    if rows is None:
        return []
    records = rows.records()
    text = param.text_column or param.value_field
    seen: dict[str, Any] = {}
    for r in records:
        seen.setdefault(str(r[param.value_field]), r[text])
    return [[k, v] for k, v in seen.items()]


def _visual_info(v: Visual, data: DashboardData) -> dict[str, Any]:
    return {
        "id": v.id,
        "title": v.title,
        "type": v.type,
        "query": v.query,
        "x": v.x,
        "y": list(v.y),
        "series": v.series,
        "labels": {c: label(c) for c in v.fields},
        "filter": list(v.filter[0]) if v.filter else None,
        "footnote": v.footnote,
        "overall": v.query in data.overall,
        "unavailable": data.unavailable.get(v.id),
    }


def label(column: str) -> str:
    """A column name as a legend label: ``fastest_lap_time`` -> ``Fastest lap time``."""
    if column in _NAMES:
        return _NAMES[column]
    words = column.replace("_", " ")
    words = " ".join(_ACRONYMS.get(w, w) for w in words.split(" "))
    return words[:1].upper() + words[1:]


_NAMES = {
    "driver_name": "Driver",
    "constructor_name": "Team",
    "driver_constructor_name": "Driver's team",
    "teammate_name": "Teammate",
    "pos": "Pos",
    "position_text": "Pos",  # the official place: a number, or D / E for an excluded entrant
    "lap_rank": "#",
}
_ACRONYMS = {"dnf": "DNF", "dnfs": "DNFs", "id": "ID", "pct": "%", "kph": "km/h", "s": "(s)"}


def _points(records: list[dict[str, Any]], x: str | None, y: str, slot: dict[Any, int]) -> list:
    out: list[Any] = [None] * len(slot)
    for r in records:
        if r[x] in slot:
            out[slot[r[x]]] = r[y]
    return out


def _sort_key(value: Any) -> tuple[int, Any]:
    """Numbers before text, each in natural order (round 10 after round 9)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return (0, value)
    return (1, str(value))
