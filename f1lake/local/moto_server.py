"""A moto server bound to 127.0.0.1 that plays S3, SQS and Glue for the local stack.

It runs in a child process: moto parses and serialises every AWS call in Python, and in the
caller's process it competed for one GIL with the pipeline it serves.
"""

from __future__ import annotations

import argparse
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from f1lake.local.child import Child, announce, wait_until_told

# moto's dummy credentials: never real ones, so a misconfigured run cannot reach AWS.
LOCAL_AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}


def start_moto(port: int = 0) -> Child:
    """Start a moto server process; its ``ready()`` is the endpoint URL."""
    return Child(
        "f1lake.local.moto_server", ["--port", str(port)], env=LOCAL_AWS_ENV, name="moto server"
    )


@contextmanager
def moto_server(port: int = 0) -> Iterator[str]:
    """Run a moto server on 127.0.0.1 (``port=0``: a free one); yields its endpoint URL.

    Every server is its own process with its own state: two servers share nothing.
    """
    child = start_moto(port)
    try:
        yield child.ready()
    finally:
        child.stop()


def use_local_aws_credentials() -> None:
    """Set moto's dummy credentials unless the caller already set some."""
    for name, value in LOCAL_AWS_ENV.items():
        os.environ.setdefault(name, value)


def constant_time_retention_check() -> None:
    """Make moto's SQS receive cost independent of the queue's backlog.

    To tell whether a message outlived the queue's retention period, moto 5 computes every
    attribute of the queue, three of which scan all its messages; it does so for each message
    it hands out, so with thousands queued (a full-history backfill) every receive scans the
    backlog dozens of times. This reads the one attribute it needs: the same answer.
    """
    from moto.core.utils import unix_time
    from moto.sqs.models import SQSBackend

    if not hasattr(SQSBackend, "is_message_valid_based_on_retention_period"):
        return  # another moto: leave it as it is

    def still_retained(self: SQSBackend, queue_name: str, message: Any) -> bool:
        queue = self.get_queue(queue_name)
        retention = int(queue.message_retention_period)
        return retention + message.sent_timestamp / 1000 > unix_time()

    SQSBackend.is_message_valid_based_on_retention_period = still_retained  # type: ignore[method-assign]


def main() -> None:
    """The child: serve until the parent says stop."""
    from moto.server import ThreadedMotoServer

    constant_time_retention_check()

    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=args.port, verbose=False)
    server.start()
    host, bound = server.get_host_and_port()
    announce(f"http://{host}:{bound}")
    try:
        wait_until_told()
    finally:
        server.stop()


if __name__ == "__main__":
    main()
