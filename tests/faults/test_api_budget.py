"""The hourly budget against a server that counts like Jolpica: one window shared by every
client, and a 429 that never says when to come back. Windows are scaled to seconds."""

from __future__ import annotations

import logging
import os

import requests

from f1lake.replay.faults import FaultConfig, RateLimit
from tests.faults.conftest import assert_converged, database, make_rig


def _spend(url: str, n: int) -> list[int]:
    """Another client of the same address: ``n`` requests, the codes they got."""
    with requests.Session() as other:
        return [other.get(f"{url}/seasons.json", timeout=10).status_code for _ in range(n)]


def test_a_backfill_of_twice_the_budget_waits_for_the_window_and_is_refused_at_most_once(
    moto_endpoint, pg_cluster, minidump, tmp_path, caplog
):
    """The backfill's API part (plan, then every endpoint's ingestion: what spends the
    budget); the processing after it spends none and is left out to keep the test short."""
    window = 10.0
    jolpica = FaultConfig(rate_limit=RateLimit(50, 60, window=window), jolpica=True)
    name = "budget_" + os.urandom(3).hex()
    with (
        database(pg_cluster, name) as dsn,
        make_rig(
            moto_endpoint, dsn, minidump, tmp_path / "state", jolpica,
            rate_limit_per_hour=60, rate_limit_window_seconds=window, rate_limit_margin=0,
            api_page_size=4,  # small pages: about 120 requests for the season
        ) as rig,
        caplog.at_level(logging.WARNING, logger="f1lake.ergast"),
    ):  # fmt: skip
        plans = rig.plan()
        reports = rig.ingest(plans)
        arrivals = list(rig.faults.arrivals)  # as the server saw them

    sent = [t for t, _ in arrivals]
    refused = sum(1 for _, no in arrivals if no)
    admitted = [t for t, no in arrivals if not no]
    requests_ = sum(p.requests for p in plans) + sum(r.requests for r in reports)
    assert 100 <= len(sent) <= 120 and len(sent) == requests_
    assert refused <= 1
    busiest = max(sum(1 for t in admitted if start <= t < start + window) for start in admitted)
    assert busiest <= 60  # the server never saw more than the budget in a window
    assert window <= sent[-1] - sent[0] < 2 * window  # waited once, done in two windows
    waits = [line for line in caplog.text.splitlines() if "60 of 60 requests used" in line]
    assert len(waits) == 1  # and said so, once
    assert all(r.written for r in reports if r.endpoint == "results")


def test_a_budget_spent_by_another_client_is_waited_out_without_a_retry_storm(
    rig, baseline, monkeypatch
):
    # Jolpica's behaviour: a 3-second "hour" of 30 requests for the whole address, 429s with
    # no Retry-After. Another client has just spent it all.
    window = 3.0
    rig.faults.configure(FaultConfig(rate_limit=RateLimit(30, 30, window=window), jolpica=True))
    assert _spend(rig.settings.api_base_url, 31)[-1] == 429
    refused_before = rig.faults.injected["rate_limit"]
    rig.settings = rig.settings.model_copy(update={"rate_limit_window_seconds": window})

    summary = rig.backfill()

    # the old client gave up after 6 quick attempts; this one backs off until the window
    # has turned over, a handful of requests, then carries on
    refused = rig.faults.injected["rate_limit"] - refused_before
    assert 1 <= refused <= 8
    assert_converged(rig, baseline.outcome)
    assert summary["api_requests"] == baseline.summary["api_requests"] + refused
