"""A run's request checked before anything starts: a bad value costs seconds, writes nothing.

``f1lake run`` and ``f1lake backfill`` check the request's form first (no source needed:
the earliest season, the range's order, the round), then against the source, with the rule
the planner applies inside the DAG: the latest season is the latest the source has published
(its season list, one request, which also tells whether it answers at all; a dump's races),
and a round must be in its season's schedule and dated before today. Only then does the
stack start, so a refused request leaves the lake and the ledger as they were. The stack's
own start (40 s) is never spent on a request the source cannot serve.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from f1lake.pipeline import plan_rules
from f1lake.settings import Settings
from f1lake.source import Source, dump_schedule, dump_today, resolve_source


@dataclass(frozen=True)
class Request:
    """What a backfill asks for: a season, or a range of seasons, or one round of a season."""

    season: int
    season_to: int | None = None
    round: int | None = None


def checked_source(
    settings: Settings,
    request: Request,
    csv_dir: Path | None,
    api_url: str | None,
    today: date | None,
    say: Callable[[str], None],
) -> Source:
    """The source to run on, once the request has been checked against it (``PlanError``
    names what is wrong). ``say`` is told which source is in use, once the request is valid:
    a refused request prints its one ``error:`` line and nothing else."""
    return checked_requests(settings, [request], csv_dir, api_url, today, say)


def checked_requests(
    settings: Settings,
    requests: list[Request],
    csv_dir: Path | None,
    api_url: str | None,
    today: date | None,
    say: Callable[[str], None],
) -> Source:
    """As :func:`checked_source`, for several requests (``f1lake up --season A --season B``):
    every form first, then the source once, then each request against it."""
    for request in requests:
        plan_rules.check_request(request.season, request.season_to, request.round)
    source = resolve_source(settings, csv_dir, api_url)
    for request in requests:
        check_against(settings, source, request, today)
    say(f"source: {source.note}")
    return source


def check_against(
    settings: Settings, source: Source, request: Request, today: date | None = None
) -> None:
    """The request against the source's seasons and, for one round or a latest season that
    may not have started, its season's schedule (one request to an API)."""
    season, round_ = request.season, request.round
    latest = plan_rules.latest_season(source.seasons)
    plan_rules.season_range(season, request.season_to, latest)
    if round_ is None and (request.season_to or season) < latest:
        return  # older seasons have been run
    as_of = dump_today(source.csv_dir) if source.csv_dir is not None else None
    day = today or as_of or datetime.now(UTC).date()
    if round_ is None:
        dates = _schedule(settings, source, latest)
        if season == latest and dates and min(dates.values()) >= day:
            raise plan_rules.PlanError(
                f"season {season} has not started: its first race is on {min(dates.values())}"
            )
        return
    dates = _schedule(settings, source, season)
    plan_rules.check_round(season, round_, dates)
    if dates[round_] >= day:
        raise plan_rules.PlanError(
            f"season {season} round {round_} is dated {dates[round_]}: it has not been run yet"
        )


def _schedule(settings: Settings, source: Source, season: int) -> dict[int, date]:
    if source.csv_dir is not None:
        return dump_schedule(source.csv_dir).get(season, {})
    from f1lake.ergast import ErgastClient
    from f1lake.ledger.models import RaceRef

    api = settings.model_copy(update={"api_base_url": source.api_base_url})
    with ErgastClient.from_settings(api) as client:
        races = [RaceRef.from_ergast(r) for r in client.schedule(season)]
    return {r.round: r.date for r in races}
