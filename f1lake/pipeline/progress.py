"""What the processor has made of a set of raw objects, read from S3 in bulk.

One listing of the processed bucket and one of the quarantine bucket per poll, and a HEAD only
for the Parquet files of objects whose every file exists (to read which payload they were
built from): a backfill of thousands of objects costs a few requests per poll, not thousands.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from botocore.exceptions import ClientError

from f1lake import aws
from f1lake.keys import parse_raw_key_or_none, processed_key, quarantine_key
from f1lake.processing import META_PAYLOAD_SHA, META_SOURCE_KEY, Store, tables_for_endpoint
from f1lake.settings import Settings


@dataclass(frozen=True)
class Written:
    """One raw object a DAG run wrote, as its ingest report names it."""

    endpoint: str
    season: int
    round: int | None
    raw_key: str
    payload_sha256: str


@dataclass
class Progress:
    processed: list[Written]
    """Every table of the object holds Parquet built from its payload."""
    rejected: list[tuple[Written, dict[str, Any]]]
    """Quarantined, with the quarantine record (reason, problems)."""
    pending: list[Written]
    superseded: list[Written] = field(default_factory=list)
    """Every table holds Parquet built from a newer raw object of the same race (or season):
    the processor converged past this one, so it will never be processed itself."""


@cache
def _tables(endpoint: str) -> tuple[str, ...]:
    return tuple(tables_for_endpoint(endpoint))


class ProcessingProgress:
    """Polls the processed and quarantine buckets with one S3 client."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.session = aws.session(settings)
        self.s3 = aws.client("s3", settings, self.session)
        self.store = Store(settings, self.session, self.s3)

    def _keys(self, bucket: str) -> set[str]:
        keys: set[str] = set()
        for page in self.s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
            keys.update(item["Key"] for item in page.get("Contents", []))
        return keys

    def _source(self, key: str) -> tuple[str | None, str | None]:
        """(raw key, payload SHA-256) a Parquet file was built from."""
        try:
            head = self.s3.head_object(Bucket=self.settings.processed_bucket, Key=key)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return None, None  # replaced or removed since the listing
            raise
        meta = head.get("Metadata", {})
        return meta.get(META_SOURCE_KEY), meta.get(META_PAYLOAD_SHA)

    def check(self, objects: Iterable[Written]) -> Progress:
        """Where each object stands now. Processed wins over quarantined, as a payload that
        failed once and was then processed (after a fix) is done."""
        objects = list(objects)
        progress = Progress([], [], [])
        if not objects:
            return progress
        files = self._keys(self.settings.processed_bucket)
        quarantined = self._keys(self.settings.quarantine_bucket)
        for obj in objects:
            keys = [processed_key(t, obj.season, obj.round) for t in _tables(obj.endpoint)]
            sources = [self._source(k) for k in keys] if all(k in files for k in keys) else []
            built_from = [parse_raw_key_or_none(raw) for raw, _ in sources]
            written = parse_raw_key_or_none(obj.raw_key)
            if sources and all(sha == obj.payload_sha256 for _, sha in sources):
                progress.processed.append(obj)
            elif built_from and written and all(b and b > written for b in built_from):
                progress.superseded.append(obj)
            elif quarantine_key(obj.raw_key) in quarantined:
                record = self.store.quarantine_record(obj.raw_key)
                if record is None:  # cleared since the listing: it is being processed again
                    progress.pending.append(obj)
                else:
                    progress.rejected.append((obj, record))
            else:
                progress.pending.append(obj)
        return progress
