"""Client-side rate limits for the Ergast API, held within one process or across processes.

Jolpica allows a burst of 4 requests/s and 500 requests/h. Airflow runs each task in its own
process, so a per-process counter would let N tasks send N times the budget: the shared
limiter keeps one sliding-window log in a SQLite file that every process on the host uses.

Both limiters are pyrate-limiter (v4) buckets with the sliding-window log and several rates.
Two small adapters make them right for this use:

* ``_ProcessLock``: pyrate-limiter's own cross-process lock needs the optional ``filelock``
  package, which the project does not install; an ``fcntl.flock`` on a side file does the same
  with the standard library, reentrantly (the limiter takes the bucket's lock around the
  bucket's own locking) and per thread.
* fresh timestamps: after a blocking wait pyrate-limiter stamps the request with
  ``previous stamp + planned sleep``, which is earlier than the real send time whenever the
  sleep overran or the lock was contended; an early stamp leaves the window early and lets a
  later request through too soon. Stamping inside the bucket's lock, at admission, fixes it.
"""

from __future__ import annotations

import fcntl
import itertools
import logging
import math
import os
import sqlite3
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from pyrate_limiter import InMemoryBucket, Limiter, Rate, RateItem, SQLiteBucket, SQLiteQueries

from f1lake.ergast.errors import RateLimitTimeoutError

if TYPE_CHECKING:
    from f1lake.settings import Settings

log = logging.getLogger(__name__)

_ITEM_NAME = "ergast"


@dataclass(frozen=True)
class Limit:
    """At most ``requests`` in any rolling window of ``seconds``."""

    requests: int
    seconds: float

    def __post_init__(self) -> None:
        if self.requests < 1 or self.seconds <= 0:
            raise ValueError(f"a rate limit needs requests >= 1 and seconds > 0, got {self}")

    def __str__(self) -> str:
        return f"{self.requests}/{self.seconds:g}s"


def jolpica_limits(
    per_second: int = 4, per_hour: int = 500, *, margin: float = 0.0, window: float = 3600.0
) -> list[Limit]:
    """Jolpica's published limits, a per-second burst and a per-hour sustained budget, less a
    safety ``margin`` (0.1: pace at 90% of each); ``window``: the "hour" (shorter in tests)."""
    if not 0.0 <= margin < 1.0:
        raise ValueError(f"the safety margin must be in [0, 1), got {margin}")
    keep = 1.0 - margin
    burst = max(1, math.floor(per_second * keep + 1e-9))
    sustained = max(1, math.floor(per_hour * keep + 1e-9))
    # An "hourly" budget the burst could never reach is no limit at all: cap it there.
    return [Limit(burst, 1.0), Limit(min(sustained, math.floor(burst * window)), window)]


@dataclass(frozen=True)
class BudgetStatus:
    """Where the longest limit (the hourly budget) stands, for waits said out loud."""

    used: int
    """Requests admitted inside the window."""
    budget: int
    window: float
    free_at: float
    """Epoch seconds when one more request fits the budget (now or earlier: it fits now)."""
    paused_until: float
    """Epoch seconds until which a 429 without ``Retry-After`` holds every request."""

    def waiting(self, now: float | None = None) -> float:
        """Seconds until the next request may go (0: now)."""
        now = time.time() if now is None else now
        return max(0.0, self.free_at - now, self.paused_until - now)

    def describe(self, now: float | None = None) -> str:
        wait = self.waiting(now)
        until = time.strftime("%H:%M:%S", time.localtime(time.time() + wait))
        if self.paused_until > self.free_at:
            why = "the API refused a request without saying when to come back (429)"
        else:
            why = f"{self.used} of {self.budget} requests used in the last {self.window:g}s"
        return f"waiting {wait:.0f}s for the API's window (until {until}): {why}"


class RateLimiter:
    """Blocks each caller until one more request fits every limit (and no pause holds it)."""

    def __init__(self, limits: Sequence[Limit], limiter: Limiter) -> None:
        self.limits = tuple(limits)
        self._limiter = limiter

    def acquire(self, timeout: float | None = None) -> float:
        """Wait for a slot for one request; returns the seconds waited.

        A wait for the hourly window or a pause is logged before it starts, as a warning: long
        work against a spent budget must say what it waits for. Raises
        ``RateLimitTimeoutError`` if no slot frees up within ``timeout`` seconds.
        """
        started = time.monotonic()
        deadline = None if timeout is None else started + max(timeout, 0.0)
        self._sit_out_pause(deadline)
        granted = self._limiter.try_acquire(_ITEM_NAME, blocking=False)
        if not granted:
            status = self.status()
            if status.waiting() > 1.0:
                log.warning("rate limiter: %s", status.describe())
            left = -1 if deadline is None else max(deadline - time.monotonic(), 0.0)
            granted = self._limiter.try_acquire(_ITEM_NAME, blocking=True, timeout=left)
        waited = time.monotonic() - started
        if not granted:
            raise RateLimitTimeoutError(waited if timeout is None else timeout, self.describe())
        if waited > 1.0:
            log.info("rate limiter held a request for %.2fs (%s)", waited, self.describe())
        return waited

    def _sit_out_pause(self, deadline: float | None) -> None:
        told = False
        while (left := self.paused_until() - time.time()) > 0:
            if deadline is not None and time.monotonic() + left > deadline:
                raise RateLimitTimeoutError(left, f"paused: {self.describe()}")
            if not told and left > 1.0:
                log.warning("rate limiter: %s", self.status().describe())
                told = True
            time.sleep(min(left, 1.0))

    def pause(self, seconds: float) -> None:
        """Hold every request of every process sharing this limiter for ``seconds``.

        For a 429 that does not say when to come back: one client backing off while the
        others keep asking is how a retry storm starts.
        """
        self._set_pause(time.time() + max(seconds, 0.0))

    def paused_until(self) -> float:
        """Epoch seconds until which requests are held (0: no pause)."""
        raise NotImplementedError

    def _set_pause(self, until: float) -> None:
        raise NotImplementedError

    def status(self, now: float | None = None) -> BudgetStatus:
        """The longest limit's use, from the admissions log (the progress output reads it)."""
        now = time.time() if now is None else now
        longest = max(self.limits, key=lambda limit: limit.seconds)
        inside = [t for t in self._epoch_admissions() if t > now - longest.seconds]
        free_at = (
            inside[-longest.requests] + longest.seconds if len(inside) >= longest.requests else now
        )
        return BudgetStatus(
            len(inside), longest.requests, longest.seconds, free_at, self.paused_until()
        )

    def _epoch_admissions(self) -> list[float]:
        return self.admissions()

    def admissions(self) -> list[float]:
        """Admission times (seconds, on the limiter's own clock), oldest first.

        The limiter's own record of what it let through (at least everything inside the
        longest limit's window), for diagnostics and tests.
        """
        raise NotImplementedError

    def describe(self) -> str:
        return ", ".join(str(limit) for limit in self.limits)

    def close(self) -> None:
        """Stop the background leak thread and release the store."""
        self._limiter.close()

    def __enter__(self) -> RateLimiter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class InMemoryRateLimiter(RateLimiter):
    """Limits the requests of this process only (tests, one-off scripts)."""

    def __init__(self, limits: Sequence[Limit] | None = None) -> None:
        limits = list(limits or jolpica_limits())
        self._bucket = _FreshInMemoryBucket(_rates(limits))
        self._paused_until = 0.0
        super().__init__(limits, Limiter(self._bucket))

    def admissions(self) -> list[float]:
        with self._bucket._lock:
            return [item.timestamp / 1000 for item in self._bucket.items]

    def _epoch_admissions(self) -> list[float]:
        # The in-memory bucket stamps on the monotonic clock: shift to epoch seconds.
        shift = time.time() - self._bucket.now() / 1000
        return [t + shift for t in self.admissions()]

    def paused_until(self) -> float:
        return self._paused_until

    def _set_pause(self, until: float) -> None:
        self._paused_until = max(self._paused_until, until)


class SharedRateLimiter(RateLimiter):
    """Limits the requests of every process on this host that uses the same SQLite file.

    Create it in the process that uses it (inside the task, not at DAG-parse time): a SQLite
    connection must not cross a fork.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        limits: Sequence[Limit] | None = None,
        *,
        table: str = "ergast_requests",
    ) -> None:
        if not table.isidentifier():
            raise ValueError(f"table must be a plain identifier, got {table!r}")
        limits = list(limits or jolpica_limits())
        rates = _rates(limits)
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        lock = _ProcessLock(self.path.with_name(self.path.name + ".lock"))
        with lock:
            conn = sqlite3.connect(
                self.path, timeout=30, isolation_level="DEFERRED", check_same_thread=False
            )
            conn.execute(SQLiteQueries.CREATE_BUCKET_TABLE.format(table=table))
            conn.execute(
                SQLiteQueries.CREATE_INDEX_ON_TIMESTAMP.format(
                    index_name=f"idx_{table}_item_timestamp", table_name=table
                )
            )
            conn.execute(
                f"CREATE TABLE IF NOT EXISTS '{table}_pause' "
                "(id INTEGER PRIMARY KEY CHECK (id = 1), until REAL NOT NULL)"
            )
            conn.commit()
        self._bucket = _FreshSQLiteBucket(rates, conn, table=table, lock=lock)
        self._table = table
        super().__init__(limits, Limiter(self._bucket))

    def admissions(self) -> list[float]:
        """Admissions of every process sharing the file, in epoch seconds."""
        with self._bucket.lock:
            rows = self._bucket.conn.execute(
                f"SELECT item_timestamp FROM '{self._table}' ORDER BY item_timestamp"
            ).fetchall()
        return [row[0] / 1000 for row in rows]

    def paused_until(self) -> float:
        with self._bucket.lock:
            row = self._bucket.conn.execute(
                f"SELECT until FROM '{self._table}_pause' WHERE id = 1"
            ).fetchone()
        return float(row[0]) if row else 0.0

    def _set_pause(self, until: float) -> None:
        with self._bucket.lock:
            self._bucket.conn.execute(
                f"INSERT INTO '{self._table}_pause' (id, until) VALUES (1, ?) "
                "ON CONFLICT (id) DO UPDATE SET until = max(until, excluded.until)",
                (until,),
            )
            self._bucket.conn.commit()

    @classmethod
    def from_settings(cls, settings: Settings) -> SharedRateLimiter:
        return cls(settings.rate_limit_path, budget_limits(settings))


def budget_limits(settings: Settings) -> list[Limit]:
    """The limits the pipeline paces itself by: the configured (published) ones less the
    safety margin, over the configured window."""
    return jolpica_limits(
        settings.rate_limit_per_second,
        settings.rate_limit_per_hour,
        margin=settings.rate_limit_margin,
        window=settings.rate_limit_window_seconds,
    )


def rate_limiter_from_settings(settings: Settings) -> SharedRateLimiter:
    """The host-wide limiter every task of the pipeline shares."""
    return SharedRateLimiter.from_settings(settings)


def _rates(limits: Sequence[Limit]) -> list[Rate]:
    if not limits:
        raise ValueError("a rate limiter needs at least one limit")
    ordered = sorted(limits, key=lambda limit: limit.seconds)
    for shorter, longer in itertools.pairwise(ordered):
        if longer.requests <= shorter.requests or longer.seconds == shorter.seconds:
            raise ValueError(
                f"limit {longer} must allow more requests than the shorter limit {shorter}"
            )
        if longer.requests / longer.seconds > shorter.requests / shorter.seconds:
            raise ValueError(f"limit {longer} can never bind: {shorter} is always stricter")
    return [Rate(limit.requests, round(limit.seconds * 1000)) for limit in ordered]


class _FreshInMemoryBucket(InMemoryBucket):
    def put(self, item: RateItem) -> bool:
        with self._lock:
            item.timestamp = self.now()
            return super().put(item)


class _FreshSQLiteBucket(SQLiteBucket):
    def put(self, item: RateItem) -> bool:
        with self.lock:
            item.timestamp = self.now()
            return super().put(item)


class _ProcessLock:
    """Reentrant lock that excludes other threads of this process and other processes.

    The lock file is opened at each outermost acquire and closed at release, so a forked
    child never shares an open file description (and thereby the lock) with its parent.
    """

    _POLL_SECONDS = 0.005

    def __init__(self, path: Path) -> None:
        self.path = path
        self._thread_lock = threading.RLock()
        self._depth = 0
        self._fd: int | None = None

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        if not blocking:
            timeout = 0
        deadline = None if timeout is None or timeout < 0 else time.monotonic() + timeout
        if deadline is None:
            got = self._thread_lock.acquire()
        else:
            got = self._thread_lock.acquire(timeout=max(deadline - time.monotonic(), 0))
        if not got:
            return False
        if self._depth == 0:
            try:
                if not self._lock_file(deadline):
                    self._thread_lock.release()
                    return False
            except BaseException:
                self._thread_lock.release()
                raise
        self._depth += 1
        return True

    def _lock_file(self, deadline: float | None) -> bool:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            if deadline is None:
                fcntl.flock(fd, fcntl.LOCK_EX)
            else:
                while True:
                    try:
                        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                        break
                    except BlockingIOError:
                        if time.monotonic() >= deadline:
                            os.close(fd)
                            return False
                        time.sleep(self._POLL_SECONDS)
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd
        return True

    def release(self) -> None:
        if self._depth <= 0:
            raise RuntimeError("release of an unheld lock")
        self._depth -= 1
        if self._depth == 0 and self._fd is not None:
            fd, self._fd = self._fd, None
            try:
                fcntl.flock(fd, fcntl.LOCK_UN)
            finally:
                os.close(fd)
        self._thread_lock.release()

    def __enter__(self) -> _ProcessLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
