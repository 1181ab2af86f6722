"""TaskFlow tasks both DAGs share: ingest, await processing, crawl, summary, checks.

Each is a thin call into :mod:`f1lake.pipeline.steps` with credentials from Airflow
connections; :func:`load` wires them after a DAG's own planning task.
"""

from __future__ import annotations

from typing import Any

import pendulum
from airflow.sdk import XComArg, task

from f1lake.pipeline import steps
from f1lake.pipeline.airflow_runtime import (
    ledger_dsn_from_connection,
    run_info,
    settings_from_connections,
)


@task(retries=2, retry_delay=pendulum.duration(minutes=1))
def ingest(endpoint: str, plan: dict[str, Any], **context: Any) -> dict[str, Any]:
    dag_id, run_id = run_info(context)
    return steps.ingest_endpoint(
        settings_from_connections(),
        ledger_dsn_from_connection(),
        endpoint,
        plan,
        steps.RunInfo(dag_id, run_id),
    )


@task
def await_processing(reports: list[dict[str, Any]]) -> dict[str, Any]:
    # reports[:] reads the mapped results in one call (iterating probes past the end).
    return steps.await_processing(
        settings_from_connections(), ledger_dsn_from_connection(), list(reports[:])
    )


@task
def crawl(processed: dict[str, Any]) -> dict[str, Any]:
    return steps.crawl(settings_from_connections())


@task
def summary(plans: Any, reports: list[dict[str, Any]], crawled: dict[str, Any]) -> dict[str, Any]:
    return steps.summarize(plans, list(reports[:]))


@task
def checks(summary: dict[str, Any]) -> dict[str, Any]:
    return steps.run_checks(settings_from_connections(), summary["seasons"])


def load(planned: XComArg, reports: XComArg) -> XComArg:
    """await processing -> crawl -> summary -> checks, after the DAG's mapped ingest tasks."""
    return checks(summary(planned, reports, crawl(await_processing(reports))))
