"""The errors of running Athena SQL, on either engine: each message is one line a user can act
on, so the CLI and the console print it as it is."""

from __future__ import annotations


class QueryError(Exception):
    """A query that cannot run; the message says what was wrong."""


class QuerySyntaxError(QueryError):
    """The SQL does not parse as Athena (Trino) SQL."""


class ParameterError(QueryError, ValueError):
    """A parameter is missing, unexpected, or not a value of its declared type."""


class UnknownTableError(QueryError, LookupError):
    """The query names a table that is not in the Glue catalog database."""


def error_of(kind: str, message: str) -> QueryError:
    """The error a query service named (by class) raised again in the client, so a user sees
    the same message and a caller catches the same class as in process."""
    classes = {c.__name__: c for c in (QuerySyntaxError, ParameterError, UnknownTableError)}
    return classes.get(kind, QueryError)(message)
