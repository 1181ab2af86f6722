"""The pure half of the reconciliation: what to repair, from the ledger and the listings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from f1lake.keys import processed_key, raw_key
from f1lake.ledger.models import Ingestion, State
from f1lake.pipeline.reconcile import plan_repairs
from f1lake.processing import tables_for_endpoint

T0 = datetime(2024, 3, 1, tzinfo=UTC)


def key(endpoint: str, round_: int | None, minutes: int = 0, sha: str = "a") -> str:
    return raw_key(endpoint, 2023, round_, T0 + timedelta(minutes=minutes), sha * 64)


def ingestion(raw: str, endpoint: str, round_: int | None, state: State) -> Ingestion:
    return Ingestion(
        season=2023, round=round_, endpoint=endpoint, raw_key=raw, payload_sha256="a" * 64,
        state=state, error=None, ingested_at=T0, processed_at=None, failed_at=None, dag_id=None,
        dag_run_id=None, pages=1, requests=1, created_at=T0, updated_at=T0,
    )  # fmt: skip


def parquet(endpoint: str, round_: int | None) -> set[str]:
    return {processed_key(t, 2023, round_) for t in tables_for_endpoint(endpoint)}


def test_agreeing_ledger_and_lake_need_nothing():
    raw = key("results", 1)
    repairs = plan_repairs(
        [ingestion(raw, "results", 1, State.PROCESSED)], [raw], parquet("results", 1)
    )
    assert repairs == type(repairs)()


def test_each_gap_gets_its_repair():
    lost = key("results", 1)
    unprocessed = key("results", 2)
    gone_parquet = key("qualifying", 1)
    older, newer = key("results", 3), key("results", 3, minutes=5, sha="b")
    orphan = key("drivers", None)
    current = [
        ingestion(lost, "results", 1, State.PROCESSED),
        ingestion(unprocessed, "results", 2, State.INGESTED),
        ingestion(gone_parquet, "qualifying", 1, State.PROCESSED),
        ingestion(older, "results", 3, State.PROCESSED),
    ]
    repairs = plan_repairs(
        current,
        [unprocessed, gone_parquet, older, newer, orphan, "results/season=2023/notes.txt"],
        parquet("results", 2) | parquet("results", 3),
    )
    assert [i.raw_key for i in repairs.lost] == [lost]
    assert [i.raw_key for i in repairs.check] == [unprocessed]
    assert [i.raw_key for i in repairs.missing_parquet] == [gone_parquet]
    assert sorted(k.key for k in repairs.adopt) == sorted([newer, orphan])


def test_an_older_unrecorded_object_is_not_adopted_over_the_current_one():
    older, current = key("results", 1), key("results", 1, minutes=5, sha="b")
    repairs = plan_repairs(
        [ingestion(current, "results", 1, State.PROCESSED)], [older, current], parquet("results", 1)
    )
    assert repairs.adopt == []
