"""Reconcile the ledger with the lake, so the ledger never claims what the lake lacks.

Run at every start of the local stack and on demand (``f1lake status --repair``). A crash or
a kill can stop the pipeline between any two of its writes; each gap has one repair:

- the ledger's current raw object is missing from the raw bucket (a lake restored from an
  older copy, emptied by hand): the ingestion is forgotten (logged ``lost``), so the next run
  fetches the race again;
- a raw object newer than the ledger's current one, never recorded (killed between the raw
  write and the ledger write): it is adopted from its envelope, as the run would have recorded
  it, so the same backfill run again does not fetch it twice;
- a recorded raw object the processor has not turned into Parquet (killed before or during
  processing, or its queue message lost with the queue): it is sent to the queue again;
- processed in the lake but not in the ledger: the ledger is told.

The decisions are pure (:func:`plan_repairs`); :func:`reconcile` reads and writes.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import quote_plus

from f1lake import aws
from f1lake.keys import RawKey, parse_raw_key, parse_raw_key_or_none, processed_key
from f1lake.ledger import Ledger
from f1lake.ledger.models import Ingestion, State
from f1lake.pipeline.progress import ProcessingProgress, Written
from f1lake.processing import tables_for_endpoint
from f1lake.processing.s3_objects import S3Objects
from f1lake.raw.envelope import read_envelope
from f1lake.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Repairs:
    lost: list[Ingestion] = field(default_factory=list)
    adopt: list[RawKey] = field(default_factory=list)
    check: list[Ingestion] = field(default_factory=list)
    """Recorded, not processed per the ledger: ask the lake where they stand."""
    missing_parquet: list[Ingestion] = field(default_factory=list)
    """Processed per the ledger, but a table's Parquet file is missing: build it again."""


def _target(endpoint: str, season: int, round_: int | None) -> tuple[str, int, int | None]:
    return (endpoint, season, round_)


def plan_repairs(
    current: Iterable[Ingestion], raw_keys: Iterable[str], processed_keys: set[str]
) -> Repairs:
    """What to repair, from the ledger's current ingestions and the lake's listings."""
    by_target: dict[tuple[str, int, int | None], RawKey] = {}
    present: set[str] = set()
    for key in raw_keys:
        parsed = parse_raw_key_or_none(key)
        if parsed is None:
            continue  # not a raw object of ours (a quarantine record, a stray file)
        present.add(key)
        target = _target(parsed.endpoint, parsed.season, parsed.round)
        if target not in by_target or parsed > by_target[target]:
            by_target[target] = parsed
    repairs = Repairs()
    recorded: dict[tuple[str, int, int | None], Ingestion] = {}
    for ing in current:
        recorded[_target(ing.endpoint, ing.season, ing.round)] = ing
        if ing.raw_key not in present:
            repairs.lost.append(ing)
        elif ing.state == State.INGESTED:
            repairs.check.append(ing)
        elif ing.state == State.PROCESSED:
            files = [
                processed_key(t, ing.season, ing.round) for t in tables_for_endpoint(ing.endpoint)
            ]
            if not all(f in processed_keys for f in files):
                repairs.missing_parquet.append(ing)
    for target, newest in sorted(by_target.items(), key=lambda kv: kv[1].key):
        ing = recorded.get(target)
        if ing is None or ing in repairs.lost or newest > parse_raw_key(ing.raw_key):
            repairs.adopt.append(newest)
    return repairs


@dataclass
class ReconcileReport:
    forgotten: list[str] = field(default_factory=list)
    adopted: list[str] = field(default_factory=list)
    requeued: list[str] = field(default_factory=list)
    recorded_processed: list[str] = field(default_factory=list)
    recorded_failed: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not (
            self.forgotten
            or self.adopted
            or self.requeued
            or self.recorded_processed
            or self.recorded_failed
            or self.problems
        )

    def summary(self) -> str:
        if self.clean:
            return "ledger and lake agree"
        parts = [
            (
                self.forgotten,
                "ingestion(s) whose raw object is missing forgotten (fetched again next run)",
            ),
            (self.adopted, "unrecorded raw object(s) adopted into the ledger"),
            (self.requeued, "raw object(s) queued for processing again"),
            (self.recorded_processed, "processed object(s) recorded in the ledger"),
            (self.recorded_failed, "quarantined object(s) recorded in the ledger"),
            (self.problems, "problem(s) left as they are"),
        ]
        return "; ".join(f"{len(items)} {what}" for items, what in parts if items)


def _s3_event(bucket: str, key: str, region: str) -> str:
    """The body S3 sends to the queue for a new object (what the processor parses)."""
    return json.dumps(
        {
            "Records": [
                {
                    "eventVersion": "2.1",
                    "eventSource": "aws:s3",
                    "awsRegion": region,
                    "eventName": "ObjectCreated:Put",
                    "s3": {"bucket": {"name": bucket}, "object": {"key": quote_plus(key)}},
                }
            ]
        }
    )


def reconcile(settings: Settings, ledger_dsn: str, *, repair: bool = True) -> ReconcileReport:
    """Compare the ledger with the lake and (with ``repair``) apply :func:`plan_repairs`."""
    session = aws.session(settings)
    s3 = aws.client("s3", settings, session)
    report = ReconcileReport()
    with Ledger(ledger_dsn) as ledger:
        current = [ing for season in ledger.seasons() for ing in ledger.ingestions(season)]
        lake = S3Objects(settings, session, s3)
        raw = lake.keys(settings.raw_bucket)
        processed = lake.keys(settings.processed_bucket)
        repairs = plan_repairs(current, raw, processed)
        requeue: list[str] = [ing.raw_key for ing in repairs.missing_parquet]
        for ing in repairs.lost:
            report.forgotten.append(ing.raw_key)
            if repair:
                ledger.forget_lost(
                    season=ing.season, round_=ing.round, endpoint=ing.endpoint, raw_key=ing.raw_key
                )
        for key in repairs.adopt:
            try:
                body = json.loads(
                    s3.get_object(Bucket=settings.raw_bucket, Key=key.key)["Body"].read()
                )
                meta, _record = read_envelope(body)
            except (ValueError, KeyError) as exc:
                report.problems.append(f"{key.key}: not adopted, unreadable envelope ({exc})")
                continue
            report.adopted.append(key.key)
            if repair:
                try:
                    ledger.record_ingestion(
                        season=key.season,
                        round_=key.round,
                        endpoint=key.endpoint,
                        raw_key=key.key,
                        payload_sha256=meta.payload_sha256,
                        dag_id=meta.dag_id,
                        dag_run_id=meta.dag_run_id,
                        pages=meta.pages,
                        through_round=meta.extra.get("through_round"),
                    )
                except (ValueError, LookupError) as exc:
                    report.problems.append(f"{key.key}: not adopted ({exc})")
                    report.adopted.remove(key.key)
                    continue
            requeue.append(key.key)
        if repairs.check:
            progress = ProcessingProgress(settings).check(
                Written(i.endpoint, i.season, i.round, i.raw_key, i.payload_sha256)
                for i in repairs.check
            )
            for obj in progress.processed + progress.superseded:
                report.recorded_processed.append(obj.raw_key)
                if repair:
                    ledger.mark_processed(
                        season=obj.season,
                        round_=obj.round,
                        endpoint=obj.endpoint,
                        raw_key=obj.raw_key,
                    )
            for obj, record in progress.rejected:
                report.recorded_failed.append(obj.raw_key)
                if repair:
                    ledger.mark_failed(
                        season=obj.season,
                        round_=obj.round,
                        endpoint=obj.endpoint,
                        raw_key=obj.raw_key,
                        reason=str(record.get("reason") or "quarantined"),
                    )
            requeue.extend(obj.raw_key for obj in progress.pending)
    report.requeued = sorted(set(requeue))
    if repair and report.requeued:
        sqs = aws.client("sqs", settings, session)
        url = sqs.get_queue_url(QueueName=settings.queue_name)["QueueUrl"]
        for start in range(0, len(report.requeued), 10):
            batch = report.requeued[start : start + 10]
            sqs.send_message_batch(
                QueueUrl=url,
                Entries=[
                    {
                        "Id": str(i),
                        "MessageBody": _s3_event(settings.raw_bucket, k, settings.aws_region),
                    }
                    for i, k in enumerate(batch)
                ],
            )
    if not report.clean:
        log.info("reconciled ledger and lake: %s", report.summary())
    return report
