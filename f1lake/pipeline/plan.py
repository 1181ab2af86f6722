"""The planning stage's shell: ask the ledger and the API, let the pure rules decide.

The rules themselves (which rounds are complete, what each endpoint still needs, how to fetch
it cheaply) live in :mod:`f1lake.pipeline.plan_rules`, which does no I/O. This module only
gathers their inputs and records the schedule it fetched.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import UTC, date, datetime
from typing import Any

from f1lake.endpoints import ENDPOINTS, RACES, RESULTS
from f1lake.ergast.client import ErgastClient, Fetch
from f1lake.ledger import Ledger, RaceRef
from f1lake.pipeline import plan_rules
from f1lake.pipeline.contracts import Plan, Schedule
from f1lake.raw.envelope import payload_sha256
from f1lake.settings import Settings

log = logging.getLogger(__name__)


def _today() -> date:
    return datetime.now(UTC).date()


def held_by_endpoint(
    ledger: Ledger, season: int, before: datetime | None = None
) -> dict[str, plan_rules.Held]:
    """What the ledger holds of every endpoint for ``season``, for the pure planner.

    ``before``: what it held then, leaving out what was recorded since (a run's budget as at
    its start, whenever it is asked).
    """
    rounds: dict[str, set[int]] = defaultdict(set)
    season_rows: dict[str, Any] = {}
    for i in ledger.ingestions(season):
        if before is not None and i.ingested_at >= before:
            continue
        if i.round is None:
            season_rows[i.endpoint] = i
        else:
            rounds[i.endpoint].add(i.round)
    absent: dict[str, set[int]] = defaultdict(set)
    for a in ledger.absences(season):
        if before is None or a.checked_at < before:
            absent[a.endpoint].add(a.round)
    return {
        ep: plan_rules.Held(
            rounds=frozenset(rounds[ep]),
            absent=frozenset(absent[ep]),
            season_ingested=ep in season_rows,
            through_round=season_rows[ep].through_round if ep in season_rows else None,
        )
        for ep in ENDPOINTS
    }


def _work(
    ledger: Ledger,
    season: int,
    completed: list[int],
    last_round: int | None,
    *,
    whole_season: bool = True,
    force: bool = False,
    recheck: list[int] | None = None,
    opted_in: frozenset[str] = frozenset(),
    schedule: Schedule | None = None,
) -> dict[str, list[int | None]]:
    spec = plan_rules.SeasonWork(
        season,
        completed,
        last_round,
        whole_season,
        force,
        list(recheck or []),
        opted_in,
        _schedule_changed(ledger, season, schedule, force),
    )
    return plan_rules.plan_work(ENDPOINTS.values(), spec, held_by_endpoint(ledger, season))


def _schedule_changed(
    ledger: Ledger, season: int, schedule: Schedule | None, force: bool
) -> list[int]:
    """Rounds of a fetched schedule whose entry the lake lacks or holds differently (by
    payload hash against the ledger): the races endpoint writes them, run or not. A round
    the lake holds that the schedule dropped (a cancelled race) is named in the log and left
    as it is (docs/source_variants.md says why)."""
    if schedule is None:
        return []
    fetched = {int(r["round"]): payload_sha256(r) for r in schedule.records}
    held = {i.round: i.payload_sha256 for i in ledger.ingestions(season, RACES.name) if i.round}
    run = {i.round for i in ledger.ingestions(season, RESULTS.name) if i.round}
    gone = plan_rules.withdrawn(fetched, held, run)
    if gone:
        log.warning(
            "season %s: rounds %s are in the lake but no longer in the published schedule "
            "(cancelled?); they stay, and keep the season provisional",
            season,
            gone,
        )
    return plan_rules.schedule_changes(fetched, held, force=force)


def _dates(races: list[RaceRef]) -> dict[int, date]:
    return {r.round: r.date for r in races}


def _ledger_complete(
    ledger: Ledger, season: int, round_: int | None, today: date, opted_in: frozenset[str]
) -> Plan | None:
    """The plan of a season whose raced rounds the ledger already holds completely (no
    request at all): a past season, or the current one with no race run since."""
    races = ledger.races(season)
    completed = plan_rules.completed_rounds(_dates(races), today)
    if not completed or (round_ is not None and round_ not in completed):
        return None
    if _unwritten(ledger, season):
        return None
    last_round = completed[-1]
    targets = [round_] if round_ is not None else completed
    work = _work(
        ledger, season, targets, last_round, whole_season=round_ is None, opted_in=opted_in
    )
    if any(work.values()):
        return None
    return Plan(season, season, targets, up_to_date=True, last_round=last_round, work=work)


def plan_backfill(
    settings: Settings,
    ledger_dsn: str,
    season: int,
    round_: int | None = None,
    force: bool = False,
    season_to: int | None = None,
    today: date | None = None,
    laps: bool = False,
) -> list[Plan]:
    """Validate the request against the API and decide what the backfill of each season covers.

    Lap times are planned only when ``laps`` or the ``ingest_laps`` setting asks for them.

    Returns one plan per season (``season`` to ``season_to``). Seasons whose raced rounds the
    ledger already holds cost no request at all; otherwise the API's season list costs one
    request for the whole range (the latest season it has published bounds the range), a
    season whose schedule the ledger lacks one more (the races endpoint then reuses it), and
    one of the two latest seasons with raced rounds the ledger lacks one more (which rounds
    have results). Nothing reaches the ledger before the request is valid.
    """
    plan_rules.check_request(season, season_to, round_)
    today = today or _today()
    seasons = list(range(season, (season_to or season) + 1))
    extras = plan_rules.opted_in(laps=laps or settings.ingest_laps)
    plans: list[Plan] = []
    with Ledger(ledger_dsn) as ledger:
        done = (
            {}
            if force
            else {s: _ledger_complete(ledger, s, round_, today, extras) for s in seasons}
        )
        complete = [p for p in done.values() if p is not None]
        if len(complete) == len(seasons):
            log.info("seasons %s already ingested: nothing to fetch", seasons)
            return complete
        with ErgastClient.from_settings(settings) as api:
            latest = plan_rules.latest_season(api.seasons())
            plan_rules.season_range(season, season_to, latest)
            spent = 0
            for s in seasons:
                ready = done.get(s)
                if ready is not None:
                    plans.append(ready)
                    continue
                plan = _plan_season(api, ledger, s, latest, round_, force, today, extras)
                plan.requests = api.requests_made - spent
                spent = api.requests_made
                plans.append(plan)
    if not any(p.targets for p in plans):
        span = f"season {season}" if season_to is None else f"seasons {season}-{season_to}"
        raise plan_rules.PlanError(
            f"{span}: no race has been run with results published yet; nothing to backfill"
        )
    for plan in plans:
        log.info(
            "plan: season %s, %s completed rounds, work %s, %s API requests",
            plan.season,
            len(plan.targets),
            {ep: len(w) for ep, w in plan.work.items() if w},
            plan.requests,
        )
    return plans


def _schedule(
    api: ErgastClient, ledger: Ledger, season: int, *, refresh: bool, round_: int | None = None
) -> tuple[dict[int, date], Schedule | None]:
    """The season's race dates: the ledger's, or fetched (and recorded) when it lacks them.

    ``round_`` is checked against a fetched schedule before it is recorded, so a request for
    a round the season lacks leaves the ledger as it was.
    """
    dates = _dates(ledger.races(season))
    if not (refresh or not dates or (round_ is not None and round_ not in dates)):
        return dates, None
    got = api.fetch(RACES, season)
    refs = [RaceRef.from_ergast(r) for r in got.races]
    if round_ is not None:
        plan_rules.check_round(season, round_, [r.round for r in refs])
    ledger.upsert_races(refs)
    return _dates(refs), _schedule_of(got)


def _completed(
    api: ErgastClient,
    ledger: Ledger,
    season: int,
    latest: int,
    dates: dict[int, date],
    today: date,
    force: bool = False,
) -> tuple[list[int], int | None]:
    """Rounds run (dated before ``today``) whose results the API has, and the last round
    with results when the API was asked (None: not asked).

    The API is asked (one request) only for the two latest seasons, and only when the ledger
    lacks the results of a raced round (or ``force``): older seasons are finished.
    """
    raced = plan_rules.completed_rounds(dates, today)
    held = held_by_endpoint(ledger, season)[RESULTS.name].rounds
    through = None
    if plan_rules.may_lack_results(season, latest) and (force or set(raced) - held):
        through = api.results_through(season)
    return plan_rules.completed_rounds(dates, today, through), through


def _plan_season(
    api: ErgastClient,
    ledger: Ledger,
    season: int,
    latest: int,
    round_: int | None,
    force: bool,
    today: date,
    opted_in: frozenset[str],
) -> Plan:
    refresh = force or _unwritten(ledger, season)
    dates, schedule = _schedule(api, ledger, season, refresh=refresh, round_=round_)
    if round_ is not None:
        plan_rules.check_round(season, round_, dates)
    completed, _ = _completed(api, ledger, season, latest, dates, today, force)
    last_round = completed[-1] if completed else None
    if round_ is not None:
        if round_ not in completed:
            raise plan_rules.PlanError(
                f"season {season} round {round_} has not been run yet, or its results are not "
                f"published (last round with results: {last_round or 'none'})"
            )
        completed = [round_]
    work = _work(
        ledger,
        season,
        completed,
        last_round,
        whole_season=round_ is None,
        force=force,
        opted_in=opted_in,
        schedule=schedule,
    )
    return Plan(
        season,
        latest,
        completed,
        force=force,
        up_to_date=not any(work.values()),
        last_round=last_round,
        work=work,
        schedule=schedule,
    )


def _unwritten(ledger: Ledger, season: int) -> bool:
    """Whether a round of the ledger's schedule has no schedule entry in the lake: the plan
    then reads the calendar again so the races endpoint writes it (a run that died before
    writing it, or a lake from before the whole calendar was written)."""
    written = {i.round for i in ledger.ingestions(season, RACES.name)}
    return any(r.round not in written for r in ledger.races(season))


def _last_with_results(ledger: Ledger, season: int) -> int:
    return max((i.round or 0 for i in ledger.ingestions(season, RESULTS.name)), default=0)


def _schedule_of(got: Fetch) -> Schedule:
    return Schedule(got.races, got.source_urls, got.pages, got.header)


def plan_latest(
    settings: Settings,
    ledger_dsn: str,
    revision_days: int | None = None,
    today: date | None = None,
) -> Plan:
    """The current season's completed races; recent ones are re-checked for revised results.

    The current season is the latest the API has published with a race run; between seasons
    (the new calendar published, its first race not yet run) it is the one before. Standings
    are due again when the last completed round has moved, the season's dimensions when a race
    has been run since they were last confirmed. ``today`` (default: the UTC date) anchors
    which races have been run and the revision window of ``revision_days`` (default: the
    setting ``revision_window_days``): the DAG passes its run's date and its ``revision_days``
    param.
    """
    today = today or _today()
    if revision_days is None:
        revision_days = settings.revision_window_days
    with ErgastClient.from_settings(settings) as api, Ledger(ledger_dsn) as ledger:
        latest = plan_rules.latest_season(api.seasons())
        for current in (latest, latest - 1):
            dates, schedule = _schedule(api, ledger, current, refresh=False)
            completed, through = _completed(api, ledger, current, latest, dates, today)
            new_results = through and through > _last_with_results(ledger, current)
            if schedule is None and (new_results or _unwritten(ledger, current)):
                # a new round's results are in: read the calendar again (a race added, moved
                # or cancelled since), one request per race weekend; or a round of it is not
                # in the lake yet (a run that died before writing it, a lake from before)
                dates, schedule = _schedule(api, ledger, current, refresh=True)
                if through:
                    completed = plan_rules.completed_rounds(dates, today, through)
            if completed:
                break
        if not completed:
            return Plan(latest, latest, [], requests=api.requests_made, up_to_date=True)
        recheck = plan_rules.revision_window({r: dates[r] for r in completed}, today, revision_days)
        last_round = completed[-1]
        extras = plan_rules.opted_in(laps=settings.ingest_laps)
        work = _work(
            ledger,
            current,
            completed,
            last_round,
            recheck=recheck,
            opted_in=extras,
            schedule=schedule,
        )
    plan = Plan(
        current,
        latest,
        completed,
        recheck=recheck,
        up_to_date=not any(work.values()),
        requests=api.requests_made,
        last_round=last_round,
        work=work,
        schedule=schedule,
    )
    log.info(
        "latest: season %s (latest published %s), last completed round %s, work %s, "
        "recheck=%s, %s API requests",
        current,
        latest,
        last_round,
        {ep: len(w) for ep, w in work.items() if w},
        recheck,
        plan.requests,
    )
    return plan
