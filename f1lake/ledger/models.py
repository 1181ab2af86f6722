"""Value types of the ledger and the checks that keep bad input out of it.

Checks live here (not only as SQL constraints) so a caller gets an error naming the bad value
rather than a constraint name; the database constraints stay as the last line of defence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from f1lake.endpoints import get_endpoint
from f1lake.keys import RawKey, parse_raw_key

_SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
FIRST_SEASON = 1950


class State(StrEnum):
    """Processing state of the current ingestion of one (race, endpoint)."""

    INGESTED = "ingested"
    """Raw object written; the processor has not reported on it yet."""
    PROCESSED = "processed"
    FAILED = "failed"


class EventKind(StrEnum):
    INGESTED = "ingested"
    PROCESSED = "processed"
    FAILED = "failed"
    SKIPPED_UNCHANGED = "skipped_unchanged"
    """Fetched again, same payload hash: nothing written."""
    ABSENT = "absent"
    """A completed race the API has no data for at this endpoint (no sprint that weekend)."""
    LOST = "lost"
    """The raw object of the current ingestion is missing from the lake: forgotten, fetched
    again by the next run (the reconciliation of ledger and lake)."""


@dataclass(frozen=True, order=True)
class RaceRef:
    """A race as the schedule knows it: what :meth:`Ledger.upsert_races` takes."""

    season: int
    round: int
    name: str
    date: date

    def __post_init__(self) -> None:
        check_race(self.season, self.round)
        if not isinstance(self.name, str) or not self.name.strip():
            raise ValueError(f"race {self.season}-{self.round}: name must be a non-empty string")
        if not isinstance(self.date, date) or isinstance(self.date, datetime):
            raise ValueError(
                f"race {self.season}-{self.round}: date must be a datetime.date, got {self.date!r}"
            )

    @classmethod
    def from_ergast(cls, race: dict[str, Any]) -> RaceRef:
        """From one Ergast race record (``season``, ``round``, ``raceName``, ``date``)."""
        try:
            season, round_ = int(race["season"]), int(race["round"])
            name, day = race["raceName"], date.fromisoformat(race["date"])
        except KeyError as exc:
            raise ValueError(f"Ergast race record has no {exc.args[0]!r}: {race!r:.200}") from None
        except (TypeError, ValueError) as exc:
            raise ValueError(f"malformed Ergast race record ({exc}): {race!r:.200}") from None
        return cls(season, round_, name, day)


@dataclass(frozen=True)
class RaceRow:
    season: int
    round: int
    name: str
    date: date
    created_at: datetime
    updated_at: datetime

    @property
    def ref(self) -> RaceRef:
        return RaceRef(self.season, self.round, self.name, self.date)


@dataclass(frozen=True)
class Ingestion:
    """The current raw object of one (race, endpoint), or of one (season, endpoint) for a
    season-scoped endpoint (``round`` None), and what became of it."""

    season: int
    round: int | None
    endpoint: str
    raw_key: str
    payload_sha256: str
    state: State
    error: str | None
    ingested_at: datetime
    processed_at: datetime | None
    failed_at: datetime | None
    dag_id: str | None
    dag_run_id: str | None
    pages: int | None
    requests: int | None
    created_at: datetime
    updated_at: datetime
    through_round: int | None = None
    """Season scope: the season's last completed round when the payload was last confirmed."""


@dataclass(frozen=True)
class Absence:
    """A completed race an endpoint has no data for, so plans stop asking for it."""

    season: int
    round: int
    endpoint: str
    checked_at: datetime
    dag_id: str | None
    dag_run_id: str | None


@dataclass(frozen=True)
class Event:
    """One line of history. ``applied`` is False when the fact did not change the current row
    (an ingestion older than the current one, an outcome for a superseded raw key)."""

    id: int
    season: int
    round: int | None
    """None for a fact about a season-scoped object."""
    endpoint: str
    event: EventKind
    applied: bool
    raw_key: str | None
    payload_sha256: str | None
    error: str | None
    dag_id: str | None
    dag_run_id: str | None
    occurred_at: datetime


@dataclass(frozen=True)
class Revision:
    """An object fetched again with a different payload: a row of ``result_revisions``."""

    season: int
    round: int | None
    endpoint: str
    before_sha256: str
    after_sha256: str
    before_raw_key: str
    after_raw_key: str
    before_at: datetime
    after_at: datetime
    dag_id: str | None
    dag_run_id: str | None


def check_race(season: object, round_: object) -> None:
    if not isinstance(season, int) or isinstance(season, bool) or season < FIRST_SEASON:
        raise ValueError(f"season must be an integer >= {FIRST_SEASON}, got {season!r}")
    if not isinstance(round_, int) or isinstance(round_, bool) or not 1 <= round_ <= 99:
        raise ValueError(f"round must be an integer between 1 and 99, got {round_!r}")


def check_season(season: object) -> None:
    if not isinstance(season, int) or isinstance(season, bool) or season < FIRST_SEASON:
        raise ValueError(f"season must be an integer >= {FIRST_SEASON}, got {season!r}")


def check_target(endpoint: str, season: object, round_: object) -> str:
    """Check (season, round) against the endpoint's scope; returns the endpoint name.

    A race-scoped endpoint needs a round, a season-scoped one (the dimensions) must have none.
    """
    ep = get_endpoint(endpoint)
    if ep.scope == "season":
        check_season(season)
        if round_ is not None:
            raise ValueError(
                f"{ep.name} is season-scoped (one object per season): round must be None, "
                f"got {round_!r}"
            )
    else:
        check_race(season, round_)
    return ep.name


def where(endpoint: str, season: int, round_: int | None) -> str:
    """``results 2023-09`` or ``drivers 2023``, for messages."""
    return f"{endpoint} {season}" + ("" if round_ is None else f"-{round_:02d}")


def check_endpoint(endpoint: str) -> str:
    """The endpoint name, if the registry knows it (ValueError listing the known ones if not)."""
    return get_endpoint(endpoint).name


def check_sha256(value: object) -> str:
    if not isinstance(value, str) or not _SHA256_RE.match(value):
        raise ValueError(f"payload_sha256 must be 64 lowercase hex digits, got {value!r}")
    return value


def check_raw_key(
    raw_key: str, *, endpoint: str, season: int, round_: int | None, sha256: str
) -> RawKey:
    """Parse ``raw_key`` and insist it is the object of this race (or season), endpoint and
    payload."""
    parsed = parse_raw_key(raw_key)
    if (parsed.endpoint, parsed.season, parsed.round) != (endpoint, season, round_):
        raise ValueError(
            f"raw key {raw_key!r} belongs to "
            f"{where(parsed.endpoint, parsed.season, parsed.round)}, "
            f"not to {where(endpoint, season, round_)}"
        )
    if parsed.sha12 != sha256[:12]:
        raise ValueError(
            f"raw key {raw_key!r} names payload {parsed.sha12}..., "
            f"but payload_sha256 is {sha256[:12]}..."
        )
    return parsed


def check_positive(name: str, value: object) -> None:
    if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 1):
        raise ValueError(f"{name} must be a positive integer or None, got {value!r}")
