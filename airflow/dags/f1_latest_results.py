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
from f1lake.pipeline import plan as plan_stage
from f1lake.pipeline.airflow_runtime import ledger_dsn_from_connection, settings_from_connections
from f1lake.pipeline.tasks import ingest, load


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
    def plan(**context: Any) -> dict[str, Any]:
        # The run's own day anchors the revision window (a scheduled run's is its trigger time).
        when = context.get("logical_date") or context["dag_run"].run_after
        return plan_stage.plan_latest(
            settings_from_connections(), ledger_dsn_from_connection(), today=when.date()
        )

    @task.short_circuit(ignore_downstream_trigger_rules=True)
    def anything_new(plan: dict[str, Any]) -> bool:
        return not plan["up_to_date"]

    planned = plan()
    gate = anything_new(planned)
    reports = ingest.partial(plan=planned).expand(endpoint=list(INGESTED))
    gate >> reports
    load(planned, reports)


dag_object = f1_latest_results()
