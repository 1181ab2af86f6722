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

from f1lake.endpoints import ENDPOINTS, RACES
from f1lake.ergast.client import ErgastClient, Fetch
from f1lake.ledger import Ledger, RaceRef
from f1lake.pipeline import plan_rules
from f1lake.pipeline.contracts import Plan, Schedule
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
) -> dict[str, list[int | None]]:
    spec = plan_rules.SeasonWork(
        season, completed, last_round, whole_season, force, list(recheck or [])
    )
    return plan_rules.plan_work(ENDPOINTS.values(), spec, held_by_endpoint(ledger, season))


def _ledger_complete(ledger: Ledger, season: int, round_: int | None) -> Plan | None:
    """The plan of a past season the ledger already holds completely (no request at all)."""
    races = ledger.races(season)
    if not races or season >= _today().year:
        return None
    rounds = sorted(r.round for r in races)
    if round_ is not None and round_ not in rounds:
        return None
    completed = [round_] if round_ is not None else rounds
    work = _work(ledger, season, completed, rounds[-1], whole_season=round_ is None)
    if any(work.values()):
        return None
    return Plan(season, season, completed, up_to_date=True, last_round=rounds[-1], work=work)


def plan_backfill(
    settings: Settings,
    ledger_dsn: str,
    season: int,
    round_: int | None = None,
    force: bool = False,
    season_to: int | None = None,
) -> list[Plan]:
    """Validate the request against the API and decide what the backfill of each season covers.

    Returns one plan per season (``season`` to ``season_to``). A past season the ledger already
    holds completely costs no request at all; otherwise the API's current season and last round
    cost one request for the whole range, and a season whose schedule the ledger lacks one more
    (the races endpoint then reuses that schedule).
    """
    if season_to is not None and season_to < season:
        raise plan_rules.PlanError(f"season_to {season_to} is before season {season}")
    if round_ is not None and season_to not in (None, season):
        raise plan_rules.PlanError("round selects one race: it cannot be combined with season_to")
    seasons = list(range(season, (season_to or season) + 1))
    plans: list[Plan] = []
    with Ledger(ledger_dsn) as ledger:
        done = {} if force else {s: _ledger_complete(ledger, s, round_) for s in seasons}
        complete = [p for p in done.values() if p is not None]
        if len(complete) == len(seasons):
            log.info("seasons %s already ingested: nothing to fetch", seasons)
            return complete
        with ErgastClient.from_settings(settings) as api:
            current, last = api.resolve("current", "last")
            plan_rules.season_range(season, season_to, current)
            spent = 0
            for s in seasons:
                ready = done.get(s)
                if ready is not None:
                    plans.append(ready)
                    continue
                plan = _plan_season(api, ledger, s, current, last, round_, force)
                plan.requests = api.requests_made - spent
                spent = api.requests_made
                plans.append(plan)
    for plan in plans:
        log.info(
            "plan: season %s, %s completed rounds, work %s, %s API requests",
            plan.season,
            len(plan.targets),
            {ep: len(w) for ep, w in plan.work.items() if w},
            plan.requests,
        )
    return plans


def _plan_season(
    api: ErgastClient,
    ledger: Ledger,
    season: int,
    current: int,
    last: int | None,
    round_: int | None,
    force: bool,
) -> Plan:
    rounds = [r.round for r in ledger.races(season)]
    schedule = None
    if force or not rounds or (round_ is not None and round_ not in rounds):
        got = api.fetch(RACES, season)
        ledger.upsert_races([RaceRef.from_ergast(r) for r in got.races])
        rounds = [int(r["round"]) for r in got.races]
        schedule = _schedule_of(got)
    if round_ is not None:
        plan_rules.check_round(season, round_, rounds)
    state = plan_rules.SeasonState(season, current, last if season == current else None)
    completed = state.completed_rounds(rounds)
    last_round = completed[-1] if completed else None
    if round_ is not None:
        if round_ not in completed:
            raise plan_rules.PlanError(
                f"season {season} round {round_} has not been run yet "
                f"(last completed round: {last})"
            )
        completed = [round_]
    work = _work(ledger, season, completed, last_round, whole_season=round_ is None, force=force)
    return Plan(
        season,
        current,
        completed,
        force=force,
        up_to_date=not any(work.values()),
        last_round=last_round,
        work=work,
        schedule=schedule,
    )


def _schedule_of(got: Fetch) -> Schedule:
    return Schedule(got.races, got.source_urls, got.pages, got.header)


def plan_latest(
    settings: Settings, ledger_dsn: str, revision_days: int = 3, today: date | None = None
) -> Plan:
    """The current season's completed races; recent ones are re-checked for revised results.

    Standings are due again when the last completed round has moved, the season's dimensions
    when a race has been run since they were last confirmed. ``today`` (default: the UTC date)
    anchors the revision window: the DAG passes its run's date.
    """
    with ErgastClient.from_settings(settings) as api, Ledger(ledger_dsn) as ledger:
        current, last = api.resolve("current", "last")
        known = {r.round: r for r in ledger.races(current)}
        if last is None:
            return Plan(current, current, [], requests=api.requests_made, up_to_date=True)
        completed = list(range(1, last + 1))
        schedule = None
        if set(completed) - set(known):
            got = api.fetch(RACES, current)
            ledger.upsert_races([RaceRef.from_ergast(r) for r in got.races])
            schedule = _schedule_of(got)
            known = {r.round: r for r in ledger.races(current)}
            completed = plan_rules.SeasonState(current, current, last).completed_rounds(
                int(r["round"]) for r in got.races
            )
        dates = {r: known[r].date for r in completed if r in known}
        recheck = plan_rules.revision_window(dates, today or _today(), revision_days)
        last_round = completed[-1] if completed else None
        work = _work(ledger, current, completed, last_round, recheck=recheck)
    plan = Plan(
        current,
        current,
        completed,
        recheck=recheck,
        up_to_date=not any(work.values()),
        requests=api.requests_made,
        last_round=last_round,
        work=work,
        schedule=schedule,
    )
    log.info(
        "latest: season %s, last completed round %s, work %s, recheck=%s, %s API requests",
        current,
        last,
        {ep: len(w) for ep, w in work.items() if w},
        recheck,
        plan.requests,
    )
    return plan
