"""Processed-table schemas: one definition per table drives validation, Parquet, Glue and docs."""

from __future__ import annotations

from f1lake.schema.dictionary import render_data_dictionary, render_table
from f1lake.schema.tables import TABLES, get_table, tables_for_source
from f1lake.schema.types import Column, Table, arrow_type

__all__ = [
    "TABLES",
    "Column",
    "Table",
    "arrow_type",
    "get_table",
    "render_data_dictionary",
    "render_table",
    "tables_for_source",
]
