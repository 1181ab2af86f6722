"""Athena SQL: its dialect (``dialect``), run locally on DuckDB over the Glue catalog
(``local``) or on Athena, both behind one ``Engine`` (``engines``); the named queries of
``sql/athena`` (``library``) and their text output (``output``)."""

from __future__ import annotations

from f1lake.query.dialect import execution_parameters, to_athena
from f1lake.query.errors import ParameterError, QueryError, QuerySyntaxError, UnknownTableError
from f1lake.query.library import NamedQuery, UnknownQueryError, find_query, load_library
from f1lake.query.local import run_file, run_query
from f1lake.query.output import format_table

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
