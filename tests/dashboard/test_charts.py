"""Shaping query rows for the page: which lines a chart keeps, in what order, with what gaps."""

from __future__ import annotations

import datetime as dt
import decimal
import json

import pandas as pd
import pytest

from f1lake.dashboard.charts import ALL, bar, line, shape, table
from f1lake.dashboard.colours import Span, TeamColours, load_colours
from f1lake.dashboard.data import Rows, frame_rows
from f1lake.dashboard.spec import Visual

PROGRESSION = Visual(
    id="p",
    title="p",
    type="line",
    query="q",
    x="round",
    y=("points",),
    series="driver_name",
    top_series=2,
)


def _rows(columns: tuple[str, ...], *rows: tuple) -> Rows:
    return Rows(columns, tuple(rows))


def test_a_line_chart_keeps_the_top_series_by_their_last_value_in_that_order() -> None:
    # Cee leads after round 2 but was overtaken; Bea joined in round 2; Dee is last.
    rows = _rows(
        ("round", "points", "driver_name"),
        (1, 25.0, "Cee"),
        (1, 18.0, "Ash"),
        (1, 1.0, "Dee"),
        (2, 43.0, "Cee"),
        (2, 36.0, "Ash"),
        (2, 25.0, "Bea"),
        (2, 1.0, "Dee"),
        (10, 50.0, "Bea"),
        (10, 61.0, "Ash"),
        (10, 45.0, "Cee"),
        (10, 2.0, "Dee"),
    )
    shaped = line(PROGRESSION, rows)
    assert shaped["labels"] == [1, 2, 10]  # numeric order, not text order
    assert shaped["datasets"] == [
        {"label": "Ash", "data": [18.0, 36.0, 61.0]},
        {"label": "Bea", "data": [None, 25.0, 50.0]},
    ]


def test_without_a_limit_every_series_is_drawn_and_ties_go_by_name() -> None:
    visual = Visual(**{**PROGRESSION.__dict__, "top_series": None})
    rows = _rows(
        ("round", "points", "driver_name"),
        (1, 10.0, "Zed"),
        (1, 10.0, "Amy"),
        (1, 12.0, "Kim"),
    )
    assert [d["label"] for d in line(visual, rows)["datasets"]] == ["Kim", "Amy", "Zed"]


def test_a_bar_chart_keeps_the_query_order_with_a_dataset_per_measure() -> None:
    visual = Visual(
        id="b", title="b", type="bar", query="q", x="driver_name", y=("wins", "podiums")
    )
    rows = _rows(("driver_name", "wins", "podiums"), ("Ash", 3, 5), ("Bea", 0, 2))
    assert bar(visual, rows) == {
        "labels": ["Ash", "Bea"],
        "datasets": [
            {"label": "Wins", "data": [3, 0]},
            {"label": "Podiums", "data": [5, 2]},
        ],
    }


def test_a_table_shows_the_visual_columns_in_the_visual_order() -> None:
    visual = Visual(id="t", title="t", type="table", query="q", columns=("points", "driver_name"))
    rows = _rows(("driver_name", "points", "extra"), ("Ash", 61.0, "x"), ("Bea", 50.0, "y"))
    assert table(visual, rows) == {
        "columns": ["points", "driver_name"],
        "rows": [[61.0, "Ash"], [50.0, "Bea"]],
    }


def test_query_frames_become_plain_json_values() -> None:
    frame = pd.DataFrame(
        {
            "n": pd.array([1, None], dtype="Int64"),
            "x": [1.5, float("nan")],
            "d": [dt.date(2023, 3, 5), None],
            "m": [decimal.Decimal("2.5"), None],
            "s": ["a", None],
        }
    )
    rows = frame_rows(frame)
    assert rows.rows == ((1, 1.5, "2023-03-05", 2.5, "a"), (None, None, None, None, None))
    json.dumps(rows.rows, allow_nan=False)  # NaN would not be valid JSON


# --- bars of many drivers, filtered parts, team colours -------------------------------------

COLOURS = TeamColours(
    "#999999",
    {
        "mclaren": (Span(1966, 1996, "#ff6600"), Span(1997, 2014, "#aaaaaa")),
        "red_bull": (Span(2005, None, "#1e41ff"),),
    },
)


def test_bars_beyond_the_top_n_are_summed_into_one_others_bar() -> None:
    visual = Visual(id="w", title="w", type="bar", query="q", x="driver_name", y=("wins",), top=2)
    rows = _rows(("driver_name", "wins"), ("Ash", 5), ("Bea", 3), ("Cee", 1), ("Dee", None))
    assert bar(visual, rows) == {
        "labels": ["Ash", "Bea", "Others (2)"],
        "datasets": [{"label": "Wins", "data": [5, 3, 1]}],
    }
    # One row past the top is drawn as itself: an "Others (1)" bar would hide a name for nothing.
    assert bar(visual, _rows(("driver_name", "wins"), *rows.rows[:3]))["labels"] == [
        "Ash",
        "Bea",
        "Cee",
    ]


def test_a_filtered_visual_is_one_part_per_value_and_all_rows_when_the_selector_is_empty() -> None:
    visual = Visual(
        id="c",
        title="c",
        type="table",
        query="q",
        columns=("driver_name", "points"),
        filter=(("round", "race"),),
    )
    rows = _rows(("driver_name", "points", "round"), ("Ash", 25, 1), ("Bea", 18, 1), ("Bea", 25, 2))
    shaped = shape(visual, rows)
    assert shaped == {
        "parts": {
            "1": {"columns": ["driver_name", "points"], "rows": [["Ash", 25], ["Bea", 18]]},
            "2": {"columns": ["driver_name", "points"], "rows": [["Bea", 25]]},
        }
    }
    assert shape(visual, rows, with_all=True)["parts"][ALL]["rows"] == [
        ["Ash", 25],
        ["Bea", 18],
        ["Bea", 25],
    ]


def test_team_colours_follow_the_constructor_and_season_with_a_neutral_default() -> None:
    assert COLOURS.of("mclaren", 1988) == "#ff6600" and COLOURS.of("mclaren", 2008) == "#aaaaaa"
    assert COLOURS.of("mclaren", 2021) == "#999999"  # no span: the default, not a guess
    assert COLOURS.of("mclaren") == "#aaaaaa" and COLOURS.of("minardi", 2000) == "#999999"
    line_visual = Visual(
        id="l", title="l", type="line", query="q", x="round", y=("points",),
        series="driver_name", colour="constructor_id",
    )  # fmt: skip
    rows = _rows(
        ("round", "points", "driver_name", "constructor_id"),
        (1, 10.0, "Ash", "mclaren"),
        (2, 20.0, "Ash", "red_bull"),  # changed team: the colour of his last round
        (1, 5.0, "Bea", "ferrari"),
    )
    painted = shape(line_visual, rows, 2008, COLOURS)
    assert {d["label"]: d["colour"] for d in painted["datasets"]} == {
        "Ash": "#1e41ff",
        "Bea": "#999999",
    }
    table_visual = Visual(
        id="t", title="t", type="table", query="q", columns=("season",), colour="constructor_id"
    )
    career = _rows(("season", "constructor_id"), (1996, "mclaren"), (1997, "mclaren"))
    assert shape(table_visual, career, None, COLOURS)["colours"] == ["#ff6600", "#aaaaaa"]


def test_the_committed_colour_table_loads_and_a_bad_colour_is_named(tmp_path) -> None:
    colours = load_colours()
    assert colours.of("ferrari", 1952) == colours.of("ferrari", 2024) != colours.default
    bad = tmp_path / "colours.json"
    bad.write_text(
        json.dumps({"default": "#999999", "teams": {"lotus": [{"from": 1960, "colour": "green"}]}})
    )
    with pytest.raises(ValueError, match="'lotus' colour 'green' is not #rrggbb"):
        load_colours(bad)
