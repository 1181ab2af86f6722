"""The dashboard definition: the committed file loads; mistakes are named by their field."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from f1lake.dashboard.spec import SpecError, load_spec, parse_spec
from f1lake.query.library import load_library
from f1lake.resources import DASHBOARD_SPEC


def _raw() -> dict[str, Any]:
    return json.loads(DASHBOARD_SPEC.read_text(encoding="utf-8"))


def test_the_committed_definition_loads_with_every_sheet_and_visual() -> None:
    raw = _raw()
    spec = load_spec()
    assert spec.id == raw["id"] and spec.title == raw["title"]
    assert spec.parameter.name == "season" and spec.parameter.values_query == "seasons"
    assert [p.name for p in spec.parameters] == ["season", "race", "driver", "team"]
    assert [list(s.controls) for s in spec.sheets] == [s.get("controls", []) for s in raw["sheets"]]
    career = next(v for v in spec.visuals() if v.id == "driver_career")
    assert career.filter == (("driver_id", "driver"),) and career.colour == "constructor_id"
    assert next(v for v in spec.visuals() if v.id == "race_pit_stops").requires == ("pit_stops",)
    assert [s.id for s in spec.sheets] == [s["id"] for s in raw["sheets"]]
    assert [v.id for v in spec.visuals()] == [v["id"] for s in raw["sheets"] for v in s["visuals"]]
    progression = next(v for v in spec.visuals() if v.id == "driver_progression")
    assert (progression.type, progression.x, progression.y, progression.series) == (
        "line",
        "round",
        ("points",),
        "driver_name",
    )
    assert progression.top_series == 10
    standings = next(v for v in spec.visuals() if v.id == "driver_standings")
    assert standings.columns == tuple(
        next(v for s in raw["sheets"] for v in s["visuals"] if v["id"] == "driver_standings")[
            "columns"
        ]
    )


def test_every_named_query_is_drawn_taking_the_season_or_a_bound_selector() -> None:
    spec = load_spec()
    library = load_library()
    assert set(library) == {*spec.queries(), *spec.values_queries()}
    for name in spec.queries():
        bound = spec.bindings(name)
        declared = [p.name for p in library[name].params if p.name not in bound]
        assert declared in ([spec.parameter.name], []), name
        assert set(bound) <= {p.name for p in library[name].params}, name
    assert spec.bindings("lap_positions") == {"round": "race"}
    assert spec.bindings("driver_team_history") == {"driver": "driver"}
    assert spec.bindings("team_drivers") == {"constructor": "team"}
    assert library[spec.parameter.values_query].params == ()
    for p in spec.parameters[1:]:  # a selector's choices are the chosen season's
        assert [q.name for q in library[p.values_query].params] == [spec.parameter.name]


def _visual(raw: dict[str, Any], visual_id: str) -> dict[str, Any]:
    return next(v for s in raw["sheets"] for v in s["visuals"] if v["id"] == visual_id)


Edit = Callable[[dict[str, Any]], None]
CASES: list[tuple[str, Edit, str]] = [
    ("no sheets", lambda d: d.pop("sheets"), "missing required field(s) 'sheets'"),
    ("empty sheets", lambda d: d.update(sheets=[]), "sheets: must be a non-empty list"),
    (
        "unknown visual type",
        lambda d: _visual(d, "dnfs").update(type="pie"),
        "sheets[0].visuals[10].type: 'pie' is not a visual type",
    ),
    (
        "table without columns",
        lambda d: _visual(d, "fastest_laps").pop("columns"),
        "sheets[0].visuals[9]: a table visual needs 'columns'",
    ),
    (
        "line without y",
        lambda d: _visual(d, "driver_progression").pop("y"),
        "sheets[0].visuals[0]: a line visual needs 'y'",
    ),
    (
        "y not a list",
        lambda d: _visual(d, "constructor_points").update(y="points"),
        "sheets[0].visuals[3].y: must be a non-empty list",
    ),
    (
        "misspelt field",
        lambda d: _visual(d, "driver_standings").update(colums=["position"]),
        "sheets[0].visuals[1]: unknown field(s) 'colums'",
    ),
    (
        "field of another visual type",
        lambda d: _visual(d, "driver_standings").update(x="round"),
        "sheets[0].visuals[1].x: not used by a table visual",
    ),
    (
        "zero top_series",
        lambda d: _visual(d, "driver_progression").update(top_series=0),
        "sheets[0].visuals[0].top_series: must be a positive integer, got 0",
    ),
    (
        "duplicate visual id",
        lambda d: _visual(d, "dnfs").update(id="fastest_laps"),
        "sheets[0].visuals[10].id: visual id 'fastest_laps' is used twice",
    ),
    (
        "query with a path",
        lambda d: _visual(d, "dnfs").update(query="../dnfs"),
        "sheets[0].visuals[10].query: '../dnfs' is not a named query",
    ),
    (
        "column with a space",
        lambda d: _visual(d, "driver_standings")["columns"].append("driver name"),
        "sheets[0].visuals[1].columns[6]: 'driver name' is not a column name",
    ),
    (
        "repeated column",
        lambda d: _visual(d, "driver_standings")["columns"].append("points"),
        "sheets[0].visuals[1].columns: column 'points' appears twice",
    ),
    (
        "bad default season",
        lambda d: d["parameters"][0].update(default="newest"),
        'parameters[0].default: must be "latest" or an integer',
    ),
    (
        "unsupported parameter type",
        lambda d: d["parameters"][0].update(type="date"),
        "parameters[0].type: 'date' is not supported",
    ),
    ("title not text", lambda d: d.update(title=3), "title: must be a non-empty string, got 3"),
    (
        "filter by an unknown selector",
        lambda d: _visual(d, "race_classification").update(filter={"round": "lap"}),
        "sheets[1].visuals[0].filter.round: 'lap' is not a parameter after the first",
    ),
    (
        "control of an unknown selector",
        lambda d: d["sheets"][1]["controls"].append("lap"),
        "sheets[1].controls[2]: no parameter 'lap'",
    ),
    (
        "bound to an unknown selector",
        lambda d: _visual(d, "driver_teams").update(bind={"driver": "pilot"}),
        "sheets[2].visuals[1].bind.driver: 'pilot' is not a parameter after the first",
    ),
    (
        "bound without the filter that picks the value",
        lambda d: _visual(d, "driver_teams").pop("filter"),
        "sheets[2].visuals[1].bind.driver: needs a filter by 'driver' too",
    ),
    (
        "one query bound two ways",
        lambda d: _visual(d, "driver_points").update(query="driver_team_history"),
        "sheets[2].visuals[2].bind: query 'driver_team_history' is bound as visual 'driver_teams'",
    ),
    (
        "optional season",
        lambda d: d["parameters"][0].update(optional=True),
        "parameters[0].optional: the first (root) parameter cannot be optional",
    ),
    (
        "zero top bars",
        lambda d: _visual(d, "wins_podiums").update(top=0),
        "sheets[0].visuals[4].top: must be a positive integer, got 0",
    ),
]


@pytest.mark.parametrize(("edit", "message"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_a_broken_definition_is_refused_naming_the_field(edit: Edit, message: str) -> None:
    raw = copy.deepcopy(_raw())
    edit(raw)
    with pytest.raises(SpecError) as info:
        parse_spec(raw)
    assert message in str(info.value)


def test_file_errors_name_the_file_and_the_place(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match="dashboard definition not found"):
        load_spec(tmp_path / "nope.json")
    bad = tmp_path / "season.json"
    bad.write_text('{"id": "x",\n  "title": }', encoding="utf-8")
    with pytest.raises(SpecError) as info:
        load_spec(bad)
    assert str(bad) in str(info.value) and "line 2" in str(info.value)
    raw = _raw()
    _visual(raw, "dnfs")["type"] = "pie"
    bad.write_text(json.dumps(raw), encoding="utf-8")
    with pytest.raises(SpecError, match=r"season\.json: sheets\[0\]\.visuals\[10\]\.type"):
        load_spec(bad)
