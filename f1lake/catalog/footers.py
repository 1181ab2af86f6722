"""Parquet footers for the local crawler: one GET per new object, remembered by ETag.

A crawl infers each table's schema from its files' footers. Reading them through awswrangler
cost a HEAD and a GET per file, every crawl, so the full history's ~3,000 files took a minute.
Here each file is read with one GET, in parallel, and its footer's schema is kept under the
object's ETag in a small file beside the stack's state: a later crawl reads only objects that
are new or were rewritten since (a new ETag), and since an ETag names the bytes, the remembered
schema is exactly what reading the file again would give. The bytes read go to the local
engine's lake mirror, which the checks after a crawl read.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from f1lake.atomic import write_text

log = logging.getLogger(__name__)

_MAGIC = b"PAR1"
_WORKERS = 8


class FooterError(ValueError):
    """The object is not a readable Parquet file."""


def footer_schema(tail: bytes) -> pa.Schema | int:
    """Pure: the Arrow schema in a Parquet file's footer, given the file (or its last bytes);
    or, when ``tail`` is too short to hold the footer, how many bytes from the end it needs."""
    if len(tail) < 12 or tail[-4:] != _MAGIC:
        raise FooterError("not a Parquet file (no PAR1 magic at its end)")
    length = int.from_bytes(tail[-8:-4], "little")
    if length + 8 > len(tail):
        return length + 8
    footer = tail[-(length + 8) :]
    try:
        return pq.read_schema(pa.BufferReader(_MAGIC + footer))
    except (pa.ArrowException, OSError) as exc:
        raise FooterError(str(exc)) from None


class FooterCache:
    """Schemas of Parquet objects by ETag, kept in ``path`` (None: this crawl only). Schemas
    are stored once each, serialized, and objects point at them: the full history's files
    share a dozen schemas."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._schemas: dict[str, bytes] = {}
        self._by_etag: dict[str, str] = {}
        self._changed = False
        if path is not None and path.is_file():
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
                self._schemas = {k: base64.b64decode(v) for k, v in data["schemas"].items()}
                self._by_etag = dict(data["objects"])
            except (OSError, ValueError, KeyError, TypeError) as exc:
                log.warning("ignoring the crawler's footer cache %s: %s", path, exc)
                self._schemas, self._by_etag = {}, {}

    def get(self, etag: str) -> pa.Schema | None:
        sid = self._by_etag.get(etag)
        if sid is None or sid not in self._schemas:
            return None
        return pa.ipc.read_schema(pa.py_buffer(self._schemas[sid]))

    def put(self, etag: str, schema: pa.Schema) -> None:
        blob = schema.serialize().to_pybytes()
        sid = hashlib.sha256(blob).hexdigest()[:16]
        self._schemas[sid] = blob
        self._by_etag[etag] = sid
        self._changed = True

    def save(self, keep: Iterable[str]) -> None:
        """Write the cache back, holding only the ETags in ``keep`` (the bucket's objects now)."""
        if self.path is None or not self._changed:
            return
        objects = {e: s for e, s in self._by_etag.items() if e in set(keep)}
        used = set(objects.values())
        data = {
            "schemas": {
                k: base64.b64encode(v).decode() for k, v in self._schemas.items() if k in used
            },
            "objects": objects,
        }
        try:
            write_text(self.path, json.dumps(data))
        except OSError as exc:  # a cache: the next crawl reads the footers again
            log.warning("cannot keep the crawler's footer cache at %s: %s", self.path, exc)


class FooterReader:
    """Schemas of S3 Parquet objects: from the cache at their listed ETag, else from a local
    copy at that ETag (``kept``: the lake mirror, which the local runner fills as it writes),
    else read whole (one GET; a race's file is a few KB) and, through ``keep``, handed to the
    mirror, so the checks that follow a crawl fetch nothing again."""

    def __init__(
        self,
        s3: Any,
        cache: FooterCache,
        etags: dict[str, str],
        keep: Callable[[str, str, str, bytes], None] | None = None,
        kept: Callable[[str, str, str], bytes | None] | None = None,
    ) -> None:
        self.s3 = s3
        self.cache = cache
        self.etags = etags
        """ETag of each ``s3://bucket/key`` of the crawl's listing."""
        self.keep = keep
        self.kept = kept
        """The bytes of an object at an ETag when a local copy has them (the lake mirror)."""
        self.reads = 0

    def schemas(self, paths: list[str]) -> dict[str, pa.Schema | FooterError]:
        """Each path's schema, or the reason it cannot be read."""
        out: dict[str, pa.Schema | FooterError] = {}
        missing = []
        for path in paths:
            cached = self.cache.get(self.etags.get(path, ""))
            if cached is None:
                missing.append(path)
            else:
                out[path] = cached
        if missing:
            with ThreadPoolExecutor(min(_WORKERS, len(missing))) as pool:
                out.update(zip(missing, pool.map(self._read, missing), strict=True))
        return {p: out[p] for p in paths}

    def _read(self, path: str) -> pa.Schema | FooterError:
        bucket, _, key = path.removeprefix("s3://").partition("/")
        listed = self.etags.get(path, "")
        local = self.kept(bucket, key, listed) if self.kept is not None and listed else None
        if local is not None:
            try:
                found = footer_schema(local)
            except FooterError as exc:
                return exc
            if isinstance(found, pa.Schema):
                self.cache.put(listed, found)
                return found
        try:
            answer = self.s3.get_object(Bucket=bucket, Key=key)
            body = answer["Body"].read()
            found = footer_schema(body)
            if isinstance(found, int):
                raise FooterError("the footer is longer than the file")
        except FooterError as exc:
            return exc
        except Exception as exc:  # S3 refused the read: as an unreadable file, with the reason
            return FooterError(f"{type(exc).__name__}: {exc}")
        self.reads += 1
        etag = answer.get("ETag", "").strip('"')
        if etag:
            self.cache.put(etag, found)
            if self.keep is not None:
                try:
                    self.keep(bucket, key, etag, body)
                except OSError as exc:  # the mirror is a cache: a query fetches it instead
                    log.warning("cannot keep %s in the lake mirror: %s", path, exc)
        return found
