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

from f1lake import aws
from f1lake.keys import parse_raw_key_or_none, processed_key, quarantine_key
from f1lake.processing import S3Objects, tables_for_endpoint
from f1lake.processing.redrive import dead_lettered_keys
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
    dead_lettered: list[Written] = field(default_factory=list)
    """Pending, and its message is in the dead-letter queue: no retry will process it."""
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
        self.store = S3Objects(settings, self.session, self.s3)
        self.sqs = aws.client("sqs", settings, self.session)

    def _keys(self, bucket: str) -> set[str]:
        return self.store.keys(bucket)

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
            tables = _tables(obj.endpoint)
            listed = all(processed_key(t, obj.season, obj.round) in files for t in tables)
            sources = (  # None for a file replaced or removed since the listing
                [self.store.processed_source(t, obj.season, obj.round) for t in tables]
                if listed
                else []
            )
            built_from = [parse_raw_key_or_none(s[0]) if s else None for s in sources]
            written = parse_raw_key_or_none(obj.raw_key)
            if sources and all(s and s[1] == obj.payload_sha256 for s in sources):
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
        if progress.pending:
            dead = dead_lettered_keys(self.settings, self.sqs)
            progress.dead_lettered = [p for p in progress.pending if p.raw_key in dead]
        return progress
