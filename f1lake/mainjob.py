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

from f1lake.resources import SQL_ROOT
from f1lake.settings import Settings
from f1lake.source import Source

STANDINGS_SQL = SQL_ROOT / "driver_standings_from_results.sql"
"""Race results only: kept for callers comparing with the raw dump's result rows."""
DRIVER_STANDINGS_SQL = SQL_ROOT / "standings.sql"
CONSTRUCTOR_STANDINGS_SQL = SQL_ROOT / "team_standings.sql"
BACKFILL_DAG = "f1_historical_backfill"


class MainJobError(RuntimeError):
    pass


def run_main_job(
    settings: Settings,
    season: int,
    *,
    season_to: int | None = None,
    round_: int | None = None,
    csv_dir: Path | None = None,
    api_url: str | None = None,
    today: date | None = None,
    force: bool = False,
    airflow_home: Path | None = None,
    say: Callable[[str], None] = print,
    source: Source | None = None,
) -> dict[str, Any]:
    """Run the season backfill end to end; returns the DAG summary and the standings frame.

    ``source``: resolved and checked already (``f1lake.preflight``); else resolved here.

    With ``f1lake up`` running on the same state dir, the backfill runs on its scheduler and
    the stack stays up; otherwise a stack is started for the run and stopped after it.
    """
    from f1lake.local.airflow_runner import run_dag
    from f1lake.local.platform import one_shot_stack, source_settings
    from f1lake.local.run_progress import RunProgress, seasons_of
    from f1lake.local.stack_client import running_stack
    from f1lake.pipeline.report import format_requests

    started = time.monotonic()
    last = season_to or season
    conf: dict[str, Any] = {"season": season, "force": force}
    if season_to is not None:
        conf["season_to"] = season_to
    if round_ is not None:
        conf["round"] = round_
    span = f"seasons {season}-{season_to}" if season_to else f"season {season}"
    if round_ is not None:
        span += f" round {round_}"
    if (info := running_stack(settings.state_dir.resolve())) is not None and info.airflow_url:
        return _through_running_stack(settings, info, conf, span, season, last, started, say)
    settings, source = source_settings(settings, csv_dir, api_url, say, source)
    with one_shot_stack(settings, source, today, say, airflow_home) as stack:
        say(
            f"local stack up: moto {stack.settings.aws_endpoint_url}, embedded PostgreSQL, "
            f"API {stack.settings.api_base_url}, Lambda runner polling {stack.settings.queue_name}"
        )
        say(f"running DAG {BACKFILL_DAG} for {span} (airflow dag.test) ...")
        seasons = seasons_of(conf)
        with RunProgress(stack.settings, stack.ledger_dsn, seasons, say, today=today):
            result = run_dag(BACKFILL_DAG, conf)
        summary = result.returns.get("summary", {})
        runner = stack.runner.totals
        if summary:
            written = summary.get("written") or {}
            per_endpoint = ", ".join(f"{ep} {n}" for ep, n in written.items() if n)
            say(
                f"ingested: {sum(written.values())} raw object(s) written"
                + (f" ({per_endpoint})" if per_endpoint else "")
                + f"; Lambda runner: {runner.received} messages in {runner.batches} batches, "
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
        shown = _show_results(stack.settings, settings, season, last, checks, span, say)
    wall = time.monotonic() - started
    say(f"\nwall time: {wall:.1f} s; API requests: {summary.get('api_requests')}")
    return {"summary": summary, "checks": checks, "wall_seconds": wall, **shown}


def _through_running_stack(
    settings: Settings,
    info: Any,
    conf: dict[str, Any],
    span: str,
    season: int,
    last: int,
    started: float,
    say: Callable[[str], None],
) -> dict[str, Any]:
    from f1lake.local.platform import watch_run
    from f1lake.local.stack_client import run_through_airflow, stack_settings

    say(f"a local stack is running (pid {info.pid}): running {BACKFILL_DAG} for {span} on it")
    with watch_run(settings, info, conf, say):
        run = run_through_airflow(info, BACKFILL_DAG, conf, say)
    if run.state != "success":
        raise MainJobError(f"DAG {BACKFILL_DAG} run {run.run_id} ended {run.state}; see Airflow")
    lake = stack_settings(settings)
    shown = _show_results(lake, settings, season, last, None, span, say)
    wall = time.monotonic() - started
    say(f"\nwall time: {wall:.1f} s (the stack stays up)")
    return {"summary": {}, "checks": None, "wall_seconds": wall, **shown}


def _show_results(
    lake: Settings,
    settings: Settings,
    season: int,
    last: int,
    checks: dict[str, Any] | None,
    span: str,
    say: Callable[[str], None],
) -> dict[str, Any]:
    """Print the standings, the checks and where the dashboard is; returns what was shown."""
    from f1lake.query.local import run_file
    from f1lake.query.output import format_table

    drivers = run_file(lake, DRIVER_STANDINGS_SQL, {"season": last})
    say(f"\n{last} driver standings (results + sprints, {DRIVER_STANDINGS_SQL.name}):")
    say(format_table(drivers))
    constructors = run_file(lake, CONSTRUCTOR_STANDINGS_SQL, {"season": last})
    say(f"\n{last} constructor standings (results + sprints, {CONSTRUCTOR_STANDINGS_SQL.name}):")
    say(format_table(constructors))
    standings = run_file(lake, STANDINGS_SQL, {"season": last})
    if checks is None:
        checks_text = _checks_report(lake, None if last != season else season)
    else:
        checks_text = checks.get("report") or "not run"
    say("\ndata-quality checks:\n" + checks_text)
    board = _write_dashboard(lake, settings, season, last)
    say(f"\ndashboard ({span}; opens offline, outlives the stack): {board}")
    return {
        "standings": standings,
        "driver_standings": drivers,
        "constructor_standings": constructors,
        "dashboard": board,
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

    return format_results(run_checks(settings, season, "local"))  # the local stack's lake
