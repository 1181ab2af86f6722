"""Poison messages: failing through every retry they reach the dead-letter queue; the DAG's
wait fails cleanly, naming them; once the cause is fixed `f1lake redrive` sends them back and the
lake and ledger converge. Redriving again moves nothing."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any
from urllib.parse import unquote_plus

import pytest
from botocore.exceptions import ClientError
from click.testing import CliRunner

from f1lake import aws
from f1lake.cli import main
from f1lake.keys import quarantine_key
from f1lake.ledger import Ledger
from f1lake.local.lambda_runner import settings_env
from f1lake.local.provision import dlq_url
from f1lake.pipeline.load import await_processing
from f1lake.topology import MAX_RECEIVE_COUNT
from tests.faults.conftest import SEASON, assert_converged
from tests.faults.test_lambda_faults import hooked


def dead_letters(settings) -> list[str]:
    """Raw keys named by the messages in the dead-letter queue (left there)."""
    sqs = aws.client("sqs", settings)
    got = sqs.receive_message(
        QueueUrl=dlq_url(settings, sqs), MaxNumberOfMessages=10, VisibilityTimeout=0
    )
    keys = []
    for m in got.get("Messages", []):
        for record in json.loads(m["Body"]).get("Records", []):
            keys.append(unquote_plus(record["s3"]["object"]["key"]))
    return sorted(keys)


def redrive_cli(rig, monkeypatch, *args: str) -> Any:
    for name, value in settings_env(rig.settings).items():
        monkeypatch.setenv(name, value)
    return CliRunner().invoke(main, ["redrive", *args])


def test_poison_messages_reach_the_dlq_and_redrive_brings_them_back(rig, baseline, monkeypatch):
    reports = rig.ingest(rig.plan())
    poisoned = sorted(
        w.raw_key for r in reports if r.endpoint in ("results", "drivers") for w in r.written
    )[:2]
    recorded, unrecorded = poisoned
    reads: Counter[str] = Counter()

    def access_denied(params: dict[str, Any], **_: Any) -> None:
        key = params.get("Key")
        if key in poisoned:  # a bucket policy missing a prefix, say
            reads[key] += 1
            raise ClientError({"Error": {"Code": "AccessDenied", "Message": "denied"}}, "GetObject")
        if key == quarantine_key(unrecorded):  # and the quarantine bucket unwritable for one
            raise ClientError({"Error": {"Code": "AccessDenied", "Message": "denied"}}, "PutObject")

    broken = rig.runner(
        hooked(
            ("before-parameter-build.s3.GetObject", access_denied),
            ("before-parameter-build.s3.PutObject", access_denied),
        )
    )
    broken.run_until_idle(timeout=60)

    assert dead_letters(rig.settings) == poisoned
    assert set(reads.values()) == {MAX_RECEIVE_COUNT}  # tried maxReceiveCount times each
    # named at once, the one with its recorded reason, never waited for until a timeout
    with pytest.raises(RuntimeError) as waited:
        await_processing(rig.settings, rig.dsn, reports, poll_seconds=0.1)
    message = str(waited.value)
    assert f"1 raw objects were quarantined: {recorded}: processing failed on all 3" in message
    assert "AccessDenied" in message
    assert f"dead-letter queue with no quarantine record: {unrecorded}" in message
    with Ledger(rig.dsn) as ledger:  # the truth: one failed with its reason, one not processed
        assert [i.raw_key for i in ledger.failed(SEASON)] == [recorded]
        assert [i.raw_key for i in ledger.pending(SEASON)] == [unrecorded]

    dry = redrive_cli(rig, monkeypatch, "--dry-run")
    assert dry.exit_code == 0 and "2 message(s) waiting" in dry.output
    assert dead_letters(rig.settings) == poisoned  # a dry run moves nothing

    moved = redrive_cli(rig, monkeypatch)  # the policy is fixed: the plain handler from now on

    assert moved.exit_code == 0, moved.output
    assert "moved 2 message(s)" in moved.output
    assert dead_letters(rig.settings) == []
    rig.finish(reports)
    again = redrive_cli(rig, monkeypatch)
    assert again.exit_code == 0 and "moved 0 message(s)" in again.output
    assert_converged(rig, baseline.outcome)


def test_redrive_names_a_missing_queue(rig, monkeypatch):
    monkeypatch.setenv("F1LAKE_QUEUE_NAME", "no-such-queue")
    for name, value in settings_env(rig.settings).items():
        if name != "F1LAKE_QUEUE_NAME":
            monkeypatch.setenv(name, value)
    result = CliRunner().invoke(main, ["redrive"])
    assert result.exit_code == 2
    assert "no SQS queue named 'no-such-queue'" in result.output
    assert "Traceback" not in result.output
