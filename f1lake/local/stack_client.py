"""Talking to a running local stack: find it, drive its Airflow, stop it, read its status.

``f1lake up`` keeps a stack running with Airflow's components; the other commands find it
through ``<state_dir>/stack.json`` and drive it through Airflow's REST API, as a user does
from the UI. With no stack running, ``backfill`` and ``latest`` bring one up for the run and
stop it after (``dag.test()`` in process), on the same durable state.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from f1lake.local.airflow_api import AirflowApi, DagRun
from f1lake.local.airflow_services import ADMIN_USER, admin_password
from f1lake.local.stack_state import (
    AIRFLOW_DIR,
    StackInfo,
    owner_alive,
    read_info,
    running_stack,
)
from f1lake.settings import Settings

if TYPE_CHECKING:  # the runner's module pulls in the processor: only for the annotation
    from f1lake.catalog.crawl_runs import CrawlRun
    from f1lake.local.lambda_runner import BatchOutcome
    from f1lake.pipeline.metrics import Freshness

BACKFILL_DAG = "f1_historical_backfill"
LATEST_DAG = "f1_latest_results"
DOWN_TIMEOUT_SECONDS = 30.0

Say = Callable[[str], None]


class NoStackError(RuntimeError):
    """The command needs a running local stack and there is none."""


def require_stack(settings: Settings) -> StackInfo:
    info = running_stack(settings.state_dir.resolve())
    if info is None:
        raise NoStackError(
            f"no local stack is running on {settings.state_dir}: start one with `f1lake up`"
        )
    return info


def stack_settings(settings: Settings) -> Settings:
    """``settings`` pointed at the running local stack, when one runs and none is configured.

    A second shell then needs no ``export`` lines: ``f1lake sql``, ``check``, ``dashboard`` and
    ``status`` find the stack through its state file, and ``sql`` and ``dashboard`` its warm
    query service (when the settings name the stack's own endpoint, or none).
    """
    info = running_stack(settings.state_dir.resolve())
    if info is None:
        return settings
    update: dict[str, object] = {}
    if not settings.on_local_stack:
        from f1lake.local.moto_server import use_local_aws_credentials

        use_local_aws_credentials()
        update = {"aws_endpoint_url": info.aws_endpoint_url, "ledger_dsn": info.ledger_dsn}
    same_lake = update or settings.aws_endpoint_url == info.aws_endpoint_url
    if info.query_url and settings.query_url is None and same_lake:
        update["query_url"] = info.query_url
    return settings.model_copy(update=update) if update else settings


def airflow_client(info: StackInfo) -> AirflowApi:
    if not info.airflow_url:
        raise NoStackError("the running stack has no Airflow (started with --no-airflow)")
    home = Path(info.state_dir) / AIRFLOW_DIR
    return AirflowApi(info.airflow_url, info.airflow_user or ADMIN_USER, admin_password(home))


def run_through_airflow(info: StackInfo, dag_id: str, conf: dict[str, Any], say: Say) -> DagRun:
    """Trigger ``dag_id`` on the running scheduler and follow it to the end."""
    api = airflow_client(info)
    run = api.trigger(dag_id, conf)
    say(f"triggered {dag_id} run {run.run_id} on {info.airflow_url}")
    started = time.monotonic()

    def show(states: dict[str, str]) -> None:
        done = sum(1 for s in states.values() if s in ("success", "skipped"))
        failed = [t for t, s in states.items() if s in ("failed", "upstream_failed")]
        running = [t for t, s in states.items() if s == "running"]
        line = f"  {time.monotonic() - started:5.0f} s  {done}/{len(states)} tasks done"
        if running:
            line += f"; running: {', '.join(sorted(running)[:4])}"
        if failed:
            line += f"; failed: {', '.join(sorted(failed))}"
        say(line)

    return api.wait(run, on_change=show)


def serve_forever(stop: threading.Event | None = None) -> None:
    """Block until SIGINT/SIGTERM (they unwind as KeyboardInterrupt/SystemExit)."""
    event = stop or threading.Event()
    try:
        while not event.wait(3600):
            pass
    except KeyboardInterrupt:
        pass


def stop_stack(state_dir: Path, say: Say, timeout: float = DOWN_TIMEOUT_SECONDS) -> bool:
    """Ask the running stack's owner to stop (SIGTERM) and wait until it has; False if none."""
    state_dir = state_dir.resolve()
    info = read_info(state_dir)
    if not owner_alive(state_dir) or info is None:
        return False
    os.kill(info.pid, signal.SIGTERM)
    say(f"stopping the local stack (pid {info.pid}) ...")
    deadline = time.monotonic() + timeout
    while owner_alive(state_dir):
        if time.monotonic() > deadline:
            raise TimeoutError(f"the stack (pid {info.pid}) did not stop in {timeout:.0f} s")
        time.sleep(0.2)
    return True


@dataclass(frozen=True)
class SeasonStatus:
    season: int
    races: int
    """Races of the season's schedule in the ledger."""
    run: int
    """Of those, races whose date has passed."""
    last_run: int | None
    last_in_lake: int | None
    """Last round whose results are processed into the lake."""
    endpoints: int
    pending: int
    failed: int


def season_status(ledger_dsn: str, today: date | None = None) -> list[SeasonStatus]:
    """Per season: races known and run, what the lake holds, what waits or failed."""
    import psycopg2

    today = today or date.today()
    sql = """
        SELECT r.season,
               count(*) AS races,
               count(*) FILTER (WHERE r.race_date < %(today)s) AS run,
               max(r.round) FILTER (WHERE r.race_date < %(today)s) AS last_run,
               (SELECT max(i.round) FROM race_ingestions i
                 WHERE i.season = r.season AND i.endpoint = 'results'
                   AND i.state = 'processed') AS last_in_lake,
               (SELECT count(DISTINCT endpoint) FROM (
                    SELECT endpoint FROM race_ingestions WHERE season = r.season
                    UNION SELECT endpoint FROM season_ingestions WHERE season = r.season) e
               ) AS endpoints,
               (SELECT count(*) FROM (
                    SELECT state FROM race_ingestions WHERE season = r.season
                    UNION ALL SELECT state FROM season_ingestions WHERE season = r.season) s
                 WHERE s.state = 'ingested') AS pending,
               (SELECT count(*) FROM (
                    SELECT state FROM race_ingestions WHERE season = r.season
                    UNION ALL SELECT state FROM season_ingestions WHERE season = r.season) s
                 WHERE s.state = 'failed') AS failed
          FROM processed_races r
         GROUP BY r.season
         ORDER BY r.season
    """
    with psycopg2.connect(ledger_dsn) as conn, conn.cursor() as cur:
        cur.execute(sql, {"today": today})
        rows = cur.fetchall()
    conn.close()
    return [SeasonStatus(*row) for row in rows]


def queue_depths(settings: Settings) -> tuple[int, int]:
    """Messages waiting in the raw-events queue and in its dead-letter queue (the one its
    redrive policy names, as on AWS)."""
    from f1lake import aws
    from f1lake.topology import dead_letter_route

    sqs = aws.client("sqs", settings)
    route = dead_letter_route(sqs, settings.queue_name)
    depths = []
    for url in (route.queue_url, route.dlq_url):
        attrs = sqs.get_queue_attributes(
            QueueUrl=url,
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
        depths.append(
            int(attrs["ApproximateNumberOfMessages"])
            + int(attrs["ApproximateNumberOfMessagesNotVisible"])
        )
    return depths[0], depths[1]


def format_status(rows: list[SeasonStatus]) -> str:
    from tabulate import tabulate

    if not rows:
        return "the lake holds no season yet: load one (f1lake backfill --season S)"
    table = [
        [
            r.season,
            r.races,
            r.run,
            r.last_run if r.last_run is not None else "-",
            r.last_in_lake if r.last_in_lake is not None else "-",
            r.endpoints,
            r.pending,
            r.failed,
        ]
        for r in rows
    ]
    headers = [
        "season",
        "races",
        "run",
        "last run",
        "last in lake",
        "endpoints",
        "pending",
        "failed",
    ]
    return tabulate(table, headers=headers, tablefmt="simple")


INGESTION_WINDOW = timedelta(hours=24)
"""How far back ``f1lake status`` counts ingestion and crawler runs (the dashboard's day)."""
LAST_HOUR = timedelta(hours=1)
"""The dashboard's period: its latest point is the last hour's figure."""


@dataclass(frozen=True)
class PipelineHealth:
    """The figures of the AWS dashboard (infra/cdk monitoring), read from the local stack."""

    ingestion_runs: int
    """DAG runs that ingested something within :data:`INGESTION_WINDOW` (the ledger)."""
    ingestion_requests: int
    """API requests those runs used (the ledger records them per endpoint and season)."""
    requests_last_hour: int
    """API requests of the last hour (the shared rate limiter's log)."""
    processor: BatchOutcome | None
    """The Lambda runner's invocations, errors and duration since the stack started."""
    waiting: int
    dead_lettered: int
    quarantined: int
    crawls_day: tuple[int, int]
    """(succeeded, failed) crawler runs within :data:`INGESTION_WINDOW` (the run history)."""
    crawls_last_hour: tuple[int, int]
    crawl_last_failure: CrawlRun | None
    """The last failed crawl, with its reason, however long ago."""
    catalog_changed: datetime | None
    """When the catalog last changed (the crawler's last run that changed something)."""
    catalog_tables: int
    freshness: Freshness
    """Last race run against the last race in the lake: the DAGs' published figure."""


def ingestion_runs(ledger_dsn: str, since: datetime) -> tuple[int, int]:
    """(runs, API requests) of the DAG runs that ingested something since ``since``."""
    import psycopg2

    sql = """
        SELECT count(DISTINCT dag_run_id), coalesce(sum(requests), 0)
          FROM (SELECT dag_run_id, endpoint, season, max(requests) AS requests
                  FROM (SELECT dag_run_id, endpoint, season, requests, ingested_at
                          FROM race_ingestions
                        UNION ALL
                        SELECT dag_run_id, endpoint, season, requests, ingested_at
                          FROM season_ingestions) i
                 WHERE ingested_at >= %(since)s AND dag_run_id IS NOT NULL
                 GROUP BY dag_run_id, endpoint, season) per_call
    """
    with psycopg2.connect(ledger_dsn) as conn, conn.cursor() as cur:
        cur.execute(sql, {"since": since})
        runs, requests = cur.fetchone()
    conn.close()
    return int(runs), int(requests)


def quarantined(settings: Settings) -> int:
    """Quarantine records: raw objects the processor rejected."""
    from f1lake.keys import QUARANTINE_SUFFIX
    from f1lake.processing.s3_objects import S3Objects

    keys = S3Objects(settings).keys(settings.quarantine_bucket)
    return sum(k.endswith(QUARANTINE_SUFFIX) for k in keys)


def catalog_state(settings: Settings) -> tuple[datetime | None, int]:
    """(newest table update, tables) of the Glue database: what the crawler last did."""
    from f1lake import aws

    glue = aws.client("glue", settings)
    tables = [
        t
        for page in glue.get_paginator("get_tables").paginate(DatabaseName=settings.glue_database)
        for t in page["TableList"]
        if t.get("TableType") != "VIRTUAL_VIEW"
    ]
    times = [t[k] for t in tables for k in ("UpdateTime", "CreateTime") if t.get(k)]
    return (max(times) if times else None), len(tables)


def pipeline_health(
    settings: Settings, ledger_dsn: str, now: datetime | None = None
) -> PipelineHealth:
    """Every figure of :class:`PipelineHealth` from the running stack (``settings`` live)."""
    from f1lake.catalog.crawl_runs import read_runs
    from f1lake.local.run_progress import requests_used
    from f1lake.local.runner_service import read_stats
    from f1lake.pipeline.metrics import lake_freshness

    now = now or datetime.now(UTC)
    runs, requests = ingestion_runs(ledger_dsn, now - INGESTION_WINDOW)
    waiting, dead = queue_depths(settings)
    changed, tables = catalog_state(settings)
    crawls = read_runs(settings.state_dir)
    return PipelineHealth(
        ingestion_runs=runs,
        ingestion_requests=requests,
        requests_last_hour=requests_used(settings),
        processor=read_stats(settings),
        waiting=waiting,
        dead_lettered=dead,
        quarantined=quarantined(settings),
        crawls_day=crawls.within(now - INGESTION_WINDOW, now),
        crawls_last_hour=crawls.within(now - LAST_HOUR, now),
        crawl_last_failure=crawls.last_failure,
        catalog_changed=changed,
        catalog_tables=tables,
        freshness=lake_freshness(ledger_dsn, now),
    )


def _utc(when: datetime) -> str:
    return f"{when.astimezone(UTC):%Y-%m-%d %H:%M} UTC"


def _race(race: tuple[int, int] | None) -> str:
    return f"{race[0]} round {race[1]}" if race else "none"


def format_health(h: PipelineHealth) -> str:
    """The pipeline's health in the AWS dashboard's terms, one line per widget."""
    hours = int(INGESTION_WINDOW.total_seconds() // 3600)
    lines = [
        f"ingestion: {h.ingestion_runs} run(s) in the last {hours} h used "
        f"{h.ingestion_requests} API request(s); {h.requests_last_hour} in the last hour",
    ]
    p = h.processor
    if p is None:
        lines.append("processor: no invocation since the stack started")
    else:
        mean = p.handler_seconds / p.batches if p.batches else 0.0
        lines.append(
            f"processor: {p.batches} invocation(s), {p.failed} error(s) "
            f"(of {p.received} message(s)), {mean:.2f} s mean duration, since the stack started"
        )
    lines.append(
        f"queues: {h.waiting} waiting, {h.dead_lettered} dead-lettered (f1lake redrive sends "
        f"them back); {h.quarantined} object(s) quarantined"
    )
    (day_ok, day_failed), (hour_ok, hour_failed) = h.crawls_day, h.crawls_last_hour
    changed = h.catalog_changed
    lines.append(
        f"crawler: {day_ok} run(s) succeeded and {day_failed} failed in the last {hours} h, "
        f"{hour_ok} and {hour_failed} in the last hour; {h.catalog_tables} table(s) in the "
        "catalog, " + (f"last changed {_utc(changed)}" if changed else "never changed")
    )
    if h.crawl_last_failure is not None:
        failure = h.crawl_last_failure
        lines.append(f"crawler: last failure {_utc(failure.finished)}: {failure.reason}")
    f = h.freshness
    lines.append(
        f"lake freshness: last race in the lake {_race(f.last_in_lake)}, "
        f"last race run {_race(f.last_run)}, {f.behind} race(s) behind"
    )
    return "\n".join(lines)
