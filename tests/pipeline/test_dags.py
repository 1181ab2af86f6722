"""Both DAGs through real Airflow (dag.test()) against the local stack over the test dump."""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

import pytest

from f1lake.aws import client
from f1lake.ledger import Ledger
from f1lake.local.airflow_runner import run_dag
from f1lake.mainjob import STANDINGS_SQL
from f1lake.query.engine import run_file, run_query
from f1lake.settings import Settings
from tests.support.minidump import MINIDUMP_COMPLETED_ROUNDS

COMPLETED = {season: list(range(1, n + 1)) for season, n in MINIDUMP_COMPLETED_ROUNDS.items()}

BACKFILL = "f1_historical_backfill"
LATEST = "f1_latest_results"


def keys(settings: Settings, bucket: str) -> dict[str, str]:
    """Every object of a bucket with its ETag, to see what a run added or rewrote."""
    s3 = client("s3", settings)
    found: dict[str, str] = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for obj in page.get("Contents", []):
            found[obj["Key"]] = obj["ETag"]
    return found


def history_size(dsn: str, season: int) -> int:
    with Ledger(dsn) as ledger:
        return len(ledger.history(season))


def csv_points(csv_dir: Path, season: int, rounds: list[int]) -> dict[str, float]:
    """Each driver's points in the dump's own rows: what the SQL must reproduce."""
    races = {
        r["raceId"]: int(r["round"])
        for r in csv.DictReader((csv_dir / "races.csv").open())
        if int(r["year"]) == season and int(r["round"]) in rounds
    }
    drivers = {
        d["driverId"]: d["driverRef"] for d in csv.DictReader((csv_dir / "drivers.csv").open())
    }
    points: dict[str, float] = defaultdict(float)
    for row in csv.DictReader((csv_dir / "results.csv").open()):
        if row["raceId"] in races:
            points[drivers[row["driverId"]]] += float(row["points"])
    return dict(points)


def result_rows(csv_dir: Path, season: int, rounds: list[int]) -> int:
    races = {
        r["raceId"]
        for r in csv.DictReader((csv_dir / "races.csv").open())
        if int(r["year"]) == season and int(r["round"]) in rounds
    }
    return sum(
        1 for row in csv.DictReader((csv_dir / "results.csv").open()) if row["raceId"] in races
    )


def test_backfill_lands_a_season_from_api_to_sql(stack):
    result = run_dag(BACKFILL, {"season": 2023})

    assert result.succeeded, result
    completed = COMPLETED[2023]
    with Ledger(stack.dsn) as ledger:
        ingestions = ledger.ingestions(2023)
        assert {(i.endpoint, i.round) for i in ingestions} == {
            (e, r) for e in ("races", "results") for r in completed
        }
        assert {i.state for i in ingestions} == {"processed"}
        assert {i.dag_run_id for i in ingestions} == {result.run_id}
    standings = run_file(stack.settings, STANDINGS_SQL, {"season": 2023})
    got = dict(zip(standings["driver_id"], standings["points"], strict=True))
    assert got == pytest.approx(csv_points(stack.csv_dir, 2023, completed))
    assert list(standings["points"]) == sorted(standings["points"], reverse=True)
    summary = result.returns["summary"]
    # current/last + schedule in the plan, the schedule again for the races endpoint, and
    # 110 result rows on two pages of 100: five requests, not one per race.
    assert summary["api_requests"] == 5
    assert summary["written"] == {"races": 5, "results": 5}


def test_second_backfill_fetches_and_writes_nothing_and_force_rewrites_without_duplicates(stack):
    season, rounds = 2022, COMPLETED[2022]
    assert run_dag(BACKFILL, {"season": season}).succeeded
    raw, processed = (
        keys(stack.settings, stack.settings.raw_bucket),
        keys(stack.settings, stack.settings.processed_bucket),
    )
    events = history_size(stack.dsn, season)
    first = run_query(stack.settings, "SELECT count(*) AS n FROM results WHERE season = 2022")

    again = run_dag(BACKFILL, {"season": season})

    assert again.succeeded
    assert again.returns["summary"]["api_requests"] == 0
    assert keys(stack.settings, stack.settings.raw_bucket) == raw
    assert keys(stack.settings, stack.settings.processed_bucket) == processed
    assert history_size(stack.dsn, season) == events

    forced = run_dag(BACKFILL, {"season": season, "force": True})

    assert forced.succeeded
    raw_after = keys(stack.settings, stack.settings.raw_bucket)
    assert len(raw_after) == 2 * len(raw)  # a re-ingest writes beside, never over
    assert set(raw) < set(raw_after)
    assert set(keys(stack.settings, stack.settings.processed_bucket)) == set(processed)
    n = run_query(stack.settings, "SELECT count(*) AS n FROM results WHERE season = 2022")
    assert int(n["n"][0]) == int(first["n"][0]) == result_rows(stack.csv_dir, season, rounds)
    dupes = run_query(
        stack.settings,
        "SELECT round, driver_id, entry, count(*) AS c FROM results "
        "GROUP BY round, driver_id, entry HAVING count(*) > 1",
    )
    assert dupes.empty


def test_backfill_of_one_round(stack):
    result = run_dag(BACKFILL, {"season": 2023, "round": 2})

    assert result.succeeded
    with Ledger(stack.dsn) as ledger:
        assert {(i.endpoint, i.round) for i in ledger.ingestions(2023)} == {
            ("races", 2),
            ("results", 2),
        }


def test_backfill_rejects_bad_params(stack):
    from airflow.sdk.definitions.param import ParamValidationError

    with pytest.raises(ParamValidationError, match="1950"):
        run_dag(BACKFILL, {"season": 1949})
    with pytest.raises(ParamValidationError, match="season"):
        run_dag(BACKFILL, {})


def test_backfill_fails_clearly_on_a_round_the_season_lacks(stack, caplog):
    result = run_dag(BACKFILL, {"season": 2023, "round": 99})

    assert result.state == "failed"
    with Ledger(stack.dsn) as ledger:
        assert ledger.ingestions(2023) == []


def test_latest_results_picks_up_new_races_then_does_nothing(stack):
    first = run_dag(LATEST)

    assert first.succeeded
    with Ledger(stack.dsn) as ledger:
        assert sorted(i.round for i in ledger.ingestions(2023, "results")) == COMPLETED[2023]
    raw = keys(stack.settings, stack.settings.raw_bucket)

    second = run_dag(LATEST)

    assert second.succeeded
    assert second.returns["plan"]["up_to_date"] is True
    assert second.returns["plan"]["requests"] == 1
    assert "summary" not in second.returns  # short-circuited: nothing downstream ran
    assert keys(stack.settings, stack.settings.raw_bucket) == raw
