"""Pipeline stages on the local stack: a retried ingest, and reading the processor's progress."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from f1lake.catalog import crawl
from f1lake.endpoints import LAPS, RESULTS
from f1lake.ledger import Ledger
from f1lake.ledger.models import EventKind
from f1lake.local.lambda_runner import LambdaRunner
from f1lake.local.provision import provision
from f1lake.pipeline.budget import plan_budget
from f1lake.pipeline.ingest import RunInfo, ingest_season
from f1lake.pipeline.load import await_processing
from f1lake.pipeline.plan import plan_backfill
from f1lake.pipeline.plan_rules import race_pages
from f1lake.pipeline.progress import ProcessingProgress, Written
from f1lake.query.local import run_file, run_query
from f1lake.replay.faults import FaultConfig, FaultRule
from f1lake.replay.server import Faults, replay_api
from f1lake.resources import SQL_ROOT
from f1lake.settings import Settings
from tests.pipeline.test_dags import keys, pages, rows_of
from tests.processing.factories import (
    T0,
    envelope,
    key_for,
    put_raw,
    race,
    simple_results,
)
from tests.support.minidump import MINIDUMP_TODAY


def put(settings: Settings, round_: int, winner: str, later_days: int = 0) -> Written:
    """A raw results object of 2023 on the raw bucket, as the ingest report names it."""
    env = envelope(RESULTS, race(2023, round_, simple_results(winner)), T0 + timedelta(later_days))
    key = put_raw(settings, env)
    return Written("results", 2023, round_, key, env["f1lake"]["payload_sha256"])


def test_progress_tells_processed_rejected_and_pending_apart_in_bulk(settings: Settings):
    provision(settings, visibility_timeout=1, max_receive_count=2)
    runner = LambdaRunner(settings)
    done = put(settings, 1, "ascari")
    poison_key = key_for(envelope(RESULTS, race(2023, 2, simple_results())))
    put_raw(settings, b"{ not json", poison_key)
    poison = Written("results", 2023, 2, poison_key, "0" * 64)
    assert runner.run_until_idle(timeout=60).idle
    not_yet = put(settings, 3, "farina")  # written, not processed yet
    newer = put(settings, 1, "fangio", later_days=1)  # round 1's Parquet is from `done`

    progress = ProcessingProgress(settings).check([done, poison, not_yet, newer])

    assert progress.processed == [done]
    [(rejected, record)] = progress.rejected
    assert rejected == poison and record["kind"] == "not_json"
    assert progress.pending == [not_yet, newer]

    runner.run_until_idle(timeout=60)
    after = ProcessingProgress(settings).check(progress.pending)
    assert after.processed == [not_yet, newer]
    assert after.pending == []


def test_a_retried_ingest_reports_its_earlier_writes_without_writing_them_again(stack):
    settings, dsn = stack.settings, stack.dsn
    [plan] = plan_backfill(settings, dsn, 2023)
    run = RunInfo("f1_historical_backfill", "run-1")

    first = ingest_season(settings, dsn, plan, run)
    raw = keys(settings, settings.raw_bucket)
    again = ingest_season(settings, dsn, plan, run)  # the task's retry

    assert keys(settings, settings.raw_bucket) == raw
    assert [r.written for r in again] == [r.written for r in first]
    assert all(r.unchanged == [] for r in again)
    with Ledger(dsn) as ledger:
        kinds = {e.event for e in ledger.history(2023)}
    assert EventKind.SKIPPED_UNCHANGED not in kinds
    waited = await_processing(settings, dsn, again)
    assert sorted(waited["processed"]) == sorted(raw)

    other = ingest_season(settings, dsn, plan, RunInfo("f1_historical_backfill", "2"))
    assert all(r.written == [] for r in other)  # another run: unchanged, as before
    assert sum(len(r.unchanged) for r in other) == len(raw)


def test_lap_times_are_fetched_only_when_asked_and_land_in_laps_with_every_timing(stack):
    """Counted at the replay: a backfill without laps sends no laps request; one with laps
    states their cost in its budget, then fetches exactly the race's pages."""
    laps_requests = Faults(FaultConfig(rules=(FaultRule("slow", "*/laps*", delay=0),)))
    with replay_api(stack.csv_dir, today=MINIDUMP_TODAY, faults=laps_requests) as url:
        settings = stack.settings.model_copy(update={"api_base_url": url})
        dsn, run = stack.dsn, RunInfo("f1_historical_backfill", "laps-1")
        [plain] = plan_backfill(settings, dsn, 2023, round_=3)
        first = ingest_season(settings, dsn, plain, run)
        assert laps_requests.injected["slow"] == 0
        assert plain.work["pit_stops"] == [3] and plain.work["laps"] == []
        assert "laps" not in plan_budget(plain.work, len(plain.targets))

        [with_laps] = plan_backfill(settings, dsn, 2023, round_=3, laps=True)
        assert {ep: w for ep, w in with_laps.work.items() if w} == {"laps": [3]}
        assert plan_budget(with_laps.work, 1) == {"laps": race_pages(LAPS)}
        second = ingest_season(settings, dsn, with_laps, run)

    source = rows_of(stack.csv_dir, "lap_times", 2023, [3])
    assert laps_requests.injected["slow"] == pages(len(source))
    await_processing(settings, dsn, [*first, *second])
    crawl(settings)
    counts = run_query(settings, "SELECT season, round, count(*) AS n FROM laps GROUP BY 1, 2")
    assert counts.values.tolist() == [["2023", 3, len(source)]]

    positions = run_file(settings, SQL_ROOT / "lap_positions.sql", {"season": 2023, "round": 3})
    got = positions[["lap", "position"]].astype(str).values.tolist()
    assert got == [[r["lap"], r["position"]] for r in source]
    assert (positions.loc[positions["position"] == 1, "gap_seconds"] == 0).all()
    pace = run_file(settings, SQL_ROOT / "race_pace.sql", {"season": 2023, "round": 3})
    laps_run = Counter(r["driverId"] for r in source)
    assert sorted(pace["laps"]) == sorted(laps_run.values())
    assert pace["pace_gap_seconds"].min() == 0 and pace["driver_name"].notna().all()
