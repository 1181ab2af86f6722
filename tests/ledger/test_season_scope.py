"""Season-scoped ingestions (the dimensions) and recorded absences (migration 0002)."""

from __future__ import annotations

import psycopg2
import pytest

from f1lake.ledger import EventKind, State, UnknownRaceError
from f1lake.ledger.connection import connect
from tests.ledger.conftest import key, sha


def season_key(endpoint: str, season: int, payload: str, minutes: int = 0) -> str:
    return key(endpoint, season, None, payload, minutes)  # type: ignore[arg-type]


def test_a_dimension_is_recorded_once_per_season_and_moves_forward(ledger):
    first = season_key("drivers", 2024, "a", minutes=1)
    got = ledger.record_ingestion(
        season=2024, round_=None, endpoint="drivers", raw_key=first, payload_sha256=sha("a"),
        through_round=2, pages=1, requests=1,
    )  # fmt: skip
    assert (got.round, got.through_round, got.state) == (None, 2, State.INGESTED)
    older = season_key("drivers", 2024, "old", minutes=0)
    kept = ledger.record_ingestion(
        season=2024, round_=None, endpoint="drivers", raw_key=older, payload_sha256=sha("old"),
        through_round=1,
    )  # fmt: skip
    assert kept.raw_key == first  # an older report never regresses the current row
    assert ledger.mark_processed(season=2024, round_=None, endpoint="drivers", raw_key=first)
    assert ledger.ingestion(2024, None, "drivers").state == State.PROCESSED
    assert [(i.endpoint, i.round) for i in ledger.ingestions(2024)] == [("drivers", None)]
    events = ledger.history(2024, endpoint="drivers")
    assert [(e.event, e.applied, e.round) for e in events] == [
        (EventKind.INGESTED, True, None),
        (EventKind.INGESTED, False, None),
        (EventKind.PROCESSED, True, None),
    ]


def test_unchanged_dimension_moves_its_round_forward_without_writing(ledger):
    raw = season_key("circuits", 2024, "c")
    ledger.record_ingestion(
        season=2024, round_=None, endpoint="circuits", raw_key=raw, payload_sha256=sha("c"),
        through_round=1,
    )  # fmt: skip
    ledger.record_unchanged(
        season=2024, round_=None, endpoint="circuits", payload_sha256=sha("c"), through_round=3
    )
    assert ledger.ingestion(2024, None, "circuits").through_round == 3
    assert ledger.ingestion(2024, None, "circuits").raw_key == raw
    with pytest.raises(ValueError, match="differs"):
        ledger.record_unchanged(
            season=2024, round_=None, endpoint="circuits", payload_sha256=sha("other")
        )


def test_scopes_are_checked_by_name(ledger):
    with pytest.raises(ValueError, match="season-scoped"):
        ledger.record_ingestion(
            season=2024, round_=1, endpoint="status", raw_key=key("status", 2024, 1, "s"),
            payload_sha256=sha("s"),
        )  # fmt: skip
    with pytest.raises(ValueError, match="round must be an integer"):
        ledger.record_ingestion(
            season=2024, round_=None, endpoint="results",
            raw_key=season_key("results", 2024, "r"), payload_sha256=sha("r"),
        )  # fmt: skip
    with pytest.raises(ValueError, match="belongs to drivers 2023"):
        ledger.record_ingestion(
            season=2024, round_=None, endpoint="drivers",
            raw_key=season_key("drivers", 2023, "d"), payload_sha256=sha("d"),
        )  # fmt: skip


def test_an_absence_is_recorded_once_and_cleared_by_data(ledger):
    assert ledger.record_absent(season=2024, round_=1, endpoint="sprint", dag_run_id="r1")
    assert not ledger.record_absent(season=2024, round_=1, endpoint="sprint", dag_run_id="r2")
    assert [(a.round, a.endpoint, a.dag_run_id) for a in ledger.absences(2024)] == [
        (1, "sprint", "r1")
    ]
    history = ledger.history(2024, 1, "sprint")
    assert [(e.event, e.raw_key) for e in history] == [(EventKind.ABSENT, None)]

    raw = key("sprint", 2024, 1, "late")
    ledger.record_ingestion(
        season=2024, round_=1, endpoint="sprint", raw_key=raw, payload_sha256=sha("late")
    )
    assert ledger.absences(2024, "sprint") == []
    # data that exists is never declared absent afterwards
    assert not ledger.record_absent(season=2024, round_=1, endpoint="sprint")
    assert ledger.absences(2024) == []


def test_an_absence_needs_a_known_race(ledger):
    with pytest.raises(UnknownRaceError, match="2024-09"):
        ledger.record_absent(season=2024, round_=9, endpoint="sprint")


def test_history_stays_append_only_for_the_new_facts(ledger, pg_dsn):
    ledger.record_absent(season=2024, round_=2, endpoint="qualifying")
    conn = connect(pg_dsn)
    try:
        with pytest.raises(psycopg2.Error, match="append-only"), conn.cursor() as cur:
            cur.execute("DELETE FROM ingestion_events WHERE event = 'absent'")
    finally:
        conn.close()
