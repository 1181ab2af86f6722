"""Pure parsing of the events a Lambda receives: SQS batches wrapping S3 notifications, or
S3 notifications delivered directly."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_plus


@dataclass(frozen=True)
class ObjectRef:
    bucket: str
    key: str


@dataclass(frozen=True)
class Message:
    """One SQS message: its id, and the S3 objects its body names (none for a test event)."""

    message_id: str
    objects: list[ObjectRef]
    error: str | None = None
    """Why the body is not an S3 notification (the message then fails as a whole)."""
    receive_count: int = 1
    """Deliveries so far, this one included (SQS's ApproximateReceiveCount)."""
    queue_arn: str = ""


def is_sqs_event(event: dict[str, Any]) -> bool:
    records = event.get("Records") or []
    return bool(records) and all(r.get("eventSource") == "aws:sqs" for r in records)


def s3_objects(notification: Any) -> list[ObjectRef]:
    """Objects created per an S3 notification; the s3:TestEvent and removals name none.

    Keys arrive URL-encoded (``season%3D2023``) and are decoded here.
    """
    if not isinstance(notification, dict):
        raise ValueError("S3 notification is not a JSON object")
    if notification.get("Event") == "s3:TestEvent":
        return []
    records = notification.get("Records")
    if not isinstance(records, list):
        raise ValueError("S3 notification has no Records list")
    refs = []
    for i, record in enumerate(records):
        try:
            name = record.get("eventName", "")
            if not name.startswith("ObjectCreated"):
                continue
            s3 = record["s3"]
            refs.append(ObjectRef(s3["bucket"]["name"], unquote_plus(s3["object"]["key"])))
        except (AttributeError, KeyError, TypeError):
            raise ValueError(
                f"S3 notification record {i} has no s3.bucket.name/object.key"
            ) from None
    return refs


def sqs_messages(event: dict[str, Any]) -> list[Message]:
    out = []
    for record in event["Records"]:
        message_id = record.get("messageId", "")
        delivery = {
            "receive_count": _count(
                (record.get("attributes") or {}).get("ApproximateReceiveCount")
            ),
            "queue_arn": str(record.get("eventSourceARN") or ""),
        }
        try:
            objects = s3_objects(json.loads(record.get("body", "")))
        except (json.JSONDecodeError, ValueError) as exc:
            error = f"message body is not an S3 notification: {exc}"
            out.append(Message(message_id, [], error, **delivery))
            continue
        out.append(Message(message_id, objects, **delivery))
    return out


def _count(value: Any) -> int:
    try:
        return max(int(value), 1)
    except (TypeError, ValueError):
        return 1
