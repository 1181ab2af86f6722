"""Both DAGs through real Airflow (dag.test()) against the local stack over the test dump."""

from __future__ import annotations

import csv
import math
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

import pytest

from f1lake.aws import client
from f1lake.ledger import Ledger
from f1lake.local.airflow_runner import run_dag
from f1lake.mainjob import CONSTRUCTOR_STANDINGS_SQL, DRIVER_STANDINGS_SQL, STANDINGS_SQL
from f1lake.pipeline import metrics
from f1lake.query.local import run_file, run_query
from f1lake.replay.server import replay_api
from f1lake.resources import SQL_ROOT
from f1lake.settings import Settings
from tests.support.minidump import MINIDUMP_COMPLETED_ROUNDS, MINIDUMP_SCHEDULED_ROUNDS

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


def rows_of(csv_dir: Path, table: str, season: int, rounds: list[int]) -> list[dict[str, str]]:
    races = {
        r["raceId"]
        for r in csv.DictReader((csv_dir / "races.csv").open())
        if int(r["year"]) == season and int(r["round"]) in rounds
    }
    return [
        row for row in csv.DictReader((csv_dir / f"{table}.csv").open()) if row["raceId"] in races
    ]


def pages(rows: int) -> int:
    return max(math.ceil(rows / 100), 1)


def minimum_requests(csv_dir: Path, season: int, rounds: list[int]) -> dict[str, int]:
    """The requests a fresh season backfill needs, from the dump's own row counts.

    plan: the season list, the schedule (reused by the races endpoint) and which rounds have
    results (the latest season); per-race endpoints page the season at 100 rows, pit stops
    each race's (the API has them per race only; lap times too: not asked for); standings
    after the last round; one page per dimension.
    """
    people = rows_of(csv_dir, "results", season, rounds) + rows_of(
        csv_dir, "sprint_results", season, rounds
    )
    return {
        "plan": 3,
        "races": 0,
        "results": pages(len(rows_of(csv_dir, "results", season, rounds))),
        "sprint": pages(len(rows_of(csv_dir, "sprint_results", season, rounds))),
        "qualifying": pages(len(rows_of(csv_dir, "qualifying", season, rounds))),
        "pit_stops": sum(pages(len(rows_of(csv_dir, "pit_stops", season, [r]))) for r in rounds),
        "laps": 0,
        "driver_standings": pages(len(rows_of(csv_dir, "driver_standings", season, rounds[-1:]))),
        "constructor_standings": pages(
            len(rows_of(csv_dir, "constructor_standings", season, rounds[-1:]))
        ),
        "drivers": pages(len({r["driverId"] for r in people})),
        "constructors": pages(len({r["constructorId"] for r in people})),
        "circuits": 1,
        "status": 1,
    }


def sprint_rounds(csv_dir: Path, season: int, rounds: list[int]) -> set[int]:
    by_id = {
        r["raceId"]: int(r["round"])
        for r in csv.DictReader((csv_dir / "races.csv").open())
        if int(r["year"]) == season
    }
    return {by_id[r["raceId"]] for r in rows_of(csv_dir, "sprint_results", season, rounds)}


def expected_objects(csv_dir: Path, season: int, rounds: list[int]) -> set[tuple[str, int | None]]:
    calendar = {("races", r) for r in range(1, MINIDUMP_SCHEDULED_ROUNDS[season] + 1)}
    every_race = calendar | {(e, r) for e in ("results", "qualifying") for r in rounds}
    sprints = {("sprint", r) for r in sprint_rounds(csv_dir, season, rounds)}
    sprints |= {("pit_stops", r) for r in rounds if rows_of(csv_dir, "pit_stops", season, [r])}
    standings = {("driver_standings", rounds[-1]), ("constructor_standings", rounds[-1])}
    dims = {(e, None) for e in ("drivers", "constructors", "circuits", "status")}
    return every_race | sprints | standings | dims


def test_backfill_lands_every_endpoint_from_api_to_sql_at_the_minimum_request_count(stack):
    result = run_dag(BACKFILL, {"season": 2023})

    assert result.succeeded, result
    completed = COMPLETED[2023]
    with Ledger(stack.dsn) as ledger:
        ingestions = ledger.ingestions(2023)
        assert {(i.endpoint, i.round) for i in ingestions} == expected_objects(
            stack.csv_dir, 2023, completed
        )
        assert {i.state for i in ingestions} == {"processed"}
        assert {i.dag_run_id for i in ingestions} == {result.run_id}
        no_sprint = set(completed) - sprint_rounds(stack.csv_dir, 2023, completed)
        assert {(a.endpoint, a.round) for a in ledger.absences(2023)} == {
            ("sprint", r) for r in no_sprint
        }
    standings = run_file(stack.settings, STANDINGS_SQL, {"season": 2023})
    got = dict(zip(standings["driver_id"], standings["points"], strict=True))
    assert got == pytest.approx(csv_points(stack.csv_dir, 2023, completed))
    assert list(standings["points"]) == sorted(standings["points"], reverse=True)
    for table in ("sprint_results", "qualifying", "driver_standings", "drivers", "status"):
        n = run_query(stack.settings, f"SELECT count(*) AS n FROM {table} WHERE season = '2023'")
        assert int(n["n"][0]) > 0, table
    stops = rows_of(stack.csv_dir, "pit_stops", 2023, completed)
    n = run_query(stack.settings, "SELECT count(*) AS n FROM pit_stops WHERE season = '2023'")
    assert int(n["n"][0]) == len(stops)
    by_driver = run_file(stack.settings, SQL_ROOT / "pit_stops_by_driver.sql", {"season": 2023})
    assert int(by_driver["stops"].sum()) == len(stops) and by_driver["driver_name"].notna().all()
    fastest = run_file(stack.settings, SQL_ROOT / "fastest_pit_stops.sql", {"season": 2023})
    assert fastest["duration_millis"].iloc[0] == min(int(s["milliseconds"]) for s in stops)
    # drivers 19 and 21 (Ulric, Wren) swap teams after round 3: two spells each
    frostgate = run_file(
        stack.settings, SQL_ROOT / "team_drivers.sql", {"season": 2023, "constructor": "Frostgate"}
    )
    assert frostgate[["driver_id", "first_round", "last_round"]].values.tolist() == [
        ["vance", 1, 5], ["ulric", 1, 3], ["wren", 4, 5]
    ]  # fmt: skip
    career = run_file(stack.settings, SQL_ROOT / "driver_team_history.sql", {"driver": "Vito Wren"})
    assert career[["constructor_name", "first_round", "last_round"]].values.tolist() == [
        ["Glimmer", 1, 3], ["Frostgate", 4, 5]
    ]  # fmt: skip
    summary = result.returns["summary"]
    minimum = minimum_requests(stack.csv_dir, 2023, completed)
    assert summary["requests_by_endpoint"] == minimum
    assert summary["api_requests"] == sum(minimum.values())
    assert result.returns["checks"]["passed"] is True
    # the run published its figures where the AWS dashboard reads them (moto's CloudWatch)
    lake = [{"Name": metrics.DIMENSION, "Value": stack.settings.raw_bucket}]
    published = client("cloudwatch", stack.settings).list_metrics(
        Namespace=metrics.NAMESPACE, Dimensions=lake
    )["Metrics"]
    assert {metrics.API_REQUESTS, metrics.LAST_RACE_IN_LAKE} <= {m["MetricName"] for m in published}


def test_second_backfill_fetches_and_writes_nothing_and_force_rewrites_without_duplicates(stack):
    season, rounds = 2022, COMPLETED[2022]
    assert run_dag(BACKFILL, {"season": season}).succeeded
    raw, processed = (
        keys(stack.settings, stack.settings.raw_bucket),
        keys(stack.settings, stack.settings.processed_bucket),
    )
    events = history_size(stack.dsn, season)
    first = run_query(stack.settings, "SELECT count(*) AS n FROM results WHERE season = '2022'")

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
    n = run_query(stack.settings, "SELECT count(*) AS n FROM results WHERE season = '2022'")
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
            *((e, 2) for e in ("results", "qualifying", "sprint", "pit_stops")),
            *(("races", r) for r in range(1, MINIDUMP_SCHEDULED_ROUNDS[2023] + 1)),
            *((e, None) for e in ("drivers", "constructors", "circuits", "status")),
        }  # round 2 is the sprint weekend; standings are taken by a whole-season run;
        # the schedule is the whole calendar, so the season reads as one round run of seven
    assert result.returns["checks"]["passed"] is True


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
        assert ledger.races(2023) == []  # the request was refused before the schedule was written


def round_date(csv_dir: Path, season: int, round_: int) -> date:
    for r in csv.DictReader((csv_dir / "races.csv").open()):
        if (int(r["year"]), int(r["round"])) == (season, round_):
            return date.fromisoformat(r["date"])
    raise AssertionError(f"no race {season}-{round_} in the dump")


def test_latest_results_picks_up_new_races_refetches_standings_then_does_nothing(
    stack, monkeypatch
):
    last = COMPLETED[2023][-1]
    # the day after round 4: the API's last completed round is 4
    earlier = round_date(stack.csv_dir, 2023, last - 1) + timedelta(days=1)
    with replay_api(stack.csv_dir, today=earlier) as url:
        monkeypatch.setenv("F1LAKE_API_BASE_URL", url)
        first = run_dag(LATEST)
    monkeypatch.setenv("F1LAKE_API_BASE_URL", stack.settings.api_base_url)

    assert first.succeeded
    with Ledger(stack.dsn) as ledger:
        assert sorted(i.round for i in ledger.ingestions(2023, "results")) == COMPLETED[2023][:-1]
        assert [i.round for i in ledger.ingestions(2023, "driver_standings")] == [last - 1]
        assert ledger.ingestion(2023, None, "drivers").through_round == last - 1

    second = run_dag(LATEST)  # the replay of the stack: round 5 has been run since

    assert second.succeeded
    with Ledger(stack.dsn) as ledger:
        assert sorted(i.round for i in ledger.ingestions(2023, "results")) == COMPLETED[2023]
        for ep in ("driver_standings", "constructor_standings"):
            assert [i.round for i in ledger.ingestions(2023, ep)] == [last - 1, last]
        assert ledger.ingestion(2023, None, "drivers").through_round == last
    assert second.returns["summary"]["written"]["results"] == 1
    # round 5's results are in: the calendar is read again (one request), found unchanged,
    # and nothing of it is written again; every round of it was written by the first run
    assert second.returns["plan"]["requests"] == 3
    assert second.returns["summary"]["written"]["races"] == 0
    with Ledger(stack.dsn) as ledger:
        assert [i.round for i in ledger.ingestions(2023, "races")] == list(range(1, 8))
        assert {i.dag_run_id for i in ledger.ingestions(2023, "races")} == {first.run_id}
    raw = keys(stack.settings, stack.settings.raw_bucket)

    third = run_dag(LATEST)

    assert third.succeeded
    assert third.returns["plan"]["up_to_date"] is True
    # the season list, and which rounds have results: rounds 6 and 7 are dated before the
    # run's day but the replay (as of 1 September 2023) has none for them, so they are not
    # completed races (against the live API the run's day is the API's, and a race run but
    # not yet published is asked about the same way)
    assert third.returns["plan"]["requests"] == 2
    assert "summary" not in third.returns  # short-circuited: nothing downstream ran
    assert keys(stack.settings, stack.settings.raw_bucket) == raw


def test_backfill_of_a_range_of_seasons(stack):
    from airflow.sdk.definitions.param import ParamValidationError

    result = run_dag(BACKFILL, {"season": 2022, "season_to": 2023})

    assert result.succeeded, result
    with Ledger(stack.dsn) as ledger:
        for season in (2022, 2023):
            got = {(i.endpoint, i.round) for i in ledger.ingestions(season)}
            assert got == expected_objects(stack.csv_dir, season, COMPLETED[season])
    summary = result.returns["summary"]
    assert summary["seasons"] == [2022, 2023]
    # the season list for the range; per season its schedule and which rounds have results
    # (the two latest seasons the source has published may still lack some)
    assert summary["requests_by_endpoint"]["plan"] == 5
    assert [p["season"] for p in result.returns["plan"]] == [2022, 2023]

    backwards = run_dag(BACKFILL, {"season": 2023, "season_to": 2022})
    assert backwards.state == "failed"
    with pytest.raises(ParamValidationError):
        run_dag(BACKFILL, {"season": 2022, "season_to": 1949})


def test_a_season_in_progress_holds_its_whole_calendar_and_crowns_no_one_until_it_ends(
    stack, monkeypatch
):
    """2022 as the API saw it after round 2 (round 3 to run), then after its last round."""
    season, last = 2022, MINIDUMP_SCHEDULED_ROUNDS[2022]
    sql = stack.settings

    def champions() -> list[int]:
        found = run_file(sql, SQL_ROOT / "alltime_championships.sql", {})["seasons"]
        return sorted(int(s) for text in found for s in text.split(", "))

    after_round_2 = round_date(stack.csv_dir, season, last - 1) + timedelta(days=1)
    with replay_api(stack.csv_dir, today=after_round_2) as url:
        monkeypatch.setenv("F1LAKE_API_BASE_URL", url)
        first = run_dag(BACKFILL, {"season": season})
    monkeypatch.setenv("F1LAKE_API_BASE_URL", stack.settings.api_base_url)

    assert first.succeeded and first.returns["checks"]["passed"] is True
    races = run_query(sql, "SELECT round FROM races WHERE season = '2022' ORDER BY round")
    assert races["round"].tolist() == [1, 2, 3]  # the round still to run is in the lake
    calendar = run_file(sql, SQL_ROOT / "season_schedule.sql", {"season": season})
    assert calendar[["round", "run"]].values.tolist() == [[1, True], [2, True], [3, False]]
    for query in (DRIVER_STANDINGS_SQL, CONSTRUCTOR_STANDINGS_SQL):
        assert run_file(sql, query, {"season": season})["provisional"].all()
    assert champions() == []
    assert run_file(sql, SQL_ROOT / "champions.sql", {}).empty
    raw = keys(sql, sql.raw_bucket)

    again = run_dag(BACKFILL, {"season": season})  # the stack's replay: round 3 has been run

    assert again.succeeded and again.returns["checks"]["passed"] is True
    written = again.returns["summary"]["written"]
    assert written["results"] == 1 and not written.get("races")  # round 3's entry is unchanged
    assert {k for k in keys(sql, sql.raw_bucket) if k.startswith("races/")} == {
        k for k in raw if k.startswith("races/")
    }
    for query in (DRIVER_STANDINGS_SQL, CONSTRUCTOR_STANDINGS_SQL):
        assert not run_file(sql, query, {"season": season})["provisional"].any()
    assert champions() == [season]
