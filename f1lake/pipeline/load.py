"""The load stage: record what the processor made of the raw objects, catalog, check.

The Lambda never talks to Postgres: :func:`await_processing` reads what it left in S3 and
records it in the ledger, so the ledger stays the one place that says what happened.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from f1lake.ledger import Ledger
from f1lake.pipeline.contracts import IngestReport
from f1lake.settings import Settings

log = logging.getLogger(__name__)


def await_processing(
    settings: Settings,
    ledger_dsn: str,
    reports: list[IngestReport],
    poll_seconds: float = 1.0,
) -> dict[str, Any]:
    """Wait until the processor has turned every written raw object into Parquet, rejected it,
    or given up on it (its message in the dead-letter queue: named at once, never waited for).

    The Lambda never talks to Postgres; this step reads what it left in S3 (in bulk: a listing
    per poll, not a request per object) and records it in the ledger, so the ledger stays the
    one place that says what happened.
    """
    from f1lake.pipeline.progress import ProcessingProgress, Written

    pending = [w for r in reports for w in r.written]
    processed: list[str] = []
    failed: dict[str, str] = {}
    dead: list[Written] = []
    timeout_seconds = settings.processing_timeout_seconds
    deadline = time.monotonic() + timeout_seconds
    watch = ProcessingProgress(settings)
    with Ledger(ledger_dsn) as ledger:
        # What an earlier run of these seasons wrote but never saw processed (it was killed,
        # or its queue message was lost and the reconciliation queued it again): awaited too,
        # so the ledger ends a run saying what the lake holds.
        mine = {w.raw_key for w in pending}
        for season in sorted({r.season for r in reports}):
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
            dead += progress.dead_lettered  # no retry will come: stop waiting for them
            pending = [p for p in progress.pending if p not in progress.dead_lettered]
            if pending:
                if time.monotonic() > deadline:
                    keys = ", ".join(p.raw_key for p in pending[:5])
                    raise TimeoutError(
                        f"{len(pending)} raw objects not processed after {timeout_seconds:.0f}s "
                        f"(is the processor running?): {keys}"
                    )
                time.sleep(poll_seconds)
    if failed or dead:
        raise RuntimeError(_failure_message(failed, [d.raw_key for d in dead]))
    log.info("processed %s raw objects", len(processed))
    return {"processed": processed, "failed": failed}


def _failure_message(failed: dict[str, str], dead: list[str]) -> str:
    parts = []
    if failed:
        details = "; ".join(f"{k}: {v}" for k, v in failed.items())
        parts.append(f"{len(failed)} raw objects were quarantined: {details}")
    if dead:
        parts.append(
            f"{len(dead)} raw objects are in the dead-letter queue with no quarantine record: "
            f"{', '.join(dead[:5])} (the processor's logs say why; `f1lake redrive` sends "
            "them back once the cause is fixed)"
        )
    return "; ".join(parts)


def crawl(settings: Settings) -> dict[str, Any]:
    """Catalog the processed bucket: the local crawler on the local stack, Glue on AWS."""
    from f1lake.catalog import crawl as local_crawl
    from f1lake.catalog import load_definition

    if settings.aws_endpoint_url:
        report = local_crawl(settings, mirror=True)  # the checks read what it reads
        log.info("crawl: %s", report.summary())
        return {
            "tables_created": report.tables_created,
            "tables_updated": report.tables_updated,
            "partitions_added": report.partitions_added_count,
        }
    from f1lake.pipeline.glue_crawler import run_glue_crawler

    return run_glue_crawler(settings, load_definition(settings).Name)


def run_checks(
    settings: Settings, seasons: list[int], ledger_dsn: str | None = None
) -> dict[str, Any]:
    """Run the data-quality checks over the seasons just loaded; raise ``ChecksFailed`` listing
    the failing checks (so the DAG run fails), else return one line per check. With the
    ledger (``ledger_dsn``, else ``settings.ledger_dsn``), the lake is also checked to hold
    every completed race and processed object the ledger records for these seasons."""
    from f1lake.checks import format_results, raise_on_failure
    from f1lake.checks import run_checks as run_all

    # One season: check that season; a range: check the whole lake once (eight lines, not 8xN).
    # On the deployment's engine: Athena on AWS (F1LAKE_SQL_ENGINE=athena), DuckDB locally.
    only = sorted(set(seasons))
    results = run_all(
        settings,
        only[0] if len(only) == 1 else None,
        ledger_dsn=ledger_dsn,
        ledger_seasons=only,
    )
    text = format_results(results)
    log.info("data-quality checks for %s on %s:\n%s", seasons, settings.sql_engine, text)
    raise_on_failure(results)
    return {
        "passed": True,
        "results": [
            {"name": r.name, "passed": r.passed, "violations": r.violations, "detail": r.detail}
            for r in results
        ],
        "report": text,
    }
