"""
### f1_latest_results

Scheduled pickup of every newly completed race of the current season.

Each run asks the API which round was run last (one request); when the ledger already holds
every completed race for every endpoint and none is recent enough to be revised, it stops
there. Otherwise it fetches what is missing (per race when that is cheaper than paging the
season): results, sprint, qualifying of the new races, the official standings after the new
last round, and the season's dimensions again; races of the last few days are re-checked for
revised results (a changed payload hash writes a new raw object). Then it waits for the
processor, refreshes the catalog, logs the API requests per endpoint and runs the data-quality
checks (a breach fails the run).
"""

from __future__ import annotations

from typing import Any

import pendulum
from airflow.sdk import dag, task

from f1lake.endpoints import INGESTED
from f1lake.pipeline import steps
from f1lake.pipeline.airflow_runtime import (
    ledger_dsn_from_connection,
    run_info,
    settings_from_connections,
)


@dag(
    dag_id="f1_latest_results",
    schedule="0 */3 * * *",
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    tags=["f1lake", "latest"],
    doc_md=__doc__,
    params={},
)
def f1_latest_results() -> None:
    @task
    def plan() -> dict[str, Any]:
        return steps.plan_latest(settings_from_connections(), ledger_dsn_from_connection())

    @task.short_circuit(ignore_downstream_trigger_rules=True)
    def anything_new(plan: dict[str, Any]) -> bool:
        return not plan["up_to_date"]

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

    @task
    def checks(summary: dict[str, Any]) -> dict[str, Any]:
        return steps.run_checks(settings_from_connections(), summary["seasons"])

    planned = plan()
    gate = anything_new(planned)
    reports = ingest.partial(plan=planned).expand(endpoint=list(INGESTED))
    gate >> reports
    checks(summary(planned, reports, crawl(await_processing(reports))))


dag_object = f1_latest_results()
