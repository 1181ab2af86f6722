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


def jolpica_limits(per_second: int = 4, per_hour: int = 500) -> list[Limit]:
    """Jolpica's published limits: a per-second burst and a per-hour sustained budget."""
    return [Limit(per_second, 1.0), Limit(per_hour, 3600.0)]


class RateLimiter:
    """Blocks each caller until one more request fits every limit."""

    def __init__(self, limits: Sequence[Limit], limiter: Limiter) -> None:
        self.limits = tuple(limits)
        self._limiter = limiter

    def acquire(self, timeout: float | None = None) -> float:
        """Wait for a slot for one request; returns the seconds waited.

        Raises ``RateLimitTimeoutError`` if no slot frees up within ``timeout`` seconds.
        """
        started = time.monotonic()
        granted = self._limiter.try_acquire(
            _ITEM_NAME, blocking=True, timeout=-1 if timeout is None else max(timeout, 0.0)
        )
        waited = time.monotonic() - started
        if not granted:
            raise RateLimitTimeoutError(waited if timeout is None else timeout, self.describe())
        if waited > 1.0:
            log.info("rate limiter held a request for %.2fs (%s)", waited, self.describe())
        return waited

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
        super().__init__(limits, Limiter(self._bucket))

    def admissions(self) -> list[float]:
        with self._bucket._lock:
            return [item.timestamp / 1000 for item in self._bucket.items]


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

    @classmethod
    def from_settings(cls, settings: Settings) -> SharedRateLimiter:
        return cls(
            settings.rate_limit_path,
            jolpica_limits(settings.rate_limit_per_second, settings.rate_limit_per_hour),
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
