"""Query rows shaped for the page: chart labels and datasets, or table rows (pure).

Shaping lives here, not in the browser, so the rules (which series a line chart keeps, in what
order) are tested in Python and the page's JavaScript only draws what it is given.
"""

from __future__ import annotations

from typing import Any

from f1lake.dashboard.data import DashboardData, Rows
from f1lake.dashboard.spec import Visual


def shape(visual: Visual, rows: Rows) -> dict[str, Any]:
    """The payload of one visual for one season."""
    if visual.type == "table":
        return table(visual, rows)
    if visual.type == "line":
        return line(visual, rows)
    return bar(visual, rows)


def table(visual: Visual, rows: Rows) -> dict[str, Any]:
    index = [rows.columns.index(c) for c in visual.columns]
    return {"columns": list(visual.columns), "rows": [[r[i] for i in index] for r in rows.rows]}


def bar(visual: Visual, rows: Rows) -> dict[str, Any]:
    """One bar per row, in the query's order; one dataset per y column."""
    records = rows.records()
    return {
        "labels": [r[visual.x] for r in records],
        "datasets": [{"label": label(y), "data": [r[y] for r in records]} for y in visual.y],
    }


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


def payload(data: DashboardData) -> dict[str, Any]:
    """Everything the page needs, JSON-able: the definition, seasons and shaped visuals."""
    spec = data.spec
    return {
        "dashboard": {
            "id": spec.id,
            "title": spec.title,
            "description": spec.description,
            "parameter": {"name": spec.parameter.name, "label": spec.parameter.label},
            "sheets": [
                {
                    "id": sheet.id,
                    "title": sheet.title,
                    "visuals": [
                        {
                            "id": v.id,
                            "title": v.title,
                            "type": v.type,
                            "query": v.query,
                            "x": v.x,
                            "y": list(v.y),
                            "series": v.series,
                            "labels": {c: label(c) for c in v.fields},
                        }
                        for v in sheet.visuals
                    ],
                }
                for sheet in spec.sheets
            ],
        },
        "seasons": list(data.seasons),
        "default_season": data.default_season,
        "visuals": {
            str(season): {v.id: shape(v, answers[v.query]) for v in spec.visuals()}
            for season, answers in data.answers.items()
        },
    }


def label(column: str) -> str:
    """A column name as a legend label: ``fastest_lap_time`` -> ``Fastest lap time``."""
    words = column.replace("_", " ")
    words = " ".join(_ACRONYMS.get(w, w) for w in words.split(" "))
    return words[:1].upper() + words[1:]


_ACRONYMS = {"dnf": "DNF", "dnfs": "DNFs", "id": "ID"}


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
