"""The TaskFlow layer both DAGs share: plan, ingest, await processing, crawl, summary, checks.

Each task is a thin call into a stage module (:mod:`~f1lake.pipeline.plan`,
:mod:`~f1lake.pipeline.ingest`, :mod:`~f1lake.pipeline.load`, :mod:`~f1lake.pipeline.report`)
with credentials from Airflow connections. This is the one layer where the stages' typed
contracts become XCom and come back (through the codec in :mod:`~f1lake.pipeline.contracts`);
the stages never see a dict. :func:`load` wires the tasks after a DAG's planning; the load
tasks take the ingest reports mapped per endpoint (``ingest``) or per season
(``ingest_season``, a list each).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pendulum
from airflow.sdk import XComArg, task
from airflow.sdk.exceptions import AirflowFailException

from f1lake.pipeline import ingest as ingest_stage
from f1lake.pipeline import load as load_stage
from f1lake.pipeline import metrics, report
from f1lake.pipeline import plan as plan_stage
from f1lake.pipeline import verify as verify_stage
from f1lake.pipeline.airflow_runtime import (
    connection_settings,
    ledger_dsn_from_connection,
    run_info,
)
from f1lake.pipeline.contracts import (
    IngestReport,
    Plan,
    XCom,
    plan_from_xcom,
    report_from_xcom,
    to_xcom,
)
from f1lake.pipeline.plan_rules import PlanError


def _plans(data: XCom | list[XCom]) -> list[Plan]:
    """The planning task's XCom: one plan (the latest DAG) or one per season (the backfill)."""
    return [plan_from_xcom(p) for p in ([data] if isinstance(data, Mapping) else data)]


def _reports(mapped: Any) -> list[IngestReport]:
    # mapped[:] reads the mapped results in one call (iterating probes past the end).
    out: list[IngestReport] = []
    for item in mapped[:]:
        out.extend(report_from_xcom(r) for r in (item if isinstance(item, list) else [item]))
    return out


@task(task_id="plan")
def plan_backfill(**context: Any) -> list[XCom]:
    p = context["params"]
    try:
        with connection_settings() as settings:
            plans = plan_stage.plan_backfill(
                settings,
                ledger_dsn_from_connection(),
                int(p["season"]),
                p.get("round"),
                bool(p.get("force")),
                p.get("season_to"),
                laps=bool(p.get("laps")),
            )
    except PlanError as exc:
        # A request the source cannot serve: fail at once with its message, never retried.
        raise AirflowFailException(str(exc)) from None
    return [to_xcom(plan) for plan in plans]


@task(task_id="plan")
def plan_latest(**context: Any) -> XCom:
    # The run's own day anchors the revision window (a scheduled run's is its trigger time).
    when = context.get("logical_date") or context["dag_run"].run_after
    days = context["params"].get("revision_days")
    with connection_settings() as settings:
        plan = plan_stage.plan_latest(
            settings,
            ledger_dsn_from_connection(),
            revision_days=None if days is None else int(days),
            today=when.date(),
        )
    return to_xcom(plan)


@task(task_id="plan")
def plan_verify(**context: Any) -> list[XCom]:
    p = context["params"]
    plans = verify_stage.plan_verify(
        ledger_dsn_from_connection(), p.get("season"), p.get("season_to")
    )
    return [to_xcom(plan) for plan in plans]


@task(retries=2, retry_delay=pendulum.duration(minutes=1))
def verify_season(plan: XCom, **context: Any) -> list[XCom]:
    """One season's standings compared by hash; its results again only when they changed."""
    dag_id, run_id = run_info(context)
    with connection_settings() as settings:
        reports = verify_stage.verify_season(
            settings,
            ledger_dsn_from_connection(),
            plan_from_xcom(plan),
            ingest_stage.RunInfo(dag_id, run_id),
        )
    return [to_xcom(r) for r in reports]


@task.short_circuit(ignore_downstream_trigger_rules=True)
def anything_new(plan: XCom) -> bool:
    return not plan_from_xcom(plan).up_to_date


@task(retries=2, retry_delay=pendulum.duration(minutes=1))
def ingest(endpoint: str, plan: XCom, **context: Any) -> XCom:
    dag_id, run_id = run_info(context)
    with connection_settings() as settings:
        report = ingest_stage.ingest_endpoint(
            settings,
            ledger_dsn_from_connection(),
            endpoint,
            plan_from_xcom(plan),
            ingest_stage.RunInfo(dag_id, run_id),
        )
    return to_xcom(report)


@task(retries=2, retry_delay=pendulum.duration(minutes=1))
def ingest_season(plan: XCom, **context: Any) -> list[XCom]:
    """Every endpoint of one season in turn: one task per season, not per (season, endpoint).

    The API's rate limit serialises the requests anyway, and a backfill of the whole history
    as seasons x endpoints spent more time in Airflow's per-task overhead than in its work. A
    retry asks again only for what the ledger does not hold yet.
    """
    dag_id, run_id = run_info(context)
    with connection_settings() as settings:
        reports = ingest_stage.ingest_season(
            settings,
            ledger_dsn_from_connection(),
            plan_from_xcom(plan),
            ingest_stage.RunInfo(dag_id, run_id),
        )
    return [to_xcom(r) for r in reports]


@task
def await_processing(reports: Any) -> dict[str, Any]:
    with connection_settings() as settings:
        return load_stage.await_processing(
            settings, ledger_dsn_from_connection(), _reports(reports)
        )


@task
def crawl(processed: dict[str, Any]) -> dict[str, Any]:
    with connection_settings() as settings:
        return load_stage.crawl(settings)


@task
def summary(plans: Any, reports: Any, crawled: dict[str, Any]) -> report.Summary:
    result = report.summarize(_plans(plans), _reports(reports))
    with connection_settings() as settings:
        metrics.publish_run(settings, ledger_dsn_from_connection(), result)
    return result


@task
def checks(summary: report.Summary) -> dict[str, Any]:
    with connection_settings() as settings:
        return load_stage.run_checks(settings, summary["seasons"], ledger_dsn_from_connection())


def load(planned: XComArg, reports: XComArg) -> XComArg:
    """await processing -> crawl -> summary -> checks, after the DAG's mapped ingest tasks."""
    return checks(summary(planned, reports, crawl(await_processing(reports))))
