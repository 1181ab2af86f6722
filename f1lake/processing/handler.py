"""The processor's entry point for both event shapes, with Lambda's partial-batch contract.

SQS: every message is handled on its own and a failed one is returned in
``batchItemFailures`` (ReportBatchItemFailures), so the rest of the batch is deleted and only
the failed messages come back (and after maxReceiveCount go to the dead-letter queue).
Direct S3: rejected objects are quarantined and listed; an infrastructure error is raised so
Lambda's own retry applies.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from botocore.exceptions import ClientError

from f1lake import aws
from f1lake.processing.events import Message, is_sqs_event, s3_objects, sqs_messages
from f1lake.processing.processor import ObjectOutcome, Processor
from f1lake.processing.s3_objects import S3Objects, shared_store
from f1lake.settings import Settings
from f1lake.topology import TopologyError, dead_letter_route

log = logging.getLogger(__name__)

_invocation_settings: ContextVar[Settings | None] = ContextVar(
    "f1lake_invocation_settings", default=None
)


@contextmanager
def invocation_settings(settings: Settings) -> Iterator[None]:
    """Configure the Lambda handler for calls made inside the block, in this thread only.

    On AWS the function's environment carries the settings; the local runner shares its
    process with other code, so it injects its settings here instead of mutating os.environ.
    """
    token = _invocation_settings.set(settings)
    try:
        yield
    finally:
        _invocation_settings.reset(token)


def current_settings() -> Settings:
    """Settings of the current invocation: injected ones, else ``F1LAKE_*`` from the env."""
    return _invocation_settings.get() or Settings()


def handle_event(
    event: dict[str, Any], settings: Settings, *, store: S3Objects | None = None
) -> dict[str, Any]:
    """Handle one Lambda event; ``store`` replaces the process's S3 adapter for ``settings``
    (a test that hooks the S3 edge)."""
    store = store or shared_store(settings)
    processor = Processor(store, settings.max_raw_object_bytes)
    if is_sqs_event(event):
        return _handle_sqs(event, processor, DeadLetterPolicy(store))
    outcomes = [_process(processor, ref.bucket, ref.key) for ref in s3_objects(event)]
    return {
        "processed": [o.raw_key for o in outcomes if not o.failed],
        "quarantined": [o.raw_key for o in outcomes if o.failed],
        "outcomes": [_summary(o) for o in outcomes],
    }


def _process(processor: Processor, bucket: str, key: str) -> ObjectOutcome:
    """Process an object of the raw bucket; quarantine, unread, one of another bucket (only
    the raw bucket is ours to read), so it is never dead-lettered without a record."""
    if bucket != processor.store.settings.raw_bucket:
        return processor.refuse_foreign(bucket, key)
    return processor.process(bucket, key)


def _handle_sqs(
    event: dict[str, Any], processor: Processor, dead_letters: DeadLetterPolicy
) -> dict[str, Any]:
    failures: list[dict[str, str]] = []
    for message in sqs_messages(event):
        failed = message.error is not None
        if message.error:
            log.error("message %s: %s", message.message_id, message.error)
        for ref in message.objects:
            try:
                outcome = _process(processor, ref.bucket, ref.key)
            except Exception as exc:
                # Not the object's fault (S3 down, throttled...): retry through SQS; on the
                # last delivery, leave the reason in the quarantine bucket first.
                log.exception("message %s: processing %s failed", message.message_id, ref.key)
                failed = True
                if dead_letters.is_last(message):
                    _record_failure(processor, ref.bucket, ref.key, message, exc)
                continue
            log.info("message %s: %s", message.message_id, _summary(outcome))
            failed = failed or outcome.failed
        if failed:
            failures.append({"itemIdentifier": message.message_id})
    # Only the documented key: Lambda treats an unexpected response shape as a failed batch.
    return {"batchItemFailures": failures}


def _record_failure(
    processor: Processor, bucket: str, key: str, message: Message, exc: Exception
) -> None:
    try:
        processor.quarantine_failure(bucket, key, message.receive_count, exc)
    except Exception:  # the quarantine bucket is unreachable too: the logs keep the reason
        log.exception("message %s: could not record why %s failed", message.message_id, key)


class DeadLetterPolicy:
    """Whether a delivery is a message's last before the dead-letter queue: its queue's
    ``maxReceiveCount``, read once per queue from its redrive policy (only when a message
    fails, so a healthy run never asks)."""

    def __init__(self, store: S3Objects) -> None:
        self.store = store

    def is_last(self, message: Message) -> bool:
        limit = _max_receives(self.store, message.queue_arn)
        return limit is not None and message.receive_count >= limit


_MAX_RECEIVES: dict[str, int | None] = {}


def _max_receives(store: S3Objects, queue_arn: str) -> int | None:
    if not queue_arn.startswith("arn:"):
        return None
    if queue_arn not in _MAX_RECEIVES:
        _MAX_RECEIVES[queue_arn] = _read_max_receives(store, queue_arn)
    return _MAX_RECEIVES[queue_arn]


def _read_max_receives(store: S3Objects, queue_arn: str) -> int | None:
    name = queue_arn.rsplit(":", 1)[-1]
    try:
        sqs = aws.client("sqs", store.settings, store.session)
        return dead_letter_route(sqs, name).max_receive_count
    except (ClientError, TopologyError, ValueError, KeyError) as exc:
        log.warning("cannot read the redrive policy of %s: %s", queue_arn, exc)
        return None


def _summary(o: ObjectOutcome) -> dict[str, Any]:
    return {
        "raw_key": o.raw_key,
        "status": o.status,
        "source_key": o.source_key,
        "reason": o.reason,
    }
