"""Plays Lambda's SQS event-source mapping locally, against the same queue and handler.

Long-polls the queue for up to ten messages, invokes ``lambda_processor.handler.handler``
(configured with the runner's settings) with the SQS-shaped event Lambda would send, deletes the messages that succeeded and leaves the
failed ones to reappear after the visibility timeout, so that after ``maxReceiveCount``
receives SQS moves them to the dead-letter queue - exactly the AWS behaviour.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import EndpointConnectionError

from f1lake import aws
from f1lake.local.provision import queue_url
from f1lake.processing.handler import invocation_settings
from f1lake.settings import Settings
from f1lake.topology import queue_arn

log = logging.getLogger(__name__)

Handler = Callable[[dict[str, Any], Any], Any]


@dataclass
class BatchOutcome:
    received: int = 0
    succeeded: int = 0
    failed: int = 0
    batches: int = 0
    idle: bool = False
    """run_until_idle: the queue was empty (nothing visible, nothing in flight) at the end."""
    handler_seconds: float = 0.0
    """Wall time spent in the handler (the billed duration, on Lambda)."""
    cpu_seconds: float = 0.0
    """CPU time of the runner's process while in the handler."""

    def add(self, other: BatchOutcome) -> None:
        self.received += other.received
        self.succeeded += other.succeeded
        self.failed += other.failed
        self.batches += other.batches
        self.handler_seconds += other.handler_seconds
        self.cpu_seconds += other.cpu_seconds


class _Context:
    """The parts of Lambda's context object a handler may reasonably use."""

    def __init__(self, function_name: str, timeout_s: float) -> None:
        self.function_name = function_name
        self.function_version = "$LATEST"
        self.memory_limit_in_mb = 512
        self.aws_request_id = str(uuid.uuid4())
        self.invoked_function_arn = f"arn:aws:lambda:local:000000000000:function:{function_name}"
        self._deadline = time.monotonic() + timeout_s

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def settings_env(settings: Settings) -> dict[str, str]:
    """``F1LAKE_*`` variables reproducing ``settings``, for a handler that reads the env."""
    env = {}
    for name, value in settings.model_dump().items():
        if value is not None:
            env[f"F1LAKE_{name.upper()}"] = str(value)
    return env


def _default_handler() -> Handler:
    from lambda_processor.handler import handler

    return handler


class LambdaRunner:
    def __init__(
        self,
        settings: Settings,
        handler: Handler | None = None,
        *,
        batch_size: int = 10,
        wait_seconds: int = 1,
        function_name: str = "f1lake-processor",
        function_timeout_s: float = 300.0,
        on_batch: Callable[[BatchOutcome], None] | None = None,
    ) -> None:
        self.settings = settings
        self.handler = handler or _default_handler()
        self.batch_size = min(max(batch_size, 1), 10)
        self.wait_seconds = wait_seconds
        self.function_name = function_name
        self.function_timeout_s = function_timeout_s
        self.sqs = aws.client("sqs", settings)
        self.queue_url = queue_url(settings, self.sqs)
        self.queue_arn = queue_arn(self.sqs, self.queue_url)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.totals = BatchOutcome()
        self.on_batch = on_batch
        """Called after every batch that received messages (a child reports its progress)."""

    def _event(self, messages: list[dict[str, Any]]) -> dict[str, Any]:
        return {
            "Records": [
                {
                    "messageId": m["MessageId"],
                    "receiptHandle": m["ReceiptHandle"],
                    "body": m["Body"],
                    "attributes": m.get("Attributes", {}),
                    "messageAttributes": m.get("MessageAttributes", {}),
                    "md5OfBody": m.get("MD5OfBody", ""),
                    "eventSource": "aws:sqs",
                    "eventSourceARN": self.queue_arn,
                    "awsRegion": self.settings.aws_region,
                }
                for m in messages
            ]
        }

    def run_once(self) -> BatchOutcome:
        """Receive one batch, invoke the handler, delete what succeeded."""
        messages = self.sqs.receive_message(
            QueueUrl=self.queue_url,
            MaxNumberOfMessages=self.batch_size,
            WaitTimeSeconds=self.wait_seconds,
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
        ).get("Messages", [])
        if not messages:
            return BatchOutcome()
        ids = {m["MessageId"] for m in messages}
        wall, cpu = time.monotonic(), time.process_time()
        failed = self._invoke(self._event(messages), ids)
        wall, cpu = time.monotonic() - wall, time.process_time() - cpu
        done = [m for m in messages if m["MessageId"] not in failed]
        for start in range(0, len(done), 10):
            chunk = done[start : start + 10]
            self.sqs.delete_message_batch(
                QueueUrl=self.queue_url,
                Entries=[
                    {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(chunk)
                ],
            )
        outcome = BatchOutcome(
            len(messages), len(done), len(failed), 1, handler_seconds=wall, cpu_seconds=cpu
        )
        self.totals.add(outcome)
        if self.on_batch is not None:
            self.on_batch(outcome)
        return outcome

    def _invoke(self, event: dict[str, Any], ids: set[str]) -> set[str]:
        """Ids of the messages that failed; as on Lambda, an error or a malformed response
        fails the whole batch."""
        try:
            with invocation_settings(self.settings):  # the function's "environment"
                response = self.handler(
                    event, _Context(self.function_name, self.function_timeout_s)
                )
        except Exception:
            log.exception("handler raised: the whole batch of %d will be retried", len(ids))
            return ids
        try:
            failed = {f["itemIdentifier"] for f in (response or {}).get("batchItemFailures", [])}
        except (AttributeError, KeyError, TypeError):
            log.error("malformed handler response %r: whole batch failed", response)
            return ids
        if not failed <= ids:
            log.error("handler reported unknown message ids %s: whole batch failed", failed - ids)
            return ids
        return failed

    def _queue_empty(self) -> bool:
        attrs = self.sqs.get_queue_attributes(
            QueueUrl=self.queue_url,
            AttributeNames=[
                "ApproximateNumberOfMessages",
                "ApproximateNumberOfMessagesNotVisible",
                "ApproximateNumberOfMessagesDelayed",
            ],
        )["Attributes"]
        return all(int(v) == 0 for v in attrs.values())

    def run_until_idle(self, timeout: float = 60.0) -> BatchOutcome:
        """Process until nothing is visible or in flight (failed messages are waited for until
        they succeed or move to the DLQ), or until ``timeout`` seconds have passed."""
        total = BatchOutcome()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            outcome = self.run_once()
            total.add(outcome)
            if outcome.received == 0 and self._queue_empty():
                total.idle = True
                break
        return total

    # background mode, for the local stack while Airflow runs
    def start(self) -> None:
        if self._thread and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="lambda-runner", daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.run_once()
            except EndpointConnectionError as exc:
                if self._stop.is_set():  # the stack is stopping: moto may be gone already
                    return
                # moto is gone (the stack is stopping) or restarting: one line, not a trace
                log.warning("lambda runner: %s; retrying", exc)
                self._stop.wait(1.0)
            except Exception:
                if self._stop.is_set():
                    return
                log.exception("lambda runner poll failed; retrying")
                self._stop.wait(1.0)

    def stop(self, timeout: float | None = None) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout if timeout is not None else self.wait_seconds + 30)
            self._thread = None

    @property
    def running(self) -> bool:
        return bool(self._thread and self._thread.is_alive())

    def __enter__(self) -> LambdaRunner:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
