"""The scheduled DAG after the stewards revise a race that was already ingested: the run inside
the revision window fetches the race again, writes the changed payloads beside the old ones,
and the lake (and the checks over it) follow the revision."""

from __future__ import annotations

from datetime import UTC, datetime

from f1lake.local.airflow_runner import run_dag
from f1lake.local.airflow_services import airflow_environment, migrate_airflow_db
from tests.conftest import AIRFLOW_HOME
from tests.faults.conftest import LAST_ROUND, REPLAY_TODAY, SEASON, assert_converged

LATEST = "f1_latest_results"


def test_latest_dag_picks_up_a_revised_result_and_the_lake_follows(
    rig, revised_baseline, monkeypatch
):
    rig.backfill()  # the race is in the lake as first published
    before = rig.raw_keys()
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
    written = {ep: n for ep, n in result.returns["summary"]["written"].items() if n}
    assert written == {"results": 1, "driver_standings": 1, "constructor_standings": 1}
    assert result.returns["checks"]["passed"] is True
    assert before < rig.raw_keys()  # written beside the first version, never over it
    assert_converged(rig, revised_baseline.outcome)
