"""TaskFlow tasks both DAGs share: ingest, await processing, crawl, summary, checks.

Each is a thin call into a stage module (:mod:`~f1lake.pipeline.ingest`,
:mod:`~f1lake.pipeline.load`, :mod:`~f1lake.pipeline.report`) with credentials from Airflow
connections; :func:`load` wires them after a DAG's own planning task. The load tasks take the
ingest reports mapped per endpoint (``ingest``) or per season (``ingest_season``, a list each).
"""

from __future__ import annotations

from typing import Any

import pendulum
from airflow.sdk import XComArg, task

from f1lake.pipeline import ingest as ingest_stage
from f1lake.pipeline import load as load_stage
from f1lake.pipeline import report
from f1lake.pipeline.airflow_runtime import (
    ledger_dsn_from_connection,
    run_info,
    settings_from_connections,
)


@task(retries=2, retry_delay=pendulum.duration(minutes=1))
def ingest(endpoint: str, plan: dict[str, Any], **context: Any) -> dict[str, Any]:
    dag_id, run_id = run_info(context)
    return ingest_stage.ingest_endpoint(
        settings_from_connections(),
        ledger_dsn_from_connection(),
        endpoint,
        plan,
        ingest_stage.RunInfo(dag_id, run_id),
    )


@task(retries=2, retry_delay=pendulum.duration(minutes=1))
def ingest_season(plan: dict[str, Any], **context: Any) -> list[dict[str, Any]]:
    """Every endpoint of one season in turn: one task per season, not per (season, endpoint).

    The API's rate limit serialises the requests anyway, and a backfill of the whole history
    as seasons x endpoints spent more time in Airflow's per-task overhead than in its work. A
    retry asks again only for what the ledger does not hold yet.
    """
    dag_id, run_id = run_info(context)
    return ingest_stage.ingest_season(
        settings_from_connections(),
        ledger_dsn_from_connection(),
        plan,
        ingest_stage.RunInfo(dag_id, run_id),
    )


def _flat(reports: Any) -> list[dict[str, Any]]:
    # reports[:] reads the mapped results in one call (iterating probes past the end).
    out: list[dict[str, Any]] = []
    for item in reports[:]:
        out.extend(item if isinstance(item, list) else [item])
    return out


@task
def await_processing(reports: Any) -> dict[str, Any]:
    return load_stage.await_processing(
        settings_from_connections(), ledger_dsn_from_connection(), _flat(reports)
    )


@task
def crawl(processed: dict[str, Any]) -> dict[str, Any]:
    return load_stage.crawl(settings_from_connections())


@task
def summary(plans: Any, reports: Any, crawled: dict[str, Any]) -> dict[str, Any]:
    return report.summarize(plans, _flat(reports))


@task
def checks(summary: dict[str, Any]) -> dict[str, Any]:
    return load_stage.run_checks(settings_from_connections(), summary["seasons"])


def load(planned: XComArg, reports: XComArg) -> XComArg:
    """await processing -> crawl -> summary -> checks, after the DAG's mapped ingest tasks."""
    return checks(summary(planned, reports, crawl(await_processing(reports))))
