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
from datetime import date
from pathlib import Path
from typing import Any

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
    ``status`` find the stack through its state file.
    """
    if settings.on_local_stack:
        return settings
    info = running_stack(settings.state_dir.resolve())
    if info is None:
        return settings
    from f1lake.local.moto_server import use_local_aws_credentials

    use_local_aws_credentials()
    return settings.model_copy(
        update={"aws_endpoint_url": info.aws_endpoint_url, "ledger_dsn": info.ledger_dsn}
    )


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
    """Messages waiting in the raw-events queue and in its dead-letter queue."""
    from f1lake import aws
    from f1lake.local.provision import dlq_name

    sqs = aws.client("sqs", settings)
    depths = []
    for name in (settings.queue_name, dlq_name(settings)):
        url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
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
