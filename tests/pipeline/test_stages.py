"""Pipeline stages on the local stack: a retried ingest, and reading the processor's progress."""

from __future__ import annotations

from datetime import timedelta

from f1lake.endpoints import RESULTS
from f1lake.ledger import Ledger
from f1lake.ledger.models import EventKind
from f1lake.local.lambda_runner import LambdaRunner
from f1lake.local.provision import provision
from f1lake.pipeline.ingest import RunInfo, ingest_season
from f1lake.pipeline.load import await_processing
from f1lake.pipeline.plan import plan_backfill
from f1lake.pipeline.progress import ProcessingProgress, Written
from f1lake.settings import Settings
from tests.pipeline.test_dags import keys
from tests.processing.factories import (
    T0,
    envelope,
    key_for,
    put_raw,
    race,
    simple_results,
)


def put(settings: Settings, round_: int, winner: str, later_days: int = 0) -> Written:
    """A raw results object of 2023 on the raw bucket, as the ingest report names it."""
    env = envelope(RESULTS, race(2023, round_, simple_results(winner)), T0 + timedelta(later_days))
    key = put_raw(settings, env)
    return Written("results", 2023, round_, key, env["f1lake"]["payload_sha256"])


def test_progress_tells_processed_rejected_and_pending_apart_in_bulk(settings: Settings):
    provision(settings, visibility_timeout=1, max_receive_count=2)
    runner = LambdaRunner(settings)
    done = put(settings, 1, "ascari")
    poison_key = key_for(envelope(RESULTS, race(2023, 2, simple_results())))
    put_raw(settings, b"{ not json", poison_key)
    poison = Written("results", 2023, 2, poison_key, "0" * 64)
    assert runner.run_until_idle(timeout=60).idle
    not_yet = put(settings, 3, "farina")  # written, not processed yet
    newer = put(settings, 1, "fangio", later_days=1)  # round 1's Parquet is from `done`

    progress = ProcessingProgress(settings).check([done, poison, not_yet, newer])

    assert progress.processed == [done]
    [(rejected, record)] = progress.rejected
    assert rejected == poison and record["kind"] == "not_json"
    assert progress.pending == [not_yet, newer]

    runner.run_until_idle(timeout=60)
    after = ProcessingProgress(settings).check(progress.pending)
    assert after.processed == [not_yet, newer]
    assert after.pending == []


def test_a_retried_ingest_reports_its_earlier_writes_without_writing_them_again(stack):
    settings, dsn = stack.settings, stack.dsn
    [plan] = plan_backfill(settings, dsn, 2023)
    run = RunInfo("f1_historical_backfill", "run-1")

    first = ingest_season(settings, dsn, plan, run)
    raw = keys(settings, settings.raw_bucket)
    again = ingest_season(settings, dsn, plan, run)  # the task's retry

    assert keys(settings, settings.raw_bucket) == raw
    assert [r.written for r in again] == [r.written for r in first]
    assert all(r.unchanged == [] for r in again)
    with Ledger(dsn) as ledger:
        kinds = {e.event for e in ledger.history(2023)}
    assert EventKind.SKIPPED_UNCHANGED not in kinds
    waited = await_processing(settings, dsn, again)
    assert sorted(waited["processed"]) == sorted(raw)

    other = ingest_season(settings, dsn, plan, RunInfo("f1_historical_backfill", "2"))
    assert all(r.written == [] for r in other)  # another run: unchanged, as before
    assert sum(len(r.unchanged) for r in other) == len(raw)
