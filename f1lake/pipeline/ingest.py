"""The ingestion stage: fetch what a plan names, write one raw object per new payload.

Every function builds its own adapters from :class:`~f1lake.settings.Settings` and a ledger
DSN, so it runs the same inside an Airflow worker, under ``dag.test()`` and from the CLI.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from f1lake.aws import client as aws_client
from f1lake.aws import in_context
from f1lake.endpoints import ENDPOINTS, RACES, Endpoint, get_endpoint
from f1lake.ergast.client import ErgastClient
from f1lake.keys import raw_key
from f1lake.ledger import Ledger, WritePlan, plan_writes
from f1lake.pipeline import plan_rules
from f1lake.pipeline.contracts import IngestReport, Plan
from f1lake.pipeline.progress import Written
from f1lake.raw.envelope import build_envelope, canonical_json, payload_sha256
from f1lake.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RunInfo:
    """Who is writing: recorded in the envelope and the ledger."""

    dag_id: str | None = None
    run_id: str | None = None


@dataclass
class _Fetched:
    """Records of one endpoint by round (None: the season's object), and their provenance."""

    records: dict[int | None, dict[str, Any]]
    urls: list[str]
    pages: int
    header: dict[str, Any]


def ingest_endpoint(
    settings: Settings, ledger_dsn: str, endpoint_name: str, plan: Plan, run: RunInfo
) -> IngestReport:
    """Fetch what the plan's work names for one endpoint; write one raw object per new payload.

    What to write is :func:`~f1lake.ledger.plan_writes`'s decision: an unchanged payload
    writes nothing unless forced, and one an earlier try of this run wrote is reported again.
    """
    endpoint = get_endpoint(endpoint_name)
    report = IngestReport(endpoint.name, plan.season)
    needed = list(plan.work.get(endpoint.name, []))
    if plan.up_to_date or not needed:
        report.skipped = [] if endpoint.scope == "season" else list(plan.targets)
        return report
    with Ledger(ledger_dsn) as ledger:
        with ErgastClient.from_settings(settings) as api:
            got = _fetch(api, endpoint, needed, plan)
            report.requests, report.pages = api.requests_made, got.pages
        report.fetched_rounds = [rnd for rnd in needed if rnd in got.records]
        _record_missing(ledger, endpoint, needed, got, run, report)
        # Another run writing this season's endpoint now waits here, then finds its payloads
        # unchanged (held until the ledger closes, after the writes).
        ledger.lock_ingest(plan.season, endpoint.name)
        decisions = plan_writes(
            {(plan.season, r): payload_sha256(got.records[r]) for r in report.fetched_rounds},
            ledger.ingestions(plan.season, endpoint.name),
            endpoint=endpoint.name,
            force=plan.force,
            dag_id=run.dag_id,
            dag_run_id=run.run_id,
        )
        through = plan.last_round if endpoint.scope == "season" else None
        _carry_out(settings, ledger, decisions, got, run, report, through)
    log.info(
        "%s %s: wrote %s, unchanged %s, absent %s, %s API requests (%s pages)",
        endpoint.name,
        plan.season,
        len(report.written),
        len(report.unchanged),
        len(report.absent),
        report.requests,
        report.pages,
    )
    return report


def _record_missing(
    ledger: Ledger,
    endpoint: Endpoint,
    needed: list[int | None],
    got: _Fetched,
    run: RunInfo,
    report: IngestReport,
) -> None:
    """A completed round the API has no data for is recorded as absent (a weekend without a
    sprint), except for races and results, which every completed race has (not published yet:
    asked again next run)."""
    for rnd in needed:
        if rnd in got.records:
            continue
        if rnd is None:
            log.warning("%s %s: the API listed nothing; nothing written", endpoint, report.season)
        elif endpoint.name in plan_rules.ALWAYS_PUBLISHED:
            log.warning("no %s data for season %s round %s yet", endpoint.name, report.season, rnd)
        else:
            ledger.record_absent(
                season=report.season,
                round_=rnd,
                endpoint=endpoint.name,
                dag_id=run.dag_id,
                dag_run_id=run.run_id,
            )
            report.absent.append(rnd)


def _carry_out(
    settings: Settings,
    ledger: Ledger,
    decisions: WritePlan,
    got: _Fetched,
    run: RunInfo,
    report: IngestReport,
    through: int | None,
) -> None:
    """Report again what this run's earlier try wrote, record the unchanged, write the rest."""
    endpoint, season = get_endpoint(report.endpoint), report.season
    for d in decisions.written_this_run:
        assert d.raw_key is not None  # plan_writes names the earlier try's object
        report.written.append(Written(endpoint.name, season, d.round, d.raw_key, d.payload_sha256))
    # what every ledger record below shares: the object's place, and the run that wrote it
    shared = {"season": season, "endpoint": endpoint.name, "through_round": through}
    shared |= {"dag_id": run.dag_id, "dag_run_id": run.run_id}
    for d in decisions.unchanged:
        ledger.record_unchanged(round_=d.round, payload_sha256=d.payload_sha256, **shared)
        report.unchanged.append(d.round)
    s3 = aws_client("s3", settings)
    for d in decisions.to_write:
        record = got.records[d.round]
        written = _write_raw(s3, settings, endpoint, season, d.round, record, got, run)
        ledger.record_ingestion(
            round_=d.round,
            raw_key=written.raw_key,
            payload_sha256=d.payload_sha256,
            pages=got.pages or None,
            requests=report.requests or None,
            **shared,
        )
        report.written.append(written)


INGEST_THREADS = 4
"""Endpoints of one season ingested at once: while one waits on the rate limiter, another
writes its raw objects. The limiter is shared (a file), so the API still sees at most its
published rate."""


def ingest_season(
    settings: Settings,
    ledger_dsn: str,
    plan: Plan,
    run: RunInfo,
    threads: int = INGEST_THREADS,
) -> list[IngestReport]:
    """:func:`ingest_endpoint` for every ingested endpoint of one season's plan.

    Reports come back in the registry's order. An endpoint that fails does not stop the
    others; once all have finished, every failure is raised together (an ``ExceptionGroup``),
    so the log names each, what the others wrote is in the ledger, and a retry reports it
    again without writing it twice.
    """
    with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="ingest") as pool:
        futures = [
            pool.submit(in_context(ingest_endpoint), settings, ledger_dsn, name, plan, run)
            for name in ENDPOINTS
        ]
        wait(futures)
    failures = [e for f in futures if (e := f.exception()) is not None]
    if failures:  # an ExceptionGroup, unless one is a BaseException (an interrupt)
        raise BaseExceptionGroup(
            f"season {plan.season}: {len(failures)} of {len(futures)} endpoints failed", failures
        )
    return [f.result() for f in futures]


def _fetch(
    api: ErgastClient,
    endpoint: Endpoint,
    needed: list[int | None],
    plan: Plan,
) -> _Fetched:
    """Page the season, or ask per race when only a few races are needed (fewer requests).

    The plan validated the season and its rounds, so an empty answer is taken as it is
    (``check_empty=False``: no extra request to tell "no sprint" from "no such round").
    """
    season = plan.season
    if endpoint.scope == "season":
        got = api.fetch(endpoint, season, check_empty=False)
        records = {None: got.season_record()} if got.races else {}
        return _Fetched(records, got.source_urls, got.pages, got.header)
    schedule = plan.schedule
    if endpoint is RACES and schedule is not None:
        return _Fetched(
            {int(r["round"]): r for r in schedule.records},
            list(schedule.source_urls),
            schedule.pages,
            dict(schedule.header),
        )
    rounds = [r for r in needed if r is not None]
    per_race = endpoint.selection == "last_race" or (
        endpoint is not RACES
        and plan_rules.fetch_per_race(endpoint, len(rounds), len(plan.targets))
    )
    if per_race:
        out = _Fetched({}, [], 0, {})
        for rnd in rounds:
            got = api.fetch(endpoint, season, rnd, check_empty=False)
            out.records.update({int(r["round"]): r for r in got.races})
            out.urls += got.source_urls
            out.pages += got.pages
            out.header = got.header
        return out
    got = api.fetch(endpoint, season, check_empty=False)
    return _Fetched({int(r["round"]): r for r in got.races}, got.source_urls, got.pages, got.header)


def _write_raw(
    s3: Any,
    settings: Settings,
    endpoint: Endpoint,
    season: int,
    round_: int | None,
    record: dict[str, Any],
    got: _Fetched,
    run: RunInfo,
) -> Written:
    now = datetime.now(UTC)
    body = build_envelope(
        endpoint,
        record,
        base_url=settings.api_base_url,
        header=got.header,
        source_urls=got.urls,
        pages=got.pages,
        ingested_at=now,
        dag_id=run.dag_id,
        dag_run_id=run.run_id,
    )
    sha = body["f1lake"]["payload_sha256"]
    key = raw_key(endpoint.name, season, round_, now, sha)
    # IfNoneMatch makes the write create-only: a raw object is never overwritten.
    s3.put_object(
        Bucket=settings.raw_bucket,
        Key=key,
        Body=canonical_json(body),
        ContentType="application/json",
        IfNoneMatch="*",
    )
    return Written(endpoint.name, season, round_, key, sha)
