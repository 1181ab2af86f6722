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
