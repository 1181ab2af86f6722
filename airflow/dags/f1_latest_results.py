"""
### f1_latest_results

Scheduled pickup of every newly completed race of the current season: the latest season the
API has published with a race run (between seasons, the one before the new calendar).

Each run asks the API for its season list (one request) and, when a race dated before the
run's day is missing from the ledger, which rounds have results (one more: a round counts once
its date has passed and its results are in; when a new round's results are in, the calendar is
read again, one more request: a round added or moved since is written to the schedule, a
cancelled one named in the log); when the ledger already holds every completed
race for every endpoint and none is recent enough to be revised, it stops there. Otherwise it fetches what is missing (per race when that is cheaper than paging the
season): results, sprint, qualifying of the new races, the official standings after the new
last round, and the season's dimensions again; races of the last few days are re-checked for
revised results (a changed payload hash writes a new raw object): the `revision_days` param,
default the setting `F1LAKE_REVISION_WINDOW_DAYS` (3); later revisions are found by
`f1_verify_results`. Then it waits for the
processor, refreshes the catalog, logs the API requests per endpoint and runs the data-quality
checks (a breach fails the run).

Pit stops of the new races are fetched race by race; lap times too with the `F1LAKE_INGEST_LAPS`
setting.
"""

from __future__ import annotations

import pendulum
from airflow.sdk import Param, dag

from f1lake.endpoints import ENDPOINTS
from f1lake.pipeline.tasks import anything_new, ingest, load, plan_latest


@dag(
    dag_id="f1_latest_results",
    schedule="0 */3 * * *",
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    tags=["f1lake", "latest"],
    doc_md=__doc__,
    params={
        "revision_days": Param(
            None,
            type=["null", "integer"],
            minimum=0,
            description="Re-fetch races run this many days before the run date (default: the "
            "F1LAKE_REVISION_WINDOW_DAYS setting, 3).",
        )
    },
)
def f1_latest_results() -> None:
    planned = plan_latest()
    gate = anything_new(planned)
    reports = ingest.partial(plan=planned).expand(endpoint=list(ENDPOINTS))
    gate >> reports
    load(planned, reports)


dag_object = f1_latest_results()
