"""The daily loop's commands on the local stack: ``up``, ``backfill``, ``latest``, ``status``.

Each is the orchestration behind one CLI command, kept here so the CLI stays a thin layer of
options. A command that needs Airflow uses the running stack's scheduler when ``f1lake up``
runs, and otherwise brings a stack up for the one run (``dag.test()`` in process) on the same
durable state.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

from f1lake.local.run_progress import RunProgress, laps_of, seasons_of
from f1lake.local.stack import LocalStack, local_stack
from f1lake.local.stack_client import (
    BACKFILL_DAG,
    LATEST_DAG,
    format_health,
    format_status,
    pipeline_health,
    require_stack,
    run_through_airflow,
    running_stack,
    season_status,
    serve_forever,
)
from f1lake.local.stack_state import StackInfo
from f1lake.settings import Settings
from f1lake.source import Source, resolve_source

__all__ = [
    "BACKFILL_DAG",
    "LATEST_DAG",
    "one_shot_stack",
    "print_status",
    "run_dag_command",
    "serve_stack",
    "source_settings",
]

Say = Callable[[str], None]


def source_settings(
    settings: Settings,
    csv_dir: Path | None,
    api_url: str | None,
    say: Say,
    source: Source | None = None,
) -> tuple[Settings, Source]:
    """Resolve where Ergast data comes from (unless the caller has: ``source``, said already),
    say so, and point the settings at it."""
    if source is None:
        source = resolve_source(settings, csv_dir, api_url)
        say(f"source: {source.note}")
    if source.api_base_url:
        settings = settings.model_copy(update={"api_base_url": source.api_base_url})
    if source.kind == "replay" and "F1LAKE_RATE_LIMIT_PER_HOUR" not in os.environ:
        # Jolpica's hourly budget protects a shared server; the replay is ours, on loopback.
        hourly = settings.rate_limit_per_second * 3600
        settings = settings.model_copy(update={"rate_limit_per_hour": hourly})
        say(
            f"replay is local: hourly request limit lifted to {hourly} "
            f"(the burst limit stays {settings.rate_limit_per_second}/s)"
        )
    return settings, source


@contextmanager
def watch_run(
    settings: Settings, info: StackInfo, conf: dict[str, Any], say: Say
) -> Iterator[RunProgress]:
    """Progress of a run on the running stack, paced by the stack's own limits."""
    per_second, per_hour = info.rate_limits
    paced = settings.model_copy(
        update={
            "rate_limit_per_second": per_second,
            "rate_limit_per_hour": per_hour,
            "state_dir": Path(info.state_dir),
        }
    )
    today = date.fromisoformat(info.today) if info.today else None
    seasons, laps = seasons_of(conf), laps_of(conf)
    with RunProgress(paced, info.ledger_dsn, seasons, say, today=today, laps=laps) as progress:
        yield progress


def _say_start(stack: LocalStack, say: Say) -> None:
    for note in stack.notes:
        say(note)
    if stack.reconciled is not None and not stack.reconciled.clean:
        say(f"ledger vs lake: {stack.reconciled.summary()}")


@contextmanager
def one_shot_stack(
    settings: Settings,
    source: Source,
    today: date | None,
    say: Say,
    airflow_home: Path | None = None,
) -> Iterator[LocalStack]:
    """A stack for one in-process DAG run, its Airflow environment applied; the process's
    environment as it was once the block ends (the next stack gets its own settings)."""
    from f1lake.local.airflow_runner import apply_environment, restored_environ

    with (
        restored_environ(),
        local_stack(
            settings, csv_dir=source.csv_dir, today=today, airflow_home=airflow_home
        ) as stack,
    ):
        _say_start(stack, say)
        apply_environment({**stack.airflow_env, "AIRFLOW__LOGGING__LOGGING_LEVEL": "WARNING"})
        yield stack


def run_dag_command(
    settings: Settings,
    dag_id: str,
    conf: dict[str, Any],
    csv_dir: Path | None,
    api_url: str | None,
    today: date | None,
    say: Say,
    source: Source | None = None,
) -> bool:
    """Run ``dag_id`` once; True when it succeeded. ``source``: resolved (and said) already."""
    info = running_stack(settings.state_dir.resolve())
    if info is not None and info.airflow_url:
        if csv_dir or api_url or today:
            say("note: the running stack keeps its own source; --csv-dir/--api-url/--today ignored")
        with watch_run(settings, info, conf, say):
            run = run_through_airflow(info, dag_id, conf, say)
        say(f"{dag_id} run {run.run_id}: {run.state}")
        return run.state == "success"
    from f1lake.local.airflow_runner import run_dag

    settings, source = source_settings(settings, csv_dir, api_url, say, source)
    with one_shot_stack(settings, source, today, say) as stack:
        say(f"running {dag_id} in process (no `f1lake up` is running) ...")
        seasons, laps = seasons_of(conf), laps_of(conf)
        with RunProgress(stack.settings, stack.ledger_dsn, seasons, say, today=today, laps=laps):
            result = run_dag(dag_id, conf)
    say(f"{dag_id} run {result.run_id}: {result.state}")
    return result.succeeded


def serve_stack(
    settings: Settings,
    seasons: tuple[int, ...],
    csv_dir: Path | None,
    api_url: str | None,
    today: date | None,
    with_airflow: bool,
    say: Say,
    source: Source | None = None,
) -> None:
    """``f1lake up``: start the stack, backfill ``seasons``, serve until told to stop.

    ``source``: resolved (and said) by the caller, which checked ``seasons`` against it."""
    settings, source = source_settings(settings, csv_dir, api_url, say, source)
    with local_stack(
        settings,
        csv_dir=source.csv_dir,
        today=today,
        services=with_airflow,
        query_service=True,
        say=say,
    ) as stack:
        _say_start(stack, say)
        info = require_stack(settings)
        live = stack.settings
        say("local stack is up:")
        say(f"  lake       {live.state_dir} (survives stop and start; f1lake status)")
        say(f"  AWS APIs   {live.aws_endpoint_url} (moto: S3, SQS, Glue)")
        say(f"  API        {live.api_base_url}")
        if stack.airflow is not None:
            say(
                f"  Airflow    {stack.airflow.url}  (login {stack.airflow_user} / "
                f"{stack.airflow_password}; kept in {live.state_dir}/airflow/passwords.json)"
            )
            say(
                "             f1_latest_results runs on its schedule; trigger f1_historical_backfill"
                " from the UI or with f1lake backfill"
            )
        for season in seasons:
            if info.airflow_url:
                conf = {"season": season}
                with watch_run(live, info, conf, say):
                    run = run_through_airflow(info, BACKFILL_DAG, conf, say)
                say(f"backfill {season}: {run.state}")
            else:
                say("backfill needs Airflow: start without --no-airflow")
        example = max(seasons) if seasons else 2023
        say("in another shell (no exports needed):")
        say(f"  f1lake sql standings --season {example}    # or: f1lake sql (console)")
        say("  f1lake backfill --season 2021 | f1lake latest | f1lake status | f1lake dashboard")
        say("Ctrl-C or `f1lake down` stops the stack.")
        serve_forever()
        say("stopping")


def print_status(settings: Settings, repair: bool, say: Say) -> None:
    """``f1lake status``: per season, the queues, requests, ledger vs lake."""
    from f1lake.local.moto_server import use_local_aws_credentials
    from f1lake.pipeline.reconcile import reconcile

    info = require_stack(settings)
    use_local_aws_credentials()
    live = settings.model_copy(
        update={
            "aws_endpoint_url": info.aws_endpoint_url,
            "ledger_dsn": info.ledger_dsn,
            "state_dir": Path(info.state_dir),
        }
    )
    say(f"local stack: pid {info.pid}, state {info.state_dir}")
    if info.airflow_url:
        say(f"Airflow: {info.airflow_url}")
    rows = season_status(info.ledger_dsn)
    say(format_status(rows))
    say(format_health(pipeline_health(live, info.ledger_dsn)))
    report = reconcile(live, info.ledger_dsn, repair=repair)
    verb = "repaired" if repair else "to repair (f1lake status --repair)"
    say("ledger vs lake: " + (report.summary() if report.clean else f"{verb}: {report.summary()}"))
