"""The pipeline's steps, one function per DAG task, with JSON-serialisable results for XCom.

Every step builds its own adapters from :class:`~f1lake.settings.Settings` and a ledger DSN, so
it runs the same inside an Airflow worker, under ``dag.test()`` and from the CLI.
"""

from __future__ import annotations

import logging
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from f1lake.aws import client as aws_client
from f1lake.endpoints import INGESTED, RACES, Endpoint, get_endpoint
from f1lake.ergast.client import ErgastClient
from f1lake.ledger import Ledger, RaceRef, plan_writes
from f1lake.pipeline import planning
from f1lake.raw.envelope import build_envelope, canonical_json, payload_sha256
from f1lake.raw.layout import raw_key
from f1lake.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RunInfo:
    """Who is writing: recorded in the envelope and the ledger."""

    dag_id: str | None = None
    run_id: str | None = None


@dataclass
class Plan:
    season: int
    current_season: int
    targets: list[int]
    """Completed rounds this run covers."""
    force: bool = False
    up_to_date: bool = False
    """True when the ledger already holds every target for every endpoint: nothing to fetch."""
    recheck: list[int] = field(default_factory=list)
    """Rounds to re-fetch because results may still be revised."""
    requests: int = 0


@dataclass
class IngestReport:
    endpoint: str
    season: int
    fetched_rounds: list[int] = field(default_factory=list)
    written: list[dict[str, Any]] = field(default_factory=list)
    unchanged: list[int] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)
    requests: int = 0
    pages: int = 0


def _today() -> date:
    return datetime.now(UTC).date()


def _ingested_hashes(ledger: Ledger, season: int, endpoint: str) -> dict[int, str]:
    return {i.round: i.payload_sha256 for i in ledger.ingestions(season, endpoint)}


def _ledger_complete(ledger: Ledger, season: int, endpoints: list[Endpoint]) -> list[int] | None:
    """Rounds of a past season when the ledger already holds all of them for every endpoint."""
    races = ledger.races(season)
    if not races or season >= _today().year:
        return None
    rounds = sorted(r.round for r in races)
    for ep in endpoints:
        if set(rounds) - set(_ingested_hashes(ledger, season, ep.name)):
            return None
    return rounds


def plan_backfill(
    settings: Settings, ledger_dsn: str, season: int, round_: int | None, force: bool
) -> dict[str, Any]:
    """Validate the request against the API and decide what this backfill covers.

    A past season the ledger already holds completely costs no request at all; a season the
    ledger knows the schedule of costs one (which rounds have been run since).
    """
    endpoints = list(INGESTED.values())
    with Ledger(ledger_dsn) as ledger:
        if not force:
            done = _ledger_complete(ledger, season, endpoints)
            if done is not None and (round_ is None or round_ in done):
                targets = [round_] if round_ is not None else done
                log.info(
                    "season %s already ingested (%s races): nothing to fetch", season, len(done)
                )
                return asdict(Plan(season, season, targets, up_to_date=True))
        with ErgastClient.from_settings(settings) as api:
            current, last = api.resolve("current", "last")
            planning.check_season(season, current)
            rounds = [r.round for r in ledger.races(season)]
            if force or not rounds or (round_ is not None and round_ not in rounds):
                schedule = api.schedule(season)
                ledger.upsert_races(_race_refs(schedule))
                rounds = [int(r["round"]) for r in schedule]
            requests = api.requests_made
        if round_ is not None:
            planning.check_round(season, round_, rounds)
        state = planning.SeasonState(season, current, last if season == current else None)
        completed = state.completed_rounds(rounds)
        if round_ is not None:
            if round_ not in completed:
                raise planning.PlanError(
                    f"season {season} round {round_} has not been run yet "
                    f"(last completed round: {last})"
                )
            completed = [round_]
    plan = Plan(season, current, completed, force=force, requests=requests)
    log.info(
        "plan: season %s, %s completed rounds, %s API requests", season, len(completed), requests
    )
    return asdict(plan)


def plan_latest(settings: Settings, ledger_dsn: str, revision_days: int = 3) -> dict[str, Any]:
    """The current season's completed races; recent ones are re-checked for revised results."""
    with ErgastClient.from_settings(settings) as api, Ledger(ledger_dsn) as ledger:
        current, last = api.resolve("current", "last")
        known = {r.round: r for r in ledger.races(current)}
        if last is None:
            return asdict(Plan(current, current, [], requests=api.requests_made, up_to_date=True))
        completed = list(range(1, last + 1))
        if set(completed) - set(known):
            schedule = api.schedule(current)
            ledger.upsert_races(_race_refs(schedule))
            known = {r.round: r for r in ledger.races(current)}
            completed = planning.SeasonState(current, current, last).completed_rounds(
                int(r["round"]) for r in schedule
            )
        dates = {r: known[r].date for r in completed if r in known}
        recheck = planning.revision_window(dates, _today(), revision_days)
        missing = any(
            set(completed) - set(_ingested_hashes(ledger, current, ep)) for ep in INGESTED
        )
    plan = Plan(
        current,
        current,
        completed,
        recheck=recheck,
        up_to_date=not missing and not recheck,
        requests=api.requests_made,
    )
    log.info(
        "latest: season %s, last completed round %s, missing=%s, recheck=%s, %s API requests",
        current,
        last,
        missing,
        recheck,
        plan.requests,
    )
    return asdict(plan)


def _race_refs(schedule: list[dict[str, Any]]) -> list[RaceRef]:
    return [
        RaceRef(int(r["season"]), int(r["round"]), r["raceName"], date.fromisoformat(r["date"]))
        for r in schedule
    ]


def ingest_endpoint(
    settings: Settings, ledger_dsn: str, endpoint_name: str, plan: dict[str, Any], run: RunInfo
) -> dict[str, Any]:
    """Fetch what the plan needs of one endpoint and write one raw object per new payload.

    An unchanged payload (same hash as the ledger holds) writes nothing, unless forced.
    """
    endpoint = get_endpoint(endpoint_name)
    season = int(plan["season"])
    report = IngestReport(endpoint.name, season)
    if plan["up_to_date"] or not plan["targets"]:
        report.skipped = list(plan["targets"])
        return asdict(report)
    with Ledger(ledger_dsn) as ledger:
        ingested = _ingested_hashes(ledger, season, endpoint.name)
        needed = planning.rounds_to_fetch(
            plan["targets"], ingested, force=plan["force"], recheck=plan["recheck"]
        )
        report.skipped = sorted(set(plan["targets"]) - set(needed))
        if not needed:
            return asdict(report)
        with ErgastClient.from_settings(settings) as api:
            races, urls, pages, header = _fetch(api, endpoint, season, needed, len(plan["targets"]))
            report.requests, report.pages = api.requests_made, pages
        fetched = {(season, rnd): payload_sha256(races[rnd]) for rnd in needed if rnd in races}
        report.fetched_rounds = sorted(r for _, r in fetched)
        for rnd in sorted(set(needed) - set(races)):
            log.warning("no %s data for season %s round %s yet", endpoint.name, season, rnd)
        decisions = plan_writes(
            fetched,
            ledger.ingestions(season, endpoint.name),
            endpoint=endpoint.name,
            force=plan["force"],
        )
        s3 = aws_client("s3", settings)
        for decision in decisions.unchanged:
            ledger.record_unchanged(
                season=season,
                round_=decision.round,
                endpoint=endpoint.name,
                payload_sha256=decision.payload_sha256,
                dag_id=run.dag_id,
                dag_run_id=run.run_id,
            )
            report.unchanged.append(decision.round)
        for decision in decisions.to_write:
            written = _write_raw(
                s3, settings, endpoint, races[decision.round], urls, pages, header, run
            )
            ledger.record_ingestion(
                season=season,
                round_=decision.round,
                endpoint=endpoint.name,
                raw_key=written["raw_key"],
                payload_sha256=decision.payload_sha256,
                dag_id=run.dag_id,
                dag_run_id=run.run_id,
                pages=pages,
                requests=report.requests,
            )
            report.written.append(written)
    log.info(
        "%s %s: wrote %s, unchanged %s, skipped %s, %s API requests (%s pages)",
        endpoint.name,
        season,
        len(report.written),
        len(report.unchanged),
        len(report.skipped),
        report.requests,
        report.pages,
    )
    return asdict(report)


def _fetch(
    api: ErgastClient, endpoint: Endpoint, season: int, needed: list[int], completed: int
) -> tuple[dict[int, dict[str, Any]], list[str], int, dict[str, Any]]:
    """Page the season, or ask per race when only a few races are needed (fewer requests)."""
    if endpoint is not RACES and planning.fetch_per_race(endpoint, len(needed), completed):
        races: dict[int, dict[str, Any]] = {}
        urls: list[str] = []
        pages = 0
        header: dict[str, Any] = {}
        for rnd in needed:
            got = api.fetch(endpoint, season, rnd)
            races.update({int(r["round"]): r for r in got.races})
            urls += got.source_urls
            pages += got.pages
            header = got.header
        return races, urls, pages, header
    got = api.fetch(endpoint, season)
    return {int(r["round"]): r for r in got.races}, got.source_urls, got.pages, got.header


def _write_raw(
    s3: Any,
    settings: Settings,
    endpoint: Endpoint,
    race: dict[str, Any],
    urls: list[str],
    pages: int,
    header: dict[str, Any],
    run: RunInfo,
) -> dict[str, Any]:
    now = datetime.now(UTC)
    body = build_envelope(
        endpoint,
        race,
        base_url=settings.api_base_url,
        header=header,
        source_urls=urls,
        pages=pages,
        ingested_at=now,
        dag_id=run.dag_id,
        dag_run_id=run.run_id,
    )
    sha = body["f1lake"]["payload_sha256"]
    key = raw_key(endpoint.name, int(race["season"]), int(race["round"]), now, sha)
    # IfNoneMatch makes the write create-only: a raw object is never overwritten.
    s3.put_object(
        Bucket=settings.raw_bucket,
        Key=key,
        Body=canonical_json(body),
        ContentType="application/json",
        IfNoneMatch="*",
    )
    return {"round": int(race["round"]), "raw_key": key, "payload_sha256": sha}


def await_processing(
    settings: Settings,
    ledger_dsn: str,
    reports: list[dict[str, Any]],
    poll_seconds: float = 1.0,
) -> dict[str, Any]:
    """Wait until the processor has turned every written raw object into Parquet (or rejected it).

    The Lambda never talks to Postgres; this step reads what it left in S3 and records it in
    the ledger, so the ledger stays the one place that says what happened.
    """
    from f1lake.processing import processed_source, quarantine_record, tables_for_endpoint

    pending = [
        (r["endpoint"], r["season"], w["round"], w["raw_key"], w["payload_sha256"])
        for r in reports
        for w in r["written"]
    ]
    processed: list[str] = []
    failed: dict[str, str] = {}
    timeout_seconds = settings.processing_timeout_seconds
    deadline = time.monotonic() + timeout_seconds
    with Ledger(ledger_dsn) as ledger:
        while pending:
            still = []
            for ep, season, rnd, key, sha in pending:
                tables = tables_for_endpoint(ep)
                sources = [processed_source(settings, t, season, rnd) for t in tables]
                if all(s is not None and s[1] == sha for s in sources):
                    ledger.mark_processed(season=season, round_=rnd, endpoint=ep, raw_key=key)
                    processed.append(key)
                    continue
                rejected = quarantine_record(settings, key)
                if rejected is not None:
                    reason = str(rejected.get("reason", "rejected"))
                    ledger.mark_failed(
                        season=season, round_=rnd, endpoint=ep, raw_key=key, reason=reason
                    )
                    failed[key] = reason
                    continue
                still.append((ep, season, rnd, key, sha))
            pending = still
            if pending:
                if time.monotonic() > deadline:
                    keys = ", ".join(p[3] for p in pending[:5])
                    raise TimeoutError(
                        f"{len(pending)} raw objects not processed after {timeout_seconds:.0f}s "
                        f"(is the processor running?): {keys}"
                    )
                time.sleep(poll_seconds)
    if failed:
        details = "; ".join(f"{k}: {v}" for k, v in failed.items())
        raise RuntimeError(f"{len(failed)} raw objects were quarantined: {details}")
    log.info("processed %s raw objects", len(processed))
    return {"processed": processed, "failed": failed}


def crawl(settings: Settings) -> dict[str, Any]:
    """Catalog the processed bucket: the local crawler on the local stack, Glue on AWS."""
    from f1lake.catalog import crawl as local_crawl
    from f1lake.catalog import load_definition

    if settings.aws_endpoint_url:
        report = local_crawl(settings)
        log.info("crawl: %s", report.summary())
        return {
            "tables_created": report.tables_created,
            "tables_updated": report.tables_updated,
            "partitions_added": report.partitions_added_count,
        }
    from f1lake.pipeline.glue_crawler import run_glue_crawler

    return run_glue_crawler(settings, load_definition(settings).Name)


def summarize(plan: dict[str, Any], reports: list[dict[str, Any]]) -> dict[str, Any]:
    requests = plan.get("requests", 0) + sum(r["requests"] for r in reports)
    summary = {
        "season": plan["season"],
        "rounds": len(plan["targets"]),
        "api_requests": requests,
        "written": {r["endpoint"]: len(r["written"]) for r in reports},
        "unchanged": {r["endpoint"]: len(r["unchanged"]) for r in reports},
        "skipped": {r["endpoint"]: len(r["skipped"]) for r in reports},
    }
    log.info("summary: %s", summary)
    return summary
