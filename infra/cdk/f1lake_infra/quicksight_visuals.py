"""dashboards/season.json -> a QuickSight dashboard Definition (CloudFormation / API JSON).

Pure functions; the one place the spec's visual types map to QuickSight visuals:

- ``line`` -> LineChartVisual: x on the category axis (sorted ascending), each y a line (sum),
  ``series`` as the colour; ``top_series`` N -> a TopBottomFilter on the visual keeping the N
  series with the highest maximum of the first y (for cumulative points: the leaders after the
  last round, as the local dashboard keeps them).
- ``bar`` -> BarChartVisual: x as category, each y a clustered bar (sum), sorted by the first y
  descending, horizontal so driver and cause names stay readable.
- ``table`` -> TableVisual: the columns unaggregated, in order, sorted by the first column.

The spec's first parameter (the season) becomes an integer dashboard parameter mapped to each
dataset's parameter of the same name. The others (race, driver, team) are dashboard parameters
too, mapped to the dataset parameters a visual binds to them (``bind``: lap_positions' round
takes the race), and each the value of a filter on the visuals that name it (``filter``: NumericEqualityFilter or
CategoryFilter on the column; left empty, a filter keeps every row). Each sheet shows a dropdown
per parameter of its ``controls``, listing the values query's column. A visual whose query is
not a dataset because it reads a table the lake's schema lacks yet (``requires``: pit stops,
laps) is left out until the schema has it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from f1lake.dashboard.spec import Dashboard, Parameter, Visual

GRID_COLUMNS = 36
"""QuickSight's grid width; two visuals side by side."""
VISUAL_SPAN = (18, 12)
CONTROL_SPAN = (8, 3)
_NUMERIC = {"INTEGER", "DECIMAL"}

Json = dict[str, Any]


@dataclass(frozen=True)
class DatasetRef:
    identifier: str
    """The dataset's name inside the dashboard (the query name)."""
    arn: str
    columns: Mapping[str, str]
    """Column -> QuickSight type (INTEGER, DECIMAL, STRING, DATETIME, BOOLEAN)."""
    parameters: tuple[str, ...] = ()
    """Dataset parameters it takes (the season, or none, and those bound to a selector)."""
    bound: Mapping[str, str] = field(default_factory=dict)
    """Dataset parameter -> the dashboard parameter (selector) that sets it."""


class VisualError(ValueError):
    """The spec asks for something its query does not return; the message names both."""


def _column(ds: DatasetRef, name: str, visual: Visual) -> Json:
    if name not in ds.columns:
        raise VisualError(
            f"visual {visual.id!r} reads column {name!r}, which query {visual.query!r} does not "
            f"return (it returns: {', '.join(ds.columns)})"
        )
    return {"DataSetIdentifier": ds.identifier, "ColumnName": name}


def _field_id(visual: Visual, role: str, name: str) -> str:
    return f"{visual.id}.{role}.{name}"


def _dimension(ds: DatasetRef, name: str, visual: Visual, role: str) -> Json:
    field = {"FieldId": _field_id(visual, role, name), "Column": _column(ds, name, visual)}
    kind = ds.columns[name]
    if kind in _NUMERIC:
        return {"NumericalDimensionField": field}
    if kind == "DATETIME":
        return {"DateDimensionField": field}
    return {"CategoricalDimensionField": field}


def _measure(ds: DatasetRef, name: str, visual: Visual) -> Json:
    field = {"FieldId": _field_id(visual, "y", name), "Column": _column(ds, name, visual)}
    if ds.columns[name] in _NUMERIC:
        return {
            "NumericalMeasureField": {
                **field,
                "AggregationFunction": {"SimpleNumericalAggregation": "SUM"},
            }
        }
    return {"CategoricalMeasureField": {**field, "AggregationFunction": "COUNT"}}


def _title(text: str) -> Json:
    return {"Visibility": "VISIBLE", "FormatText": {"PlainText": text}}


def _sort(field_id: str, direction: str) -> Json:
    return {"FieldSort": {"FieldId": field_id, "Direction": direction}}


def visual_definition(visual: Visual, ds: DatasetRef) -> Json:
    """Pure: one spec visual -> one QuickSight visual (``{"LineChartVisual": {...}}``, ...)."""
    header = {"VisualId": visual.id, "Title": _title(visual.title)}
    if visual.type == "line":
        x = visual.x or ""
        wells: Json = {
            "Category": [_dimension(ds, x, visual, "x")],
            "Values": [_measure(ds, y, visual) for y in visual.y],
        }
        if visual.series:
            wells["Colors"] = [_dimension(ds, visual.series, visual, "series")]
        return {
            "LineChartVisual": {
                **header,
                "ChartConfiguration": {
                    "FieldWells": {"LineChartAggregatedFieldWells": wells},
                    "SortConfiguration": {
                        "CategorySort": [_sort(_field_id(visual, "x", x), "ASC")]
                    },
                    "Type": "LINE",
                },
            }
        }
    if visual.type == "bar":
        x = visual.x or ""
        return {
            "BarChartVisual": {
                **header,
                "ChartConfiguration": {
                    "FieldWells": {
                        "BarChartAggregatedFieldWells": {
                            "Category": [_dimension(ds, x, visual, "x")],
                            "Values": [_measure(ds, y, visual) for y in visual.y],
                        }
                    },
                    "SortConfiguration": {
                        "CategorySort": [_sort(_field_id(visual, "y", visual.y[0]), "DESC")]
                    },
                    "Orientation": "HORIZONTAL",
                    "BarsArrangement": "CLUSTERED",
                },
            }
        }
    if visual.type == "table":
        values = [
            {"FieldId": _field_id(visual, "column", c), "Column": _column(ds, c, visual)}
            for c in visual.columns
        ]
        first = _field_id(visual, "column", visual.columns[0])
        return {
            "TableVisual": {
                **header,
                "ChartConfiguration": {
                    "FieldWells": {"TableUnaggregatedFieldWells": {"Values": values}},
                    "SortConfiguration": {"RowSort": [_sort(first, "ASC")]},
                },
            }
        }
    raise VisualError(f"visual {visual.id!r}: no QuickSight mapping for type {visual.type!r}")


def _scope(sheet_id: str, visual: Visual) -> Json:
    """A filter group's scope: one visual of one sheet."""
    return {
        "SelectedSheets": {
            "SheetVisualScopingConfigurations": [
                {"SheetId": sheet_id, "Scope": "SELECTED_VISUALS", "VisualIds": [visual.id]}
            ]
        }
    }


def top_series_filter(visual: Visual, ds: DatasetRef, sheet_id: str) -> Json | None:
    """Pure: the filter group that keeps a line visual's top N series, or None."""
    if not (visual.top_series and visual.series):
        return None
    return {
        "FilterGroupId": f"{visual.id}-top-series",
        "CrossDataset": "SINGLE_DATASET",
        "Status": "ENABLED",
        "ScopeConfiguration": _scope(sheet_id, visual),
        "Filters": [
            {
                "TopBottomFilter": {
                    "FilterId": f"{visual.id}-top-{visual.top_series}",
                    "Column": _column(ds, visual.series, visual),
                    "Limit": visual.top_series,
                    "AggregationSortConfigurations": [
                        {
                            "Column": _column(ds, visual.y[0], visual),
                            "SortDirection": "DESC",
                            "AggregationFunction": {
                                "NumericalAggregationFunction": {
                                    "SimpleNumericalAggregation": "MAX"
                                }
                            },
                        }
                    ],
                }
            }
        ],
    }


def parameter_filter(visual: Visual, ds: DatasetRef, sheet_id: str, spec: Dashboard) -> Json | None:
    """Pure: the filter group that shows a filtered visual's rows of the chosen race or driver."""
    if not visual.filter:
        return None
    column, name = visual.filter[0]
    param = spec.param(name)
    ref = _column(ds, column, visual)
    filter_id = f"{visual.id}-{name}"
    if param.type == "integer":
        condition: Json = {
            "NumericEqualityFilter": {
                "FilterId": filter_id,
                "Column": ref,
                "MatchOperator": "EQUALS",
                "ParameterName": name,
                "NullOption": "NON_NULLS_ONLY",
                "SelectAllOptions": "FILTER_ALL_VALUES",
            }
        }
    else:
        condition = {
            "CategoryFilter": {
                "FilterId": filter_id,
                "Column": ref,
                "Configuration": {
                    "CustomFilterConfiguration": {
                        "MatchOperator": "EQUALS",
                        "ParameterName": name,
                        "NullOption": "NON_NULLS_ONLY",
                        "SelectAllOptions": "FILTER_ALL_VALUES",
                    }
                },
            }
        }
    return {
        "FilterGroupId": filter_id,
        "CrossDataset": "SINGLE_DATASET",
        "Status": "ENABLED",
        "ScopeConfiguration": _scope(sheet_id, visual),
        "Filters": [condition],
    }


def _layout(control_ids: list[str], visual_ids: list[str]) -> Json:
    elements = [
        {
            "ElementId": control_id,
            "ElementType": "PARAMETER_CONTROL",
            "ColumnSpan": CONTROL_SPAN[0],
            "RowSpan": CONTROL_SPAN[1],
        }
        for control_id in control_ids
    ]
    elements += [
        {
            "ElementId": vid,
            "ElementType": "VISUAL",
            "ColumnSpan": VISUAL_SPAN[0],
            "RowSpan": VISUAL_SPAN[1],
        }
        for vid in visual_ids
    ]
    return {"Configuration": {"GridLayout": {"Elements": elements}}}


def _control(sheet_id: str, param: Parameter, values: DatasetRef) -> Json:
    column = param.value_field
    if column not in values.columns:
        raise VisualError(
            f"the {param.name!r} selector's values query {param.values_query!r} does not "
            f"return a {column!r} column (it returns: {', '.join(values.columns)})"
        )
    return {
        "Dropdown": {
            "ParameterControlId": f"{sheet_id}-{param.name}",
            "Title": param.label,
            "SourceParameterName": param.name,
            "Type": "SINGLE_SELECT",
            "SelectableValues": {
                "LinkToDataSetColumn": {
                    "DataSetIdentifier": values.identifier,
                    "ColumnName": column,
                }
            },
        }
    }


def _declaration(param: Parameter, used: list[DatasetRef], default_value: int, root: bool) -> Json:
    kind = (
        "IntegerParameterDeclaration" if param.type == "integer" else "StringParameterDeclaration"
    )
    declaration: Json = {"ParameterValueType": "SINGLE_VALUED", "Name": param.name}
    if root:
        declaration["DefaultValues"] = {"StaticValues": [default_value]}
        mapped = [(ds, param.name) for ds in used if param.name in ds.parameters]
    else:
        mapped = [(ds, p) for ds in used for p, name in ds.bound.items() if name == param.name]
    if mapped or root:
        declaration["MappedDataSetParameters"] = [
            {"DataSetIdentifier": ds.identifier, "DataSetParameterName": name}
            for ds, name in mapped
        ]
    return {kind: declaration}


def drawn_visuals(spec: Dashboard, datasets: Mapping[str, DatasetRef]) -> dict[str, list[Visual]]:
    """Per sheet, the visuals QuickSight draws: all but those over a table not yet in the schema."""
    out: dict[str, list[Visual]] = {}
    for sheet in spec.sheets:
        for v in sheet.visuals:
            if v.query not in datasets and not v.requires:
                raise VisualError(f"no dataset for query {v.query!r} of visual {v.id!r}")
        out[sheet.id] = [v for v in sheet.visuals if v.query in datasets]
    return out


def dashboard_definition(
    spec: Dashboard, datasets: Mapping[str, DatasetRef], default_value: int
) -> Json:
    """Pure: the whole Definition of the dashboard (``datasets`` by query name, including the
    selectors' values queries)."""
    root = spec.parameter
    missing = [q for q in spec.values_queries() if q not in datasets]
    if missing:
        raise VisualError(f"no dataset for quer(ies) {', '.join(missing)} of the dashboard")
    values = datasets[root.values_query]
    if root.name not in values.columns:
        raise VisualError(
            f"the parameter's values query {root.values_query!r} does not return a "
            f"{root.name!r} column (it returns: {', '.join(values.columns)})"
        )
    drawn = drawn_visuals(spec, datasets)
    needed = [v.query for sheet in spec.sheets for v in drawn[sheet.id]]
    used = [datasets[q] for q in dict.fromkeys([*needed, *spec.values_queries()])]
    sheets, filter_groups = [], []
    for sheet in spec.sheets:
        visuals = [visual_definition(v, datasets[v.query]) for v in drawn[sheet.id]]
        for v in drawn[sheet.id]:
            for group in (
                top_series_filter(v, datasets[v.query], sheet.id),
                parameter_filter(v, datasets[v.query], sheet.id, spec),
            ):
                if group:
                    filter_groups.append(group)
        controls = [
            _control(sheet.id, spec.param(name), datasets[spec.param(name).values_query])
            for name in sheet.controls
        ]
        sheets.append(
            {
                "SheetId": sheet.id,
                "Name": sheet.title,
                "Title": sheet.title,
                "ParameterControls": controls,
                "Visuals": visuals,
                "Layouts": [
                    _layout(
                        [c["Dropdown"]["ParameterControlId"] for c in controls],
                        [v.id for v in drawn[sheet.id]],
                    )
                ],
            }
        )
    return {
        "DataSetIdentifierDeclarations": [
            {"Identifier": ds.identifier, "DataSetArn": ds.arn} for ds in used
        ],
        "ParameterDeclarations": [
            _declaration(p, used, default_value, root=i == 0) for i, p in enumerate(spec.parameters)
        ],
        "Sheets": sheets,
        "FilterGroups": filter_groups,
        "AnalysisDefaults": {
            "DefaultNewSheetConfiguration": {
                "InteractiveLayoutConfiguration": {
                    "Grid": {
                        "CanvasSizeOptions": {
                            "ScreenCanvasSizeOptions": {"ResizeOption": "RESPONSIVE"}
                        }
                    }
                },
                "SheetContentType": "INTERACTIVE",
            }
        },
    }
