"""Revised results, found whenever the stewards publish them.

The scheduled DAG's run inside the revision window fetches the race again, writes the changed
payloads beside the old ones, and the lake (and the checks over it) follow the revision. A
revision published a month after its race, when that window has long passed, is found by the
verification DAG from the standings (two requests for an unchanged season, counted at the
replay server), which re-fetches only the revised race; the lake and the ledger's history
(``result_revisions``) show it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from f1lake.ledger import Ledger
from f1lake.local.airflow_runner import run_dag
from f1lake.local.airflow_services import airflow_environment, migrate_airflow_db
from f1lake.pipeline.ingest import RunInfo
from f1lake.pipeline.plan import plan_latest
from f1lake.pipeline.verify import plan_verify, verify_season
from f1lake.query.local import LocalEngine
from tests.conftest import AIRFLOW_HOME
from tests.faults.conftest import LAST_ROUND, REPLAY_TODAY, SEASON, assert_converged

LATEST = "f1_latest_results"
VERIFY = "f1_verify_results"
LATE_ROUND, LATE_RACE_DAY = 4, date(2023, 7, 9)
"""The minidump's round 4, seven weeks before the replay's day."""


def podium(rig, round_: int) -> list[tuple[str, int, float]]:
    with LocalEngine(rig.settings) as session:
        frame = session.run(
            f"SELECT driver_id, position, points FROM results WHERE season = '{SEASON}' "
            f"AND round = {round_} AND position <= 2 ORDER BY position"
        )
    return [(d, int(p), float(pts)) for d, p, pts in frame.itertuples(index=False)]


def written(result) -> dict[str, int]:
    return {ep: n for ep, n in result.returns["summary"]["written"].items() if n}


def verify_unchanged(rig) -> int:
    """The verification's steps on an unchanged lake: asserts nothing is written, returns the
    API requests they made (counted by the replay server)."""
    before = rig.faults.requests
    for plan in plan_verify(rig.dsn):
        reports = verify_season(rig.settings, rig.dsn, plan, RunInfo(VERIFY, "check"))
        assert [r.written for r in reports if r.written] == []
    return rig.faults.requests - before


def test_revisions_are_found_in_the_latest_window_and_later_by_the_verification(
    rig, revised_baseline, monkeypatch
):
    rig.backfill()  # the race is in the lake as first published
    before = rig.raw_keys()
    late_podium = podium(rig, LATE_ROUND)
    rig.faults.revise(SEASON, LAST_ROUND)  # then the first two finishers swap places
    env = airflow_environment(rig.settings, rig.dsn, AIRFLOW_HOME)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    migrate_airflow_db(env)
    rig.runner().start()  # the processor, polling while the DAG runs

    day = datetime.combine(REPLAY_TODAY, datetime.min.time(), UTC).replace(hour=9)
    result = run_dag(LATEST, run_after=day)

    assert result.succeeded, result
    assert result.returns["plan"]["recheck"] == [LAST_ROUND]
    assert written(result) == {"results": 1, "driver_standings": 1, "constructor_standings": 1}
    assert result.returns["checks"]["passed"] is True
    assert before < rig.raw_keys()  # written beside the first version, never over it
    assert_converged(rig, revised_baseline.outcome)

    # Verifying an unchanged season: its two standings, nothing written.
    assert verify_unchanged(rig) == 2

    # A month after round 4, its result is revised: the latest DAG's window has passed...
    rig.faults.revise(SEASON, LATE_ROUND)
    month_later = LATE_RACE_DAY + timedelta(days=30)
    assert plan_latest(rig.settings, rig.dsn, today=month_later).recheck == []
    wide = plan_latest(rig.settings, rig.dsn, revision_days=30, today=month_later)
    assert wide.recheck == [LATE_ROUND]  # (unless configured that wide)
    with Ledger(rig.dsn) as ledger:
        old = ledger.ingestion(SEASON, LATE_ROUND, "results")

    # ...the verification finds it and re-fetches only that race.
    found = run_dag(VERIFY, run_after=day + timedelta(days=1))

    assert found.succeeded, found
    assert written(found) == {"results": 1, "driver_standings": 1, "constructor_standings": 1}
    assert found.returns["checks"]["passed"] is True
    (first, first_pts), (second, second_pts) = [(d, pts) for d, _, pts in late_podium]
    assert podium(rig, LATE_ROUND) == [(second, 1, first_pts), (first, 2, second_pts)]
    with Ledger(rig.dsn) as ledger:
        now = ledger.ingestion(SEASON, LATE_ROUND, "results")
        revisions = {(r.endpoint, r.round): r for r in ledger.revisions(SEASON)}
    assert now.state.value == "processed" and now.payload_sha256 != old.payload_sha256
    revised = revisions[("results", LATE_ROUND)]
    assert (revised.before_sha256, revised.before_raw_key) == (old.payload_sha256, old.raw_key)
    assert (revised.after_sha256, revised.after_raw_key) == (now.payload_sha256, now.raw_key)
    assert revised.dag_id == VERIFY
    assert ("results", LAST_ROUND) in revisions  # the latest DAG's revision, too

    assert verify_unchanged(rig) == 2
