"""Pure planning over the ledger's answers: which races to fetch, which payloads to write.

Two steps, because fetching is season-wide (the request budget is the bottleneck) and revisions
are only visible after a fetch:

1. :func:`plan_fetch` - before fetching: completed races that are missing (never ingested for
   the endpoint), plus already-ingested ones to re-check for revisions (``recheck_since``) or
   to redo (``force``). Races not yet run are left alone.
2. :func:`plan_writes` - after fetching: per race, whether its payload is new, changed (hash
   differs from the current ingestion), unchanged (skip; log with ``record_unchanged``) or
   forced (unchanged but written anyway). Every fetched race is judged, not only the planned
   ones: a season fetched for one missing race also reveals revisions of the others.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from f1lake.ledger.models import Ingestion, RaceRef, check_endpoint, check_sha256


def is_completed(race: RaceRef, today: date, *, lag_days: int = 0) -> bool:
    """A race counts as run from its date (plus ``lag_days`` for slow result publication).

    On race day the results may not be out yet; that is harmless, the race stays missing and
    the next run fetches it.
    """
    return race.date + timedelta(days=lag_days) <= today


@dataclass(frozen=True)
class FetchPlan:
    endpoint: str
    missing: tuple[RaceRef, ...]
    """Completed races with no ingestion for the endpoint."""
    recheck: tuple[RaceRef, ...]
    """Completed, already ingested races to fetch again (revisions, or ``force``)."""
    settled: tuple[RaceRef, ...]
    """Completed, already ingested races left alone."""
    upcoming: tuple[RaceRef, ...]
    """Races not run yet (or within ``lag_days``): never fetched."""
    force: bool = False

    @property
    def to_fetch(self) -> tuple[RaceRef, ...]:
        return tuple(sorted(self.missing + self.recheck))

    @property
    def seasons(self) -> tuple[int, ...]:
        """Seasons to request, in order: those holding at least one race to fetch."""
        return tuple(sorted({r.season for r in self.to_fetch}))

    def rounds(self, season: int) -> tuple[int, ...]:
        return tuple(r.round for r in self.to_fetch if r.season == season)


def plan_fetch(
    schedule: Iterable[RaceRef],
    current: Iterable[Ingestion],
    *,
    endpoint: str,
    today: date,
    force: bool = False,
    recheck_since: date | None = None,
    lag_days: int = 0,
) -> FetchPlan:
    """Decide which races of ``schedule`` to fetch for ``endpoint``.

    ``current`` is the ledger's current ingestions (others endpoints' are ignored, so
    ``ledger.ingestions(season)`` can be passed whole). ``recheck_since`` re-fetches ingested
    races run on or after that date, to catch results revised after the race; ``force``
    re-fetches every completed race.
    """
    endpoint = check_endpoint(endpoint)
    if lag_days < 0:
        raise ValueError(f"lag_days must be >= 0, got {lag_days}")
    have = {(i.season, i.round) for i in current if i.endpoint == endpoint}
    missing: list[RaceRef] = []
    recheck: list[RaceRef] = []
    settled: list[RaceRef] = []
    upcoming: list[RaceRef] = []
    for race in sorted(set(schedule)):
        if not is_completed(race, today, lag_days=lag_days):
            upcoming.append(race)
        elif (race.season, race.round) not in have:
            missing.append(race)
        elif force or (recheck_since is not None and race.date >= recheck_since):
            recheck.append(race)
        else:
            settled.append(race)
    return FetchPlan(
        endpoint, tuple(missing), tuple(recheck), tuple(settled), tuple(upcoming), force
    )


class Change(StrEnum):
    NEW = "new"
    CHANGED = "changed"
    UNCHANGED = "unchanged"
    FORCED = "forced"
    """Same payload as the current ingestion, written again because of ``force``."""


@dataclass(frozen=True, order=True)
class PayloadDecision:
    season: int
    round: int
    payload_sha256: str
    change: Change
    previous_sha256: str | None

    @property
    def write(self) -> bool:
        """Write a new raw object and ``record_ingestion``; otherwise ``record_unchanged``."""
        return self.change is not Change.UNCHANGED


@dataclass(frozen=True)
class WritePlan:
    endpoint: str
    decisions: tuple[PayloadDecision, ...]

    @property
    def to_write(self) -> tuple[PayloadDecision, ...]:
        return tuple(d for d in self.decisions if d.write)

    @property
    def unchanged(self) -> tuple[PayloadDecision, ...]:
        return tuple(d for d in self.decisions if not d.write)

    def get(self, season: int, round_: int) -> PayloadDecision | None:
        return next((d for d in self.decisions if (d.season, d.round) == (season, round_)), None)


def plan_writes(
    fetched: Mapping[tuple[int, int], str],
    current: Iterable[Ingestion],
    *,
    endpoint: str,
    force: bool = False,
) -> WritePlan:
    """Judge each fetched payload (``{(season, round): payload_sha256}``) against the ledger."""
    endpoint = check_endpoint(endpoint)
    previous = {(i.season, i.round): i.payload_sha256 for i in current if i.endpoint == endpoint}
    decisions = []
    for (season, round_), sha in fetched.items():
        check_sha256(sha)
        before = previous.get((season, round_))
        if before is None:
            change = Change.NEW
        elif before != sha:
            change = Change.CHANGED
        else:
            change = Change.FORCED if force else Change.UNCHANGED
        decisions.append(PayloadDecision(season, round_, sha, change, before))
    return WritePlan(endpoint, tuple(sorted(decisions)))
