"""The pipeline's steps, one function per DAG task, with JSON-serialisable results for XCom.

Every step builds its own adapters from :class:`~f1lake.settings.Settings` and a ledger DSN, so
it runs the same inside an Airflow worker, under ``dag.test()`` and from the CLI.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from f1lake.aws import client as aws_client
from f1lake.endpoints import ENDPOINTS, INGESTED, RACES, Endpoint, get_endpoint
from f1lake.ergast.client import ErgastClient, Fetch
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
    """True when the ledger already holds everything the endpoints need: nothing to fetch."""
    recheck: list[int] = field(default_factory=list)
    """Rounds to re-fetch because results may still be revised."""
    requests: int = 0
    last_round: int | None = None
    """The season's last completed round: standings are taken after it."""
    work: dict[str, list[int | None]] = field(default_factory=dict)
    """Per endpoint, what to fetch: rounds, or ``[None]`` for a season-scoped object."""
    schedule: dict[str, Any] | None = None
    """The schedule the plan fetched (records, source URLs, pages, header): the races
    endpoint reuses it instead of asking the API again."""


@dataclass
class IngestReport:
    endpoint: str
    season: int
    fetched_rounds: list[int | None] = field(default_factory=list)
    written: list[dict[str, Any]] = field(default_factory=list)
    unchanged: list[int | None] = field(default_factory=list)
    absent: list[int] = field(default_factory=list)
    """Completed rounds the API has no data for (no sprint that weekend), now recorded."""
    skipped: list[int | None] = field(default_factory=list)
    requests: int = 0
    pages: int = 0


def _today() -> date:
    return datetime.now(UTC).date()


def _held(ledger: Ledger, season: int) -> dict[str, planning.Held]:
    """What the ledger holds of every endpoint for ``season``, for the pure planner."""
    rounds: dict[str, set[int]] = defaultdict(set)
    season_rows: dict[str, Any] = {}
    for i in ledger.ingestions(season):
        if i.round is None:
            season_rows[i.endpoint] = i
        else:
            rounds[i.endpoint].add(i.round)
    absent: dict[str, set[int]] = defaultdict(set)
    for a in ledger.absences(season):
        absent[a.endpoint].add(a.round)
    return {
        ep: planning.Held(
            rounds=frozenset(rounds[ep]),
            absent=frozenset(absent[ep]),
            season_ingested=ep in season_rows,
            through_round=season_rows[ep].through_round if ep in season_rows else None,
        )
        for ep in ENDPOINTS
    }


def _work(
    ledger: Ledger,
    season: int,
    completed: list[int],
    last_round: int | None,
    *,
    whole_season: bool = True,
    force: bool = False,
    recheck: list[int] | None = None,
) -> dict[str, list[int | None]]:
    spec = planning.SeasonWork(
        season, completed, last_round, whole_season, force, list(recheck or [])
    )
    return planning.plan_work(INGESTED.values(), spec, _held(ledger, season))


def _ledger_complete(ledger: Ledger, season: int, round_: int | None) -> Plan | None:
    """The plan of a past season the ledger already holds completely (no request at all)."""
    races = ledger.races(season)
    if not races or season >= _today().year:
        return None
    rounds = sorted(r.round for r in races)
    if round_ is not None and round_ not in rounds:
        return None
    completed = [round_] if round_ is not None else rounds
    work = _work(ledger, season, completed, rounds[-1], whole_season=round_ is None)
    if any(work.values()):
        return None
    return Plan(season, season, completed, up_to_date=True, last_round=rounds[-1], work=work)


def plan_backfill(
    settings: Settings,
    ledger_dsn: str,
    season: int,
    round_: int | None = None,
    force: bool = False,
    season_to: int | None = None,
) -> list[dict[str, Any]]:
    """Validate the request against the API and decide what the backfill of each season covers.

    Returns one plan per season (``season`` to ``season_to``). A past season the ledger already
    holds completely costs no request at all; otherwise the API's current season and last round
    cost one request for the whole range, and a season whose schedule the ledger lacks one more
    (the races endpoint then reuses that schedule).
    """
    if season_to is not None and season_to < season:
        raise planning.PlanError(f"season_to {season_to} is before season {season}")
    if round_ is not None and season_to not in (None, season):
        raise planning.PlanError("round selects one race: it cannot be combined with season_to")
    seasons = list(range(season, (season_to or season) + 1))
    plans: list[Plan] = []
    with Ledger(ledger_dsn) as ledger:
        done = {} if force else {s: _ledger_complete(ledger, s, round_) for s in seasons}
        if all(done.get(s) is not None for s in seasons):
            log.info("seasons %s already ingested: nothing to fetch", seasons)
            return [asdict(done[s]) for s in seasons]  # type: ignore[arg-type]
        with ErgastClient.from_settings(settings) as api:
            current, last = api.resolve("current", "last")
            planning.season_range(season, season_to, current)
            spent = 0
            for s in seasons:
                ready = done.get(s)
                if ready is not None:
                    plans.append(ready)
                    continue
                plan = _plan_season(api, ledger, s, current, last, round_, force)
                plan.requests = api.requests_made - spent
                spent = api.requests_made
                plans.append(plan)
    for plan in plans:
        log.info(
            "plan: season %s, %s completed rounds, work %s, %s API requests",
            plan.season,
            len(plan.targets),
            {ep: len(w) for ep, w in plan.work.items() if w},
            plan.requests,
        )
    return [asdict(p) for p in plans]


def _plan_season(
    api: ErgastClient,
    ledger: Ledger,
    season: int,
    current: int,
    last: int | None,
    round_: int | None,
    force: bool,
) -> Plan:
    rounds = [r.round for r in ledger.races(season)]
    schedule = None
    if force or not rounds or (round_ is not None and round_ not in rounds):
        got = api.fetch(RACES, season)
        ledger.upsert_races(_race_refs(got.races))
        rounds = [int(r["round"]) for r in got.races]
        schedule = _schedule_of(got)
    if round_ is not None:
        planning.check_round(season, round_, rounds)
    state = planning.SeasonState(season, current, last if season == current else None)
    completed = state.completed_rounds(rounds)
    last_round = completed[-1] if completed else None
    if round_ is not None:
        if round_ not in completed:
            raise planning.PlanError(
                f"season {season} round {round_} has not been run yet "
                f"(last completed round: {last})"
            )
        completed = [round_]
    work = _work(ledger, season, completed, last_round, whole_season=round_ is None, force=force)
    return Plan(
        season,
        current,
        completed,
        force=force,
        up_to_date=not any(work.values()),
        last_round=last_round,
        work=work,
        schedule=schedule,
    )


def _schedule_of(got: Fetch) -> dict[str, Any]:
    return {
        "records": got.races,
        "source_urls": got.source_urls,
        "pages": got.pages,
        "header": got.header,
    }


def plan_latest(
    settings: Settings, ledger_dsn: str, revision_days: int = 3, today: date | None = None
) -> dict[str, Any]:
    """The current season's completed races; recent ones are re-checked for revised results.

    Standings are due again when the last completed round has moved, the season's dimensions
    when a race has been run since they were last confirmed. ``today`` (default: the UTC date)
    anchors the revision window: the DAG passes its run's date.
    """
    with ErgastClient.from_settings(settings) as api, Ledger(ledger_dsn) as ledger:
        current, last = api.resolve("current", "last")
        known = {r.round: r for r in ledger.races(current)}
        if last is None:
            return asdict(Plan(current, current, [], requests=api.requests_made, up_to_date=True))
        completed = list(range(1, last + 1))
        schedule = None
        if set(completed) - set(known):
            got = api.fetch(RACES, current)
            ledger.upsert_races(_race_refs(got.races))
            schedule = _schedule_of(got)
            known = {r.round: r for r in ledger.races(current)}
            completed = planning.SeasonState(current, current, last).completed_rounds(
                int(r["round"]) for r in got.races
            )
        dates = {r: known[r].date for r in completed if r in known}
        recheck = planning.revision_window(dates, today or _today(), revision_days)
        last_round = completed[-1] if completed else None
        work = _work(ledger, current, completed, last_round, recheck=recheck)
    plan = Plan(
        current,
        current,
        completed,
        recheck=recheck,
        up_to_date=not any(work.values()),
        requests=api.requests_made,
        last_round=last_round,
        work=work,
        schedule=schedule,
    )
    log.info(
        "latest: season %s, last completed round %s, work %s, recheck=%s, %s API requests",
        current,
        last,
        {ep: len(w) for ep, w in work.items() if w},
        recheck,
        plan.requests,
    )
    return asdict(plan)


def _race_refs(schedule: list[dict[str, Any]]) -> list[RaceRef]:
    return [
        RaceRef(int(r["season"]), int(r["round"]), r["raceName"], date.fromisoformat(r["date"]))
        for r in schedule
    ]


@dataclass
class _Fetched:
    """Records of one endpoint by round (None: the season's object), and their provenance."""

    records: dict[int | None, dict[str, Any]]
    urls: list[str]
    pages: int
    header: dict[str, Any]


def ingest_endpoint(
    settings: Settings, ledger_dsn: str, endpoint_name: str, plan: dict[str, Any], run: RunInfo
) -> dict[str, Any]:
    """Fetch what the plan's work names for one endpoint; write one raw object per new payload.

    An unchanged payload (same hash as the ledger holds) writes nothing, unless forced. A
    completed round the API has no data for is recorded as absent (a weekend without a sprint),
    except for races and results, which every completed race has (not published yet: asked
    again next run).
    """
    endpoint = get_endpoint(endpoint_name)
    season = int(plan["season"])
    report = IngestReport(endpoint.name, season)
    needed: list[int | None] = list(plan.get("work", {}).get(endpoint.name, []))
    if plan["up_to_date"] or not needed:
        report.skipped = [] if endpoint.scope == "season" else list(plan["targets"])
        return asdict(report)
    with Ledger(ledger_dsn) as ledger:
        with ErgastClient.from_settings(settings) as api:
            got = _fetch(api, endpoint, season, needed, plan)
            report.requests, report.pages = api.requests_made, got.pages
        fetched = {
            (season, rnd): payload_sha256(got.records[rnd]) for rnd in needed if rnd in got.records
        }
        report.fetched_rounds = [rnd for rnd in needed if rnd in got.records]
        for rnd in needed:
            if rnd in got.records or rnd is None:
                if rnd is None and rnd not in got.records:
                    log.warning("%s %s: the API listed nothing; nothing written", endpoint, season)
                continue
            if endpoint.name in planning.ALWAYS_PUBLISHED:
                log.warning("no %s data for season %s round %s yet", endpoint.name, season, rnd)
            else:
                ledger.record_absent(
                    season=season,
                    round_=rnd,
                    endpoint=endpoint.name,
                    dag_id=run.dag_id,
                    dag_run_id=run.run_id,
                )
                report.absent.append(rnd)
        # Another run writing this season's endpoint now waits here, then finds its payloads
        # unchanged (held until the ledger closes, after the writes).
        ledger.lock_ingest(season, endpoint.name)
        current = ledger.ingestions(season, endpoint.name)
        decisions = plan_writes(fetched, current, endpoint=endpoint.name, force=plan["force"])
        through = plan.get("last_round") if endpoint.scope == "season" else None
        s3 = aws_client("s3", settings)
        earlier = _written_by_this_run(current, run)
        for decision in decisions.decisions:
            mine = earlier.get(decision.round)
            if mine is not None and mine.payload_sha256 == decision.payload_sha256:
                # An earlier try of this run wrote it: report it again (so the run awaits its
                # processing), and neither write it twice nor call it unchanged.
                report.written.append(
                    {
                        "round": decision.round,
                        "raw_key": mine.raw_key,
                        "payload_sha256": mine.payload_sha256,
                    }
                )
        done = {w["round"] for w in report.written}
        for decision in decisions.unchanged:
            if decision.round in done:
                continue
            ledger.record_unchanged(
                season=season,
                round_=decision.round,
                endpoint=endpoint.name,
                payload_sha256=decision.payload_sha256,
                dag_id=run.dag_id,
                dag_run_id=run.run_id,
                through_round=through,
            )
            report.unchanged.append(decision.round)
        for decision in decisions.to_write:
            if decision.round in done:
                continue
            written = _write_raw(
                s3, settings, endpoint, season, decision.round, got.records[decision.round],
                got, run,
            )  # fmt: skip
            ledger.record_ingestion(
                season=season,
                round_=decision.round,
                endpoint=endpoint.name,
                raw_key=written["raw_key"],
                payload_sha256=decision.payload_sha256,
                dag_id=run.dag_id,
                dag_run_id=run.run_id,
                pages=got.pages or None,
                requests=report.requests or None,
                through_round=through,
            )
            report.written.append(written)
    log.info(
        "%s %s: wrote %s, unchanged %s, absent %s, %s API requests (%s pages)",
        endpoint.name,
        season,
        len(report.written),
        len(report.unchanged),
        len(report.absent),
        report.requests,
        report.pages,
    )
    return asdict(report)


def _written_by_this_run(current: list[Any], run: RunInfo) -> dict[int | None, Any]:
    """Current ingestions a previous try of this DAG run wrote, by round."""
    if run.run_id is None:
        return {}
    return {i.round: i for i in current if (i.dag_id, i.dag_run_id) == (run.dag_id, run.run_id)}


INGEST_THREADS = 4
"""Endpoints of one season ingested at once: while one waits on the rate limiter, another
writes its raw objects. The limiter is shared (a file), so the API still sees at most its
published rate."""


def ingest_season(
    settings: Settings,
    ledger_dsn: str,
    plan: dict[str, Any],
    run: RunInfo,
    threads: int = INGEST_THREADS,
) -> list[dict[str, Any]]:
    """:func:`ingest_endpoint` for every ingested endpoint of one season's plan.

    Reports come back in the registry's order. An endpoint that fails does not stop the
    others; the first failure is raised once all have finished, so what the others wrote is
    in the ledger and a retry reports it again without writing it twice.
    """
    with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="ingest") as pool:
        futures = [
            pool.submit(ingest_endpoint, settings, ledger_dsn, name, plan, run) for name in INGESTED
        ]
        wait(futures)
    failures = [f.exception() for f in futures if f.exception() is not None]
    if failures:
        raise failures[0]  # type: ignore[misc]
    return [f.result() for f in futures]


def _fetch(
    api: ErgastClient,
    endpoint: Endpoint,
    season: int,
    needed: list[int | None],
    plan: dict[str, Any],
) -> _Fetched:
    """Page the season, or ask per race when only a few races are needed (fewer requests).

    The plan validated the season and its rounds, so an empty answer is taken as it is
    (``check_empty=False``: no extra request to tell "no sprint" from "no such round").
    """
    if endpoint.scope == "season":
        got = api.fetch(endpoint, season, check_empty=False)
        records = {None: got.season_record()} if got.races else {}
        return _Fetched(records, got.source_urls, got.pages, got.header)
    schedule = plan.get("schedule")
    if endpoint is RACES and schedule:
        return _Fetched(
            {int(r["round"]): r for r in schedule["records"]},
            list(schedule["source_urls"]),
            int(schedule["pages"]),
            dict(schedule["header"]),
        )
    rounds = [r for r in needed if r is not None]
    per_race = endpoint.selection == "last_race" or (
        endpoint is not RACES
        and planning.fetch_per_race(endpoint, len(rounds), len(plan["targets"]))
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
) -> dict[str, Any]:
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
    return {"round": round_, "raw_key": key, "payload_sha256": sha}


def await_processing(
    settings: Settings,
    ledger_dsn: str,
    reports: list[dict[str, Any]],
    poll_seconds: float = 1.0,
) -> dict[str, Any]:
    """Wait until the processor has turned every written raw object into Parquet (or rejected it).

    The Lambda never talks to Postgres; this step reads what it left in S3 (in bulk: a listing
    per poll, not a request per object) and records it in the ledger, so the ledger stays the
    one place that says what happened.
    """
    from f1lake.pipeline.progress import ProcessingProgress, Written

    pending = [
        Written(r["endpoint"], r["season"], w.get("round"), w["raw_key"], w["payload_sha256"])
        for r in reports
        for w in r["written"]
    ]
    processed: list[str] = []
    failed: dict[str, str] = {}
    timeout_seconds = settings.processing_timeout_seconds
    deadline = time.monotonic() + timeout_seconds
    watch = ProcessingProgress(settings)
    with Ledger(ledger_dsn) as ledger:
        # What an earlier run of these seasons wrote but never saw processed (it was killed,
        # or its queue message was lost and the reconciliation queued it again): awaited too,
        # so the ledger ends a run saying what the lake holds.
        mine = {w.raw_key for w in pending}
        for season in sorted({int(r["season"]) for r in reports}):
            pending += [
                Written(i.endpoint, i.season, i.round, i.raw_key, i.payload_sha256)
                for i in ledger.pending(season)
                if i.raw_key not in mine
            ]
        while pending:
            progress = watch.check(pending)
            for obj in progress.processed:
                ledger.mark_processed(
                    season=obj.season, round_=obj.round, endpoint=obj.endpoint, raw_key=obj.raw_key
                )
                processed.append(obj.raw_key)
            for obj, record in progress.rejected:
                reason = str(record.get("reason", "rejected"))
                ledger.mark_failed(
                    season=obj.season,
                    round_=obj.round,
                    endpoint=obj.endpoint,
                    raw_key=obj.raw_key,
                    reason=reason,
                )
                failed[obj.raw_key] = reason
            for obj in progress.superseded:  # its race's newer payload is in the lake
                log.info("%s was superseded by a newer raw object", obj.raw_key)
            pending = progress.pending
            if pending:
                if time.monotonic() > deadline:
                    keys = ", ".join(p.raw_key for p in pending[:5])
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


def summarize(
    plans: dict[str, Any] | list[dict[str, Any]],
    reports: list[dict[str, Any]],
    checks: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """What the run did, with the API requests it spent per endpoint (``plan``: the requests
    that validated the seasons and fetched schedules)."""
    plans = [plans] if isinstance(plans, dict) else list(plans)
    by_endpoint: dict[str, int] = {"plan": sum(p.get("requests", 0) for p in plans)}
    written: dict[str, int] = {}
    unchanged: dict[str, int] = {}
    absent: dict[str, int] = {}
    skipped: dict[str, int] = {}
    for r in reports:
        ep = r["endpoint"]
        by_endpoint[ep] = by_endpoint.get(ep, 0) + r["requests"]
        written[ep] = written.get(ep, 0) + len(r["written"])
        unchanged[ep] = unchanged.get(ep, 0) + len(r["unchanged"])
        absent[ep] = absent.get(ep, 0) + len(r.get("absent", []))
        skipped[ep] = skipped.get(ep, 0) + len(r["skipped"])
    seasons = [p["season"] for p in plans]
    summary: dict[str, Any] = {
        "season": seasons[0] if len(seasons) == 1 else seasons,
        "seasons": seasons,
        "rounds": sum(len(p["targets"]) for p in plans),
        "api_requests": sum(by_endpoint.values()),
        "requests_by_endpoint": by_endpoint,
        "written": written,
        "unchanged": unchanged,
        "absent": absent,
        "skipped": skipped,
    }
    if checks is not None:
        summary["checks"] = checks
    log.info("API requests per endpoint:\n%s", format_requests(by_endpoint))
    log.info("summary: %s", summary)
    return summary


def format_requests(by_endpoint: dict[str, int]) -> str:
    """One line per endpoint and the total: the figure the API's budget is spent in."""
    width = max((len(ep) for ep in by_endpoint), default=5)
    lines = [f"  {ep:<{width}}  {n:>5}" for ep, n in by_endpoint.items()]
    lines.append(f"  {'total':<{width}}  {sum(by_endpoint.values()):>5}")
    return "\n".join(lines)


def run_checks(settings: Settings, seasons: list[int]) -> dict[str, Any]:
    """Run the data-quality checks over the seasons just loaded; raise ``ChecksFailed`` listing
    the failing checks (so the DAG run fails), else return one line per check."""
    from f1lake.checks import format_results, raise_on_failure, run_checks_in
    from f1lake.query.local import LocalEngine

    # One season: check that season; a range: check the whole lake once (seven lines, not 7xN).
    only = sorted(set(seasons))
    results = run_checks_in(LocalEngine(settings), only[0] if len(only) == 1 else None)
    text = format_results(results)
    log.info("data-quality checks for %s:\n%s", seasons, text)
    raise_on_failure(results)
    return {
        "passed": True,
        "results": [
            {"name": r.name, "passed": r.passed, "violations": r.violations, "detail": r.detail}
            for r in results
        ],
        "report": text,
    }
