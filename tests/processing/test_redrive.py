"""Redrive from the dead-letter queue on the moto server: every message moved once, in batches,
bodies and attributes intact, up to a limit, and nothing moved by a dry run."""

from __future__ import annotations

import pytest

from f1lake import aws
from f1lake.local.provision import dlq_url, queue_url
from f1lake.processing.redrive import RedriveError, redrive
from f1lake.topology import queue_arn, redrive_policy


def receive_all(sqs, url: str) -> list[dict]:
    out = []
    while True:
        got = sqs.receive_message(
            QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0, MessageAttributeNames=["All"]
        ).get("Messages", [])
        if not got:
            return out
        out += got
        for m in got:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])


def test_redrive_moves_every_message_once_keeping_body_and_attributes(provisioned):
    sqs = aws.client("sqs", provisioned)
    dlq, queue = dlq_url(provisioned, sqs), queue_url(provisioned, sqs)
    receive_all(sqs, queue)  # provisioning's s3:TestEvent
    bodies = [f'{{"n": {i}}}' for i in range(23)]  # three batches
    for body in bodies:
        sqs.send_message(
            QueueUrl=dlq,
            MessageBody=body,
            MessageAttributes={"origin": {"DataType": "String", "StringValue": "test"}},
        )

    assert redrive(provisioned, dry_run=True).waiting == 23
    first = redrive(provisioned, limit=5, wait_seconds=0)
    rest = redrive(provisioned, wait_seconds=0)
    again = redrive(provisioned, wait_seconds=0)

    assert (first.moved, rest.moved, again.moved) == (5, 18, 0)
    assert not first.failed and not rest.failed
    moved = receive_all(sqs, queue)
    assert sorted(m["Body"] for m in moved) == sorted(bodies)
    assert {m["MessageAttributes"]["origin"]["StringValue"] for m in moved} == {"test"}
    assert receive_all(sqs, dlq) == []
    assert "moved 18 message(s)" in rest.summary()


def test_redrive_refuses_a_bad_limit_and_names_a_missing_queue(provisioned):
    with pytest.raises(ValueError, match="at least 1"):
        redrive(provisioned, limit=0)
    missing = provisioned.model_copy(update={"queue_name": "nope"})
    with pytest.raises(RedriveError, match="no SQS queue named 'nope'"):
        redrive(missing)


def test_redrive_finds_a_dead_letter_queue_cloudformation_named(settings):
    """On AWS the CDK app lets CloudFormation name both queues; F1LAKE_QUEUE_NAME is the
    stack's output and the dead-letter queue is whatever the queue's redrive policy names."""
    sqs = aws.client("sqs", settings)
    suffix = settings.queue_name.rsplit("-", 1)[-1]
    dlq_name = f"f1lake-processing-RawEventsDeadLetterQueue6A3F-{suffix.upper()}Qz"
    dlq = sqs.create_queue(QueueName=dlq_name)["QueueUrl"]
    queue_name = f"f1lake-processing-RawEventsQueue0C1D-{suffix}Kp"
    queue = sqs.create_queue(
        QueueName=queue_name,
        Attributes={"RedrivePolicy": redrive_policy(queue_arn(sqs, dlq), 5)},
    )["QueueUrl"]
    for i in range(3):
        sqs.send_message(QueueUrl=dlq, MessageBody=f'{{"n": {i}}}')
    deployed = settings.model_copy(update={"queue_name": queue_name})

    report = redrive(deployed, wait_seconds=0)

    assert (report.source, report.target, report.moved) == (dlq_name, queue_name, 3)
    assert sorted(m["Body"] for m in receive_all(sqs, queue)) == [f'{{"n": {i}}}' for i in range(3)]
    assert receive_all(sqs, dlq) == []


def test_redrive_names_a_queue_without_a_dead_letter_queue(settings):
    sqs = aws.client("sqs", settings)
    sqs.create_queue(QueueName=settings.queue_name)
    with pytest.raises(RedriveError, match="has no dead-letter queue"):
        redrive(settings)
