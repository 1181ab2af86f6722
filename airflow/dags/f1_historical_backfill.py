"""
### f1_historical_backfill

Manual backfill of one season (or one race) from the Ergast-compatible API into the lake.

Params: `season` (required, 1950 to the current season), `round` (optional, one race),
`force` (re-ingest even what the ledger already holds). A second run of the same season fetches
nothing and writes nothing unless `force` is set; with `force` it rewrites the same rows.

Flow: plan (validate against the API, record the schedule in the ledger) -> ingest each endpoint
(season-level pages, one raw object per race) -> await the processor (Parquet or quarantine,
recorded in the ledger) -> crawl (catalog tables and partitions) -> summary (API requests used).
"""

from __future__ import annotations

from typing import Any

import pendulum
from airflow.sdk import Param, dag, task

from f1lake.endpoints import INGESTED
from f1lake.pipeline import steps
from f1lake.pipeline.airflow_runtime import (
    ledger_dsn_from_connection,
    run_info,
    settings_from_connections,
)

CURRENT_SEASON = pendulum.now("UTC").year


@dag(
    dag_id="f1_historical_backfill",
    schedule=None,
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    tags=["f1lake", "backfill"],
    doc_md=__doc__,
    params={
        "season": Param(
            type="integer",
            minimum=1950,
            maximum=CURRENT_SEASON,
            description="Season to ingest (1950 to the current season).",
        ),
        "round": Param(
            None, type=["null", "integer"], minimum=1, description="Only this round (optional)."
        ),
        "force": Param(False, type="boolean", description="Re-ingest what the ledger holds."),
    },
)
def f1_historical_backfill() -> None:
    @task
    def plan(**context: Any) -> dict[str, Any]:
        p = context["params"]
        return steps.plan_backfill(
            settings_from_connections(),
            ledger_dsn_from_connection(),
            int(p["season"]),
            p.get("round"),
            bool(p.get("force")),
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
        return steps.await_processing(
            settings_from_connections(), ledger_dsn_from_connection(), list(reports[:])
        )

    @task
    def crawl(processed: dict[str, Any]) -> dict[str, Any]:
        return steps.crawl(settings_from_connections())

    @task
    def summary(
        plan: dict[str, Any], reports: list[dict[str, Any]], crawled: dict[str, Any]
    ) -> dict[str, Any]:
        return steps.summarize(plan, list(reports[:]))

    planned = plan()
    reports = ingest.partial(plan=planned).expand(endpoint=list(INGESTED))
    summary(planned, reports, crawl(await_processing(reports)))


dag_object = f1_historical_backfill()
