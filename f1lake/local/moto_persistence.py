"""Durable S3 and Glue for the local stack's moto server: write-through to one SQLite file.

moto keeps every bucket and catalog in memory, so a stopped stack used to lose its lake while
the ledger (PostgreSQL, on disk) kept claiming it. This module makes the moto process we start
ourselves durable, without changing the S3/SQS/Glue APIs the pipeline talks to:

- every S3 request that creates, replaces or deletes an object (or a bucket) is written to the
  file *before* its response leaves the server: the WSGI middleware persists the keys the
  request touched, in one committed SQLite transaction (WAL, ``synchronous=FULL``: fsynced);
- every Glue request that changes the catalog stores a snapshot of it (databases, tables,
  partitions) in the same file, in the same way;
- at start, buckets, objects (with their metadata and last-modified time) and the catalog are
  loaded back into moto's backends directly, so no S3 event is sent again: deciding what to
  re-queue is the reconciliation's job (:mod:`f1lake.local.reconcile`), not the storage's.

SQS stays transient, as the design says: its messages are derived from the objects.

Why SQLite rather than a file per object: one file is atomic per request (a crash leaves either
the old or the new state, never a half-written object), keys need no file-name encoding, and
reading some ten thousand small objects at start is one sequential scan.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS buckets (
    name   TEXT PRIMARY KEY,
    region TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS objects (
    bucket        TEXT NOT NULL,
    key           TEXT NOT NULL,
    body          BLOB NOT NULL,
    metadata      TEXT NOT NULL,
    etag          TEXT,
    last_modified TEXT NOT NULL,
    PRIMARY KEY (bucket, key)
);
CREATE TABLE IF NOT EXISTS catalogs (
    account  TEXT NOT NULL,
    region   TEXT NOT NULL,
    snapshot TEXT NOT NULL,
    PRIMARY KEY (account, region)
);
"""

_GLUE_READS = ("get_", "batch_get_", "list_", "search_", "get")


class LakeFile:
    """The SQLite file holding the buckets, objects and catalogs of one local stack."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(_SCHEMA)
        self._lock = threading.Lock()

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def write(self, changes: Iterable[tuple[str, tuple[Any, ...]]]) -> None:
        """Apply ``(sql, params)`` statements in one transaction, durable on return."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                for sql, params in changes:
                    self._db.execute(sql, params)
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def buckets(self) -> list[tuple[str, str]]:
        with self._lock:
            return self._db.execute("SELECT name, region FROM buckets ORDER BY name").fetchall()

    def objects(self) -> Iterable[tuple[str, str, bytes, str, str | None, str]]:
        with self._lock:
            rows = self._db.execute(
                "SELECT bucket, key, body, metadata, etag, last_modified FROM objects "
                "ORDER BY bucket, key"
            ).fetchall()
        yield from rows

    def catalogs(self) -> list[tuple[str, str, str]]:
        with self._lock:
            return self._db.execute("SELECT account, region, snapshot FROM catalogs").fetchall()

    def counts(self) -> dict[str, int]:
        with self._lock:
            rows = self._db.execute(
                "SELECT bucket, count(*) FROM objects GROUP BY bucket ORDER BY bucket"
            ).fetchall()
        return dict(rows)


# -- moto's side ------------------------------------------------------------------------------

_touched = threading.local()


def _pending() -> dict[str, Any]:
    if not hasattr(_touched, "state"):
        _touched.state = {"keys": set(), "buckets": set(), "glue": set()}
    return _touched.state


def _record_key(bucket: str, key: str) -> None:
    _pending()["keys"].add((bucket, key))


def _wrap(cls: type, name: str, after: Callable[[Any, tuple[Any, ...], dict[str, Any]], None]):
    original = getattr(cls, name)

    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        result = original(self, *args, **kwargs)
        after(self, args, kwargs)
        return result

    wrapper.__wrapped__ = original  # type: ignore[attr-defined]
    setattr(cls, name, wrapper)


def _arg(args: tuple[Any, ...], kwargs: dict[str, Any], index: int, name: str) -> Any:
    return kwargs[name] if name in kwargs else args[index]


def install_hooks() -> None:
    """Make moto's S3 and Glue backends note what each request changes (in its thread)."""
    from moto.glue.models import GlueBackend
    from moto.s3.models import S3Backend

    _wrap(
        S3Backend,
        "put_object",
        lambda _s, a, k: _record_key(_arg(a, k, 0, "bucket_name"), _arg(a, k, 1, "key_name")),
    )
    _wrap(
        S3Backend,
        "delete_object",
        lambda _s, a, k: _record_key(_arg(a, k, 0, "bucket_name"), _arg(a, k, 1, "key_name")),
    )
    _wrap(
        S3Backend,
        "create_bucket",
        lambda s, a, k: _pending()["buckets"].add((_arg(a, k, 0, "bucket_name"), s)),
    )
    _wrap(
        S3Backend,
        "delete_bucket",
        lambda s, a, k: _pending()["buckets"].add((_arg(a, k, 0, "bucket_name"), s)),
    )
    for name in dir(GlueBackend):
        if name.startswith("_") or name.startswith(_GLUE_READS):
            continue
        if callable(getattr(GlueBackend, name)) and name.split("_")[0] in (
            "create",
            "update",
            "delete",
            "batch",
        ):
            _wrap(GlueBackend, name, lambda s, _a, _k: _pending()["glue"].add(s))


def _s3_backend(account: str) -> Any:
    from moto.s3.models import s3_backends

    return s3_backends[account]["aws"]


def _persist(lake: LakeFile) -> None:
    """Write what this thread's request changed; called before its response is sent."""
    state = _pending()
    if not (state["keys"] or state["buckets"] or state["glue"]):
        return
    changes: list[tuple[str, tuple[Any, ...]]] = []
    for name, backend in state["buckets"]:
        bucket = backend.buckets.get(name)
        if bucket is None:
            changes.append(("DELETE FROM objects WHERE bucket = ?", (name,)))
            changes.append(("DELETE FROM buckets WHERE name = ?", (name,)))
        else:
            changes.append(
                (
                    "INSERT OR REPLACE INTO buckets (name, region) VALUES (?, ?)",
                    (name, bucket.region_name),
                )
            )
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.s3.models import FakeKey

    backend = _s3_backend(DEFAULT_ACCOUNT_ID)
    for bucket_name, key_name in state["keys"]:
        bucket = backend.buckets.get(bucket_name)
        key = bucket.keys.get(key_name) if bucket is not None else None
        if isinstance(key, FakeKey):
            changes.append(
                (
                    "INSERT OR REPLACE INTO objects "
                    "(bucket, key, body, metadata, etag, last_modified) VALUES (?, ?, ?, ?, ?, ?)",
                    (
                        bucket_name,
                        key_name,
                        key.value,
                        json.dumps(dict(key.metadata)),
                        key.etag,
                        key.last_modified.isoformat(),
                    ),
                )
            )
        else:
            changes.append(
                ("DELETE FROM objects WHERE bucket = ? AND key = ?", (bucket_name, key_name))
            )
    for glue in state["glue"]:
        changes.append(
            (
                "INSERT OR REPLACE INTO catalogs (account, region, snapshot) VALUES (?, ?, ?)",
                (glue.account_id, glue.region_name, json.dumps(_catalog_snapshot(glue))),
            )
        )
    try:
        lake.write(changes)
    finally:
        state["keys"].clear()
        state["buckets"].clear()
        state["glue"].clear()


def _catalog_snapshot(glue: Any) -> dict[str, Any]:
    return {
        "databases": [
            {
                "name": db.name,
                "input": db.input,
                "tables": [
                    {
                        "name": table.name,
                        "input": table.get_version(str(table._current_version)),
                        "partitions": [p.partition_input for p in table.partitions.values()],
                    }
                    for table in db.tables.values()
                ],
            }
            for db in glue.databases.values()
        ]
    }


def restore(lake: LakeFile) -> dict[str, int]:
    """Load the file into moto's backends (no S3 events); returns objects per bucket."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.glue.models import glue_backends

    backend = _s3_backend(DEFAULT_ACCOUNT_ID)
    for name, region in lake.buckets():
        if name not in backend.buckets:
            backend.create_bucket(name, region)
    counts: dict[str, int] = {}
    for bucket, key_name, body, metadata, etag, last_modified in lake.objects():
        if bucket not in backend.buckets:
            continue
        key = backend.put_object(
            bucket, key_name, bytes(body), etag=etag, disable_notification=True
        )
        key.set_metadata(json.loads(metadata), replace=True)
        key.last_modified = datetime.fromisoformat(last_modified)
        counts[bucket] = counts.get(bucket, 0) + 1
    for account, region, snapshot in lake.catalogs():
        glue = glue_backends[account][region]
        for db in json.loads(snapshot)["databases"]:
            if db["name"] not in glue.databases:
                glue.create_database(db["name"], db["input"])
            for table in db["tables"]:
                fake = glue.create_table(db["name"], table["name"], table["input"])
                for partition in table["partitions"]:
                    fake.create_partition(partition)
    _pending()["keys"].clear()
    _pending()["buckets"].clear()
    _pending()["glue"].clear()
    return counts


def durable_app(app: Callable[..., Any], lake: LakeFile) -> Callable[..., Any]:
    """WSGI middleware: persist what a request changed before any byte of its response goes out.

    moto (Flask under werkzeug) computes the whole response inside ``app(...)``; werkzeug sends
    the status line only when the first body chunk is written, after this returns. A request
    whose changes cannot be written answers 500, as a failed PUT would on S3.
    """

    def middleware(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        captured: list[tuple[Any, ...]] = []

        def hold(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            captured.append((status, headers, exc_info))
            return lambda _data: None  # moto never uses the write() callable

        body = app(environ, hold)
        try:
            _persist(lake)
        except Exception:  # the change is in memory only: refuse it loudly
            log.exception("could not persist the lake change; answering 500")
            start_response("500 Internal Server Error", [("Content-Type", "text/plain")])
            return [b"local lake: the change could not be written to disk\n"]
        start_response(*captured[0])
        return body

    return middleware
