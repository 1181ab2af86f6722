"""The ``f1lake`` command line: the main job, the replay API, SQL, and operator tools."""

from __future__ import annotations

import logging
import sys
from datetime import date, datetime
from pathlib import Path

import click

from f1lake.settings import get_settings


def _parse_date(_ctx: click.Context, _param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date in the form YYYY-MM-DD") from None


def _parse_params(values: tuple[str, ...]) -> dict[str, object]:
    params: dict[str, object] = {}
    for item in values:
        name, sep, raw = item.partition("=")
        if not sep or not name:
            raise click.BadParameter(f"{item!r} is not NAME=VALUE", param_hint="--param")
        params[name] = int(raw) if raw.lstrip("-").isdigit() else raw
    return params


@click.group()
@click.option("-v", "--verbose", is_flag=True, help="Log at INFO level.")
def main(verbose: bool) -> None:
    """f1lake: a Formula 1 results lake on AWS, runnable end to end on one machine."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )


@main.command()
@click.option("--season", type=int, default=2023, show_default=True, help="Season to backfill.")
@click.option("--csv-dir", type=click.Path(path_type=Path, file_okay=False), help="Ergast CSV dump to replay offline.")
@click.option("--api-url", help="Ergast-compatible API base URL (default F1LAKE_API_BASE_URL).")
@click.option("--today", callback=_parse_date, help="Replay only: the date the dump is 'as of'.")
@click.option("--force", is_flag=True, help="Re-ingest even what the ledger already holds.")
def run(season: int, csv_dir: Path | None, api_url: str | None, today: date | None, force: bool) -> None:
    """The main job: local stack up, backfill SEASON through Airflow, print standings, stack down."""
    from f1lake.mainjob import MainJobError, run_main_job
    from f1lake.source import NoSourceError

    try:
        run_main_job(get_settings(), season, csv_dir=csv_dir, api_url=api_url, today=today, force=force)
    except (NoSourceError, MainJobError) as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)


@main.command("replay-api")
@click.option("--csv-dir", required=True, type=click.Path(path_type=Path, exists=True, file_okay=False), help="Ergast CSV dump.")
@click.option("--port", type=int, default=8000, show_default=True)
@click.option("--host", default="127.0.0.1", show_default=True, help="Bind address (widen only inside a container).")
@click.option("--today", callback=_parse_date, help="Races before this date have happened (default: the day after the dump's last race with results).")
def replay_api(csv_dir: Path, port: int, host: str, today: date | None) -> None:
    """Serve an Ergast CSV dump as the Ergast JSON API (Ctrl-C stops)."""
    from f1lake.replay.server import serve

    serve(csv_dir, port=port, today=today, host=host)


@main.command()
@click.argument("query", required=False)
@click.option("-f", "--file", "sql_file", type=click.Path(path_type=Path, exists=True, dir_okay=False), help="Run an Athena SQL file (e.g. sql/athena/...).")
@click.option("-p", "--param", "params", multiple=True, help="Query parameter NAME=VALUE, e.g. season=2023.")
def sql(query: str | None, sql_file: Path | None, params: tuple[str, ...]) -> None:
    """Run Athena SQL on the local engine (DuckDB via sqlglot) over the catalog's tables."""
    from f1lake.query.engine import QueryError, format_table, run_file, run_query

    settings = get_settings()
    if not settings.aws_endpoint_url:
        click.echo(
            "error: no local lake to query: set F1LAKE_AWS_ENDPOINT_URL to a running local stack "
            "(see `f1lake up`)",
            err=True,
        )
        sys.exit(2)
    if (query is None) == (sql_file is None):
        raise click.UsageError("give either a QUERY or --file, not both or neither")
    try:
        values = _parse_params(params)
        df = run_file(settings, sql_file, values) if sql_file else run_query(settings, query or "", values)
    except QueryError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    click.echo(format_table(df))


@main.command()
def migrate() -> None:
    """Apply the ledger's migrations to F1LAKE_LEDGER_DSN."""
    from f1lake.ledger import migrate as apply

    settings = get_settings()
    if not settings.ledger_dsn:
        raise click.UsageError("set F1LAKE_LEDGER_DSN to the ledger's PostgreSQL DSN")
    applied = apply(settings.ledger_dsn)
    click.echo(f"applied: {', '.join(applied) or 'nothing (up to date)'}")


if __name__ == "__main__":
    main()
