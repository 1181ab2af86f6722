"""The Ledger adapter on a real PostgreSQL: round-trips, ordering, idempotence, history."""

from __future__ import annotations

import random
import threading
import time
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import psycopg2
import pytest

from f1lake.keys import parse_raw_key, raw_key
from f1lake.ledger import EventKind, Ledger, RaceRef, State, UnknownRaceError, connect

from .conftest import SCHEDULE_2024, T0, key, sha

RESULTS = "results"


def _record(ledger: Ledger, round_: int, payload: str, minutes: int = 0, **kw):
    """Record the results payload ``payload`` of 2024 round ``round_``, ingested at T0+minutes."""
    return ledger.record_ingestion(
        season=2024,
        round_=round_,
        endpoint=RESULTS,
        raw_key=key(RESULTS, 2024, round_, payload, minutes),
        payload_sha256=sha(payload),
        **kw,
    )


def test_races_round_trip_and_schedule_changes_update_name_and_date(ledger):
    rows = ledger.races(2024)
    assert [r.ref for r in rows] == SCHEDULE_2024
    assert ledger.seasons() == [2024]

    assert ledger.upsert_races(SCHEDULE_2024) == 0  # nothing new, nothing changed
    moved = replace(SCHEDULE_2024[2], name="Australian GP", date=date(2024, 3, 31))
    added = RaceRef(2024, 4, "Japanese Grand Prix", date(2024, 4, 7))
    assert ledger.upsert_races([moved, added, SCHEDULE_2024[0]]) == 2

    after = {r.round: r for r in ledger.races(2024)}
    assert after[3].ref == moved
    assert after[4].ref == added
    assert after[3].created_at == rows[2].created_at
    assert after[3].updated_at > rows[2].updated_at
    assert after[1].updated_at == rows[0].updated_at
    assert ledger.race(2024, 4).name == "Japanese Grand Prix"
    assert ledger.race(2024, 9) is None
    assert ledger.races(2023) == []


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ({"season": "2024", "round": "1", "raceName": "X", "date": "2024-13-01"}, "malformed"),
        ({"season": "2024", "round": "1", "date": "2024-03-02"}, "raceName"),
        ({"season": "1949", "round": "1", "raceName": "X", "date": "1949-05-01"}, "season"),
        ({"season": "2024", "round": "0", "raceName": "X", "date": "2024-03-02"}, "round"),
        ({"season": "2024", "round": "1", "raceName": " ", "date": "2024-03-02"}, "name"),
    ],
)
def test_bad_schedule_records_are_refused_naming_the_problem(record, message):
    with pytest.raises(ValueError, match=message):
        RaceRef.from_ergast(record)


def test_schedule_from_ergast_records(ledger):
    ref = RaceRef.from_ergast(
        {"season": "2024", "round": "5", "raceName": "Chinese Grand Prix", "date": "2024-04-21"}
    )
    assert ledger.upsert_races([ref]) == 1
    assert ledger.race(2024, 5).date == date(2024, 4, 21)


def test_record_ingestion_round_trip(ledger):
    raw = key(RESULTS, 2024, 1, "p1")
    got = ledger.record_ingestion(
        season=2024,
        round_=1,
        endpoint=RESULTS,
        raw_key=raw,
        payload_sha256=sha("p1"),
        dag_id="f1_latest_results",
        dag_run_id="scheduled__2024-03-04",
        pages=2,
        requests=3,
    )

    assert got == ledger.ingestion(2024, 1, RESULTS)
    assert (got.raw_key, got.payload_sha256, got.state) == (raw, sha("p1"), State.INGESTED)
    assert got.ingested_at == parse_raw_key(raw).ingested_at
    assert (got.dag_id, got.dag_run_id, got.pages, got.requests) == (
        "f1_latest_results",
        "scheduled__2024-03-04",
        2,
        3,
    )
    assert got.processed_at is got.error is None
    assert ledger.pending() == [got]
    assert ledger.pending(2023) == []
    assert ledger.ingestions(2024) == [got]
    assert ledger.ingestions(2024, "races") == []
    [event] = ledger.history(2024)
    assert (event.event, event.applied, event.raw_key, event.dag_run_id) == (
        EventKind.INGESTED,
        True,
        raw,
        "scheduled__2024-03-04",
    )


def test_endpoints_of_one_race_are_tracked_independently(ledger):
    _record(ledger, 1, "results-1")
    ledger.record_ingestion(
        season=2024,
        round_=1,
        endpoint="races",
        raw_key=key("races", 2024, 1, "schedule-1"),
        payload_sha256=sha("schedule-1"),
    )
    ledger.mark_processed(
        season=2024, round_=1, endpoint="races", raw_key=key("races", 2024, 1, "schedule-1")
    )

    assert [(i.endpoint, i.state) for i in ledger.ingestions(2024)] == [
        ("races", State.PROCESSED),
        ("results", State.INGESTED),
    ]
    assert [i.endpoint for i in ledger.pending()] == ["results"]


def test_rerecording_the_same_ingestion_creates_no_rows(ledger):
    first = _record(ledger, 1, "p1", dag_run_id="run-1")
    again = _record(ledger, 1, "p1", dag_run_id="run-1-retry")

    assert again == first  # not even updated_at moved
    assert len(ledger.history(2024, 1)) == 1
    assert len(ledger.ingestions(2024)) == 1


def test_newer_ingestion_replaces_the_current_one_and_reopens_it(ledger):
    old = _record(ledger, 1, "p1", minutes=0)
    assert ledger.mark_processed(season=2024, round_=1, endpoint=RESULTS, raw_key=old.raw_key)

    new = _record(ledger, 1, "p1-revised", minutes=60, dag_run_id="run-2")

    assert new.raw_key == key(RESULTS, 2024, 1, "p1-revised", 60)
    assert (new.payload_sha256, new.state, new.dag_run_id) == (
        sha("p1-revised"),
        State.INGESTED,
        "run-2",
    )
    assert new.processed_at is None
    assert ledger.pending() == [new]


def test_older_ingestion_arriving_late_does_not_regress_the_row(ledger):
    newer = _record(ledger, 1, "revised", minutes=60, dag_run_id="run-new")
    ledger.mark_processed(season=2024, round_=1, endpoint=RESULTS, raw_key=newer.raw_key)
    newer = ledger.ingestion(2024, 1, RESULTS)

    returned = _record(ledger, 1, "original", minutes=0, dag_run_id="run-old")

    assert returned == newer
    assert ledger.ingestion(2024, 1, RESULTS) == newer
    late = ledger.history(2024, 1)[-1]
    assert (late.event, late.applied, late.raw_key, late.dag_run_id) == (
        EventKind.INGESTED,
        False,
        key(RESULTS, 2024, 1, "original", 0),
        "run-old",
    )
    # reporting the late one again adds nothing more
    n = len(ledger.history(2024, 1))
    _record(ledger, 1, "original", minutes=0, dag_run_id="run-old")
    assert len(ledger.history(2024, 1)) == n


def test_mark_processed_applies_only_to_the_current_raw_key(ledger):
    stale = _record(ledger, 1, "p1", minutes=0)
    current = _record(ledger, 1, "p2", minutes=5)

    assert not ledger.mark_processed(season=2024, round_=1, endpoint=RESULTS, raw_key=stale.raw_key)
    assert ledger.ingestion(2024, 1, RESULTS) == current
    stale_event = ledger.history(2024, 1)[-1]
    assert (stale_event.event, stale_event.applied, stale_event.raw_key) == (
        EventKind.PROCESSED,
        False,
        stale.raw_key,
    )

    assert ledger.mark_processed(season=2024, round_=1, endpoint=RESULTS, raw_key=current.raw_key)
    done = ledger.ingestion(2024, 1, RESULTS)
    assert done.state is State.PROCESSED
    assert done.processed_at is not None
    assert ledger.pending() == []

    n = len(ledger.history(2024, 1))
    assert ledger.mark_processed(season=2024, round_=1, endpoint=RESULTS, raw_key=current.raw_key)
    assert len(ledger.history(2024, 1)) == n  # a duplicate delivery adds no history


def test_failure_is_recorded_with_its_reason_and_cleared_by_a_new_ingestion(ledger):
    first = _record(ledger, 2, "bad")
    assert ledger.mark_failed(
        season=2024,
        round_=2,
        endpoint=RESULTS,
        raw_key=first.raw_key,
        reason="Results[3]: no position",
    )

    failed = ledger.ingestion(2024, 2, RESULTS)
    assert (failed.state, failed.error) == (State.FAILED, "Results[3]: no position")
    assert failed.failed_at is not None
    assert ledger.failed() == [failed]
    assert ledger.pending() == []
    assert ledger.history(2024, 2)[-1].error == "Results[3]: no position"

    # a retry that succeeds wins
    assert ledger.mark_processed(season=2024, round_=2, endpoint=RESULTS, raw_key=first.raw_key)
    assert ledger.ingestion(2024, 2, RESULTS).error is None

    ledger.mark_failed(
        season=2024, round_=2, endpoint=RESULTS, raw_key=first.raw_key, reason="boom"
    )
    fixed = _record(ledger, 2, "good", minutes=10)
    assert (fixed.state, fixed.error, fixed.failed_at) == (State.INGESTED, None, None)
    assert ledger.failed() == []

    with pytest.raises(ValueError, match="reason"):
        ledger.mark_failed(
            season=2024, round_=2, endpoint=RESULTS, raw_key=fixed.raw_key, reason=" "
        )


def test_outcome_reported_before_its_ingestion_is_applied_when_it_lands(ledger):
    raw = key(RESULTS, 2024, 3, "p3")
    # the S3 event reached the processor before the DAG wrote the ledger row
    assert not ledger.mark_processed(season=2024, round_=3, endpoint=RESULTS, raw_key=raw)

    got = _record(ledger, 3, "p3")

    assert got.state is State.PROCESSED
    assert got.processed_at is not None
    assert ledger.pending() == []


def test_record_unchanged_logs_history_only(ledger):
    current = _record(ledger, 1, "p1")
    ledger.record_unchanged(
        season=2024,
        round_=1,
        endpoint=RESULTS,
        payload_sha256=sha("p1"),
        dag_id="d",
        dag_run_id="r2",
    )
    ledger.record_unchanged(  # the same task retried
        season=2024,
        round_=1,
        endpoint=RESULTS,
        payload_sha256=sha("p1"),
        dag_id="d",
        dag_run_id="r2",
    )

    assert ledger.ingestion(2024, 1, RESULTS) == current
    events = ledger.history(2024, 1)
    assert [e.event for e in events] == [EventKind.INGESTED, EventKind.SKIPPED_UNCHANGED]
    assert (events[1].raw_key, events[1].dag_run_id) == (current.raw_key, "r2")

    with pytest.raises(ValueError, match="differs"):
        ledger.record_unchanged(season=2024, round_=1, endpoint=RESULTS, payload_sha256=sha("p2"))
    with pytest.raises(ValueError, match="no ingestion"):
        ledger.record_unchanged(season=2024, round_=2, endpoint=RESULTS, payload_sha256=sha("p1"))


def test_history_filters_by_race_and_endpoint_oldest_first(ledger):
    _record(ledger, 1, "a")
    _record(ledger, 2, "b")
    _record(ledger, 1, "a2", minutes=1)

    assert [e.round for e in ledger.history(2024)] == [1, 2, 1]
    assert [e.payload_sha256 for e in ledger.history(2024, 1)] == [sha("a"), sha("a2")]
    assert ledger.history(2024, 1, "races") == []
    assert ledger.history(2023) == []


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"round_": 9}, UnknownRaceError, "upsert_races"),
        ({"endpoint": "tyres"}, ValueError, "unknown endpoint 'tyres'"),
        ({"raw_key": key(RESULTS, 2024, 2, "p")}, ValueError, "2024-02"),
        ({"raw_key": "results/2024/1.json"}, ValueError, "not a raw object key"),
        ({"payload_sha256": sha("other")}, ValueError, "names payload"),
        ({"payload_sha256": "ABC"}, ValueError, "64 lowercase hex"),
        ({"pages": 0}, ValueError, "pages"),
        ({"season": 1900}, ValueError, "season"),
    ],
)
def test_bad_ingestions_are_refused_and_nothing_is_written(ledger, kwargs, error, message):
    args = {
        "season": 2024,
        "round_": 1,
        "endpoint": RESULTS,
        "raw_key": key(RESULTS, 2024, 1, "p"),
        "payload_sha256": sha("p"),
    }
    if kwargs.get("round_") == 9:
        args["raw_key"] = key(RESULTS, 2024, 9, "p")
    args.update(kwargs)

    with pytest.raises(error, match=message):
        ledger.record_ingestion(**args)

    assert ledger.ingestions(2024) == []
    assert ledger.history(2024) == []


def test_conflicting_hash_for_a_recorded_raw_key_is_refused(ledger):
    first = _record(ledger, 1, "p1")
    forged = first.payload_sha256[:12] + "0" * 52
    with pytest.raises(ValueError, match="already recorded"):
        ledger.record_ingestion(
            season=2024, round_=1, endpoint=RESULTS, raw_key=first.raw_key, payload_sha256=forged
        )
    assert ledger.ingestion(2024, 1, RESULTS) == first


def test_history_is_append_only(ledger, pg_dsn):
    _record(ledger, 1, "p1")
    conn = connect(pg_dsn)
    try:
        with pytest.raises(psycopg2.Error, match="append-only"), conn, conn.cursor() as cur:
            cur.execute("UPDATE ingestion_events SET applied = false")
        with pytest.raises(psycopg2.Error, match="append-only"), conn, conn.cursor() as cur:
            cur.execute("DELETE FROM ingestion_events")
    finally:
        conn.close()
    assert len(ledger.history(2024)) == 1


def drop_ledger_sessions(dsn: str) -> int:
    """Terminate the ledger's sessions, as a server restart or a failover does."""
    admin = connect(dsn)
    admin.autocommit = True
    try:
        with admin.cursor() as cur:
            cur.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE application_name = 'f1lake-ledger' AND pid <> pg_backend_pid() "
                "AND datname = current_database()"
            )
            return cur.rowcount
    finally:
        admin.close()


def test_a_call_whose_session_was_dropped_is_made_again_on_a_new_one(ledger, pg_dsn, caplog):
    _record(ledger, 1, "p1")
    assert drop_ledger_sessions(pg_dsn) == 1

    assert [i.round for i in ledger.pending()] == [1]  # no error: reconnected and asked again
    assert "ledger _in_state" in caplog.text and "trying again" in caplog.text
    drop_ledger_sessions(pg_dsn)
    _record(ledger, 2, "p2")  # a write too, and exactly once
    assert [e.round for e in ledger.history(2024) if e.event.value == "ingested"] == [1, 2]


def test_ingest_lock_makes_a_second_writer_wait_until_the_first_is_done(ledger, pg_dsn):
    waiting, got = threading.Event(), threading.Event()

    def second() -> None:
        with Ledger(pg_dsn) as other:
            waiting.set()
            with other.ingesting(2024, RESULTS):
                got.set()

    with ledger.ingesting(2024, RESULTS):
        thread = threading.Thread(target=second)
        thread.start()
        assert waiting.wait(10)
        assert _lock_waiters(pg_dsn) == 1  # blocked on the lock...
        assert not got.is_set()
        with Ledger(pg_dsn) as third:
            third.lock_ingest(2024, "qualifying")  # ...while another endpoint is free
            third.lock_ingest(2023, RESULTS)  # and so is another season
    thread.join(10)
    assert got.is_set()


def test_ingest_lock_survives_a_dropped_session_and_goes_with_close(ledger, pg_dsn):
    ledger.lock_ingest(2024, RESULTS)
    drop_ledger_sessions(pg_dsn)
    ledger.pending()  # reconnects, taking the lock again
    assert _advisory_locks(pg_dsn) == 1
    ledger.close()
    assert _advisory_locks(pg_dsn) == 0


_ADVISORY = (
    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
    "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
)


def _lock_waiters(dsn: str) -> int:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        n = _count(dsn, _ADVISORY + " AND NOT granted")
        if n:
            return n
        time.sleep(0.02)
    return 0


def _advisory_locks(dsn: str) -> int:
    return _count(dsn, _ADVISORY + " AND granted")


def _count(dsn: str, sql: str) -> int:
    conn = connect(dsn)
    try:
        with conn.cursor() as cur:
            cur.execute(sql)
            return cur.fetchone()[0]
    finally:
        conn.close()


def test_timestamps_come_back_timezone_aware(ledger):
    got = _record(ledger, 1, "p1")
    assert got.ingested_at.tzinfo is not None
    assert got.created_at.utcoffset() == datetime(2024, 1, 1, tzinfo=UTC).utcoffset()


def test_concurrent_reports_in_any_order_converge_on_the_newest(pg_dsn, ledger):
    reports = [(m, f"payload-{m}") for m in (30, 5, 50, 10, 45, 0, 20, 40)]
    start = threading.Barrier(len(reports))
    errors: list[BaseException] = []

    def report(minutes: int, payload: str) -> None:
        try:
            with Ledger(pg_dsn) as own:
                start.wait()
                own.record_ingestion(
                    season=2024,
                    round_=1,
                    endpoint=RESULTS,
                    raw_key=key(RESULTS, 2024, 1, payload, minutes),
                    payload_sha256=sha(payload),
                )
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=report, args=r) for r in reports]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == []
    assert ledger.ingestion(2024, 1, RESULTS).raw_key == key(RESULTS, 2024, 1, "payload-50", 50)
    history = ledger.history(2024, 1)
    assert len(history) == len(reports)  # every raw object is in the history once
    assert {e.raw_key for e in history if e.applied} >= {key(RESULTS, 2024, 1, "payload-50", 50)}


@pytest.mark.parametrize(("endpoint", "round_"), [(RESULTS, 2), ("drivers", None)])
def test_the_sql_keeps_the_raw_key_that_raw_key_ordering_calls_newest(ledger, endpoint, round_):
    """The ledger's "newer" is SQL, so it holds under concurrency; it must choose as RawKey's
    ordering (the one rule) does, ties of the ingestion instant included."""
    reports = []
    for i, micros in enumerate((7, 7, 7, 1, 999_999, 999_999, 0)):
        payload = f"{endpoint}-{i}"
        at = T0 + timedelta(microseconds=micros)
        reports.append((raw_key(endpoint, 2024, round_, at, sha(payload)), payload))
    random.Random(11).shuffle(reports)
    for n, (k, payload) in enumerate(reports, 1):
        ledger.record_ingestion(
            season=2024, round_=round_, endpoint=endpoint, raw_key=k, payload_sha256=sha(payload)
        )
        newest = max(parse_raw_key(r) for r, _ in reports[:n])
        assert ledger.ingestion(2024, round_, endpoint).raw_key == newest.key
