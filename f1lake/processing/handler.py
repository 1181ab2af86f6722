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

from f1lake.processing.events import is_sqs_event, s3_objects, sqs_messages
from f1lake.processing.processor import ObjectOutcome, Processor
from f1lake.processing.s3_objects import S3Objects
from f1lake.settings import Settings

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
    """Handle one Lambda event; ``store`` replaces the S3 adapter built from ``settings`` (a
    caller that reuses clients across invocations, or a test that hooks the S3 edge)."""
    processor = Processor(store or S3Objects(settings))
    if is_sqs_event(event):
        return _handle_sqs(event, processor, settings.raw_bucket)
    refs = s3_objects(event)
    for ref in refs:
        if ref.bucket != settings.raw_bucket:
            raise ValueError(_foreign_bucket(ref.bucket, settings.raw_bucket))
    outcomes = [processor.process(ref.bucket, ref.key) for ref in refs]
    return {
        "processed": [o.raw_key for o in outcomes if not o.failed],
        "quarantined": [o.raw_key for o in outcomes if o.failed],
        "outcomes": [_summary(o) for o in outcomes],
    }


def _foreign_bucket(bucket: str, raw_bucket: str) -> str:
    return f"the event names bucket {bucket!r}, not the raw bucket {raw_bucket!r}: not processed"


def _handle_sqs(event: dict[str, Any], processor: Processor, raw_bucket: str) -> dict[str, Any]:
    failures: list[dict[str, str]] = []
    for message in sqs_messages(event):
        failed = message.error is not None
        if message.error:
            log.error("message %s: %s", message.message_id, message.error)
        for ref in message.objects:
            if ref.bucket != raw_bucket:  # only the configured raw bucket is ours to read
                log.error(
                    "message %s: %s", message.message_id, _foreign_bucket(ref.bucket, raw_bucket)
                )
                failed = True
                continue
            try:
                outcome = processor.process(ref.bucket, ref.key)
            except Exception:
                # Not the object's fault (S3 down, throttled...): retry through SQS.
                log.exception("message %s: processing %s failed", message.message_id, ref.key)
                failed = True
                continue
            log.info("message %s: %s", message.message_id, _summary(outcome))
            failed = failed or outcome.failed
        if failed:
            failures.append({"itemIdentifier": message.message_id})
    # Only the documented key: Lambda treats an unexpected response shape as a failed batch.
    return {"batchItemFailures": failures}


def _summary(o: ObjectOutcome) -> dict[str, Any]:
    return {
        "raw_key": o.raw_key,
        "status": o.status,
        "source_key": o.source_key,
        "reason": o.reason,
    }
