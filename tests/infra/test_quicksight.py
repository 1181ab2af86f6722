"""QuickSight: opt-in stack built from dashboards/season.json and the season queries of
sql/athena, and the pure mapping of the spec's visuals to QuickSight's."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from f1lake.dashboard.spec import load_spec, parse_spec
from f1lake.query.dialect import placeholders
from f1lake.resources import DASHBOARD_SPEC, SQL_ROOT
from f1lake.schema import TABLES
from tests.infra.conftest import QUICKSIGHT_PRINCIPAL, logical_id, of_type, only

pytest.importorskip("aws_cdk", reason="aws-cdk-lib is not installed (uv sync --group cdk)")

from f1lake_infra.config import config_from_context
from f1lake_infra.quicksight import default_season
from f1lake_infra.quicksight_datasets import (
    DatasetError,
    SeasonQuery,
    describe_columns,
    quicksight_sql,
    quicksight_type,
    season_queries,
)
from f1lake_infra.quicksight_visuals import (
    DatasetRef,
    VisualError,
    dashboard_definition,
    top_series_filter,
    visual_definition,
)

SPEC = load_spec()
PENDING = {v.query for v in SPEC.visuals() if not set(v.requires) <= set(TABLES)}
"""Queries over tables the schema has not (yet): no dataset until it has."""
BOUND = {q: SPEC.bindings(q) for q in SPEC.queries()}
"""Query parameters the dashboard sets from a selector (lap_positions' round: the race)."""


def _datasets(synth):
    return {
        d["Properties"]["Name"].removeprefix("f1lake "): d["Properties"]
        for d in of_type(synth.resources("quicksight"), "AWS::QuickSight::DataSet").values()
    }


def test_the_data_source_is_athena_on_the_workgroup_with_its_own_role(synth):
    qs = synth.stack("quicksight")
    source = only(synth.resources("quicksight"), "AWS::QuickSight::DataSource")
    assert source["Type"] == "ATHENA"
    athena = source["DataSourceParameters"]["AthenaParameters"]
    assert athena["WorkGroup"] == synth.config.athena_workgroup
    assert athena["RoleArn"] == {"Fn::GetAtt": [logical_id(qs, qs.role), "Arn"]}
    assert source["SslProperties"] == {"DisableSsl": False}
    assert [p["Principal"] for p in source["Permissions"]] == [QUICKSIGHT_PRINCIPAL]


def test_a_direct_query_dataset_per_season_query_with_the_season_as_parameter(synth):
    datasets = _datasets(synth)
    files = season_queries("season", SQL_ROOT, BOUND)
    assert set(datasets) == set(files)
    assert {"lap_positions", "race_pace", "team_drivers", "driver_team_history"} <= set(files)
    assert {*SPEC.queries(), *SPEC.values_queries()} - PENDING <= set(datasets)
    assert not PENDING & set(datasets)
    source_id = logical_id(synth.stack("quicksight"), synth.stack("quicksight").data_source)
    for name, props in datasets.items():
        assert props["ImportMode"] == "DIRECT_QUERY", name
        ((_, table),) = props["PhysicalTableMap"].items()
        sql = table["CustomSql"]
        assert sql["DataSourceArn"] == {"Fn::GetAtt": [source_id, "Arn"]}
        assert sql["SqlQuery"] == quicksight_sql(files[name])
        takes = files[name].parameters
        assert set(takes) <= {"season", *BOUND.get(name, {})}, name
        text = sql["SqlQuery"]
        for param in takes:
            assert f"<<${param}>>" in text, (name, param)
            text = text.replace(f"<<${param}>>", "1")
        assert not placeholders(text), name
        if takes:
            by_name = {
                p[kind]["Name"]: (kind, p[kind].get("DefaultValues"))
                for p in props["DatasetParameters"]
                for kind in p
            }
            assert list(by_name) == list(takes), name
            if "season" in takes:
                assert by_name["season"] == (
                    "IntegerDatasetParameter",
                    {"StaticValues": [synth.stack("quicksight").default_season]},
                )
            for param in set(takes) - {"season"}:  # bound: the race's round, a driver, a team
                integer = param == "round"
                assert by_name[param] == (
                    ("IntegerDatasetParameter", {"StaticValues": [1]})
                    if integer
                    else ("StringDatasetParameter", None)
                ), (name, param)
        else:
            assert "DatasetParameters" not in props, name
        columns = {c["Name"]: c["Type"] for c in sql["Columns"]}
        for visual_column in SPEC.columns_of(name):
            assert visual_column in columns, (name, visual_column)
    standings = {
        c["Name"]: c["Type"]
        for c in _datasets(synth)["standings"]["PhysicalTableMap"].popitem()[1]["CustomSql"][
            "Columns"
        ]
    }
    assert standings["points"] == "DECIMAL" and standings["driver_name"] == "STRING"
    assert standings["position"] == "INTEGER" and standings["wins"] == "INTEGER"
    career = {
        c["Name"]: c["Type"]
        for c in _datasets(synth)["driver_career"]["PhysicalTableMap"].popitem()[1]["CustomSql"][
            "Columns"
        ]
    }
    assert (career["position"], career["position_text"]) == ("INTEGER", "STRING")  # 'D' in 1997


def test_the_dashboard_is_season_json(synth):
    qs = synth.stack("quicksight")
    dashboard = only(synth.resources("quicksight"), "AWS::QuickSight::Dashboard")
    definition = dashboard["Definition"]
    assert dashboard["Name"] == SPEC.title
    assert [s["SheetId"] for s in definition["Sheets"]] == ["season", "race", "driver", "history"]
    expected = {"line": "LineChartVisual", "bar": "BarChartVisual", "table": "TableVisual"}
    for sheet, spec_sheet in zip(definition["Sheets"], SPEC.sheets, strict=True):
        kinds = [(next(iter(v)), next(iter(v.values()))["VisualId"]) for v in sheet["Visuals"]]
        drawn = [v for v in spec_sheet.visuals if v.query not in PENDING]
        assert kinds == [(expected[v.type], v.id) for v in drawn]
        controls = [c["Dropdown"] for c in sheet["ParameterControls"]]
        assert [c["SourceParameterName"] for c in controls] == list(spec_sheet.controls)
        for control in controls:
            param = SPEC.param(control["SourceParameterName"])
            assert control["SelectableValues"]["LinkToDataSetColumn"] == {
                "DataSetIdentifier": param.values_query,
                "ColumnName": param.value_field,
            }
    race_controls = definition["Sheets"][1]["ParameterControls"]
    assert [c["Dropdown"]["Title"] for c in race_controls] == ["Season", "Race"]
    season_controls = definition["Sheets"][0]["ParameterControls"]
    assert [c["Dropdown"]["Title"] for c in season_controls] == ["Season", "Driver", "Team"]
    assert definition["Sheets"][3]["ParameterControls"] == []  # history: every season
    season, race, driver, team = definition["ParameterDeclarations"]
    assert race["IntegerParameterDeclaration"]["Name"] == "race"
    assert driver["StringParameterDeclaration"]["Name"] == "driver"
    assert team["StringParameterDeclaration"]["Name"] == "team"
    mapped = {
        m["DataSetIdentifier"]
        for m in season["IntegerParameterDeclaration"]["MappedDataSetParameters"]
    }
    # A selector sets the dataset parameter its visuals bind: the race's round, driver, team.
    selectors = {
        next(iter(d.values()))["Name"]: {
            (m["DataSetIdentifier"], m["DataSetParameterName"])
            for m in next(iter(d.values())).get("MappedDataSetParameters", [])
        }
        for d in (race, driver, team)
    }
    assert selectors == {
        "race": {("lap_positions", "round"), ("race_pace", "round")},
        "driver": {("driver_team_history", "driver")},
        "team": {("team_drivers", "constructor")},
    }
    files = season_queries("season", SQL_ROOT, BOUND)
    by_season = {q for q in qs.datasets if "season" in files[q].parameters}
    used = {*SPEC.queries(), *SPEC.values_queries()} - PENDING
    assert mapped == used & by_season  # every season visual follows the season selector
    assert {"driver_career", "champions", "alltime_wins"} <= used - by_season
    declared = {
        d["Identifier"]: d["DataSetArn"] for d in definition["DataSetIdentifierDeclarations"]
    }
    assert set(declared) == used
    assert declared["standings"] == {
        "Fn::GetAtt": [logical_id(qs, qs.datasets["standings"]), "Arn"]
    }
    # The race, driver and team selectors filter the visuals that name them, and only those.
    filters = {
        g["FilterGroupId"]: g["Filters"][0]
        for g in definition["FilterGroups"]
        if not g["FilterGroupId"].endswith(("-top-series",))
    }
    wanted = {f"{v.id}-{v.filter[0][1]}" for v in SPEC.visuals() if v.filter} - {
        f"{v.id}-race" for v in SPEC.visuals() if v.query in PENDING
    }
    assert set(filters) == wanted
    race_filter = filters["race_classification-race"]["NumericEqualityFilter"]
    assert (race_filter["Column"]["ColumnName"], race_filter["ParameterName"]) == ("round", "race")
    career = filters["driver_career-driver"]["CategoryFilter"]
    assert career["Column"]["ColumnName"] == "driver_id"
    assert career["Configuration"]["CustomFilterConfiguration"]["ParameterName"] == "driver"
    assert [p["Principal"] for p in dashboard["Permissions"]] == [QUICKSIGHT_PRINCIPAL]


def test_no_quicksight_without_the_flag():
    from tests.infra.conftest import build_app

    stacks, config = build_app()
    assert config.quicksight is False
    assert stacks.quicksight is None
    kinds = {type(c).__module__ for stack in stacks.all() for c in stack.node.find_all()}
    assert not [k for k in kinds if "quicksight" in k]


def test_the_flag_needs_a_principal():
    from f1lake_infra.config import ConfigError

    with pytest.raises(ConfigError, match="quicksightPrincipalArn"):
        config_from_context({"quicksight": "true"})
    with pytest.raises(ConfigError, match="quicksightPrincipalArn"):
        config_from_context({"quicksight": "true", "quicksightPrincipalArn": "alice"})


def test_default_season_prefers_context_then_spec_then_last_year():
    today = date(2026, 3, 1)
    assert default_season(config_from_context({}), SPEC, today) == 2025  # spec says "latest"
    raw = _raw_spec()
    fixed = parse_spec(
        {**raw, "parameters": [{**raw["parameters"][0], "default": 2021}, *raw["parameters"][1:]]}
    )
    assert default_season(config_from_context({}), fixed, today) == 2021
    ctx = config_from_context({"quicksightDefaultSeason": "1988"})
    assert default_season(ctx, fixed, today) == 1988


def _raw_spec():
    import json

    return json.loads(DASHBOARD_SPEC.read_text(encoding="utf-8"))


# --- pure mapping -----------------------------------------------------------------------


def _query(tmp_path: Path, text: str) -> SeasonQuery:
    path = tmp_path / "q.sql"
    path.write_text(text, encoding="utf-8")
    return SeasonQuery("q", path, text, tuple(dict.fromkeys(p.name for p in placeholders(text))))


def test_custom_sql_takes_the_season_as_a_dataset_parameter(tmp_path):
    q = _query(
        tmp_path,
        "-- Wins of a season.\n-- @param season integer  Year.\n"
        "SELECT driver_id, ':season' AS label -- not :season here\n"
        "FROM results WHERE CAST(season AS integer) = :season AND round > :season - 100;\n",
    )
    sql = quicksight_sql(q)
    assert sql == (
        "SELECT driver_id, ':season' AS label -- not :season here\n"
        "FROM results WHERE CAST(season AS integer) = <<$season>> AND round > <<$season>> - 100\n"
    )


def test_custom_sql_without_a_body_is_refused(tmp_path):
    with pytest.raises(DatasetError, match=r"q\.sql: no SQL"):
        quicksight_sql(_query(tmp_path, "-- only a header\n-- Parameters: none.\n"))


def test_season_queries_are_top_level_files_taking_only_the_season(tmp_path):
    (tmp_path / "views").mkdir()
    (tmp_path / "views" / "v.sql").write_text("CREATE VIEW v AS SELECT 1", encoding="utf-8")
    (tmp_path / "a.sql").write_text("SELECT :season AS s", encoding="utf-8")
    (tmp_path / "b.sql").write_text("SELECT 1 AS one", encoding="utf-8")
    (tmp_path / "c.sql").write_text("SELECT :driver AS d, :season AS s", encoding="utf-8")
    found = season_queries("season", tmp_path)
    assert sorted(found) == ["a", "b"]
    assert found["a"].parameters == ("season",) and found["b"].parameters == ()
    # ... unless the dashboard binds its other parameter to a selector (the driver's)
    bound = season_queries("season", tmp_path, {"c": {"driver": "driver"}})
    assert sorted(bound) == ["a", "b", "c"] and bound["c"].parameters == ("driver", "season")


@pytest.mark.parametrize(
    ("duck", "quick"),
    [
        ("INTEGER", "INTEGER"),
        ("HUGEINT", "INTEGER"),
        ("DECIMAL(38,0)", "INTEGER"),
        ("DECIMAL(10,3)", "DECIMAL"),
        ("DOUBLE", "DECIMAL"),
        ("VARCHAR", "STRING"),
        ("DATE", "DATETIME"),
        ("TIMESTAMP WITH TIME ZONE", "DATETIME"),
        ("BOOLEAN", "BOOLEAN"),
    ],
)
def test_result_types_map_to_quicksight_column_types(duck, quick):
    assert quicksight_type(duck) == quick


def test_an_unmappable_type_is_named():
    with pytest.raises(DatasetError, match="INTEGER\\[\\]"):
        quicksight_type("INTEGER[]")


def test_columns_are_described_offline_from_the_schema(tmp_path):
    q = _query(
        tmp_path,
        "SELECT CAST(season AS integer) AS season, driver_id, sum(points) AS points, count(*) AS n\n"
        "FROM results WHERE CAST(season AS integer) = :season GROUP BY 1, 2\n",
    )
    columns = describe_columns([q], "season", 2023)["q"]
    assert columns == {
        "season": "INTEGER",
        "driver_id": "STRING",
        "points": "DECIMAL",
        "n": "INTEGER",
    }
    bad = _query(tmp_path, "SELECT nope FROM results WHERE season = :season")
    with pytest.raises(DatasetError, match=r"q\.sql: cannot describe"):
        describe_columns([bad], "season", 2023)


def _ref(name, columns, params=("season",)):
    return DatasetRef(name, f"arn:{name}", columns, params)


def _spec(visuals):
    return parse_spec(
        {
            "id": "s",
            "title": "S",
            "parameters": [{"name": "season", "type": "integer", "values_query": "seasons"}],
            "sheets": [{"id": "one", "title": "One", "controls": ["season"], "visuals": visuals}],
        }
    )


LINE = {"id": "prog", "title": "P", "type": "line", "query": "progression", "x": "round",
        "y": ["points"], "series": "driver_name", "top_series": 5}  # fmt: skip
BAR = {"id": "wins", "title": "W", "type": "bar", "query": "wins", "x": "driver_name",
       "y": ["wins", "podiums"]}  # fmt: skip
TABLE = {"id": "tab", "title": "T", "type": "table", "query": "standings",
         "columns": ["position", "driver_name"]}  # fmt: skip
REFS = {
    "progression": _ref(
        "progression", {"round": "INTEGER", "points": "DECIMAL", "driver_name": "STRING"}
    ),
    "wins": _ref("wins", {"driver_name": "STRING", "wins": "INTEGER", "podiums": "INTEGER"}),
    "standings": _ref("standings", {"position": "INTEGER", "driver_name": "STRING"}),
    "seasons": _ref("seasons", {"season": "INTEGER", "races": "INTEGER"}, ()),
}


def test_a_line_visual_plots_each_series_over_x_and_keeps_the_top_ones():
    spec = _spec([LINE])
    (visual,) = spec.sheets[0].visuals
    line = visual_definition(visual, REFS["progression"])["LineChartVisual"]
    wells = line["ChartConfiguration"]["FieldWells"]["LineChartAggregatedFieldWells"]
    assert wells["Category"][0]["NumericalDimensionField"]["Column"]["ColumnName"] == "round"
    assert wells["Values"][0]["NumericalMeasureField"]["AggregationFunction"] == {
        "SimpleNumericalAggregation": "SUM"
    }
    assert wells["Colors"][0]["CategoricalDimensionField"]["Column"]["ColumnName"] == "driver_name"
    assert (
        line["ChartConfiguration"]["SortConfiguration"]["CategorySort"][0]["FieldSort"]["Direction"]
        == "ASC"
    )
    group = top_series_filter(visual, REFS["progression"], "one")
    top = group["Filters"][0]["TopBottomFilter"]
    assert top["Limit"] == 5 and top["Column"]["ColumnName"] == "driver_name"
    assert top["AggregationSortConfigurations"][0]["Column"]["ColumnName"] == "points"
    assert group["ScopeConfiguration"]["SelectedSheets"]["SheetVisualScopingConfigurations"] == [
        {"SheetId": "one", "Scope": "SELECTED_VISUALS", "VisualIds": ["prog"]}
    ]


def test_a_bar_visual_clusters_its_measures_and_a_table_lists_its_columns():
    spec = _spec([BAR, TABLE])
    bar_visual, table_visual = spec.sheets[0].visuals
    bar = visual_definition(bar_visual, REFS["wins"])["BarChartVisual"]["ChartConfiguration"]
    wells = bar["FieldWells"]["BarChartAggregatedFieldWells"]
    assert [w["NumericalMeasureField"]["Column"]["ColumnName"] for w in wells["Values"]] == [
        "wins",
        "podiums",
    ]
    assert (
        wells["Category"][0]["CategoricalDimensionField"]["Column"]["ColumnName"] == "driver_name"
    )
    assert bar["BarsArrangement"] == "CLUSTERED"
    table = visual_definition(table_visual, REFS["standings"])["TableVisual"]["ChartConfiguration"]
    values = table["FieldWells"]["TableUnaggregatedFieldWells"]["Values"]
    assert [v["Column"]["ColumnName"] for v in values] == ["position", "driver_name"]
    assert top_series_filter(bar_visual, REFS["wins"], "one") is None


def test_a_column_the_query_does_not_return_is_named():
    spec = _spec([{**TABLE, "columns": ["position", "team"]}])
    with pytest.raises(VisualError, match=r"'tab' reads column 'team'.*'standings'"):
        visual_definition(spec.sheets[0].visuals[0], REFS["standings"])


def test_the_definition_maps_the_parameter_to_every_dataset_that_takes_it():
    spec = _spec([LINE, BAR, TABLE])
    definition = dashboard_definition(spec, REFS, 2024)
    (param,) = definition["ParameterDeclarations"]
    declaration = param["IntegerParameterDeclaration"]
    assert declaration["DefaultValues"] == {"StaticValues": [2024]}
    assert [m["DataSetIdentifier"] for m in declaration["MappedDataSetParameters"]] == [
        "progression", "wins", "standings"
    ]  # fmt: skip
    assert len(definition["FilterGroups"]) == 1
    layout = definition["Sheets"][0]["Layouts"][0]["Configuration"]["GridLayout"]["Elements"]
    assert [e["ElementId"] for e in layout] == ["one-season", "prog", "wins", "tab"]
    without_seasons = {k: v for k, v in REFS.items() if k != "seasons"}
    with pytest.raises(VisualError, match="seasons"):
        dashboard_definition(spec, without_seasons, 2024)


def test_the_repository_spec_maps_onto_the_repository_queries():
    """Every visual of dashboards/season.json reads columns its query returns."""
    files = season_queries(SPEC.parameter.name, SQL_ROOT, BOUND)
    wanted = [q for q in dict.fromkeys([*SPEC.queries(), *SPEC.values_queries()]) if q in files]
    assert set(wanted) == {*SPEC.queries(), *SPEC.values_queries()} - PENDING
    columns = describe_columns([files[q] for q in wanted], "season", 2023)
    refs = {
        q: DatasetRef(q, f"arn:{q}", columns[q], files[q].parameters, BOUND.get(q, {}))
        for q in wanted
    }
    definition = dashboard_definition(SPEC, refs, 2023)
    drawn = [v for v in SPEC.visuals() if v.query not in PENDING]
    assert sum(len(s["Visuals"]) for s in definition["Sheets"]) == len(drawn)
    # A pending visual is left out only because it requires a table; any other gap is named.
    without = {k: v for k, v in refs.items() if k != "driver_career"}
    with pytest.raises(VisualError, match="'driver_career' of visual 'driver_career'"):
        dashboard_definition(SPEC, without, 2023)


def test_a_selector_filters_its_visuals_by_column_and_parameter():
    raw_line = {**LINE, "filter": {"driver_name": "driver"}}
    spec = parse_spec(
        {
            "id": "s",
            "title": "S",
            "parameters": [
                {"name": "season", "type": "integer", "values_query": "seasons"},
                {
                    "name": "driver",
                    "type": "string",
                    "values_query": "standings",
                    "value_column": "driver_name",
                    "optional": True,
                },
            ],
            "sheets": [
                {
                    "id": "one",
                    "title": "One",
                    "controls": ["season", "driver"],
                    "visuals": [raw_line, TABLE],
                },
            ],
        }
    )
    definition = dashboard_definition(spec, REFS, 2024)
    (group,) = [g for g in definition["FilterGroups"] if g["FilterGroupId"] == "prog-driver"]
    custom = group["Filters"][0]["CategoryFilter"]["Configuration"]["CustomFilterConfiguration"]
    assert custom["ParameterName"] == "driver" and custom["SelectAllOptions"] == "FILTER_ALL_VALUES"
    assert group["ScopeConfiguration"]["SelectedSheets"]["SheetVisualScopingConfigurations"] == [
        {"SheetId": "one", "Scope": "SELECTED_VISUALS", "VisualIds": ["prog"]}
    ]
    layout = definition["Sheets"][0]["Layouts"][0]["Configuration"]["GridLayout"]["Elements"]
    assert [e["ElementId"] for e in layout] == ["one-season", "one-driver", "prog", "tab"]
    (_, driver) = definition["ParameterDeclarations"]
    assert driver == {
        "StringParameterDeclaration": {"ParameterValueType": "SINGLE_VALUED", "Name": "driver"}
    }
