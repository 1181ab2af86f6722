"""A backfill killed between two of its writes, then the stack's start-up reconciliation and
the same backfill again: the lake and the ledger end as after a fault-free run.

The kill is played in process at the exact point (a ``BaseException`` no handler catches, as
SIGKILL is caught by none); tests/local kills real processes at points it can observe.
"""

from __future__ import annotations

import pytest

from f1lake import aws
from f1lake.ledger import Ledger
from f1lake.pipeline.reconcile import reconcile
from tests.faults.conftest import SEASON, assert_converged


class Killed(BaseException):
    """The process died here."""


@pytest.mark.parametrize("nth", [1, 9])
def test_killed_between_the_raw_write_and_the_ledger_write(rig, baseline, monkeypatch, nth):
    recorded = Ledger.record_ingestion
    calls = {"n": 0}

    def dies_before_recording(self, **kwargs):
        calls["n"] += 1
        if calls["n"] == nth:
            raise Killed  # the raw object is in the bucket; the ledger never hears of it
        return recorded(self, **kwargs)

    monkeypatch.setattr(Ledger, "record_ingestion", dies_before_recording)
    with pytest.raises(Killed):
        rig.backfill()
    monkeypatch.undo()
    for runner in rig.runners:
        runner.stop()

    report = reconcile(rig.settings, rig.dsn)  # what the stack does at every start
    assert len(report.adopted) == 1 and not report.forgotten and not report.problems
    rig.backfill(run="run-2")
    assert_converged(rig, baseline.outcome)
    assert len(rig.raw_keys()) == baseline.raw_objects  # nothing fetched twice


def test_killed_after_ingestion_before_processing(rig, baseline):
    plans = rig.plan()
    reports = rig.ingest(plans)  # written and recorded; no runner: nothing processed
    sqs = aws.client("sqs", rig.settings)
    url = sqs.get_queue_url(QueueName=rig.settings.queue_name)["QueueUrl"]
    sqs.purge_queue(QueueUrl=url)  # SQS is transient: the queue died with the stack

    report = reconcile(rig.settings, rig.dsn)
    written = sum(len(r.written) for r in reports)
    assert len(report.requeued) == written and not report.adopted and not report.forgotten
    rig.backfill(run="run-2")
    assert_converged(rig, baseline.outcome)


def test_a_lost_raw_object_is_forgotten_and_fetched_again(rig, baseline):
    rig.backfill()
    with Ledger(rig.dsn) as ledger:
        victim = next(i for i in ledger.ingestions(SEASON) if i.endpoint == "results")
    aws.client("s3", rig.settings).delete_object(Bucket=rig.settings.raw_bucket, Key=victim.raw_key)

    report = reconcile(rig.settings, rig.dsn)
    assert report.forgotten == [victim.raw_key]
    with Ledger(rig.dsn) as ledger:
        assert ledger.ingestion(SEASON, victim.round, "results") is None
        assert any(e.event.value == "lost" for e in ledger.history(SEASON))
    again = rig.backfill(run="run-2")
    assert again["written"]["results"] == 1
    assert_converged(rig, baseline.outcome)
