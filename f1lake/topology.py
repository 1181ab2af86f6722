"""The deployed topology the CDK app, the local stack and the operator commands share: how many
receives a failing message gets before the dead-letter queue, how long that queue keeps it,
the raw bucket's notification id, and how to find the dead-letter queue of a queue.

On AWS CloudFormation names the dead-letter queue (``...-DeadLetterQueue1A2B3C-XyZ``), so
nothing may guess it from the queue's name: the queue's ``RedrivePolicy`` attribute names its
target (``deadLetterTargetArn``), on AWS and on the local stack alike.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

MAX_RECEIVE_COUNT = 3
"""Receives before a message that keeps failing is moved to the dead-letter queue."""
DEAD_LETTER_RETENTION_DAYS = 14
"""How long the dead-letter queue keeps a message (SQS's maximum): time to fix and redrive."""
NOTIFICATION_ID = "f1lake-raw-object-created"
"""Id of the raw bucket's ObjectCreated -> queue notification (the local stack's)."""


class TopologyError(RuntimeError):
    """A queue is missing or has no dead-letter queue; the message says which."""


@dataclass(frozen=True)
class DeadLetterRoute:
    """A queue and the dead-letter queue its redrive policy names."""

    queue_url: str
    dlq_url: str
    dlq_name: str
    max_receive_count: int


def redrive_policy(dlq_arn: str, max_receive_count: int = MAX_RECEIVE_COUNT) -> str:
    """The ``RedrivePolicy`` attribute sending a queue's failing messages to ``dlq_arn``."""
    return json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": max_receive_count})


def queue_url(sqs: Any, name: str) -> str:
    try:
        return sqs.get_queue_url(QueueName=name)["QueueUrl"]
    except ClientError as exc:
        if _no_such_queue(exc):
            raise TopologyError(f"no SQS queue named {name!r}") from None
        raise


def queue_arn(sqs: Any, url: str) -> str:
    return sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]


def dead_letter_route(sqs: Any, queue_name: str) -> DeadLetterRoute:
    """The queue named ``queue_name`` and its dead-letter queue, found through its
    ``RedrivePolicy`` (whatever the dead-letter queue is called)."""
    url = queue_url(sqs, queue_name)
    attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["RedrivePolicy"])
    text = attrs.get("Attributes", {}).get("RedrivePolicy")
    if not text:
        raise TopologyError(f"SQS queue {queue_name!r} has no dead-letter queue (no RedrivePolicy)")
    policy = json.loads(text)
    # arn:aws:sqs:<region>:<account>:<name>
    *_, account, dlq_name = policy["deadLetterTargetArn"].split(":")
    try:
        dlq = sqs.get_queue_url(QueueName=dlq_name, QueueOwnerAWSAccountId=account)["QueueUrl"]
    except ClientError as exc:
        if _no_such_queue(exc):
            raise TopologyError(
                f"the dead-letter queue {dlq_name!r} of {queue_name!r} does not exist"
            ) from None
        raise
    return DeadLetterRoute(url, dlq, dlq_name, int(policy["maxReceiveCount"]))


def _no_such_queue(exc: ClientError) -> bool:
    code = exc.response.get("Error", {}).get("Code", "")
    return "NonExistentQueue" in code or "QueueDoesNotExist" in code
