"""Where Athena SQL runs: the ``Engine`` protocol every caller goes through (``f1lake sql``, the
console, the data-quality checks, the dashboards), the Athena engine, and the choice between it
and the local engine (``local``: DuckDB over the Glue catalog).

Both take the same text (``:name`` parameters, declared by ``-- @param`` lines) and the same
values; the local engine binds them as literals, Athena receives its native form (``?`` and
``ExecutionParameters``). ``F1LAKE_SQL_ENGINE`` (or ``--engine``) chooses.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

import pandas as pd

from f1lake.query.dialect import execution_parameters
from f1lake.query.errors import QueryError
from f1lake.query.local import LocalEngine
from f1lake.query.params import parse_params
from f1lake.settings import SQL_ENGINES, Settings


class Engine(Protocol):
    """What runs Athena SQL: a query with its parameters, the names a query can use, a table's
    columns; ``close`` frees what the engine holds (the local engine's DuckDB tables)."""

    name: str

    def run(self, sql: str, params: Mapping[str, object] | None = None) -> pd.DataFrame: ...

    def tables(self) -> dict[str, str]: ...

    def describe(self, name: str) -> pd.DataFrame: ...

    def close(self) -> None: ...


def athena_request(
    settings: Settings, sql: str, params: Mapping[str, object] | None = None
) -> dict[str, Any]:
    """The arguments of ``wr.athena.read_sql_query`` for one query: the native ``?`` text and
    its execution parameters (checked literals, in order), the workgroup and database."""
    native, values = execution_parameters(sql, params, parse_params(sql))
    request: dict[str, Any] = {
        "sql": native,
        "database": settings.glue_database,
        "workgroup": settings.athena_workgroup,
        # Plain results (no CTAS): an analyst's query must not need rights to create tables.
        "ctas_approach": False,
    }
    if values:
        request.update(params=values, paramstyle="qmark")
    return request


class AthenaEngine:
    """Real Athena through awswrangler, with the workgroup and database of the settings."""

    name = "athena"

    def __init__(self, settings: Settings) -> None:
        import awswrangler as wr

        from f1lake.aws import configure_wrangler, session

        self.settings = settings
        configure_wrangler(settings)
        wr.config.athena_endpoint_url = settings.aws_endpoint_url
        self.boto3_session = session(settings)

    def run(self, sql: str, params: Mapping[str, object] | None = None) -> pd.DataFrame:
        import awswrangler as wr

        request = athena_request(self.settings, sql, params)
        return _aws_call(
            lambda: wr.athena.read_sql_query(**request, boto3_session=self.boto3_session)
        )

    def tables(self) -> dict[str, str]:
        import awswrangler as wr

        df = _aws_call(
            lambda: wr.catalog.tables(
                database=self.settings.glue_database,
                limit=None,
                boto3_session=self.boto3_session,
            )
        )
        kinds = {"VIRTUAL_VIEW": "view"}
        types = df["TableType"] if "TableType" in df else ["table"] * len(df)
        return dict(
            sorted((n, kinds.get(t, "table")) for n, t in zip(df["Table"], types, strict=True))
        )

    def describe(self, name: str) -> pd.DataFrame:
        import awswrangler as wr

        df = _aws_call(
            lambda: wr.catalog.table(
                database=self.settings.glue_database,
                table=name,
                boto3_session=self.boto3_session,
            )
        )
        return df.rename(columns={"Column Name": "column", "Type": "type"})[["column", "type"]]

    def close(self) -> None:
        pass


def _aws_call(call: Any) -> Any:
    """Run one AWS call; its failure (query failed, no such table, no credentials, endpoint
    unreachable) becomes a one-line QueryError naming Athena."""
    try:
        return call()
    except QueryError:
        raise
    except Exception as exc:  # the edge we do not own: boto, awswrangler
        text = " ".join(str(exc).split()) or type(exc).__name__
        raise QueryError(f"athena: {type(exc).__name__}: {text}") from None


def choose_engine(settings: Settings, name: str | None = None) -> str:
    """The engine to use: the explicit choice, else ``F1LAKE_SQL_ENGINE``."""
    chosen = (name or settings.sql_engine).lower()
    if chosen not in SQL_ENGINES:
        raise QueryError(f"unknown SQL engine {chosen!r}; engines: {', '.join(SQL_ENGINES)}")
    return chosen


def open_engine(settings: Settings, name: str | None = None) -> Engine:
    """The chosen engine, open; the local one needs a running local stack to read."""
    if choose_engine(settings, name) == "athena":
        return AthenaEngine(settings)
    if not settings.on_local_stack:
        raise QueryError(
            "no local lake to query: set F1LAKE_AWS_ENDPOINT_URL to a running local stack "
            "(see `f1lake up`), or use the athena engine (--engine athena)"
        )
    return LocalEngine(settings)


def session_engine(settings: Settings, name: str | None = None) -> Engine:
    """The engine of an interactive session or a dashboard: the local stack's warm query
    service when it runs one for this lake (tables already loaded), else ``open_engine``'s."""
    from f1lake.query.remote import RemoteEngine, service_client

    client = service_client(settings, name)
    if client is not None and client.serves():
        return RemoteEngine(client)
    return open_engine(settings, name)
