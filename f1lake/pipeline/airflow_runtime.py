"""Airflow connections -> f1lake settings, so credentials live in Airflow, never in code.

``aws_default`` supplies AWS credentials, region and (locally) the endpoint override in its
extra ``endpoint_url``; the Postgres connection ``f1lake_ledger`` supplies the ledger DSN.
Everything else comes from ``F1LAKE_*`` variables of the worker's environment.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from f1lake.settings import Settings

AWS_CONN_ID = "aws_default"
LEDGER_CONN_ID = "f1lake_ledger"


@contextmanager
def connection_settings(aws_conn_id: str = AWS_CONN_ID) -> Iterator[Settings]:
    """Settings with the connection's region and endpoint; inside the block every AWS call
    (boto3 clients and awswrangler alike, :func:`f1lake.aws.session`) signs with the
    connection's credentials.

    They are the amazon provider's session credentials, handed down as the Lambda's settings
    are (a context variable, not ``os.environ``): an assumed role's are refreshable, so a task
    that waits on the rate limiter past the role's hour renews them instead of failing with
    ExpiredToken, and tasks sharing a process (``dag.test()``) never share them.
    """
    from airflow.providers.amazon.aws.hooks.base_aws import AwsBaseHook
    from airflow.sdk import BaseHook

    from f1lake import aws  # here, not at the top: the DAG files' parse stays light

    conn = BaseHook.get_connection(aws_conn_id)
    extra: dict[str, Any] = conn.extra_dejson
    base = Settings()
    region = extra.get("region_name") or base.aws_region
    endpoint = extra.get("endpoint_url") or base.aws_endpoint_url
    session = AwsBaseHook(aws_conn_id=aws_conn_id, client_type="s3").get_session(region)
    credentials = session.get_credentials()
    if credentials is None:
        raise RuntimeError(f"the Airflow connection {aws_conn_id!r} yields no AWS credentials")
    with aws.using_credentials(credentials):
        yield base.model_copy(update={"aws_region": region, "aws_endpoint_url": endpoint})


def ledger_dsn_from_connection(conn_id: str = LEDGER_CONN_ID) -> str:
    """A libpq DSN from a Postgres connection; ``host`` may be a unix-socket directory."""
    from airflow.sdk import BaseHook
    from psycopg2.extensions import make_dsn

    conn = BaseHook.get_connection(conn_id)
    parts = {
        "host": conn.host,
        "port": conn.port,
        "user": conn.login,
        "password": conn.password,
        "dbname": conn.schema,
    }
    return make_dsn(**{k: v for k, v in parts.items() if v not in (None, "")})


def run_info(context: dict[str, Any]) -> tuple[str | None, str | None]:
    dag_run = context.get("dag_run")
    return (getattr(dag_run, "dag_id", None), getattr(dag_run, "run_id", None))
