"""Athena SQL run locally on DuckDB over the Glue catalog (see ``engine``), or on Athena
(``engines``); the named queries of ``sql/athena`` (``library``)."""

from __future__ import annotations

from f1lake.query.athena import (
    ParameterError,
    QueryError,
    QuerySyntaxError,
    UnknownTableError,
    execution_parameters,
    to_athena,
)
from f1lake.query.engine import format_table, run_file, run_query
from f1lake.query.library import NamedQuery, UnknownQueryError, find_query, load_library

__all__ = [
    "NamedQuery",
    "ParameterError",
    "QueryError",
    "QuerySyntaxError",
    "UnknownQueryError",
    "UnknownTableError",
    "execution_parameters",
    "find_query",
    "format_table",
    "load_library",
    "run_file",
    "run_query",
    "to_athena",
]
