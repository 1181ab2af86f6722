"""The ledger adapter: thin SQL over the tables of ``migrations/``, one transaction per call.

Ordering rules live in SQL so they hold under concurrency: the current ingestion only moves
forward (newest ``ingested_at``, raw key as tie-break: the order of :class:`f1lake.keys.RawKey`),
and a processing outcome only lands on the raw key it names.

Every call is idempotent (the same report twice changes nothing), so a call whose session was
lost - the server restarted, a failover, a dropped connection - is made again on a new session
until ``reconnect_seconds`` have passed, instead of failing the task that made it.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields
from types import TracebackType
from typing import Any, Concatenate, ParamSpec, Self, TypeVar

import psycopg2
import psycopg2.errors
from psycopg2.extras import RealDictCursor, execute_values

from f1lake.keys import parse_raw_key
from f1lake.ledger.connection import connect
from f1lake.ledger.models import (
    Absence,
    Event,
    EventKind,
    Ingestion,
    RaceRef,
    RaceRow,
    Revision,
    State,
    check_endpoint,
    check_positive,
    check_raw_key,
    check_sha256,
    check_target,
    where,
)
from f1lake.ledger.schema import MigrationError, unapplied
from f1lake.ledger.schema import migrate as apply_migrations

log = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")

RECONNECT_SECONDS = 60.0
"""How long a ledger call keeps trying to get a lost session back (a restart takes seconds)."""


class UnknownRaceError(LookupError):
    """An ingestion names a race the ledger's schedule does not hold (upsert_races first)."""


def _reconnecting(
    method: Callable[Concatenate[Ledger, P], R],
) -> Callable[Concatenate[Ledger, P], R]:
    """Make a ledger call again on a new session when its session was lost, or when the server
    rolled it back to break a deadlock; safe because every call is idempotent."""

    @functools.wraps(method)
    def call(self: Ledger, *args: P.args, **kwargs: P.kwargs) -> R:
        deadline: float | None = None
        pause = 0.1
        while True:
            try:
                return method(self, *args, **kwargs)
            except (psycopg2.OperationalError, psycopg2.InterfaceError, ConnectionError) as exc:
                rolled_back = isinstance(exc, psycopg2.extensions.TransactionRollbackError)
                if not (rolled_back or self._conn.closed or isinstance(exc, ConnectionError)):
                    raise
                deadline = deadline or time.monotonic() + self.reconnect_seconds
                if time.monotonic() + pause > deadline:
                    raise
                reason = str(exc).strip().splitlines()[0] if str(exc).strip() else repr(exc)
                log.warning("ledger %s: %s; trying again", method.__name__, reason)
                time.sleep(pause)
                pause = min(pause * 2, 2.0)

    return call


_INGESTION_FIELDS = [f.name for f in fields(Ingestion)]
_INGESTION_COLS = ", ".join(
    "NULL::smallint AS through_round" if f == "through_round" else f for f in _INGESTION_FIELDS
)
"""Columns of race_ingestions as an Ingestion."""
_SEASON_COLS = ", ".join(
    "NULL::smallint AS round" if f == "round" else f for f in _INGESTION_FIELDS
)
"""Columns of season_ingestions as an Ingestion (round None)."""
_ALL_INGESTIONS = (
    f"(SELECT {_INGESTION_COLS} FROM race_ingestions "
    f"UNION ALL SELECT {_SEASON_COLS} FROM season_ingestions) AS i"
)
_ABSENCE_COLS = "season, round, endpoint, checked_at, dag_id, dag_run_id"
_EVENT_COLS = ", ".join(f.name for f in fields(Event))
_RACE_COLS = "season, round, race_name AS name, race_date AS date, created_at, updated_at"


class Ledger:
    """The ledger (schedule, ingestions, history) on one PostgreSQL connection (not thread-safe).

    ``migrate=True`` applies pending migrations first; otherwise an out-of-date schema is
    refused up front with the command to fix it, rather than failing later on a missing table.
    Opening fails at once when the server cannot be reached; a session lost later is
    re-established (see the module's docstring).
    """

    def __init__(
        self, dsn: str, *, migrate: bool = False, reconnect_seconds: float = RECONNECT_SECONDS
    ) -> None:
        self._dsn = dsn
        self.reconnect_seconds = reconnect_seconds
        self._locks: list[int] = []
        if migrate:
            apply_migrations(dsn)
        self._conn = connect(dsn)
        try:
            missing = unapplied(self._conn)
        except BaseException:
            self._conn.close()
            raise
        if missing:
            self._conn.close()
            raise MigrationError(
                f"the ledger schema lacks migrations {', '.join(missing)}; "
                "run f1lake.ledger.migrate(dsn) (or open Ledger(dsn, migrate=True))"
            )

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @contextmanager
    def _tx(self) -> Iterator[RealDictCursor]:
        if self._conn.closed:  # the session was lost: a new one, holding the same locks
            self._conn = connect(self._dsn)
            if self._locks:
                with self._conn.cursor() as cur:
                    for key in self._locks:
                        cur.execute("SELECT pg_advisory_lock(%s)", (key,))
                self._conn.commit()
        conn = self._conn
        try:
            with conn.cursor(cursor_factory=RealDictCursor) as cur:
                yield cur
            conn.commit()
        except BaseException:
            if not conn.closed:  # else the session is gone; the next call reconnects
                conn.rollback()
            raise

    # -- writers ----------------------------------------------------------------------------

    @_reconnecting
    def lock_ingest(self, season: int, endpoint: str) -> None:
        """Wait until no other writer ingests ``endpoint`` of ``season``, then hold it off until
        :meth:`unlock_ingest` or :meth:`close`.

        Two runs of the same season at once (a backfill beside the scheduled DAG, or twice)
        would both see a race missing and both write it: the second to take the lock sees the
        first one's ingestion and finds its payload unchanged. A session advisory lock, so a
        crashed writer releases it with its session.
        """
        key = _lock_key("ingest", season, check_endpoint(endpoint))
        with self._tx() as cur:
            cur.execute("SELECT pg_advisory_lock(%s)", (key,))
        self._locks.append(key)

    def unlock_ingest(self, season: int, endpoint: str) -> None:
        key = _lock_key("ingest", season, check_endpoint(endpoint))
        if key not in self._locks:
            return
        self._locks.remove(key)
        if self._conn.closed:
            return  # the lock went with the session
        try:
            with self._tx() as cur:
                cur.execute("SELECT pg_advisory_unlock(%s)", (key,))
        except (psycopg2.OperationalError, psycopg2.InterfaceError):
            log.warning("ledger session lost while unlocking: the lock went with it")

    @contextmanager
    def ingesting(self, season: int, endpoint: str) -> Iterator[None]:
        """:meth:`lock_ingest` for the duration of the block."""
        self.lock_ingest(season, endpoint)
        try:
            yield
        finally:
            self.unlock_ingest(season, endpoint)

    # -- schedule ---------------------------------------------------------------------------

    @_reconnecting
    def upsert_races(self, races: Iterable[RaceRef]) -> int:
        """Insert new races, update name/date of known ones; returns rows inserted or changed."""
        given = list(races)
        for r in given:
            if not isinstance(r, RaceRef):
                raise TypeError(f"upsert_races takes RaceRef values, got {r!r}")
        rows = sorted({(r.season, r.round): r for r in given}.values())  # last one wins
        if not rows:
            return 0
        with self._tx() as cur:
            result = execute_values(
                cur,
                """
                INSERT INTO processed_races AS p (season, round, race_name, race_date)
                VALUES %s
                ON CONFLICT (season, round) DO UPDATE
                SET race_name = EXCLUDED.race_name, race_date = EXCLUDED.race_date
                WHERE (p.race_name, p.race_date) IS DISTINCT FROM
                      (EXCLUDED.race_name, EXCLUDED.race_date)
                RETURNING 1
                """,
                [(r.season, r.round, r.name, r.date) for r in rows],
                fetch=True,
            )
        return len(result)

    @_reconnecting
    def race(self, season: int, round_: int) -> RaceRow | None:
        with self._tx() as cur:
            cur.execute(
                f"SELECT {_RACE_COLS} FROM processed_races WHERE season = %s AND round = %s",
                (season, round_),
            )
            row = cur.fetchone()
        return RaceRow(**row) if row else None

    @_reconnecting
    def races(self, season: int) -> list[RaceRow]:
        with self._tx() as cur:
            cur.execute(
                f"SELECT {_RACE_COLS} FROM processed_races WHERE season = %s ORDER BY round",
                (season,),
            )
            return [RaceRow(**row) for row in cur.fetchall()]

    @_reconnecting
    def seasons(self) -> list[int]:
        """Seasons whose schedule the ledger holds."""
        with self._tx() as cur:
            cur.execute("SELECT DISTINCT season FROM processed_races ORDER BY season")
            return [row["season"] for row in cur.fetchall()]

    # -- current ingestions -----------------------------------------------------------------

    @_reconnecting
    def ingestion(self, season: int, round_: int | None, endpoint: str) -> Ingestion | None:
        """The current ingestion of a race (or, ``round_=None``, of a season-scoped object)."""
        with self._tx() as cur:
            return _current(cur, season, round_, endpoint)

    @_reconnecting
    def ingestions(self, season: int, endpoint: str | None = None) -> list[Ingestion]:
        """Current ingestions of a season, race-scoped by round, then season-scoped ones."""
        with self._tx() as cur:
            cur.execute(
                f"SELECT * FROM {_ALL_INGESTIONS} "
                "WHERE season = %s AND (%s::text IS NULL OR endpoint = %s) "
                "ORDER BY round NULLS LAST, endpoint",
                (season, endpoint, endpoint),
            )
            return [_ingestion(row) for row in cur.fetchall()]

    def pending(self, season: int | None = None) -> list[Ingestion]:
        """Ingestions the processor has not reported on (state ``ingested``)."""
        return self._in_state(State.INGESTED, season)

    def failed(self, season: int | None = None) -> list[Ingestion]:
        """Ingestions whose processing failed, with the reason in ``error``."""
        return self._in_state(State.FAILED, season)

    @_reconnecting
    def _in_state(self, state: State, season: int | None) -> list[Ingestion]:
        with self._tx() as cur:
            cur.execute(
                f"SELECT * FROM {_ALL_INGESTIONS} "
                "WHERE state = %s AND (%s::int IS NULL OR season = %s) "
                "ORDER BY season, round NULLS LAST, endpoint",
                (state.value, season, season),
            )
            return [_ingestion(row) for row in cur.fetchall()]

    @_reconnecting
    def record_ingestion(
        self,
        *,
        season: int,
        round_: int | None,
        endpoint: str,
        raw_key: str,
        payload_sha256: str,
        dag_id: str | None = None,
        dag_run_id: str | None = None,
        pages: int | None = None,
        requests: int | None = None,
        through_round: int | None = None,
    ) -> Ingestion:
        """Make ``raw_key`` the current ingestion (state ``ingested``) unless a newer one is.

        ``round_`` is None for a season-scoped endpoint, whose ``through_round`` records the
        season's last completed round at fetch time. Returns the current ingestion afterwards:
        the new one, or the newer one already there when this report arrived out of order (the
        raw object is still logged in history). Re-recording the same raw key changes nothing.
        An outcome the processor reported for this raw key before it was recorded here (S3
        events can beat the DAG) is applied. A recorded absence of the race is cleared.
        """
        endpoint = check_target(endpoint, season, round_)
        check_sha256(payload_sha256)
        check_positive("pages", pages)
        check_positive("requests", requests)
        check_positive("through_round", through_round)
        parsed = check_raw_key(
            raw_key, endpoint=endpoint, season=season, round_=round_, sha256=payload_sha256
        )
        target = _Target(season, round_, endpoint)
        values = {
            "season": season,
            "round": round_,
            "endpoint": endpoint,
            "raw_key": raw_key,
            "sha": payload_sha256,
            "at": parsed.ingested_at,
            "dag_id": dag_id,
            "run": dag_run_id,
            "pages": pages,
            "requests": requests,
            "through": through_round,
        }
        with self._tx() as cur:
            try:
                cur.execute(
                    f"""
                    INSERT INTO {target.table} AS i ({target.key_cols}, raw_key,
                        payload_sha256, ingested_at, dag_id, dag_run_id, pages, requests
                        {", through_round" if target.season_scoped else ""})
                    VALUES ({target.key_params}, %(raw_key)s, %(sha)s, %(at)s, %(dag_id)s,
                        %(run)s, %(pages)s, %(requests)s
                        {", %(through)s" if target.season_scoped else ""})
                    ON CONFLICT ({target.key_cols}) DO UPDATE
                    SET raw_key = EXCLUDED.raw_key, payload_sha256 = EXCLUDED.payload_sha256,
                        state = 'ingested', error = NULL, ingested_at = EXCLUDED.ingested_at,
                        processed_at = NULL, failed_at = NULL, dag_id = EXCLUDED.dag_id,
                        dag_run_id = EXCLUDED.dag_run_id, pages = EXCLUDED.pages,
                        requests = EXCLUDED.requests
                        {", through_round = EXCLUDED.through_round" if target.season_scoped else ""}
                    -- RawKey ordering (f1lake.keys), the one "newer" rule: one row's keys differ
                    -- only in stamp then sha12, so (ingested_at, raw_key) orders as RawKey does
                    WHERE (i.ingested_at, i.raw_key) < (EXCLUDED.ingested_at, EXCLUDED.raw_key)
                    RETURNING raw_key
                    """,
                    values,
                )
            except psycopg2.errors.ForeignKeyViolation:
                raise UnknownRaceError(
                    f"race {season}-{round_:02d} is not in the ledger's schedule; "
                    "call upsert_races with the season's schedule before recording ingestions"
                ) from None
            applied = cur.fetchone() is not None
            current = _current(cur, season, round_, endpoint)
            assert current is not None
            if not applied and current.raw_key == raw_key:
                if current.payload_sha256 != payload_sha256:
                    raise ValueError(
                        f"raw key {raw_key!r} is already recorded with payload "
                        f"{current.payload_sha256}, not {payload_sha256}"
                    )
                return current  # the same report again: nothing to do
            cur.execute(
                """
                INSERT INTO ingestion_events (season, round, endpoint, event, applied, raw_key,
                    payload_sha256, dag_id, dag_run_id)
                VALUES (%(season)s, %(round)s, %(endpoint)s, 'ingested', %(applied)s,
                    %(raw_key)s, %(sha)s, %(dag_id)s, %(run)s)
                ON CONFLICT (raw_key) WHERE event = 'ingested' DO NOTHING
                """,
                {**values, "applied": applied},
            )
            if round_ is not None:
                cur.execute(
                    "DELETE FROM race_absences WHERE season = %s AND round = %s AND endpoint = %s",
                    (season, round_, endpoint),
                )
            if applied:
                current = _apply_early_outcome(cur, current) or current
            return current

    @_reconnecting
    def record_unchanged(
        self,
        *,
        season: int,
        round_: int | None,
        endpoint: str,
        payload_sha256: str,
        dag_id: str | None = None,
        dag_run_id: str | None = None,
        through_round: int | None = None,
    ) -> None:
        """Log that a fetch found the current payload unchanged (nothing was written).

        A task retried within one DAG run logs it once. For a season-scoped endpoint,
        ``through_round`` moves forward (the payload is confirmed as of that round). Raises
        ValueError when there is no current ingestion or its hash differs: that payload changed
        and must be recorded.
        """
        endpoint = check_target(endpoint, season, round_)
        check_sha256(payload_sha256)
        check_positive("through_round", through_round)
        what = where(endpoint, season, round_)
        with self._tx() as cur:
            current = _current(cur, season, round_, endpoint)
            if current is None:
                raise ValueError(
                    f"{what} has no ingestion yet, so its payload "
                    "cannot be unchanged: write it and call record_ingestion"
                )
            if current.payload_sha256 != payload_sha256:
                raise ValueError(
                    f"{what}: payload {payload_sha256[:12]}... differs "
                    f"from the current {current.payload_sha256[:12]}...: it changed, so write it "
                    "and call record_ingestion"
                )
            if round_ is None and through_round is not None:
                cur.execute(
                    "UPDATE season_ingestions SET through_round = %s WHERE season = %s "
                    "AND endpoint = %s AND through_round IS DISTINCT FROM greatest("
                    "coalesce(through_round, 0), %s) ",
                    (through_round, season, endpoint, through_round),
                )
            cur.execute(
                """
                INSERT INTO ingestion_events (season, round, endpoint, event, applied, raw_key,
                    payload_sha256, dag_id, dag_run_id)
                SELECT %(season)s, %(round)s, %(endpoint)s, 'skipped_unchanged', true,
                       %(raw_key)s, %(sha)s, %(dag_id)s, %(run)s
                WHERE %(run)s::text IS NULL OR NOT EXISTS (
                    SELECT 1 FROM ingestion_events
                    WHERE event = 'skipped_unchanged' AND raw_key = %(raw_key)s
                      AND dag_id IS NOT DISTINCT FROM %(dag_id)s AND dag_run_id = %(run)s)
                """,
                {
                    "season": season,
                    "round": round_,
                    "endpoint": endpoint,
                    "raw_key": current.raw_key,
                    "sha": payload_sha256,
                    "dag_id": dag_id,
                    "run": dag_run_id,
                },
            )

    # -- absences ---------------------------------------------------------------------------

    @_reconnecting
    def record_absent(
        self,
        *,
        season: int,
        round_: int,
        endpoint: str,
        dag_id: str | None = None,
        dag_run_id: str | None = None,
    ) -> bool:
        """Record that a completed race has no data at ``endpoint`` (a weekend without a
        sprint), so plans stop asking. Returns False when already known, or when the race
        has an ingestion for the endpoint (data that existed is never declared absent)."""
        endpoint = check_target(endpoint, season, round_)
        if round_ is None:  # pragma: no cover - check_target refuses it
            raise ValueError("absences are per race")
        with self._tx() as cur:
            if _current(cur, season, round_, endpoint) is not None:
                return False
            try:
                cur.execute(
                    """
                    INSERT INTO race_absences (season, round, endpoint, dag_id, dag_run_id)
                    VALUES (%s, %s, %s, %s, %s) ON CONFLICT DO NOTHING RETURNING 1
                    """,
                    (season, round_, endpoint, dag_id, dag_run_id),
                )
            except psycopg2.errors.ForeignKeyViolation:
                raise UnknownRaceError(
                    f"race {season}-{round_:02d} is not in the ledger's schedule; "
                    "call upsert_races with the season's schedule before recording absences"
                ) from None
            if cur.fetchone() is None:
                return False
            cur.execute(
                """
                INSERT INTO ingestion_events (season, round, endpoint, event, applied,
                    dag_id, dag_run_id)
                VALUES (%s, %s, %s, 'absent', true, %s, %s)
                """,
                (season, round_, endpoint, dag_id, dag_run_id),
            )
            return True

    @_reconnecting
    def forget_lost(self, *, season: int, round_: int | None, endpoint: str, raw_key: str) -> bool:
        """Forget the current ingestion when its raw object is missing from the lake, so the
        next run fetches it again; logged as ``lost``. False when ``raw_key`` is not current."""
        endpoint = check_target(endpoint, season, round_)
        table = "season_ingestions" if round_ is None else "race_ingestions"
        with self._tx() as cur:
            cur.execute(f"DELETE FROM {table} WHERE raw_key = %s RETURNING 1", (raw_key,))
            if cur.fetchone() is None:
                return False
            cur.execute(
                """
                INSERT INTO ingestion_events (season, round, endpoint, event, applied, raw_key,
                    error)
                VALUES (%s, %s, %s, 'lost', true, %s, NULL)
                """,
                (season, round_, endpoint, raw_key),
            )
            return True

    @_reconnecting
    def absences(self, season: int, endpoint: str | None = None) -> list[Absence]:
        """Races of a season known to have no data at an endpoint."""
        with self._tx() as cur:
            cur.execute(
                f"SELECT {_ABSENCE_COLS} FROM race_absences WHERE season = %s "
                "AND (%s::text IS NULL OR endpoint = %s) ORDER BY round, endpoint",
                (season, endpoint, endpoint),
            )
            return [Absence(**row) for row in cur.fetchall()]

    # -- processing outcomes ----------------------------------------------------------------

    def mark_processed(
        self, *, season: int, round_: int | None, endpoint: str, raw_key: str
    ) -> bool:
        """Mark ``raw_key`` processed if it is still the current ingestion; returns whether it
        is (a repeat report returns True and logs nothing new). A stale or not-yet-recorded
        key is only logged, so the outcome is applied if that key is recorded later."""
        return self._outcome(State.PROCESSED, season, round_, endpoint, raw_key, None)

    def mark_failed(
        self, *, season: int, round_: int | None, endpoint: str, raw_key: str, reason: str
    ) -> bool:
        """Like :meth:`mark_processed`, for a failure with its reason."""
        if not isinstance(reason, str) or not reason.strip():
            raise ValueError("mark_failed needs a non-empty reason")
        return self._outcome(State.FAILED, season, round_, endpoint, raw_key, reason)

    @_reconnecting
    def _outcome(
        self,
        state: State,
        season: int,
        round_: int | None,
        endpoint: str,
        raw_key: str,
        reason: str | None,
    ) -> bool:
        endpoint = check_target(endpoint, season, round_)
        parsed = parse_raw_key(raw_key)
        if (parsed.endpoint, parsed.season, parsed.round) != (endpoint, season, round_):
            raise ValueError(
                f"raw key {raw_key!r} is not an object of {where(endpoint, season, round_)}"
            )
        target = _Target(season, round_, endpoint)
        with self._tx() as cur:
            cur.execute(
                f"""
                UPDATE {target.table}
                SET state = %(state)s, error = %(error)s,
                    processed_at = CASE WHEN %(state)s = 'processed' THEN now() END,
                    failed_at = CASE WHEN %(state)s = 'failed' THEN now() END
                WHERE {target.key_match} AND raw_key = %(raw_key)s
                  AND (state, error) IS DISTINCT FROM (%(state)s, %(error)s)
                RETURNING payload_sha256, dag_id, dag_run_id
                """,
                {
                    "state": state.value,
                    "error": reason,
                    "season": season,
                    "round": round_,
                    "endpoint": endpoint,
                    "raw_key": raw_key,
                },
            )
            changed = cur.fetchone()
            if changed is None:
                current = _current(cur, season, round_, endpoint)
                if current is not None and current.raw_key == raw_key:
                    return True  # the same outcome reported again
            cur.execute(
                """
                INSERT INTO ingestion_events (season, round, endpoint, event, applied, raw_key,
                    payload_sha256, error)
                VALUES (%s, %s, %s, %s, %s, %s, %s, %s)
                """,
                (
                    season,
                    round_,
                    endpoint,
                    state.value,
                    changed is not None,
                    raw_key,
                    changed["payload_sha256"] if changed else None,
                    reason,
                ),
            )
            return changed is not None

    # -- history ----------------------------------------------------------------------------

    @_reconnecting
    def revisions(self, season: int | None = None) -> list[Revision]:
        """Objects whose payload changed on a later ingestion (the ``result_revisions`` view),
        oldest first."""
        with self._tx() as cur:
            cur.execute(
                "SELECT * FROM result_revisions WHERE %s::int IS NULL OR season = %s "
                "ORDER BY after_at, season, round NULLS LAST, endpoint",
                (season, season),
            )
            return [Revision(**row) for row in cur.fetchall()]

    @_reconnecting
    def history(
        self, season: int, round_: int | None = None, endpoint: str | None = None
    ) -> list[Event]:
        """Everything reported about a season (or one race, one endpoint), oldest first."""
        with self._tx() as cur:
            cur.execute(
                f"SELECT {_EVENT_COLS} FROM ingestion_events WHERE season = %s "
                "AND (%s::int IS NULL OR round = %s) AND (%s::text IS NULL OR endpoint = %s) "
                "ORDER BY id",
                (season, round_, round_, endpoint, endpoint),
            )
            return [_event(row) for row in cur.fetchall()]


@dataclass(frozen=True)
class _Target:
    """Which table holds the current ingestion of (season, round, endpoint), and its key."""

    season: int
    round: int | None
    endpoint: str

    @property
    def season_scoped(self) -> bool:
        return self.round is None

    @property
    def table(self) -> str:
        return "season_ingestions" if self.season_scoped else "race_ingestions"

    @property
    def key_cols(self) -> str:
        return "season, endpoint" if self.season_scoped else "season, round, endpoint"

    @property
    def key_params(self) -> str:
        if self.season_scoped:
            return "%(season)s, %(endpoint)s"
        return "%(season)s, %(round)s, %(endpoint)s"

    @property
    def key_match(self) -> str:
        cols = ["season", "endpoint"] if self.season_scoped else ["season", "round", "endpoint"]
        return " AND ".join(f"{c} = %({c})s" for c in cols)


def _lock_key(*parts: object) -> int:
    """A pg_advisory_lock key (signed 64 bits) for a name, stable across processes."""
    name = "f1lake.ledger." + "/".join(str(p) for p in parts)
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


def _current(cur: Any, season: int, round_: int | None, endpoint: str) -> Ingestion | None:
    if round_ is None:
        cur.execute(
            f"SELECT {_SEASON_COLS} FROM season_ingestions WHERE season = %s AND endpoint = %s",
            (season, endpoint),
        )
    else:
        cur.execute(
            f"SELECT {_INGESTION_COLS} FROM race_ingestions "
            "WHERE season = %s AND round = %s AND endpoint = %s",
            (season, round_, endpoint),
        )
    row = cur.fetchone()
    return _ingestion(row) if row else None


def _apply_early_outcome(cur: Any, current: Ingestion) -> Ingestion | None:
    """Apply the latest outcome logged for the just-recorded raw key before it was recorded."""
    cur.execute(
        """
        SELECT event, error, occurred_at FROM ingestion_events
        WHERE raw_key = %s AND event IN ('processed', 'failed') ORDER BY id DESC LIMIT 1
        """,
        (current.raw_key,),
    )
    early = cur.fetchone()
    if early is None:
        return None
    processed = early["event"] == "processed"
    target = _Target(current.season, current.round, current.endpoint)
    cur.execute(
        f"""
        UPDATE {target.table} SET state = %(state)s, error = %(error)s,
            processed_at = %(processed_at)s, failed_at = %(failed_at)s
        WHERE {target.key_match} AND raw_key = %(raw_key)s
        """,
        {
            "state": early["event"],
            "error": early["error"],
            "processed_at": early["occurred_at"] if processed else None,
            "failed_at": None if processed else early["occurred_at"],
            "season": current.season,
            "round": current.round,
            "endpoint": current.endpoint,
            "raw_key": current.raw_key,
        },
    )
    return _current(cur, current.season, current.round, current.endpoint)


def _ingestion(row: dict[str, Any]) -> Ingestion:
    return Ingestion(**{**row, "state": State(row["state"])})


def _event(row: dict[str, Any]) -> Event:
    return Event(**{**row, "event": EventKind(row["event"])})
