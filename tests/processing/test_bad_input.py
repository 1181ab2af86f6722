"""Raw objects no parser was written for: each ends in quarantine with its reason, through the
real queue, dead-letter queue and Lambda runner, and nothing is dead-lettered without a record.

The objects sit under well-formed raw keys (the ingestion's own layout), so it is their bodies
that must be judged, never their names.
"""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from f1lake import aws
from f1lake.endpoints import RESULTS
from f1lake.local.lambda_runner import LambdaRunner
from f1lake.local.provision import queue_url
from f1lake.processing import S3Objects, handle_event, quarantine_record
from f1lake.processing.redrive import dead_lettered_keys
from f1lake.settings import MIB, Settings
from f1lake.topology import dead_letter_route
from tests.processing.factories import (
    envelope,
    key_for,
    put_raw,
    race,
    result,
    s3_event,
    simple_results,
)

FORTY_DIGITS = 10**39 + 7


def _results(round_: int, rows: list[dict]) -> dict:
    return envelope(RESULTS, race(2023, round_, rows))


def _with_meta(round_: int, **meta: object) -> tuple[str, bytes]:
    """A valid results object whose envelope fields are then changed (key of the valid one)."""
    env = _results(round_, simple_results())
    key = key_for(env)
    env["f1lake"].update(meta)
    return key, json.dumps(env).encode()


def bad_objects() -> dict[str, tuple[str, bytes, str, str]]:
    """name -> (raw key, body, quarantine kind, words its reason holds)."""
    out: dict[str, tuple[str, bytes, str, str]] = {}
    big = _results(1, [result("ascari", 1, grid=FORTY_DIGITS), *simple_results("farina")[1:]])
    out["40-digit integer"] = (
        key_for(big),
        json.dumps(big).encode(),
        "invalid",
        f"grid {FORTY_DIGITS} is out of range for int",
    )
    deep = _results(2, simple_results())
    text = json.dumps(deep).replace('"Finished"', "[" * 10_000 + "]" * 10_000, 1)
    out["nested 10,000 deep"] = (key_for(deep), text.encode(), "not_json", "nested too deeply")
    out["season as text"] = (*_with_meta(3, season="2023"), "wrong_shape", "season is str")
    out["round as a list"] = (*_with_meta(4, round=[4]), "wrong_shape", "round is list")
    out["endpoint as a number"] = (*_with_meta(5, endpoint=7), "wrong_shape", "endpoint is int")
    out["float season"] = (*_with_meta(6, season=2023.0), "wrong_shape", "season is float")
    latin = _results(7, [result("räikkönen", 1), *simple_results()[1:]])
    out["not UTF-8"] = (
        key_for(latin),
        json.dumps(latin, ensure_ascii=False).encode("latin-1"),
        "not_json",
        "not UTF-8",
    )
    large = _results(8, [result(f"d{i:03d}", i + 1) for i in range(100)])  # ~45 KB
    out["above the size limit"] = (key_for(large), json.dumps(large).encode(), "too_large", "limit")
    return out


@pytest.fixture
def small_limit(provisioned: Settings) -> Settings:
    """The stack with a 32 KiB raw-object limit, so 'too large' costs kilobytes, not 100 MB."""
    return provisioned.model_copy(update={"max_raw_object_mb": 32 / 1024})


def test_every_bad_input_is_quarantined_with_its_reason_and_none_is_dead_lettered_bare(
    small_limit,
):
    objects = bad_objects()
    for key, body, _, _ in objects.values():
        put_raw(small_limit, body, key)
    good = put_raw(small_limit, _results(9, simple_results()))

    with LambdaRunner(small_limit, wait_seconds=0) as runner:
        done = runner.run_until_idle(timeout=60)

    assert done.idle, "the queue never drained"
    for name, (key, _, kind, words) in objects.items():
        record = quarantine_record(small_limit, key)
        assert record is not None, f"{name}: no quarantine record"
        assert record["kind"] == kind, f"{name}: {record}"
        assert words in record["reason"] + " ".join(record["problems"]), f"{name}: {record}"
    assert quarantine_record(small_limit, good) is None
    # rejected objects end in the dead-letter queue (they failed every delivery), each with
    # its record; the valid one was processed and is not there
    dead = dead_lettered_keys(small_limit)
    assert dead == {key for key, *_ in objects.values()}
    listed = aws.client("s3", small_limit).list_objects_v2(Bucket=small_limit.processed_bucket)
    written = sorted(o["Key"] for o in listed.get("Contents", []))
    assert written == ["results/season=2023/2023-09.parquet"]  # never season=2023.0/


@pytest.mark.parametrize(
    ("memory_mb", "explicit_mb", "limit"),
    [(None, None, 1024 * MIB // 20), ("3008", None, 3008 * MIB // 20), ("3008", 0.5, MIB // 2)],
)
def test_the_size_limit_follows_the_lambdas_memory(monkeypatch, memory_mb, explicit_mb, limit):
    """1/20 of the function's memory (a 100 MB object is over it at the default 1,024 MB),
    unless set explicitly."""
    monkeypatch.delenv("F1LAKE_MAX_RAW_OBJECT_MB", raising=False)
    if memory_mb is None:
        monkeypatch.delenv("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", raising=False)
    else:
        monkeypatch.setenv("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", memory_mb)
    assert Settings(max_raw_object_mb=explicit_mb).max_raw_object_bytes == limit


def test_an_object_whose_processing_fails_every_delivery_is_recorded_before_the_dlq(provisioned):
    """An outage on one object (every read denied): the last delivery leaves the reason in
    the quarantine bucket before SQS moves the message to the dead-letter queue."""
    denied = put_raw(provisioned, _results(1, simple_results()))
    fine = put_raw(provisioned, _results(2, simple_results()))

    def deny(params: dict, **_: object) -> None:
        if params.get("Key") == denied:
            raise ClientError({"Error": {"Code": "AccessDenied", "Message": "no"}}, "GetObject")

    def broken(event: dict, context: object) -> dict:
        session = aws.session(provisioned)
        session.events.register("before-parameter-build.s3.GetObject", deny)
        return handle_event(event, provisioned, store=S3Objects(provisioned, session=session))

    with LambdaRunner(provisioned, broken, wait_seconds=0) as runner:
        assert runner.run_until_idle(timeout=60).idle

    assert dead_lettered_keys(provisioned) == {denied}
    record = quarantine_record(provisioned, denied)
    assert record["kind"] == "failed"
    assert "failed on all 2 deliveries" in record["reason"] and "AccessDenied" in record["reason"]
    assert quarantine_record(provisioned, fine) is None


def test_an_event_naming_another_bucket_is_quarantined_unread_before_the_dlq(provisioned):
    """Only the raw bucket is the processor's to read: an event naming another bucket (here
    with a key the raw bucket also holds) ends in a record of its own with the reason, and its
    message in the dead-letter queue; the foreign bucket is never touched, and the raw object
    of the same key is processed and its record left alone."""
    foreign = "someone-elses-bucket"
    key = put_raw(provisioned, _results(1, simple_results()))
    sqs = aws.client("sqs", provisioned)
    sqs.send_message(
        QueueUrl=queue_url(provisioned, sqs), MessageBody=json.dumps(s3_event(foreign, key))
    )
    buckets: list[str] = []

    def watched(event: dict, context: object) -> dict:
        session = aws.session(provisioned)
        session.events.register(
            "before-parameter-build.s3", lambda params, **_: buckets.append(params.get("Bucket"))
        )
        return handle_event(event, provisioned, store=S3Objects(provisioned, session=session))

    with LambdaRunner(provisioned, watched, wait_seconds=0) as runner:
        assert runner.run_until_idle(timeout=60).idle

    store = S3Objects(provisioned)
    record = store.quarantine_record(key, foreign)
    assert record is not None, "dead-lettered without a quarantine record"
    assert record["kind"] == "foreign_bucket" and record["raw_bucket"] == foreign
    assert f"names bucket {foreign!r}, not the raw bucket" in record["reason"]
    assert foreign not in buckets and provisioned.quarantine_bucket in buckets
    dlq = dead_letter_route(sqs, provisioned.queue_name).dlq_url
    depth = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["ApproximateNumberOfMessages"])
    assert depth["Attributes"]["ApproximateNumberOfMessages"] == "1"
    assert dead_lettered_keys(provisioned) == set()  # not a raw object waiting on a fix
    assert quarantine_record(provisioned, key) is None
    assert S3Objects(provisioned).processed_source("results", 2023, 1)[0] == key
