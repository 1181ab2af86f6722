"""Send the dead-letter queue's messages back to the raw-events queue, once their cause is fixed.

SQS has ``StartMessageMoveTask`` for this, but moto (the local stack) does not implement it and
a move task reports no per-message outcome; a receive / send / delete loop works the same on
AWS and locally. It never loses a message: one leaves the dead-letter queue only after the
queue has accepted its copy. A crash between the two sends it twice, which the idempotent
processor absorbs. Running it again moves only what has come back since: idempotent.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

from f1lake import aws
from f1lake.processing.events import s3_objects
from f1lake.settings import Settings
from f1lake.topology import TopologyError, dead_letter_route

log = logging.getLogger(__name__)

_BATCH = 10  # the most SQS takes per receive or batch call


class RedriveError(RuntimeError):
    """A queue is missing or unreachable; the message says which and what to do."""


@dataclass
class RedriveReport:
    source: str
    target: str
    moved: int = 0
    failed: list[str] = field(default_factory=list)
    """Messages the queue refused (left in the dead-letter queue), with the reason."""
    waiting: int | None = None
    """Dry run: messages waiting in the dead-letter queue."""

    def summary(self) -> str:
        if self.waiting is not None:
            return f"{self.waiting} message(s) waiting in {self.source} (dry run: nothing moved)"
        text = f"moved {self.moved} message(s) from {self.source} back to {self.target}"
        if self.failed:
            text += f"; {len(self.failed)} refused, left in {self.source}: " + "; ".join(
                self.failed[:5]
            )
        return text


def redrive(
    settings: Settings,
    *,
    limit: int | None = None,
    dry_run: bool = False,
    wait_seconds: int = 1,
    visibility_timeout: int = 60,
    sqs: Any = None,
) -> RedriveReport:
    """Move up to ``limit`` messages (all by default) from the queue's dead-letter queue (the
    one its redrive policy names) back to the queue."""
    if limit is not None and limit < 1:
        raise ValueError(f"limit must be at least 1, got {limit}")
    sqs = sqs or aws.client("sqs", settings)
    try:
        route = dead_letter_route(sqs, settings.queue_name)
    except TopologyError as exc:
        raise RedriveError(
            f"{exc}: check F1LAKE_QUEUE_NAME (the queue the raw bucket notifies), or create "
            "the local stack's queues with `f1lake provision`"
        ) from None
    source, target = route.dlq_name, settings.queue_name
    source_url, target_url = route.dlq_url, route.queue_url
    report = RedriveReport(source, target)
    if dry_run:
        attrs = sqs.get_queue_attributes(
            QueueUrl=source_url, AttributeNames=["ApproximateNumberOfMessages"]
        )["Attributes"]
        report.waiting = int(attrs["ApproximateNumberOfMessages"])
        return report
    seen: set[str] = set()
    while limit is None or report.moved + len(report.failed) < limit:
        room = _BATCH if limit is None else min(_BATCH, limit - report.moved - len(report.failed))
        messages = sqs.receive_message(
            QueueUrl=source_url,
            MaxNumberOfMessages=room,
            WaitTimeSeconds=wait_seconds,  # long polling: an empty answer means empty
            VisibilityTimeout=visibility_timeout,
            MessageAttributeNames=["All"],
        ).get("Messages", [])
        messages = [m for m in messages if m["MessageId"] not in seen]
        if not messages:
            break
        seen.update(m["MessageId"] for m in messages)
        sent = sqs.send_message_batch(
            QueueUrl=target_url,
            Entries=[
                {"Id": str(i), "MessageBody": m["Body"], **_attributes(m)}
                for i, m in enumerate(messages)
            ],
        )
        accepted = {int(e["Id"]) for e in sent.get("Successful", [])}
        for refused in sent.get("Failed", []):
            message = messages[int(refused["Id"])]
            report.failed.append(f"{message['MessageId']}: {refused.get('Message', refused)}")
        done = [m for i, m in enumerate(messages) if i in accepted]
        if done:
            deleted = sqs.delete_message_batch(
                QueueUrl=source_url,
                Entries=[
                    {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(done)
                ],
            )
            for left in deleted.get("Failed", []):  # sent but still there: comes back later
                log.warning("could not delete a redriven message: %s", left)
        report.moved += len(done)
    log.info(report.summary())
    return report


def dead_lettered_keys(settings: Settings, sqs: Any = None, batches: int = 20) -> set[str]:
    """Raw keys the dead-letter queue's messages name, peeked (left where they are, visible);
    an object of another bucket (refused, with its own quarantine record) is not one.

    Empty when the queue is empty, or cannot be read (no such queue, no permission: the
    caller then learns of a dead letter from its quarantine record alone).
    """
    sqs = sqs or aws.client("sqs", settings)
    try:
        url = dead_letter_route(sqs, settings.queue_name).dlq_url
        attrs = sqs.get_queue_attributes(
            QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"]
        )["Attributes"]
        if int(attrs.get("ApproximateNumberOfMessages", 0)) == 0:
            return set()
        keys: set[str] = set()
        seen: set[str] = set()
        for _ in range(batches):
            got = sqs.receive_message(
                QueueUrl=url, MaxNumberOfMessages=_BATCH, VisibilityTimeout=0, WaitTimeSeconds=0
            ).get("Messages", [])
            fresh = [m for m in got if m["MessageId"] not in seen]
            if not fresh:
                break
            for m in fresh:
                seen.add(m["MessageId"])
                keys.update(_named_keys(m.get("Body", ""), settings.raw_bucket))
        return keys
    except (ClientError, TopologyError) as exc:
        log.warning("cannot read the dead-letter queue of %s: %s", settings.queue_name, exc)
        return set()


def _named_keys(body: str, raw_bucket: str) -> list[str]:
    try:
        return [ref.key for ref in s3_objects(json.loads(body)) if ref.bucket == raw_bucket]
    except ValueError:  # not an S3 notification (JSONDecodeError is one)
        return []


def _attributes(message: dict[str, Any]) -> dict[str, Any]:
    """The message's attributes in the form SendMessage takes (without the reserved lists)."""
    attrs = {
        name: {k: v for k, v in value.items() if k in ("DataType", "StringValue", "BinaryValue")}
        for name, value in (message.get("MessageAttributes") or {}).items()
    }
    return {"MessageAttributes": attrs} if attrs else {}
