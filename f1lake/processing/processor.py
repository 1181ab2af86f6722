"""Turn one raw-object event into Parquet, converging on the newest valid payload of the object.

An event only says "something changed in this race" (or, for a season-scoped dimension, "in
this season"): the processor lists that object's raw versions and works from the newest, so
late, duplicated or reordered events all end in the same state. A payload that cannot be
processed is quarantined with its reasons and the next newest one is used, so the output is
always the newest *valid* payload whatever the arrival order.

Concurrent invocations (Lambda scales out) may handle two versions of one race at once: one
that listed before the newer version was written could write last. So after writing, the
processor lists again and, if a newer version has appeared meanwhile, converges again: the
last write of a race is then always made after its newest version existed.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from f1lake.keys import RawKey, parse_raw_key, parse_raw_key_or_none
from f1lake.processing.s3_objects import S3Objects, TooLarge
from f1lake.raw.envelope import payload_sha256, read_envelope
from f1lake.schema import tables_for_source
from f1lake.transform import ObjectTables, ShapeError, ValidationError, transform_object

log = logging.getLogger(__name__)

Status = Literal["written", "unchanged", "superseded", "quarantined"]
_MAX_ROUNDS = 5
"""Convergence rounds per event: more would mean a race re-ingested faster than it is written."""
Kind = Literal[
    "not_raw_key",
    "not_json",
    "wrong_shape",
    "invalid",
    "unprocessable",
    "too_large",
    "failed",
    "foreign_bucket",
]
"""Why an object was quarantined; ``failed``: processing raised on every delivery (the message
went to the dead-letter queue), so the cause may be outside the object; ``foreign_bucket``: the
event named another bucket than the raw bucket (the object was never read)."""


class Rejected(ValueError):
    """A raw object that can never be processed as it is; carries what is wrong."""

    def __init__(self, kind: Kind, reason: str, problems: list[str] | None = None) -> None:
        super().__init__(reason)
        self.kind = kind
        self.reason = reason
        self.problems = problems or [reason]


@dataclass(frozen=True)
class ObjectOutcome:
    """What became of one raw-object event."""

    status: Status
    raw_key: str
    """The key the event named (a raw key, or a stray name that was quarantined)."""
    source: RawKey | None = None
    """The raw object the race's Parquet files now come from."""
    tables: tuple[str, ...] = ()
    reason: str | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return self.status == "quarantined"

    @property
    def source_key(self) -> str | None:
        return None if self.source is None else self.source.key


def tables_for_endpoint(endpoint: str) -> list[str]:
    """Names of the processed tables the processor writes for one raw endpoint's object."""
    return [t.name for t in tables_for_source(endpoint)]


def decode(raw_key: RawKey, body: bytes | None) -> ObjectTables:
    """Pure: raw bytes -> typed tables, checked against the key they were stored under.

    Whatever the bytes are, the answer is tables or :class:`Rejected` with a reason: an input
    that breaks a parser (a number beyond int64, nesting deeper than Python recurses, text
    that is not UTF-8) is the object's fault, never a reason to crash and retry.
    """
    if body is None:
        raise FileNotFoundError(raw_key.key)
    try:
        return _decode(raw_key, body)
    except Rejected:
        raise
    except RecursionError:
        raise Rejected("unprocessable", "the object is nested too deeply to process") from None
    except Exception as exc:  # a parser's or pyarrow's own limit: the input's fault
        text = f"{type(exc).__name__}: {exc}"
        raise Rejected("unprocessable", f"the object cannot be processed: {text[:500]}") from None


def _decode(raw_key: RawKey, body: bytes) -> ObjectTables:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Rejected("not_json", f"body is not UTF-8 text: {exc}") from None
    try:
        document: Any = json.loads(text)
    except RecursionError:
        raise Rejected("not_json", "body is JSON nested too deeply to read") from None
    except ValueError as exc:  # JSONDecodeError, or a number past Python's digit limit
        raise Rejected("not_json", f"body is not JSON: {exc}") from None
    try:
        result = transform_object(document)
    except ShapeError as exc:
        raise Rejected("wrong_shape", f"not a raw object: {exc}") from None
    except ValidationError as exc:
        raise Rejected("invalid", str(exc), exc.problems) from None
    meta = result.meta
    problems = []
    if (meta.endpoint, meta.season, meta.round) != (
        raw_key.endpoint,
        raw_key.season,
        raw_key.round,
    ):
        problems.append(
            f"envelope is {_where(meta.endpoint, meta.season, meta.round)} but the key is "
            f"{_where(raw_key.endpoint, raw_key.season, raw_key.round)}"
        )
    if not meta.payload_sha256.startswith(raw_key.sha12):
        problems.append(
            f"envelope payload_sha256 {meta.payload_sha256[:12]}... does not match the key's "
            f"{raw_key.sha12}"
        )
    _, record = read_envelope(document)
    if payload_sha256(record) != meta.payload_sha256:
        problems.append("payload_sha256 of the envelope does not match the record")
    if problems:
        raise Rejected("invalid", "; ".join(problems), problems)
    return result


def _where(endpoint: str, season: int, round_: int | None) -> str:
    return f"{endpoint} {season}" + ("" if round_ is None else f" round {round_}")


class Processor:
    def __init__(self, store: S3Objects, max_bytes: int | None = None) -> None:
        self.store = store
        self.max_bytes = max_bytes
        """Raw objects larger than this are quarantined unread (None: no limit)."""

    def process(self, bucket: str, key: str) -> ObjectOutcome:
        """Handle one ObjectCreated event; raises only on infrastructure errors (retryable)."""
        try:
            event_key = parse_raw_key(key)
        except ValueError as exc:
            return self._quarantine(bucket, key, Rejected("not_raw_key", str(exc)))
        written: ObjectOutcome | None = None
        for _ in range(_MAX_ROUNDS):
            outcome = self._converge(bucket, event_key)
            if outcome.status != "written" or outcome.source is None:
                # "unchanged" after a write of this event: the write stands (the newer one was bad)
                return written if written and outcome.status == "unchanged" else outcome
            written = outcome
            source = outcome.source
            later = [
                k
                for k in self._versions(bucket, event_key)
                if k > source and not self._known_bad(k.key)
            ]
            if not later:
                return outcome
            log.info(
                "%s appeared while %s was being written: converging again",
                max(later).key, source.key,
            )  # fmt: skip
        raise RuntimeError(
            f"{key}: the race kept getting newer raw objects over {_MAX_ROUNDS} rounds; retry"
        )

    def _versions(self, bucket: str, key: RawKey) -> list[RawKey]:
        """The raw keys of ``key``'s object (race, or season) now in the bucket."""
        return self.store.object_raw_keys(bucket, key.endpoint, key.season, key.round)

    def _converge(self, bucket: str, event_key: RawKey) -> ObjectOutcome:
        """One pass: write the newest valid version of the event's race unless already there."""
        candidates = {*self._versions(bucket, event_key), event_key}
        event_failure: Rejected | None = None
        for cand in sorted(candidates, reverse=True):  # newest first: RawKey's order
            if cand != event_key and self._known_bad(cand.key):
                continue  # a known-bad newer payload: fall back to the next newest
            if self._already_from(cand):
                return self._done(event_key, cand, "unchanged", event_failure)
            try:
                body = self._read(bucket, cand.key)
                if body is None and cand != event_key:
                    continue  # deleted since the listing
                tables = decode(cand, body)
            except Rejected as exc:
                outcome = self._quarantine(bucket, cand.key, exc)
                if cand == event_key:
                    event_failure = exc
                    log.warning("quarantined %s: %s", cand.key, outcome.reason)
                continue
            self._write(tables, cand)
            if cand == event_key and self.store.quarantine_record(cand.key) is not None:
                # it processes now (fixed code): not bad any more
                self.store.clear_quarantine(cand.key)
            return self._done(event_key, cand, "written", event_failure, tuple(tables.tables))
        return self._done(event_key, None, "superseded", event_failure)

    def _known_bad(self, key: str) -> bool:
        """Quarantined for what it holds; one whose processing failed on every delivery
        (``failed``) may have met an outage, so it is tried again."""
        record = self.store.quarantine_record(key)
        return record is not None and record.get("kind") != "failed"

    def refuse_foreign(self, bucket: str, key: str) -> ObjectOutcome:
        """Quarantine an event's object of another bucket than the raw bucket, unread: only the
        raw bucket is ours to read. The record sits apart from the raw objects' records."""
        raw_bucket = self.store.settings.raw_bucket
        reason = f"the event names bucket {bucket!r}, not the raw bucket {raw_bucket!r}: not read"
        return self._quarantine(bucket, key, Rejected("foreign_bucket", reason))

    def quarantine_failure(self, bucket: str, key: str, attempts: int, exc: Exception) -> None:
        """Record an object whose processing raised on its last delivery before its message
        goes to the dead-letter queue, so nothing is dead-lettered without a reason on file.
        A record of what the object holds (an earlier rejection) is kept as it is."""
        if bucket != self.store.settings.raw_bucket:  # its record is why: it was never read
            self.refuse_foreign(bucket, key)
            return
        if parse_raw_key_or_none(key) is None or self._known_bad(key):
            return
        reason = f"processing failed on all {attempts} deliveries: {type(exc).__name__}: {exc}"
        self._quarantine(bucket, key, Rejected("failed", reason[:1000]))

    def _read(self, bucket: str, key: str) -> bytes | None:
        try:
            return self.store.read(bucket, key, self.max_bytes)
        except TooLarge as exc:
            raise Rejected(
                "too_large",
                f"the object is {exc.size:,} bytes, above the processor's limit of "
                f"{exc.limit:,} (F1LAKE_MAX_RAW_OBJECT_MB, sized to the Lambda's memory)",
            ) from None

    def _already_from(self, cand: RawKey) -> bool:
        tables = tables_for_endpoint(cand.endpoint)
        if not tables:
            return False
        for name in tables:
            source = self.store.processed_source(name, cand.season, cand.round)
            if source is None or source[0] != cand.key or not source[1].startswith(cand.sha12):
                return False
        return True

    def _write(self, result: ObjectTables, raw_key: RawKey) -> None:
        # Main table last. A crash part-way leaves some table on the old source, so the retry
        # does not see "already done" and rewrites every table of the race.
        order = sorted(result.tables, key=lambda name: name == result.meta.endpoint)
        for name in order:
            self.store.write_table(
                name,
                result.season,
                result.round,
                result.tables[name],
                raw_key.key,
                result.meta.payload_sha256,
            )

    def _done(
        self,
        key: RawKey,
        source: RawKey | None,
        status: Status,
        failure: Rejected | None,
        tables: tuple[str, ...] = (),
    ) -> ObjectOutcome:
        if failure is not None:
            return ObjectOutcome(
                "quarantined", key.key, source, tables, failure.reason, failure.problems
            )
        if source is not None and source != key and status == "unchanged":
            status = "superseded" if source > key else status
        return ObjectOutcome(status, key.key, source, tables)

    def _quarantine(self, bucket: str, key: str, exc: Rejected) -> ObjectOutcome:
        """Record why ``key`` was rejected; an identical earlier record is kept as it is."""
        record = {
            "raw_bucket": bucket,
            "raw_key": key,
            "kind": exc.kind,
            "reason": exc.reason,
            "problems": exc.problems,
            "quarantined_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        existing = self.store.quarantine_record(key, bucket)
        same = existing is not None and all(
            existing.get(k) == record[k] for k in ("raw_bucket", "raw_key", "kind", "problems")
        )
        if not same:
            self.store.write_quarantine(key, record, bucket)
        return ObjectOutcome("quarantined", key, reason=exc.reason, problems=exc.problems)
