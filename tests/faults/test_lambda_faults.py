"""The processor under failure: items raising mid-batch, crashes after the Parquet write but
before the message is acknowledged, duplicated and reordered deliveries, two versions of a race
in either order, and two invocations racing on one race.

The real handler and Lambda runner do the work; faults come in at the S3 edge through
botocore's event hooks on the handler's boto3 session (``S3Objects(session=...)``).
"""

from __future__ import annotations

import json
import random
import threading
from collections import Counter
from collections.abc import Callable
from contextvars import copy_context
from typing import Any
from urllib.parse import unquote_plus

import pytest
from botocore.exceptions import ClientError

from f1lake import aws
from f1lake.local.lambda_runner import Handler
from f1lake.local.provision import queue_url
from f1lake.pipeline.plan import plan_latest
from f1lake.processing import S3Objects, handle_event
from f1lake.processing.handler import current_settings, invocation_settings
from tests.faults.conftest import (
    LAST_ROUND,
    REPLAY_TODAY,
    SEASON,
    Rig,
    assert_converged,
    bucket_keys,
)

Hook = tuple[str, Callable[..., Any]]


def hooked(*hooks: Hook) -> Handler:
    """The real handler, with botocore event hooks on the boto3 session its S3 calls use."""

    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        settings = current_settings()
        session = aws.session(settings)
        for name, hook in hooks:
            session.events.register(name, hook)
        return handle_event(event, settings, store=S3Objects(settings, session=session))

    return handler


def drain(rig: Rig) -> list[str]:
    """Take every message off the raw-events queue; returns their bodies."""
    sqs = aws.client("sqs", rig.settings)
    url = queue_url(rig.settings, sqs)
    bodies = []
    while True:
        got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0)
        messages = got.get("Messages", [])
        if not messages:
            return bodies
        for m in messages:
            bodies.append(m["Body"])
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])


def object_key(body: str) -> str:
    """The raw key an S3 notification names ('' for the s3:TestEvent)."""
    records = json.loads(body).get("Records") or [{}]
    return unquote_plus(records[0].get("s3", {}).get("object", {}).get("key", ""))


def deliver(rig: Rig, bodies: list[str]) -> None:
    sqs = aws.client("sqs", rig.settings)
    url = queue_url(rig.settings, sqs)
    for body in bodies:
        sqs.send_message(QueueUrl=url, MessageBody=body)


def test_items_raising_mid_batch_are_retried_alone_and_the_rest_go_on(rig, baseline):
    reports = rig.ingest(rig.plan())
    victims = {w.raw_key for r in reports for w in r.written if w.round in (2, 4)}
    failures: Counter[str] = Counter()

    def flaky_read(params: dict[str, Any], **_: Any) -> None:
        key = params.get("Key")
        if key in victims and failures[key] < 2:  # fails twice, succeeds the third time
            failures[key] += 1
            raise ClientError({"Error": {"Code": "SlowDown", "Message": "injected"}}, "GetObject")

    runner = rig.runner(hooked(("before-parameter-build.s3.GetObject", flaky_read)))

    rig.finish(reports, runner)

    assert set(failures) == victims and set(failures.values()) == {2}
    assert runner.totals.failed == 2 * len(victims)
    assert runner.totals.succeeded > runner.totals.failed  # the good items of a batch went on
    assert_converged(rig, baseline.outcome)


def remember_key(params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
    context["f1lake_target"] = (params.get("Bucket"), params.get("Key"))


@pytest.mark.parametrize("where", ["an item, after its write", "the invocation, after its batch"])
def test_a_crash_after_the_parquet_write_before_the_ack_writes_nothing_twice(rig, baseline, where):
    reports = rig.ingest(rig.plan())
    processed = rig.settings.processed_bucket
    writes: Counter[str] = Counter()

    def after_put(context: dict[str, Any], **_: Any) -> None:
        bucket, key = context.get("f1lake_target", (None, None))
        if bucket != processed:
            return
        writes[key] += 1
        if where.startswith("an item") and key.startswith("results/") and writes[key] == 1:
            raise RuntimeError("the function died right after writing")

    handler = hooked(
        ("before-parameter-build.s3.PutObject", remember_key),
        ("after-call.s3.PutObject", after_put),
    )
    if where.startswith("the invocation"):
        crashed = threading.Event()
        inner = handler

        def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
            answer = inner(event, context)
            if not crashed.is_set():
                crashed.set()
                raise RuntimeError("the function timed out after processing its batch")
            return answer

    runner = rig.runner(handler)

    rig.finish(reports, runner)

    assert runner.totals.failed >= 1  # redelivered...
    assert writes and set(writes.values()) == {1}  # ...but no Parquet file written twice
    assert set(bucket_keys(rig.settings, processed)) == baseline.processed
    assert_converged(rig, baseline.outcome)


def test_duplicated_and_reordered_deliveries_write_each_file_once(rig, baseline):
    reports = rig.ingest(rig.plan())
    bodies = drain(rig)
    assert len(bodies) >= len([w for r in reports for w in r.written])
    again = bodies * 3
    random.Random(6).shuffle(again)
    deliver(rig, list(reversed(bodies)) + again)
    writes: Counter[str] = Counter()

    def count(context: dict[str, Any], **_: Any) -> None:
        bucket, key = context.get("f1lake_target", (None, None))
        if bucket == rig.settings.processed_bucket:
            writes[key] += 1

    runner = rig.runner(
        hooked(
            ("before-parameter-build.s3.PutObject", remember_key),
            ("after-call.s3.PutObject", count),
        )
    )

    rig.finish(reports, runner)

    assert runner.totals.received == 4 * len(bodies)
    assert writes and set(writes.values()) == {1}
    assert_converged(rig, baseline.outcome)


@pytest.mark.parametrize("order", ["older first", "newer first"])
def test_two_versions_of_a_race_converge_on_the_newest_in_either_order(
    rig, revised_baseline, order
):
    first = rig.ingest(rig.plan())
    older = drain(rig)
    rig.faults.revise(SEASON, LAST_ROUND)  # the stewards swap the first two finishers
    latest = plan_latest(rig.settings, rig.dsn, today=REPLAY_TODAY)
    second = rig.ingest([latest], run="run-2", dag="f1_latest_results")
    newer = drain(rig)
    revised = {w.raw_key for r in second for w in r.written}
    assert {r.endpoint for r in second if r.written} == {
        "results",
        "driver_standings",
        "constructor_standings",
    }
    assert len(newer) == len(revised)

    runner = rig.runner()
    for batch in (older, newer) if order == "older first" else (newer, older):
        deliver(rig, batch)
        runner.run_until_idle(timeout=60)
    rig.finish(first + second, runner)

    assert_converged(rig, revised_baseline.outcome)


def test_an_invocation_that_read_a_race_before_its_revision_does_not_overwrite_it(
    rig, revised_baseline
):
    """Two invocations on one race at once (Lambda scales out): A lists the race's raw objects,
    stalls, and writes after B has written the newer version. The lake must keep the newer."""
    first = rig.ingest(rig.plan())
    older = drain(rig)
    stale = next(b for b in older if object_key(b).startswith("results/season=2023/round=05/"))
    deliver(rig, [b for b in older if b != stale])
    rig.runner().run_until_idle(timeout=60)

    listed, release = threading.Event(), threading.Event()

    def stall_after_listing(context: dict[str, Any], **_: Any) -> None:
        bucket, _ = context.get("f1lake_target", (None, None))
        if bucket == rig.settings.raw_bucket and not listed.is_set():
            listed.set()
            assert release.wait(30), "the test never released the stalled invocation"

    slow = hooked(
        ("before-parameter-build.s3.ListObjectsV2", remember_key),
        ("after-call.s3.ListObjectsV2", stall_after_listing),
    )
    answers: list[dict[str, Any]] = []
    event = {"Records": [{"messageId": "a", "eventSource": "aws:sqs", "body": stale}]}
    with invocation_settings(rig.settings):
        context = copy_context()
    a = threading.Thread(target=lambda: answers.append(context.run(slow, event, None)))
    a.start()
    assert listed.wait(30)

    rig.faults.revise(SEASON, LAST_ROUND)
    latest = plan_latest(rig.settings, rig.dsn, today=REPLAY_TODAY)
    second = rig.ingest([latest], run="run-2", dag="f1_latest_results")
    rig.runner().run_until_idle(timeout=60)  # B: the revision's events
    release.set()
    a.join(30)

    assert answers == [{"batchItemFailures": []}]
    rig.finish(first + second)
    assert_converged(rig, revised_baseline.outcome)
