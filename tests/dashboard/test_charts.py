"""Shaping query rows for the page: which lines a chart keeps, in what order, with what gaps."""

from __future__ import annotations

import datetime as dt
import decimal
import json

import pandas as pd

from f1lake.dashboard.charts import bar, line, table
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
