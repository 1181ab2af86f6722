"""Progress of a running backfill, read from the ledger and the rate limiter while it runs.

Long work must not be silent: a backfill of decades against the real API takes hours at its
hourly budget. Before the first request this prints the request budget per endpoint and its
ETA at the configured limits (once the run's plan has recorded the schedule); then, per season,
a line when it moves on: raw objects written and processed, requests used, ETA. It reads only
what the run records anyway (the ledger, the shared rate-limit log), so it works the same for a
run in this process (``dag.test()``) and one on the running stack's scheduler.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime

import psycopg2

from f1lake.endpoints import ENDPOINTS
from f1lake.ledger import Ledger
from f1lake.pipeline import plan_rules
from f1lake.pipeline.budget import format_duration, plan_budget, seconds_for
from f1lake.pipeline.plan import held_by_endpoint
from f1lake.settings import Settings

Say = Callable[[str], None]


def requests_used(settings: Settings, within: float | None = None) -> int:
    """API requests this host sent in the last ``within`` seconds (default: the hourly
    budget's window), from the shared limiter's log."""
    from f1lake.ergast.ratelimit import rate_limiter_from_settings

    cutoff = time.time() - (settings.rate_limit_window_seconds if within is None else within)
    try:
        with rate_limiter_from_settings(settings) as limiter:
            return sum(1 for t in limiter.admissions() if t >= cutoff)
    except (OSError, sqlite3.Error):
        return 0


def budget_wait(settings: Settings) -> str | None:
    """What the run waits for when its requests are held (the hourly window, or a pause after
    a 429 without Retry-After), from the shared limiter's log; None when nothing holds them."""
    from f1lake.ergast.ratelimit import rate_limiter_from_settings

    try:
        with rate_limiter_from_settings(settings) as limiter:
            status = limiter.status()
    except (OSError, sqlite3.Error):
        return None
    return status.describe() if status.waiting() > 1.0 else None


@dataclass(frozen=True)
class SeasonProgress:
    season: int
    races: int
    written: int
    processed: int
    budget: dict[str, int]
    """Requests the season's endpoints needed when the run started, per endpoint."""
    remaining: dict[str, int]
    """Requests they still need now (the planner's estimate)."""


def _season(
    ledger: Ledger, season: int, today: date, since: datetime, opted_in: frozenset[str]
) -> SeasonProgress | None:
    races = ledger.races(season)
    if not races:
        return None  # the plan has not recorded the schedule yet
    completed = [r.round for r in races if r.date < today]
    last = max(completed) if completed else None
    spec = plan_rules.SeasonWork(season, completed, last, opted_in=opted_in)

    def budget(before: datetime | None) -> dict[str, int]:
        held = held_by_endpoint(ledger, season, before)
        return plan_budget(plan_rules.plan_work(ENDPOINTS.values(), spec, held), len(completed))

    events = [e for e in ledger.history(season) if e.occurred_at >= since]
    return SeasonProgress(
        season,
        len(races),
        sum(1 for e in events if e.event.value == "ingested"),
        sum(1 for e in events if e.event.value == "processed"),
        budget(since),
        budget(None),
    )


def seasons_of(conf: dict[str, object]) -> list[int]:
    """The seasons a DAG run's conf asks for (none for the latest DAG: it finds its own)."""
    if "season" not in conf:
        return []
    first = int(conf["season"])  # type: ignore[call-overload]
    last = int(conf.get("season_to") or first)  # type: ignore[call-overload]
    return list(range(first, last + 1))


def laps_of(conf: dict[str, object]) -> bool:
    """Whether a DAG run's conf asks for lap times (the backfill's ``laps`` parameter)."""
    return bool(conf.get("laps"))


class RunProgress:
    """A thread that reports a run's progress until stopped (a context manager)."""

    def __init__(
        self,
        settings: Settings,
        ledger_dsn: str,
        seasons: Iterable[int],
        say: Say,
        *,
        today: date | None = None,
        every: float = 15.0,
        poll: float = 2.0,
        laps: bool = False,
    ) -> None:
        self.settings = settings
        self.opted_in = plan_rules.opted_in(laps=laps or settings.ingest_laps)
        self.dsn = ledger_dsn
        self.seasons = list(seasons)
        self.say = say
        self.today = today or datetime.now(UTC).date()
        self.every = every
        self.poll = poll
        self.since = datetime.now(UTC)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="run-progress", daemon=True)
        self._shown: dict[int, tuple[int, int]] = {}
        self._budget_told = False
        self._waiting = False
        self._last_print = 0.0

    def __enter__(self) -> RunProgress:
        if self.seasons:
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(10)
            self._poll(final=True)  # where the run ended

    def _rate(self) -> tuple[float, float]:
        """The pace the run keeps: the configured limits less the safety margin."""
        from f1lake.ergast.ratelimit import budget_limits

        burst, sustained = budget_limits(self.settings)
        return float(burst.requests), sustained.requests * 3600.0 / sustained.seconds

    def _used(self) -> int:
        return requests_used(self.settings)

    def _run(self) -> None:
        while not self._stop.wait(self.poll):
            self._poll(final=False)

    def _tell_wait(self) -> None:
        """Say once per wait that the run is held for the API's window, and until when."""
        wait = budget_wait(self.settings)
        if wait is not None and not self._waiting:
            self.say(f"  API budget: {wait}")
        self._waiting = wait is not None

    def _poll(self, *, final: bool) -> None:
        if not final:
            self._tell_wait()
        try:
            with Ledger(self.dsn) as ledger:
                rows = [
                    _season(ledger, s, self.today, self.since, self.opted_in) for s in self.seasons
                ]
        except psycopg2.Error:
            return  # the ledger restarting: next poll
        known = [r for r in rows if r is not None]
        if not self._budget_told and known and len(known) == len(self.seasons):
            self._tell_budget(known)
        if not (self._budget_told or final):
            return  # the budget first, once the plan has recorded every season's schedule
        due = final or time.monotonic() - self._last_print >= self.every
        changed = [r for r in known if self._shown.get(r.season) != (r.written, r.processed)]
        if changed and due:
            self._tell(changed)
            self._last_print = time.monotonic()

    def _tell_budget(self, rows: list[SeasonProgress]) -> None:
        self._budget_told = True
        total: dict[str, int] = {}
        for row in rows:
            for ep, n in row.budget.items():
                total[ep] = total.get(ep, 0) + n
        requests = sum(total.values())
        if not requests:
            self.say("budget: the ledger holds everything asked for: no API request needed")
            return
        per_second, per_hour = self._rate()
        eta = seconds_for(requests, per_second, per_hour, self._used())
        detail = ", ".join(f"{ep} {n}" for ep, n in sorted(total.items(), key=lambda kv: -kv[1]))
        self.say(
            f"budget: about {requests} API requests ({detail}); at {per_second:g}/s and "
            f"{per_hour:g}/h, about {format_duration(eta)}"
        )

    def _tell(self, rows: list[SeasonProgress]) -> None:
        per_second, per_hour = self._rate()
        used = self._used()
        for row in rows:
            self._shown[row.season] = (row.written, row.processed)
            left = sum(row.remaining.values())
            eta = seconds_for(left, per_second, per_hour, used)
            state = "fetched" if not left else f"~{left} requests left, ETA {format_duration(eta)}"
            self.say(
                f"  {row.season}: {row.written} raw objects written, {row.processed} processed "
                f"({row.races} races); {state}"
            )
        self.say(f"  API requests in the last hour: {used}")
