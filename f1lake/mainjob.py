"""The main job: bring up the local stack, backfill one season through Airflow, print standings.

One command shows the whole pipeline on one machine with no AWS account: the API (or the
replay of a CSV dump), Airflow, S3, the Lambda, the crawler and Athena SQL.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from f1lake.settings import PROJECT_ROOT, Settings
from f1lake.source import resolve_source

SQL_DIR = PROJECT_ROOT / "sql" / "athena"
STANDINGS_SQL = SQL_DIR / "driver_standings_from_results.sql"
"""Race results only: kept for callers comparing with the raw dump's result rows."""
DRIVER_STANDINGS_SQL = SQL_DIR / "standings.sql"
CONSTRUCTOR_STANDINGS_SQL = SQL_DIR / "team_standings.sql"
BACKFILL_DAG = "f1_historical_backfill"


class MainJobError(RuntimeError):
    pass


def run_main_job(
    settings: Settings,
    season: int,
    *,
    season_to: int | None = None,
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
    from f1lake.pipeline.steps import format_requests
    from f1lake.query.engine import format_table, run_file

    started = time.monotonic()
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
    last = season_to or season
    conf: dict[str, Any] = {"season": season, "force": force}
    if season_to is not None:
        conf["season_to"] = season_to
    span = f"seasons {season}-{season_to}" if season_to else f"season {season}"
    with local_stack(
        settings, csv_dir=source.csv_dir, today=today, airflow_home=airflow_home
    ) as stack:
        say(
            f"local stack up: moto {stack.settings.aws_endpoint_url}, embedded PostgreSQL, "
            f"API {stack.settings.api_base_url}, Lambda runner polling {stack.settings.queue_name}"
        )
        apply_environment({**stack.airflow_env, "AIRFLOW__LOGGING__LOGGING_LEVEL": "WARNING"})
        say(f"running DAG {BACKFILL_DAG} for {span} (airflow dag.test) ...")
        result = run_dag(BACKFILL_DAG, conf)
        summary = result.returns.get("summary", {})
        runner = stack.runner.totals
        if summary:
            say(
                f"ingested: raw objects written per endpoint {summary.get('written')}; "
                f"Lambda runner: {runner.received} messages in {runner.batches} batches, "
                f"{runner.failed} failed"
            )
            say("API requests per endpoint:\n" + format_requests(summary["requests_by_endpoint"]))
        checks = result.returns.get("checks")
        if not result.succeeded:
            if summary:  # the load went through; the checks failed: show which
                say(
                    "\ndata-quality checks:\n"
                    + _checks_report(stack.settings, None if season_to else season)
                )
            raise MainJobError(
                f"DAG {BACKFILL_DAG} run {result.run_id} ended {result.state}; see the log above"
            )
        drivers = run_file(stack.settings, DRIVER_STANDINGS_SQL, {"season": last})
        say(f"\n{last} driver standings (results + sprints, {DRIVER_STANDINGS_SQL.name}):")
        say(format_table(drivers))
        constructors = run_file(stack.settings, CONSTRUCTOR_STANDINGS_SQL, {"season": last})
        say(
            f"\n{last} constructor standings (results + sprints, {CONSTRUCTOR_STANDINGS_SQL.name}):"
        )
        say(format_table(constructors))
        standings = run_file(stack.settings, STANDINGS_SQL, {"season": last})
        say("\ndata-quality checks:\n" + ((checks or {}).get("report") or "not run"))
        board = _write_dashboard(stack.settings, settings, season, last)
        say(f"\ndashboard ({span}; opens offline, outlives the stack): {board}")
    wall = time.monotonic() - started
    say(f"\nwall time: {wall:.1f} s; API requests: {summary.get('api_requests')}")
    return {
        "summary": summary,
        "standings": standings,
        "driver_standings": drivers,
        "constructor_standings": constructors,
        "checks": checks,
        "dashboard": board,
        "wall_seconds": wall,
    }


def _write_dashboard(lake: Settings, settings: Settings, first: int, last: int) -> Path:
    """The dashboard of the seasons just loaded, under the state dir: it outlives the stack."""
    from f1lake.dashboard import DashboardError, SpecError, default_output, write_dashboard

    try:
        seasons = range(first, last + 1)  # a season without races yet is left out
        return write_dashboard(lake, default_output(settings), seasons, missing_ok=True).path
    except (DashboardError, SpecError) as exc:
        raise MainJobError(f"the season dashboard could not be written: {exc}") from None


def _checks_report(settings: Settings, season: int | None) -> str:
    from f1lake.checks import format_results, run_checks

    return format_results(run_checks(settings, season))
