"""The ``f1lake`` command line: the main job, the replay API, SQL, and operator tools."""

from __future__ import annotations

import logging
import signal
import sys
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from f1lake.preflight import Request
from f1lake.settings import Settings, get_settings

if TYPE_CHECKING:
    from f1lake.source import Source


class F1lakeGroup(click.Group):
    """Reports a user's mistake as one ``error:`` line and exit 2, never a traceback.

    What counts: an exception whose class f1lake defines (each is raised on purpose, with a
    message for the user), a bad ``F1LAKE_*`` variable, and an AWS endpoint that does not
    answer. Anything else is a bug and keeps its traceback.
    """

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except click.UsageError as exc:
            # a bad option value (--season abc, --today 2023-13-01): one line, like the rest
            click.echo(f"error: {exc.format_message()}", err=True)
            ctx.exit(2)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except Exception as exc:
            message = _user_error(exc)
            if message is None:
                raise
            click.echo(f"error: {message}", err=True)
            ctx.exit(2)


def _user_error(exc: BaseException) -> str | None:
    from pydantic import ValidationError

    if isinstance(exc, ValidationError):
        bad = exc.errors()[0]
        name = "F1LAKE_" + "_".join(str(x) for x in bad["loc"]).upper()
        return f"{name}: {bad['msg']}"
    module = type(exc).__module__
    if module.startswith("botocore"):
        from botocore.exceptions import EndpointConnectionError

        if isinstance(exc, EndpointConnectionError):
            return f"{exc} (is the local stack running? start it with `f1lake up`)"
        return str(exc)
    if module == "f1lake" or module.startswith("f1lake."):
        return str(exc)
    return None


class CliError(Exception):
    """A mistake the command line itself finds (reported as ``error:``, exit 2)."""


def _settings() -> Settings:
    """The settings, pointed at the running local stack when one runs (no exports needed)."""
    from f1lake.local.stack_client import stack_settings

    return stack_settings(get_settings())


def _local_lake(what: str) -> Settings:
    settings = _settings()
    if not settings.on_local_stack:
        raise CliError(
            f"no local lake to {what}: start one with `f1lake up` (or set "
            "F1LAKE_AWS_ENDPOINT_URL to a running local stack)"
        )
    if not _answers(settings.aws_endpoint_url or ""):
        raise CliError(
            f"no local stack answers at {settings.aws_endpoint_url} (F1LAKE_AWS_ENDPOINT_URL): "
            f"nothing to {what}; start one with `f1lake up`"
        )
    return settings


def _answers(url: str, timeout: float = 1.0) -> bool:
    """Whether anything listens at ``url``'s host and port (one TCP connect, no request)."""
    import socket
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        with socket.create_connection((parts.hostname or "127.0.0.1", port), timeout=timeout):
            return True
    except (OSError, ValueError):
        return False


def _parse_date(_ctx: click.Context, _param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date in the form YYYY-MM-DD") from None


@click.group(cls=F1lakeGroup)
@click.option("-v", "--verbose", is_flag=True, help="Log at INFO level.")
def main(verbose: bool) -> None:
    """f1lake: a Formula 1 results lake on AWS, runnable end to end on one machine."""
    # SIGTERM unwinds like Ctrl-C, so the local stack stops what it started (the embedded
    # PostgreSQL is a child process that would otherwise outlive us).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )


def _checked_source(
    settings: Settings, request: Request, where: dict[str, object]
) -> Source | None:
    """The request checked before anything starts (``f1lake.preflight``), against the running
    stack's API when one runs (None: use it), else against the source the run will use
    (``where``: the command's --csv-dir, --api-url and --today)."""
    from f1lake.local.stack_state import running_stack
    from f1lake.preflight import checked_source

    info = running_stack(settings.state_dir.resolve())
    if info is not None and info.airflow_url:
        checked_source(settings, request, None, info.api_base_url, None, lambda _: None)
        return None
    return checked_source(
        settings, request, where["csv_dir"], where["api_url"], where["today"], click.echo
    )


@main.command()
@click.option("--season", type=int, default=2023, show_default=True, help="Season to backfill.")
@click.option("--season-to", type=int, help="Backfill every season from --season to this one.")
@click.option("--round", "round_", type=int, help="Only this round of --season.")
@click.option(
    "--csv-dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Ergast CSV dump to replay offline.",
)
@click.option("--api-url", help="Ergast-compatible API base URL (default F1LAKE_API_BASE_URL).")
@click.option("--today", callback=_parse_date, help="Replay only: the date the dump is 'as of'.")
@click.option("--force", is_flag=True, help="Re-ingest even what the ledger already holds.")
def run(
    season: int,
    season_to: int | None,
    round_: int | None,
    csv_dir: Path | None,
    api_url: str | None,
    today: date | None,
    force: bool,
) -> None:
    """The main job: local stack up, backfill SEASON through Airflow, print standings, stack down.

    The request is checked against the source before the stack starts. With `f1lake up`
    running, the backfill runs on its scheduler instead, and the stack stays up.
    """
    settings = get_settings()
    where = {"csv_dir": csv_dir, "api_url": api_url, "today": today}
    source = _checked_source(settings, Request(season, season_to, round_), where)
    from f1lake.mainjob import run_main_job

    run_main_job(
        settings,
        season,
        season_to=season_to,
        round_=round_,
        csv_dir=csv_dir,
        api_url=api_url,
        today=today,
        force=force,
        source=source,
    )


@main.command("replay-api")
@click.option(
    "--csv-dir",
    required=True,
    type=click.Path(path_type=Path, exists=True, file_okay=False),
    help="Ergast CSV dump.",
)
@click.option("--port", type=int, default=8000, show_default=True)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Bind address (widen only inside a container).",
)
@click.option(
    "--today",
    callback=_parse_date,
    help="Races before this date have happened (default: the day after the dump's last race with results).",
)
@click.option(
    "--fault",
    "fault_specs",
    multiple=True,
    envvar="F1LAKE_REPLAY_FAULTS",
    help="Inject a fault, KIND[:key=value,...] (repeatable; env: space-separated). Kinds: "
    "throttle, server_error, slow, truncated, malformed; keys: path (glob), first, "
    "probability, status, retry_after, delay. E.g. server_error:status=502,first=3",
)
@click.option(
    "--fault-seed",
    type=int,
    default=0,
    show_default=True,
    envvar="F1LAKE_REPLAY_FAULT_SEED",
    help="Seed of the faults drawn with a probability (same seed, same faults).",
)
@click.option(
    "--rate-limit",
    envvar="F1LAKE_REPLAY_RATE_LIMIT",
    help="Answer 429 beyond a rate limit shared by every client: 'jolpica' (4/s, 500/h) or "
    "PER_SECOND/PER_HOUR[/WINDOW_SECONDS] (a shorter 'hour' for tests).",
)
@click.option(
    "--like-jolpica",
    is_flag=True,
    envvar="F1LAKE_REPLAY_LIKE_JOLPICA",
    help="Behave as Jolpica does: current/last by the calendar year (404 while that season is "
    "unpublished; an unrun round 1 as last), 429s without Retry-After.",
)
@click.option(
    "--revise",
    "revision_specs",
    multiple=True,
    envvar="F1LAKE_REPLAY_REVISIONS",
    help="Revise a race's results: SEASON/ROUND[:swap=A-B,after=N] swaps the finishers at "
    "positions A and B (default 1-2) from request N+1 on (default: from the start).",
)
@click.option(
    "--variant",
    "variants",
    multiple=True,
    type=click.Choice(["lapped_times"]),
    help="Serve the data as Jolpica does where it differs from the dump "
    "(lapped_times: lapped cars get a race time); docs/source_variants.md.",
)
def replay_api(
    csv_dir: Path,
    port: int,
    host: str,
    today: date | None,
    fault_specs: tuple[str, ...],
    fault_seed: int,
    rate_limit: str | None,
    revision_specs: tuple[str, ...],
    like_jolpica: bool,
    variants: tuple[str, ...],
) -> None:
    """Serve an Ergast CSV dump as the Ergast JSON API (Ctrl-C stops).

    Faults are off unless --fault, --rate-limit, --revise or --like-jolpica is given; then GET /_replay/faults
    shows what was injected and POST /_replay/revisions?season=Y&round=R revises a race now.
    """
    from f1lake.replay.faults import config_from_specs
    from f1lake.replay.server import Faults, serve

    config = config_from_specs(fault_specs, fault_seed, rate_limit, revision_specs, like_jolpica)
    faults = None if config.empty else Faults(config)
    serve(csv_dir, port=port, today=today, host=host, faults=faults, variants=variants)


@main.command(context_settings={"ignore_unknown_options": True})
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
@click.option(
    "-f",
    "--file",
    "sql_file",
    type=click.Path(path_type=Path, exists=True, dir_okay=False),
    help="Run an Athena SQL file (e.g. sql/athena/...).",
)
@click.option(
    "-p", "--param", "params", multiple=True, help="Query parameter NAME=VALUE, e.g. season=2023."
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
    help="Output format.",
)
@click.option(
    "--engine",
    type=click.Choice(["local", "athena"]),
    help="Where queries run (default F1LAKE_SQL_ENGINE, else local).",
)
def sql(
    args: tuple[str, ...],
    sql_file: Path | None,
    params: tuple[str, ...],
    fmt: str,
    engine: str | None,
) -> None:
    """Run a named query, ad-hoc Athena SQL or a file; no query opens the SQL console.

    \b
    f1lake sql standings --season 2023       a named query of sql/athena, parameters as options
    f1lake sql "SELECT count(*) AS n FROM results" --format csv
    f1lake sql --file my.sql -p season=2023
    f1lake sql                               the console (\\help lists its commands)
    f1lake sql < script.sql                  statements and \\commands from a file
    """
    from f1lake.query.command import sql_command

    sql_command(_settings(), args, params, sql_file, fmt, engine, write=click.echo, stdin=sys.stdin)


@main.command()
@click.option("--season", type=int, help="Check one season (default: every season).")
@click.option(
    "--engine",
    type=click.Choice(["local", "athena"]),
    help="Where the checks run (default F1LAKE_SQL_ENGINE, else local).",
)
def check(season: int | None, engine: str | None) -> None:
    """Run the data-quality checks of sql/athena/checks; exit 1 when one fails."""
    from f1lake.checks import format_results, run_checks

    settings = _settings()
    if (engine or settings.sql_engine) == "local":
        settings = _local_lake("check")
    results = run_checks(settings, season, engine)
    click.echo(format_results(results))
    if any(not r.passed for r in results):
        sys.exit(1)


@main.command()
@click.option(
    "--season",
    "seasons",
    type=int,
    multiple=True,
    help="Season to include (repeatable; default: every season in the lake).",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path, dir_okay=False),
    help="HTML file to write (default: <state_dir>/dashboard/season.html).",
)
@click.option("--serve", is_flag=True, help="Then serve it on 127.0.0.1 until Ctrl-C.")
@click.option("--port", type=int, default=8050, show_default=True, help="Port for --serve.")
def dashboard(seasons: tuple[int, ...], out: Path | None, serve: bool, port: int) -> None:
    """Write the dashboard (dashboards/season.json: season, race, driver and history sheets)
    as one offline HTML file."""
    from f1lake.dashboard import write_dashboard

    written = write_dashboard(_local_lake("draw"), out, seasons or None)
    click.echo(f"dashboard: {written.path}\n  open {written.path.as_uri()}")
    if serve:
        from f1lake.dashboard.serve import serve_page

        try:
            serve_page(written.path, port, click.echo)
        except OSError as exc:
            raise CliError(f"cannot serve on 127.0.0.1:{port}: {exc.strerror or exc}") from None


_SOURCE_OPTIONS = [
    click.option(
        "--csv-dir",
        type=click.Path(path_type=Path, file_okay=False),
        help="Ergast CSV dump to replay offline.",
    ),
    click.option("--api-url", help="Ergast-compatible API base URL."),
    click.option(
        "--today", callback=_parse_date, help="Replay only: the date the dump is 'as of'."
    ),
]


def _source_options(func: object) -> object:
    for option in reversed(_SOURCE_OPTIONS):
        func = option(func)  # type: ignore[operator]
    return func


@main.command()
@click.option(
    "--season",
    "seasons",
    type=int,
    multiple=True,
    help="Backfill these seasons first (repeatable).",
)
@_source_options
@click.option("--no-airflow", is_flag=True, help="Leave Airflow's components out (lake only).")
def up(
    seasons: tuple[int, ...],
    csv_dir: Path | None,
    api_url: str | None,
    today: date | None,
    no_airflow: bool,
) -> None:
    """Run the local stack until Ctrl-C or `f1lake down`: the lake, the ledger and Airflow.

    Everything lives in the state dir (F1LAKE_STATE_DIR, default .f1lake) and survives a stop:
    `f1lake up` again finds the lake as it was.
    """
    from f1lake.local.platform import serve_stack
    from f1lake.preflight import checked_requests

    settings = get_settings()
    source = None
    if seasons:  # a season the source cannot serve is refused before the stack's 40 s start
        requests = [Request(season) for season in seasons]
        source = checked_requests(settings, requests, csv_dir, api_url, today, click.echo)
    serve_stack(
        settings, seasons, csv_dir, api_url, today, not no_airflow, click.echo, source=source
    )


@main.command()
def down() -> None:
    """Stop the local stack that `f1lake up` runs (the lake and the ledger stay)."""
    from f1lake.local.stack_client import stop_stack

    settings = get_settings()
    if stop_stack(settings.state_dir, click.echo):
        click.echo("stopped; the lake and the ledger stay in " + str(settings.state_dir))
    else:
        click.echo(f"no local stack is running on {settings.state_dir}")


@main.command()
@click.option("--season", type=int, required=True, help="Season to backfill.")
@click.option("--season-to", type=int, help="Backfill every season from --season to this one.")
@click.option("--round", "round_", type=int, help="Only this round of --season.")
@click.option("--force", is_flag=True, help="Re-ingest even what the ledger already holds.")
@click.option(
    "--laps", is_flag=True, help="Also ingest lap times (1996 on): about 10-15 requests a race."
)
@_source_options
def backfill(
    season: int,
    season_to: int | None,
    round_: int | None,
    force: bool,
    laps: bool,
    csv_dir: Path | None,
    api_url: str | None,
    today: date | None,
) -> None:
    """Run the backfill DAG: on the running stack's scheduler, or in process if none runs.

    The request is checked against the source before anything starts."""
    settings = get_settings()
    where = {"csv_dir": csv_dir, "api_url": api_url, "today": today}
    source = _checked_source(settings, Request(season, season_to, round_), where)
    from f1lake.local.platform import BACKFILL_DAG, run_dag_command

    conf: dict[str, object] = {"season": season, "force": force, "laps": laps}
    if season_to is not None:
        conf["season_to"] = season_to
    if round_ is not None:
        conf["round"] = round_
    if not run_dag_command(
        settings, BACKFILL_DAG, conf, csv_dir, api_url, today, click.echo, source=source
    ):
        sys.exit(1)


@main.command()
@_source_options
def latest(csv_dir: Path | None, api_url: str | None, today: date | None) -> None:
    """Run the latest-results DAG now (it also runs on its schedule while `f1lake up` runs)."""
    from f1lake.local.platform import LATEST_DAG, run_dag_command

    if not run_dag_command(get_settings(), LATEST_DAG, {}, csv_dir, api_url, today, click.echo):
        sys.exit(1)


@main.command()
@click.option(
    "--repair", is_flag=True, help="Also repair what the ledger and the lake disagree on."
)
def status(repair: bool) -> None:
    """Where the running local stack stands: seasons, queues, requests, ledger vs lake."""
    from f1lake.local.platform import print_status

    print_status(get_settings(), repair, click.echo)


@main.command()
def provision() -> None:
    """Create the buckets, queue + DLQ, bucket notification and Glue database (idempotent)."""
    from f1lake.local.provision import provision as apply

    settings = _local_lake("provision")
    apply(settings)
    click.echo(
        f"provisioned {settings.raw_bucket}, {settings.processed_bucket}, "
        f"{settings.quarantine_bucket}, queue {settings.queue_name}, database {settings.glue_database}"
    )


@main.command()
@click.option("--limit", type=click.IntRange(min=1), help="Move at most this many messages.")
@click.option("--dry-run", is_flag=True, help="Only count the messages waiting.")
def redrive(limit: int | None, dry_run: bool) -> None:
    """Send the dead-letter queue's messages back to the raw-events queue (after a fix).

    Works on AWS and on the local stack (F1LAKE_AWS_ENDPOINT_URL); running it again moves only
    what has come back since. Exit 1 when the queue refused some messages (they stay put).
    """
    from f1lake.processing.redrive import redrive as move

    report = move(_settings(), limit=limit, dry_run=dry_run)
    click.echo(report.summary())
    if report.failed:
        sys.exit(1)


@main.command("lambda-runner")
def lambda_runner() -> None:
    """Play the Lambda event-source mapping: poll the raw-events queue, invoke the handler."""
    from f1lake.local.lambda_runner import LambdaRunner

    settings = get_settings()
    runner = LambdaRunner(settings, wait_seconds=10)
    click.echo(f"polling {settings.queue_name} (Ctrl-C stops)")
    try:
        while True:
            outcome = runner.run_once()
            if outcome.received:
                click.echo(f"batch: {outcome.succeeded} ok, {outcome.failed} failed")
    except KeyboardInterrupt:
        pass


@main.command()
def crawl() -> None:
    """Apply glue/crawler.json to the processed bucket (the local crawler)."""
    from f1lake.catalog import crawl as run_crawl

    click.echo(run_crawl(_local_lake("crawl")).summary())


@main.command()
@click.option("--dry-run", is_flag=True, help="Only report what ledger and lake disagree on.")
def reconcile(dry_run: bool) -> None:
    """Reconcile the ledger with the lake: forget lost raw objects, adopt unrecorded ones,
    queue unprocessed ones again (the local stack does this at every start)."""
    from f1lake.pipeline.reconcile import reconcile as run_reconcile

    settings = _settings()
    if not settings.ledger_dsn:
        raise CliError("set F1LAKE_LEDGER_DSN to the ledger's PostgreSQL DSN (or run `f1lake up`)")
    report = run_reconcile(settings, settings.ledger_dsn, repair=not dry_run)
    prefix = "would repair: " if dry_run and not report.clean else ""
    click.echo(prefix + report.summary())


@main.command()
def migrate() -> None:
    """Apply the ledger's migrations to F1LAKE_LEDGER_DSN."""
    from f1lake.ledger import migrate as apply

    settings = _settings()
    if not settings.ledger_dsn:
        raise CliError("set F1LAKE_LEDGER_DSN to the ledger's PostgreSQL DSN (or run `f1lake up`)")
    applied = apply(settings.ledger_dsn)
    click.echo(f"applied: {', '.join(applied) or 'nothing (up to date)'}")


if __name__ == "__main__":
    main()
