"""The DAGs' run metrics: what a finished run publishes, and that it lands in CloudWatch (moto)."""

from __future__ import annotations

from f1lake import aws
from f1lake.pipeline import metrics
from f1lake.pipeline.metrics import Freshness, run_metrics


def _summary(requests: int) -> dict:
    return {"api_requests": requests, "seasons": [2023], "rounds": 22}


def test_a_run_reports_its_requests_and_the_lake_freshness():
    data = run_metrics(_summary(20), Freshness((2023, 22), (2023, 21), 1), "raw-lake")
    values = {d["MetricName"]: d["Value"] for d in data}
    assert values == {
        metrics.INGESTION_RUNS: 1.0,
        metrics.API_REQUESTS: 20.0,
        metrics.LAST_RACE_RUN: 202322.0,
        metrics.LAST_RACE_IN_LAKE: 202321.0,
        metrics.RACES_BEHIND: 1.0,
    }
    assert all(d["Dimensions"] == [{"Name": "Lake", "Value": "raw-lake"}] for d in data)


def test_an_empty_lake_reports_no_race_rather_than_zero():
    data = run_metrics(_summary(0), Freshness(None, None, 0), "raw-lake")
    names = {d["MetricName"] for d in data}
    assert metrics.LAST_RACE_RUN not in names and metrics.LAST_RACE_IN_LAKE not in names


def test_published_metrics_reach_cloudwatch(settings, monkeypatch):
    monkeypatch.setattr(metrics, "lake_freshness", lambda dsn: Freshness((2023, 3), None, 3))
    sent = metrics.publish_run(settings, "unused", _summary(7))
    assert sent
    cloudwatch = aws.client("cloudwatch", settings)
    listed = cloudwatch.list_metrics(
        Namespace=metrics.NAMESPACE,
        Dimensions=[{"Name": metrics.DIMENSION, "Value": settings.raw_bucket}],
    )["Metrics"]
    assert {m["MetricName"] for m in listed} == {d["MetricName"] for d in sent}


def test_a_publishing_failure_does_not_fail_the_run(settings, monkeypatch):
    def broken(dsn):
        raise ConnectionError("ledger unreachable")

    monkeypatch.setattr(metrics, "lake_freshness", broken)
    assert metrics.publish_run(settings, "unused", _summary(7)) == []


def test_freshness_is_the_ledgers_last_race_run_against_the_last_processed(pg_dsn):
    from datetime import UTC, date, datetime

    from f1lake.keys import raw_key
    from f1lake.ledger.models import RaceRef
    from f1lake.ledger.store import Ledger

    with Ledger(pg_dsn, migrate=True) as ledger:
        ledger.upsert_races(
            RaceRef(2023, r, f"Race {r}", date(2023, 3, 1 + 7 * r)) for r in (1, 2, 3, 4)
        )
        for r in (1, 2):
            key = raw_key("results", 2023, r, datetime(2023, 6, 1, tzinfo=UTC), "a" * 64)
            ledger.record_ingestion(
                season=2023, round_=r, endpoint="results", raw_key=key, payload_sha256="a" * 64
            )
            if r == 1:
                ledger.mark_processed(season=2023, round_=1, endpoint="results", raw_key=key)
    # on 2023-03-25 rounds 1-3 have been raced (round 4 is on the 29th); only round 1 is in
    # the lake, round 2 waits for processing, round 3 was never ingested
    fresh = metrics.lake_freshness(pg_dsn, datetime(2023, 3, 25, tzinfo=UTC))
    assert fresh == Freshness(last_run=(2023, 3), last_in_lake=(2023, 1), behind=2)
