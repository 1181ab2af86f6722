"""
### f1_historical_backfill

Manual backfill of one season, a range of seasons, or one race, from the Ergast-compatible API
into the lake.

Params: `season` (required, 1950 to the latest season the API has published), `season_to`
(optional: backfill every season from `season` to it, e.g. 2021 to 2023), `round` (optional,
one race of `season`),
`force` (re-ingest even what the ledger already holds). A second run of the same past season
makes no API request and writes nothing unless `force` is set; with `force` it rewrites the
same rows.

Every endpoint of `f1lake.endpoints.ENDPOINTS` is ingested with its selection: the schedule
(races) of every round of the published calendar, run or still to run (a round's entry is
written again only when it moved), every completed race (results, sprint, qualifying, pit stops from 2011: a round without a sprint is
recorded as such, never asked again; pit stops and laps are asked race by race, as the API serves
them), the official standings after the season's last completed round, and the season's
dimensions (drivers, constructors, circuits, status) once per past season. Season-level requests
page with limit=100, so a season costs about one request per 100 rows plus a handful.

Flow: plan (validate against the API, record the schedule in the ledger) -> ingest, mapped over
seasons (each season's endpoints in turn) -> await the processor (Parquet or quarantine,
recorded in the ledger) -> crawl (catalog tables and partitions) -> summary (API requests per
endpoint) -> checks (data-quality checks; a breach fails the run, listing the failing checks).

`laps` (also ingest lap times, 1996 on: about 10-15 requests a race; the `F1LAKE_INGEST_LAPS`
setting turns them on for every run).
"""

from __future__ import annotations

import pendulum
from airflow.sdk import Param, dag

from f1lake.pipeline import plan_rules
from f1lake.pipeline.tasks import ingest_season, load, plan_backfill

EARLIEST = plan_rules.EARLIEST_SEASON
# No upper bound here: the latest season is the API's (its latest published schedule), never
# this machine's calendar, and a DAG file must not ask the API while it is parsed. The plan
# task checks it first, with the rule `f1lake run` and `f1lake backfill` check before starting.


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
            minimum=EARLIEST,
            description="Season to ingest (1950 to the latest season the API has published).",
        ),
        "season_to": Param(
            None,
            type=["null", "integer"],
            minimum=EARLIEST,
            description="Last season of a range (optional; at least `season`).",
        ),
        "round": Param(
            None, type=["null", "integer"], minimum=1, description="Only this round (optional)."
        ),
        "force": Param(False, type="boolean", description="Re-ingest what the ledger holds."),
        "laps": Param(
            False,
            type="boolean",
            description="Also ingest lap times (1996 on): about 10-15 API requests a race.",
        ),
    },
)
def f1_historical_backfill() -> None:
    planned = plan_backfill()
    # One mapped task per season. The API's rate limit serialises requests whatever the
    # mapping, and seasons x endpoints (760 tasks for the whole history) cost more in Airflow's
    # per-task overhead than the requests themselves.
    reports = ingest_season.expand(plan=planned)
    load(planned, reports)


dag_object = f1_historical_backfill()
