"""A moto server bound to 127.0.0.1 that plays S3, SQS and Glue for the local stack."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager

from moto.server import ThreadedMotoServer

# moto's dummy credentials: never real ones, so a misconfigured run cannot reach AWS.
LOCAL_AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}


@contextmanager
def moto_server(port: int = 0) -> Iterator[str]:
    """Run a moto server on 127.0.0.1 (``port=0``: a free one); yields its endpoint URL."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        host, bound = server.get_host_and_port()
        yield f"http://{host}:{bound}"
    finally:
        server.stop()


def use_local_aws_credentials() -> None:
    """Set moto's dummy credentials unless the caller already set some."""
    for name, value in LOCAL_AWS_ENV.items():
        os.environ.setdefault(name, value)
