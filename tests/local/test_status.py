"""``f1lake status``'s pipeline health: the figures of the AWS dashboard, read from the local
stack's ledger, queues, buckets, catalog and Lambda runner."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from f1lake import aws
from f1lake.catalog import crawl
from f1lake.catalog.crawl_runs import CrawlRun, record_run
from f1lake.keys import quarantine_key
from f1lake.ledger import Ledger, migrate
from f1lake.local.provision import provision
from f1lake.local.runner_service import BATCH, RunnerService, read_stats
from f1lake.local.stack_client import format_health, pipeline_health
from f1lake.topology import dead_letter_route
from tests.catalog.lakedata import DRIVERS_SCHEMA, parquet_bytes, put
from tests.ledger.conftest import SCHEDULE_2024, T0, key, sha

DAY_MINUTES = 6 * 24 * 60
"""The runs' day: March 10th 2024, after round 2 was raced (T0 is March 4th)."""


def test_status_shows_the_dashboards_figures(settings, pg_dsn):
    provision(settings)
    migrate(pg_dsn)
    with Ledger(pg_dsn) as ledger:
        ledger.upsert_races(SCHEDULE_2024)
        # two runs on March 10th: results of rounds 1 and 2 (12 requests for the endpoint),
        # then round 1's qualifying (3); a run of two days before falls outside the day counted
        for round_, endpoint, payload, minutes, run, requests in [
            (1, "results", "r1", 0, "run-a", 12),
            (2, "results", "r2", 0, "run-a", 12),
            (1, "qualifying", "q1", 30, "run-b", 3),
            (3, "results", "old", -48 * 60, "run-old", 40),
        ]:
            raw = key(endpoint, 2024, round_, payload, DAY_MINUTES + minutes)
            ledger.record_ingestion(
                season=2024, round_=round_, endpoint=endpoint, raw_key=raw,
                payload_sha256=sha(payload), dag_id="d", dag_run_id=run, requests=requests,
            )  # fmt: skip
            if endpoint == "results" and round_ == 1:
                ledger.mark_processed(season=2024, round_=1, endpoint="results", raw_key=raw)
    sqs, s3 = aws.client("sqs", settings), aws.client("s3", settings)
    dlq = dead_letter_route(sqs, settings.queue_name).dlq_url
    for body in ("a", "b"):
        sqs.send_message(QueueUrl=dlq, MessageBody=body)
    rejected = key("results", 2024, 2, "bad")
    s3.put_object(Bucket=settings.quarantine_bucket, Key=quarantine_key(rejected), Body=b"{}")
    aws.client("glue", settings).create_table(
        DatabaseName=settings.glue_database, TableInput={"Name": "results"}
    )
    settings.state_dir.mkdir(parents=True)
    runner = RunnerService(settings)  # not started: its workers' batch lines, as they arrive
    for line in (f"{BATCH}10 9 1 2.0 0.5", f"{BATCH}4 4 0 1.0 0.2"):
        runner._on_line(line)
    assert read_stats(settings).batches == 2

    health = pipeline_health(settings, pg_dsn, now=T0 + timedelta(minutes=DAY_MINUTES + 60))
    text = format_health(health)

    assert (health.ingestion_runs, health.ingestion_requests) == (2, 15)
    assert (health.waiting, health.dead_lettered, health.quarantined) == (1, 2, 1)  # + TestEvent
    assert health.catalog_tables == 1 and health.catalog_changed is not None
    assert (health.freshness.last_in_lake, health.freshness.last_run) == ((2024, 1), (2024, 2))
    lines = text.splitlines()
    assert lines[0].startswith("ingestion: 2 run(s) in the last 24 h used 15 API request(s)")
    assert lines[1].startswith("processor: 2 invocation(s), 1 error(s) (of 14 message(s))")
    assert "1.50 s mean duration" in lines[1]
    assert "2 dead-lettered" in lines[2] and "1 object(s) quarantined" in lines[2]
    assert lines[3].startswith(
        "crawler: 0 run(s) succeeded and 0 failed in the last 24 h, 0 and 0 in the last hour; "
        "1 table(s) in the catalog, last changed "
    )
    assert lines[4] == (
        "lake freshness: last race in the lake 2024 round 1, last race run 2024 round 2, "
        "1 race(s) behind"
    )

    # The crawls: one that catalogs the drivers table, one whose bucket is gone; and, on a
    # scaled clock, one of two hours ago (in the day, not the hour) and one of two days ago.
    put(
        settings, "drivers/drivers.parquet", parquet_bytes([{"driver_id": "alpha"}], DRIVERS_SCHEMA)
    )
    now = datetime.now(UTC)
    for hours, ok in ((48, False), (2, True)):
        at = now - timedelta(hours=hours)
        record_run(settings.state_dir, CrawlRun(at, at, ok, "" if ok else "old failure"))
    crawl(settings)
    gone = settings.model_copy(update={"processed_bucket": f"{settings.processed_bucket}-gone"})
    with pytest.raises(Exception, match="NoSuchBucket"):
        crawl(gone)

    health = pipeline_health(settings, pg_dsn, now=datetime.now(UTC))
    lines = format_health(health).splitlines()

    assert (health.crawls_day, health.crawls_last_hour) == ((2, 1), (1, 1))
    assert lines[3].startswith(
        "crawler: 2 run(s) succeeded and 1 failed in the last 24 h, 1 and 1 in the last hour; "
        "2 table(s) in the catalog, last changed "
    )
    assert re.fullmatch(
        r"crawler: last failure \d{4}-\d\d-\d\d \d\d:\d\d UTC: NoSuchBucket: .*ListObjectsV2.*",
        lines[4],
    )
    assert lines[5].startswith("lake freshness: ")
