"""The main job: bring up the local stack, backfill one season through Airflow, print standings.

One command shows the whole pipeline on one machine with no AWS account: the API (or the
replay of a CSV dump), Airflow, S3, the Lambda, the crawler and Athena SQL.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from f1lake.settings import PROJECT_ROOT, Settings
from f1lake.source import resolve_source

STANDINGS_SQL = PROJECT_ROOT / "sql" / "athena" / "driver_standings_from_results.sql"
BACKFILL_DAG = "f1_historical_backfill"


class MainJobError(RuntimeError):
    pass


def run_main_job(
    settings: Settings,
    season: int,
    *,
    csv_dir: Path | None = None,
    api_url: str | None = None,
    today: date | None = None,
    force: bool = False,
    airflow_home: Path | None = None,
    say: Callable[[str], None] = print,
) -> dict[str, Any]:
    """Run the season backfill end to end; returns the DAG summary and the standings frame."""
    from f1lake.local.airflow_runner import apply_environment, run_dag
    from f1lake.local.stack import local_stack
    from f1lake.query.engine import format_table, run_file

    started = time.monotonic()
    source = resolve_source(settings, csv_dir, api_url)
    say(f"source: {source.note}")
    if source.api_base_url:
        settings = settings.model_copy(update={"api_base_url": source.api_base_url})
    with local_stack(
        settings, csv_dir=source.csv_dir, today=today, airflow_home=airflow_home
    ) as stack:
        say(
            f"local stack up: moto {stack.settings.aws_endpoint_url}, embedded PostgreSQL, "
            f"API {stack.settings.api_base_url}, Lambda runner polling {stack.settings.queue_name}"
        )
        apply_environment({**stack.airflow_env, "AIRFLOW__LOGGING__LOGGING_LEVEL": "WARNING"})
        say(f"running DAG {BACKFILL_DAG} for season {season} (airflow dag.test) ...")
        result = run_dag(BACKFILL_DAG, {"season": season, "force": force})
        if not result.succeeded:
            raise MainJobError(
                f"DAG {BACKFILL_DAG} run {result.run_id} ended {result.state}; see the log above"
            )
        summary = result.returns.get("summary", {})
        runner = stack.runner.totals
        say(
            f"ingested: raw objects written per endpoint {summary.get('written')}, "
            f"{summary.get('api_requests')} API requests; Lambda runner: {runner.received} "
            f"messages in {runner.batches} batches, {runner.failed} failed"
        )
        standings = run_file(stack.settings, STANDINGS_SQL, {"season": season})
        say(f"\n{season} driver standings (computed from race results by {STANDINGS_SQL.name}):")
        say(format_table(standings))
    wall = time.monotonic() - started
    say(f"\nwall time: {wall:.1f} s; API requests: {summary.get('api_requests')}")
    return {"summary": summary, "standings": standings, "wall_seconds": wall}
