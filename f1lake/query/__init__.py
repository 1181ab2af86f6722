"""Athena SQL run locally on DuckDB over the Glue catalog (see ``engine``)."""

from __future__ import annotations

from f1lake.query.athena import ParameterError, QueryError, QuerySyntaxError, UnknownTableError
from f1lake.query.engine import format_table, run_file, run_query

__all__ = [
    "ParameterError",
    "QueryError",
    "QuerySyntaxError",
    "UnknownTableError",
    "format_table",
    "run_file",
    "run_query",
]
