"""Pure planning: which races are complete, which need fetching, and how to fetch them cheaply.

No I/O here, so every rule is tested without servers.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from f1lake.endpoints import Endpoint

EARLIEST_SEASON = 1950
PAGE_SIZE = 100
ROWS_PER_RACE_ESTIMATE = 24
"""A typical modern grid; pre-1980 races had more entries, which only favours season paging."""


class PlanError(ValueError):
    """A request the pipeline cannot serve (unknown season or round), with a clear message."""


@dataclass(frozen=True)
class SeasonState:
    """Where a season stands, from the API's own notion of ``current``/``last``."""

    season: int
    current_season: int
    last_round: int | None
    """Last completed round of the current season (None: none completed yet)."""

    def completed_rounds(self, schedule_rounds: Iterable[int]) -> list[int]:
        rounds = sorted(set(schedule_rounds))
        if self.season < self.current_season:
            return rounds
        if self.season == self.current_season and self.last_round is not None:
            return [r for r in rounds if r <= self.last_round]
        return []


def check_season(season: int, current_season: int) -> None:
    """Reject seasons the API cannot have, naming the valid range."""
    if season < EARLIEST_SEASON or season > current_season:
        raise PlanError(
            f"season {season} is out of range: the championship runs from "
            f"{EARLIEST_SEASON} to the current season {current_season}"
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


def fetch_per_race(endpoint: Endpoint, needed: int, completed: int) -> bool:
    """True when one request per needed race is cheaper than paging the whole season.

    A season page holds ~100 rows, so a full season of results costs ~5 requests; fetching two
    missing races costs 2. Endpoints whose items are races (the schedule) always page.
    """
    if endpoint.row_key is None or needed == 0:
        return False
    season_pages = math.ceil(completed * ROWS_PER_RACE_ESTIMATE / PAGE_SIZE) or 1
    return needed < season_pages


def revision_window(completed: Mapping[int, date], today: date, window_days: int) -> list[int]:
    """Completed rounds recent enough that the governing body may still revise their results."""
    return sorted(r for r, d in completed.items() if 0 <= (today - d).days <= window_days)
