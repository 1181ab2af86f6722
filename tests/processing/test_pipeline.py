"""End to end on the moto server: provisioned resources, S3 notification -> SQS -> the local
Lambda runner -> Parquet, and a poison message redriven to the dead-letter queue.

No ``F1LAKE_*`` environment here: the runner must configure the handler it invokes."""

from __future__ import annotations

import json
import time
from urllib.parse import unquote_plus

from f1lake import aws
from f1lake.endpoints import RESULTS
from f1lake.local.lambda_runner import LambdaRunner
from f1lake.local.provision import dlq_url, provision, queue_url
from f1lake.processing import processed_source, quarantine_record
from f1lake.topology import queue_arn
from tests.processing.factories import envelope, key_for, put_raw, put_results, race, simple_results


def test_provision_is_idempotent_and_wires_the_queue(provisioned):
    provision(
        provisioned, visibility_timeout=1, max_receive_count=2
    )  # again, on a provisioned provisioned
    s3, sqs, glue = (aws.client(n, provisioned) for n in ("s3", "sqs", "glue"))
    for bucket in (
        provisioned.raw_bucket,
        provisioned.processed_bucket,
        provisioned.quarantine_bucket,
    ):
        s3.head_bucket(Bucket=bucket)
    attrs = sqs.get_queue_attributes(QueueUrl=queue_url(provisioned), AttributeNames=["All"])
    redrive = json.loads(attrs["Attributes"]["RedrivePolicy"])
    assert redrive["deadLetterTargetArn"] == queue_arn(sqs, dlq_url(provisioned))
    assert int(redrive["maxReceiveCount"]) == 2
    assert attrs["Attributes"]["VisibilityTimeout"] == "1"
    notifications = s3.get_bucket_notification_configuration(Bucket=provisioned.raw_bucket)
    [config] = notifications["QueueConfigurations"]
    assert config["QueueArn"] == queue_arn(sqs, queue_url(provisioned))
    assert (
        glue.get_database(Name=provisioned.glue_database)["Database"]["Name"]
        == provisioned.glue_database
    )


def test_raw_object_flows_through_sqs_and_the_runner_to_parquet(
    provisioned, read_processed, monkeypatch
):
    monkeypatch.delenv("F1LAKE_RAW_BUCKET", raising=False)
    monkeypatch.delenv("F1LAKE_AWS_ENDPOINT_URL", raising=False)
    runner = LambdaRunner(provisioned)
    key = put_results(provisioned, 2023, 9, simple_results())
    outcome = runner.run_until_idle(timeout=60)
    assert outcome.idle and outcome.failed == 0
    assert outcome.succeeded >= 1  # the object's event (and provisioning's s3:TestEvent)
    assert processed_source(provisioned, "results", 2023, 9)[0] == key
    assert read_processed("results", 2023, 9).num_rows == 2


def test_poison_message_ends_in_the_dead_letter_queue(provisioned, read_processed):
    runner = LambdaRunner(provisioned)
    poison = key_for(envelope(RESULTS, race(2023, 7, simple_results())))
    put_raw(provisioned, b"not json at all", poison)
    good = put_results(provisioned, 2023, 8, simple_results())
    outcome = runner.run_until_idle(timeout=60)
    assert outcome.idle
    assert outcome.failed == 2  # received twice (maxReceiveCount), failed both times
    sqs = aws.client("sqs", provisioned)
    dead = sqs.receive_message(QueueUrl=dlq_url(provisioned), MaxNumberOfMessages=10).get(
        "Messages", []
    )
    names = [json.loads(m["Body"])["Records"][0]["s3"]["object"]["key"] for m in dead]
    assert [unquote_plus(n) for n in names] == [poison]
    assert quarantine_record(provisioned, poison)["kind"] == "not_json"
    assert processed_source(provisioned, "results", 2023, 8)[0] == good


def test_background_runner_processes_while_running_and_stops(provisioned, read_processed):
    runner = LambdaRunner(provisioned, wait_seconds=1)
    with runner:
        assert runner.running
        put_results(provisioned, 2024, 1, simple_results())
        deadline = time.monotonic() + 60
        while read_processed("results", 2024, 1) is None and time.monotonic() < deadline:
            time.sleep(0.2)
    assert not runner.running
    assert read_processed("results", 2024, 1).num_rows == 2
    assert runner.totals.succeeded >= 1
