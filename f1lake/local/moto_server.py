"""A moto server bound to 127.0.0.1 that plays S3, SQS and Glue for the local stack.

It runs in a child process: moto parses and serialises every AWS call in Python, and in the
caller's process it competed for one GIL with the pipeline it serves.
"""

from __future__ import annotations

import argparse
import logging
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from f1lake.local.child import Child, announce, fail, wait_until_told

# moto's dummy credentials: never real ones, so a misconfigured run cannot reach AWS.
LOCAL_AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}


def start_moto(port: int = 0, lake_file: Path | None = None) -> Child:
    """Start a moto server process; its ``ready()`` is the endpoint URL.

    With ``lake_file`` its buckets, objects and Glue catalog are durable in that SQLite file
    (:mod:`f1lake.local.moto_persistence`): loaded at start, written through on every change.
    """
    args = ["--port", str(port)]
    if lake_file is not None:
        args += ["--lake-file", str(lake_file)]
    return Child("f1lake.local.moto_server", args, env=LOCAL_AWS_ENV, name="moto server")


@contextmanager
def moto_server(port: int = 0, lake_file: Path | None = None) -> Iterator[str]:
    """Run a moto server on 127.0.0.1 (``port=0``: a free one); yields its endpoint URL.

    Every server is its own process with its own state: two servers share nothing, unless
    they are given the same ``lake_file`` one after the other.
    """
    child = start_moto(port, lake_file)
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


def prefix_listing_reads_matching_keys_only() -> None:
    """Make moto's prefix listing cost what the prefix matches, not the bucket's size.

    moto 5 answers ``ListObjectsV2(Prefix=...)`` by fetching the latest version of every key
    in the bucket and then testing its name; the processor lists one race's raw versions
    twice per object, so with the full history's ~3,500 raw objects each listing cost ~10 ms
    of moto's CPU, most of what processing an object cost it. This hands moto's own listing a
    view of the bucket holding only the keys under the prefix (names are tested first): the
    same answer, paging and delimiters included.
    """
    from moto.s3.models import FakeTableStorageBucket, S3Backend

    original = S3Backend.list_objects
    if getattr(original, "_f1lake_by_prefix", False):
        return

    class _Matching:
        """The bucket as ``list_objects`` sees it, with only the matching keys."""

        def __init__(self, bucket: Any, keys: dict[str, Any]) -> None:
            self._bucket, self.keys = bucket, keys

        def __getattr__(self, name: str) -> Any:
            return getattr(self._bucket, name)

    def list_objects(self: S3Backend, bucket: Any, prefix: Any, *args: Any, **kwargs: Any) -> Any:
        store = getattr(bucket, "keys", None)
        if prefix and isinstance(store, dict) and not isinstance(bucket, FakeTableStorageBucket):
            # A copy first (one C call, atomic under the GIL): other requests' threads add
            # and delete keys meanwhile; a key deleted since is left out. The latest version
            # is the last of a key's list, as the store's own __getitem__ reads it.
            names = [name for name in list(dict.keys(store)) if name.startswith(prefix)]
            versions = {name: dict.get(store, name) for name in names}  # the store's lists
            bucket = _Matching(bucket, {name: v[-1] for name, v in versions.items() if v})
        return original(self, bucket, prefix, *args, **kwargs)

    list_objects._f1lake_by_prefix = True  # type: ignore[attr-defined]
    S3Backend.list_objects = list_objects  # type: ignore[method-assign]


def iso_timestamps_parsed_natively() -> None:
    """Make moto's answers stop parsing each timestamp with dateutil.

    moto 5 serializes a timestamp it holds as text by parsing it with botocore's general
    parser (dateutil) first: about 0.4 ms per object of a listing, so a page of 1,000 keys
    cost ~0.5 s of moto's CPU (the crawler, the checks and await_processing list whole
    tables). An ISO 8601 text with its zone is parsed by ``datetime.fromisoformat`` to the
    same aware datetime; anything else goes the old way.
    """
    from datetime import datetime

    from moto.core.serialize import TimestampSerializer

    original = TimestampSerializer._convert_timestamp_to_str
    if getattr(original, "_f1lake_iso", False):
        return

    def convert(self: TimestampSerializer, value: Any, timestamp_format: str) -> Any:
        if isinstance(value, str):
            try:
                parsed = datetime.fromisoformat(value)
            except ValueError:
                parsed = None
            if parsed is not None and parsed.tzinfo is not None:
                return getattr(self, f"_timestamp_{timestamp_format.lower()}")(parsed)
        return original(self, value, timestamp_format)

    convert._f1lake_iso = True  # type: ignore[attr-defined]
    TimestampSerializer._convert_timestamp_to_str = convert  # type: ignore[method-assign]


def main() -> None:
    """The child: serve until the parent says stop."""
    from moto.moto_server.threaded_moto_server import MotoRequestHandler
    from moto.server import DomainDispatcherApplication, create_backend_app
    from werkzeug.serving import make_server

    constant_time_retention_check()
    prefix_listing_reads_matching_keys_only()
    iso_timestamps_parsed_natively()

    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--lake-file", type=Path)
    parser.add_argument(
        "--standalone", action="store_true", help="No parent to watch (a container's service)."
    )
    args = parser.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    app: Any = DomainDispatcherApplication(create_backend_app)
    lake = None
    if args.lake_file is not None:
        from f1lake.local import moto_persistence

        lake = moto_persistence.LakeFile(args.lake_file)
        moto_persistence.restore(lake)
        moto_persistence.install_hooks()
        app = moto_persistence.durable_app(app, lake)
    try:
        server = make_server(
            args.host, args.port, app, threaded=True, request_handler=MotoRequestHandler
        )
    except OSError as exc:
        fail(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}")
        return
    threading.Thread(target=server.serve_forever, name="moto", daemon=True).start()
    host, bound = server.server_address[:2]
    announce(f"http://{host}:{bound}")
    try:
        wait_until_told(watch_parent=not args.standalone)
    finally:
        server.shutdown()
        if lake is not None:
            lake.close()


if __name__ == "__main__":
    main()
