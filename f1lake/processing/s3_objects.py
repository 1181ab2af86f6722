"""The processor's S3 objects: raw ones read and listed, Parquet written with its provenance,
quarantine records kept. A thin adapter; the decisions live in ``processor``. (The ledger's
PostgreSQL adapter is :mod:`f1lake.ledger.store`.)"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import boto3
import pyarrow as pa
import pyarrow.parquet as pq
from botocore.exceptions import ClientError

from f1lake import aws
from f1lake.keys import (
    RawKey,
    object_prefix,
    parse_raw_key_or_none,
    processed_key,
    quarantine_key,
)
from f1lake.schema import get_table
from f1lake.settings import Settings

log = logging.getLogger(__name__)

META_SOURCE_KEY = "f1lake-source-key"
"""S3 user metadata of a Parquet file: the raw key it was built from."""
META_PAYLOAD_SHA = "f1lake-payload-sha256"
"""S3 user metadata of a Parquet file: payload SHA-256 of that raw object (as in its envelope)."""


class TooLarge(Exception):
    """A raw object larger than the processor may read; its body was not read."""

    def __init__(self, key: str, size: int, limit: int) -> None:
        super().__init__(f"{key} is {size:,} bytes, above the {limit:,}-byte limit")
        self.key, self.size, self.limit = key, size, limit


@dataclass
class S3Objects:
    """The raw, processed and quarantine buckets, on one boto3 session and S3 client."""

    settings: Settings
    session: boto3.Session = field(default=None)  # type: ignore[assignment]
    s3: Any = None
    on_written: Callable[[str, str, str, bytes], None] | None = None
    """Told (bucket, key, ETag, bytes) of each Parquet file written: the local runner hands
    them to the local engine's lake mirror, so the crawl and checks after a load need not read
    them back from S3. Unset on AWS."""

    def __post_init__(self) -> None:
        self.session = self.session or aws.session(self.settings)
        self.s3 = self.s3 or aws.client("s3", self.settings, self.session)

    # raw
    def read(self, bucket: str, key: str, max_bytes: int | None = None) -> bytes | None:
        """Body of an object, None when it does not exist; :class:`TooLarge` (body unread) when
        its ContentLength is above ``max_bytes``."""
        try:
            answer = self.s3.get_object(Bucket=bucket, Key=key)
        except ClientError as exc:
            if aws.is_missing(exc):
                return None
            raise
        size = answer.get("ContentLength")
        if max_bytes is not None and size is not None and size > max_bytes:
            answer["Body"].close()
            raise TooLarge(key, size, max_bytes)
        return answer["Body"].read()

    def keys(self, bucket: str, prefix: str = "") -> set[str]:
        """Every key of a bucket (under ``prefix``): one listing, a page per thousand keys."""
        found: set[str] = set()
        for page in self.s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
            found.update(item["Key"] for item in page.get("Contents", []))
        return found

    def object_raw_keys(
        self, bucket: str, endpoint: str, season: int, round_: int | None
    ) -> list[RawKey]:
        """Every well-formed raw key of one (endpoint, race) or, with ``round_`` None, of one
        (endpoint, season) object, parsed; stray names and other objects' keys are ignored."""
        keys: list[RawKey] = []
        prefix = object_prefix(endpoint, season, round_)
        pages = self.s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
        for page in pages:
            for item in page.get("Contents", []):
                parsed = parse_raw_key_or_none(item["Key"])
                if parsed and parsed.prefix == prefix:  # not a race's key under its season
                    keys.append(parsed)
        return keys

    # processed
    def processed_source(
        self, table: str, season: int, round_: int | None
    ) -> tuple[str, str] | None:
        """(raw key, payload SHA-256) the table's Parquet file of a race (or season) was built
        from; None when there is no such file, or it does not say."""
        try:
            head = self.s3.head_object(
                Bucket=self.settings.processed_bucket, Key=processed_key(table, season, round_)
            )
        except ClientError as exc:
            if aws.is_missing(exc):
                return None
            raise
        meta = head.get("Metadata", {})
        if META_SOURCE_KEY not in meta:
            return None
        return meta[META_SOURCE_KEY], meta.get(META_PAYLOAD_SHA, "")

    def write_table(
        self,
        table: str,
        season: int,
        round_: int | None,
        data: pa.Table,
        raw_key: str,
        sha256: str,
    ) -> str:
        """Write one race (or season) of one table as Parquet, replacing any earlier version,
        in one PUT; returns its URI."""
        bucket, key = self.settings.processed_bucket, processed_key(table, season, round_)
        body = parquet_bytes(table, data)
        answer = self.s3.put_object(
            Bucket=bucket,
            Key=key,
            Body=body,
            Metadata={META_SOURCE_KEY: raw_key, META_PAYLOAD_SHA: sha256},
            ContentType="application/vnd.apache.parquet",
        )
        etag = answer.get("ETag", "").strip('"')
        if self.on_written is not None and etag:
            try:
                self.on_written(bucket, key, etag, body)
            except OSError as exc:  # a cache: a reader fetches the file instead
                log.warning("could not hand s3://%s/%s to the lake mirror: %s", bucket, key, exc)
        return f"s3://{bucket}/{key}"

    # quarantine
    def quarantine_record(self, raw_key: str, bucket: str | None = None) -> dict[str, Any] | None:
        """The record of ``raw_key`` of the raw bucket, or of ``bucket`` when another one."""
        body = self.read(self.settings.quarantine_bucket, self._record_key(raw_key, bucket))
        return None if body is None else json.loads(body)

    def write_quarantine(
        self, raw_key: str, record: dict[str, Any], bucket: str | None = None
    ) -> None:
        self.s3.put_object(
            Bucket=self.settings.quarantine_bucket,
            Key=self._record_key(raw_key, bucket),
            Body=json.dumps(record, indent=2, ensure_ascii=False).encode(),
            ContentType="application/json",
        )

    def clear_quarantine(self, raw_key: str) -> None:
        self.s3.delete_object(Bucket=self.settings.quarantine_bucket, Key=quarantine_key(raw_key))

    def _record_key(self, key: str, bucket: str | None) -> str:
        foreign = None if bucket in (None, self.settings.raw_bucket) else bucket
        return quarantine_key(key, foreign)


def parquet_bytes(table: str, data: pa.Table) -> bytes:
    """Pure: one race's (or season's) rows of ``table`` as the Parquet file the lake holds, in
    the table's schema (snappy, as awswrangler and Athena write). Built in memory and sent in
    one PUT: awswrangler's writer costs a pandas round trip and a new S3 client per call."""
    schema = get_table(table).parquet_schema()
    sink = pa.BufferOutputStream()
    pq.write_table(data.select(schema.names).cast(schema), sink, compression="snappy")
    return sink.getvalue().to_pybytes()


_SHARED: dict[str, S3Objects] = {}
_SHARED_LOCK = threading.Lock()


def shared_store(settings: Settings) -> S3Objects:
    """One :class:`S3Objects` per process and settings: a boto3 client costs ~60 ms to make,
    more than processing a raw object, so invocations (a warm Lambda's, the local runner's)
    reuse it. Clients are thread-safe; sessions are not, so one is made under a lock."""
    token = settings.model_dump_json()
    with _SHARED_LOCK:
        store = _SHARED.get(token)
        if store is None:
            store = _SHARED[token] = S3Objects(settings)
    return store


def processed_source(
    settings: Settings, table: str, season: int, round_: int | None
) -> tuple[str, str] | None:
    """(raw_key, payload_sha256) the Parquet file of ``table`` for a race (or, with ``round_``
    None, a season) was built from, or None."""
    return S3Objects(settings).processed_source(table, season, round_)


def quarantine_record(settings: Settings, raw_key: str) -> dict[str, Any] | None:
    """The quarantine record of a raw object (reason, problems, source, time), or None."""
    return S3Objects(settings).quarantine_record(raw_key)
