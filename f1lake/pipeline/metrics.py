"""Pipeline health as CloudWatch custom metrics, published by the DAGs at the end of a run.

The CDK app's dashboard (infra/cdk/f1lake_infra/monitoring.py) graphs these beside AWS's own
metrics; the names live here, once. On the local stack moto accepts them the same way.

Lake freshness is two races, each as ``season * 100 + round`` (2023 round 22 -> 202322, a
number a graph can show and compare): the last race held (per the ledger's schedule) and the
last race whose results are processed into the lake; ``RacesBehind`` counts held races whose
results are not in the lake yet.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from f1lake import aws
from f1lake.pipeline.report import Summary
from f1lake.settings import Settings

log = logging.getLogger(__name__)

NAMESPACE = "f1lake"
DIMENSION = "Lake"
"""Every datum carries ``Lake=<raw bucket>``, so two deployments in one account stay apart."""
INGESTION_RUNS = "IngestionRuns"
API_REQUESTS = "ApiRequests"
LAST_RACE_RUN = "LastRaceRun"
LAST_RACE_IN_LAKE = "LastRaceInLake"
RACES_BEHIND = "RacesBehind"


@dataclass(frozen=True)
class Freshness:
    last_run: tuple[int, int] | None
    """(season, round) of the last race held, per the schedule in the ledger."""
    last_in_lake: tuple[int, int] | None
    """(season, round) of the last race whose results are processed."""
    behind: int
    """Races held whose results are not processed."""


def race_number(race: tuple[int, int] | None) -> int | None:
    return None if race is None else race[0] * 100 + race[1]


def run_metrics(summary: Summary, freshness: Freshness, lake: str) -> list[dict[str, Any]]:
    """Pure: the ``MetricData`` of one finished run."""
    dims = [{"Name": DIMENSION, "Value": lake}]
    values: list[tuple[str, float | None]] = [
        (INGESTION_RUNS, 1),
        (API_REQUESTS, summary["api_requests"]),
        (LAST_RACE_RUN, race_number(freshness.last_run)),
        (LAST_RACE_IN_LAKE, race_number(freshness.last_in_lake)),
        (RACES_BEHIND, freshness.behind),
    ]
    return [
        {"MetricName": name, "Dimensions": dims, "Value": float(value), "Unit": "Count"}
        for name, value in values
        if value is not None
    ]


FRESHNESS_SQL = """
    SELECT (SELECT max(season * 100 + round) FROM processed_races
             WHERE race_date < %(today)s),
           (SELECT max(season * 100 + round) FROM race_ingestions
             WHERE endpoint = 'results' AND state = 'processed'),
           (SELECT count(*) FROM processed_races r
             WHERE r.race_date < %(today)s AND NOT EXISTS (
                   SELECT 1 FROM race_ingestions i
                    WHERE i.season = r.season AND i.round = r.round
                      AND i.endpoint = 'results' AND i.state = 'processed'))
"""


def lake_freshness(ledger_dsn: str, today: datetime | None = None) -> Freshness:
    """The ledger's view of what the lake holds against what has been raced."""
    import psycopg2

    day = (today or datetime.now(UTC)).date()
    conn = psycopg2.connect(ledger_dsn)
    try:
        with conn.cursor() as cur:
            cur.execute(FRESHNESS_SQL, {"today": day})
            last_run, last_in_lake, behind = cur.fetchone()
    finally:
        conn.close()

    def race(n: int | None) -> tuple[int, int] | None:
        return None if n is None else divmod(int(n), 100)

    return Freshness(race(last_run), race(last_in_lake), int(behind))


def publish_run(settings: Settings, ledger_dsn: str, summary: Summary) -> list[dict[str, Any]]:
    """Publish one run's metrics; a failure to publish is logged, never fails the run (the
    data is in the lake either way). Returns what was sent."""
    try:
        data = run_metrics(summary, lake_freshness(ledger_dsn), settings.raw_bucket)
        aws.client("cloudwatch", settings).put_metric_data(Namespace=NAMESPACE, MetricData=data)
    except Exception as exc:
        log.warning("pipeline metrics not published: %s", exc)
        return []
    log.info("published %d pipeline metrics to CloudWatch namespace %s", len(data), NAMESPACE)
    return data
