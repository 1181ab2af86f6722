"""Pure planning: which races are complete, which need fetching, and how to fetch them cheaply.

No I/O here, so every rule is tested without servers.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from f1lake.endpoints import RACES, Endpoint

EARLIEST_SEASON = 1950
PAGE_SIZE = 100
ROWS_PER_RACE_ESTIMATE = 24
"""A typical modern grid; pre-1980 races had more entries, which only favours season paging."""


FIRST_SEASON_OF = {"sprint": 2021, "pit_stops": 2011, "laps": 1996}
"""Endpoints that cannot have data before a season: sprints began in 2021, the source's pit
stops in 2011, its lap times in 1996."""
ALWAYS_PUBLISHED = frozenset({"races", "results"})
"""Every completed race has these: an empty answer means "not published yet", ask again.
For any other endpoint an empty answer for a completed race is a fact worth recording (no
sprint that weekend, no qualifying data in the early years) so it is not asked again."""
ROWS_PER_RACE = {"sprint": 6, "pit_stops": 40, "laps": 1100}
"""Average rows per race where it differs from a grid (sprints: a handful of weekends; pit
stops 2011-2025: 40, up to 101; laps: 20 cars x 55 laps, 10-15 pages)."""


class PlanError(ValueError):
    """A request the pipeline cannot serve (unknown season or round), with a clear message."""


def latest_season(published: Iterable[int]) -> int:
    """The source's current season: the latest one whose schedule it has published.

    Never the machine's calendar: in January the new season is not published yet, and in
    November the next one may already be. Raises when the source lists no season at all.
    """
    seasons = sorted(set(published))
    if not seasons:
        raise PlanError("the API lists no season at all: is it an Ergast-compatible API?")
    return seasons[-1]


def may_lack_results(season: int, latest: int) -> bool:
    """Whether a season's raced rounds may still lack results at the source: the latest
    published season and the one before it (the next calendar is often published before the
    season ends). Older seasons are finished: a round run is a round with results."""
    return season >= latest - 1


def completed_rounds(
    schedule: Mapping[int, date], today: date, results_through: int | None = None
) -> list[int]:
    """Rounds whose date has passed and whose results the source has.

    ``schedule``: round -> race date. ``results_through``: the last round the source has
    results for (0: none yet), or None when the season is finished and was not asked.
    Between seasons Jolpica calls an unrun round 1 ``last``; a round counts only when both
    its date has passed and its results are there.
    """
    run = sorted(r for r, day in schedule.items() if day < today)
    if results_through is None:
        return run
    return [r for r in run if r <= results_through]


def check_season(season: int, latest: int) -> None:
    """Reject seasons the source cannot have, naming the valid range."""
    if season < EARLIEST_SEASON or season > latest:
        raise PlanError(
            f"season {season} is out of range: the championship runs from "
            f"{EARLIEST_SEASON} to {latest}, the latest season the source has published"
        )


def check_round(season: int, round_: int, schedule_rounds: Iterable[int]) -> None:
    rounds = sorted(set(schedule_rounds))
    if round_ not in rounds:
        span = f"rounds 1 to {rounds[-1]}" if rounds else "no rounds"
        raise PlanError(f"season {season} has no round {round_} (it has {span})")


def rounds_to_fetch(
    targets: Iterable[int],
    ingested: Mapping[int, str],
    *,
    force: bool = False,
    recheck: Iterable[int] = (),
) -> list[int]:
    """Rounds whose payload must be fetched: not yet ingested, forced, or due a revision check.

    ``ingested`` maps round -> payload hash of what the ledger holds for this endpoint.
    """
    wanted = sorted(set(targets))
    if force:
        return wanted
    again = set(recheck)
    return [r for r in wanted if r not in ingested or r in again]


def race_pages(endpoint: Endpoint) -> int:
    """About how many pages one race of ``endpoint`` takes (laps: 11; most endpoints: 1)."""
    return math.ceil(ROWS_PER_RACE.get(endpoint.name, ROWS_PER_RACE_ESTIMATE) / PAGE_SIZE) or 1


def fetch_per_race(endpoint: Endpoint, needed: int, completed: int) -> bool:
    """True when one request per needed race is cheaper than paging the whole season, or the
    API serves the endpoint per round only (pit stops, laps).

    A season page holds ~100 rows, so a full season of results costs ~5 requests; fetching two
    missing races costs 2. Endpoints whose items are races (the schedule) always page.
    """
    if endpoint.row_key is None or needed == 0:
        return False
    if endpoint.rounds_only:
        return True
    per_race = ROWS_PER_RACE.get(endpoint.name, ROWS_PER_RACE_ESTIMATE)
    season_pages = math.ceil(completed * per_race / PAGE_SIZE) or 1
    return needed * race_pages(endpoint) < season_pages


def revision_window(completed: Mapping[int, date], today: date, window_days: int) -> list[int]:
    """Completed rounds recent enough that the governing body may still revise their results."""
    return sorted(r for r, d in completed.items() if 0 <= (today - d).days <= window_days)


@dataclass(frozen=True)
class Held:
    """What the ledger holds of one endpoint for one season."""

    rounds: frozenset[int] = frozenset()
    """Race scope: rounds with a current ingestion."""
    absent: frozenset[int] = frozenset()
    """Race scope: completed rounds known to have no data."""
    season_ingested: bool = False
    """Season scope: the season's object has been ingested."""
    through_round: int | None = None
    """Season scope: the last completed round when it was last confirmed."""


@dataclass(frozen=True)
class SeasonWork:
    """Inputs of the per-endpoint plan of one season."""

    season: int
    completed: list[int]
    """Completed rounds this run covers (one, for a one-round backfill)."""
    last_round: int | None
    """The season's last completed round (standings are taken after it)."""
    whole_season: bool = True
    """False for a one-round backfill: season-level standings are left for a full run."""
    force: bool = False
    recheck: list[int] = field(default_factory=list)
    opted_in: frozenset[str] = frozenset()
    """Opt-in endpoints this run asks for (``laps``); the others are never planned."""
    schedule_changed: list[int] = field(default_factory=list)
    """Rounds of the schedule this run fetched whose entry the ledger lacks or holds
    differently (see :func:`schedule_changes`): the races endpoint writes them, run or not."""


def endpoint_work(endpoint: Endpoint, work: SeasonWork, held: Held) -> list[int | None]:
    """What to fetch of one endpoint: rounds (race scope), ``[None]`` (the season's object of a
    season-scoped endpoint) or nothing.

    ``every_race``: completed rounds neither ingested nor known absent (plus forced and
    rechecked ones). ``last_race``: the standings after the season's last completed round, once
    (a past season's final standings; the current one's after each new race). ``season``: the
    dimension once per season, again when a later round has been run since it was confirmed.
    An opt-in endpoint (laps) is planned only when the run asks for it. The schedule
    (``races``) also writes every round of a fetched schedule that is new or has moved, so the
    lake holds the whole published calendar, the rounds still to run included.
    """
    if endpoint.opt_in and endpoint.name not in work.opted_in:
        return []
    scheduled = work.schedule_changed if endpoint is RACES else []
    if not work.completed or work.season < FIRST_SEASON_OF.get(endpoint.name, EARLIEST_SEASON):
        return list(scheduled)
    if endpoint.scope == "season":
        last = work.last_round or max(work.completed)
        stale = not held.season_ingested or (held.through_round or 0) < last
        return [None] if work.force or stale else []
    if endpoint.selection == "last_race":
        if not work.whole_season or work.last_round is None:
            return []
        targets = [work.last_round]
    else:
        targets = work.completed
    known = dict.fromkeys(held.rounds | held.absent, "")
    due = rounds_to_fetch(targets, known, force=work.force, recheck=work.recheck)
    return sorted({*due, *scheduled})


def schedule_changes(
    fetched: Mapping[int, str], held: Mapping[int, str], *, force: bool = False
) -> list[int]:
    """Rounds of a fetched schedule to write: new, changed (another date, time, circuit or
    name: the payload hash differs from the current ingestion's) or all of them when forced.

    ``fetched`` and ``held`` map round -> payload hash. A round the ledger holds that the
    schedule no longer lists (a cancelled race) is not among them: see :func:`withdrawn`.
    """
    return sorted(r for r, sha in fetched.items() if force or held.get(r) != sha)


def withdrawn(fetched: Iterable[int], written: Iterable[int], run: Iterable[int]) -> list[int]:
    """Rounds whose schedule entry is in the lake but no longer in the published schedule,
    and that were never run: a race cancelled after its calendar was published (the API
    then drops it, and renumbers the rounds after it)."""
    return sorted(set(written) - set(fetched) - set(run))


def plan_work(
    endpoints: Iterable[Endpoint], work: SeasonWork, held: Mapping[str, Held]
) -> dict[str, list[int | None]]:
    """:func:`endpoint_work` for every endpoint, by name (empty lists included)."""
    return {ep.name: endpoint_work(ep, work, held.get(ep.name, Held())) for ep in endpoints}


def opted_in(*, laps: bool) -> frozenset[str]:
    """The opt-in endpoints a run asks for, from its flags."""
    return frozenset({"laps"} if laps else ())


def check_request(season: int, season_to: int | None = None, round_: int | None = None) -> None:
    """What needs no source at all: the earliest season, the range's order, the round's form.

    The command line checks it before anything starts; the planner again, for the DAG's params.
    """
    if season < EARLIEST_SEASON:
        raise PlanError(
            f"season {season} is out of range: the championship began in {EARLIEST_SEASON}"
        )
    if season_to is not None and season_to < season:
        raise PlanError(
            f"the season range runs backwards: it ends with {season_to}, before {season}"
        )
    if round_ is not None and round_ < 1:
        raise PlanError(f"round {round_} is out of range: rounds count from 1")
    if round_ is not None and season_to not in (None, season):
        raise PlanError("round selects one race: it cannot be combined with season_to")


def season_range(season: int, season_to: int | None, latest: int) -> list[int]:
    """The seasons of a backfill from ``season`` to ``season_to`` (inclusive), validated
    against the latest season the source has published."""
    check_request(season, season_to)
    check_season(season, latest)
    if season_to is None:
        return [season]
    check_season(season_to, latest)
    return list(range(season, season_to + 1))
