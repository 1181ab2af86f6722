"""``f1lake up`` runs a real Airflow 3: its REST API on 127.0.0.1, the scheduler running the
DAGs that ``f1lake backfill`` and ``f1lake latest`` trigger, the metadata in the embedded
PostgreSQL; and SIGTERM stops all of it within 15 s."""

from __future__ import annotations

import json
import shutil
import signal
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from f1lake.local.airflow_api import AirflowApi
from f1lake.local.stack_state import read_info
from tests.local.procs import Running, await_no_processes, f1lake, running, source_args
from tests.pipeline.test_dags import csv_points
from tests.support.minidump import write_minidump


@pytest.fixture(scope="module")
def minidump(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_minidump(tmp_path_factory.mktemp("minidump"))


@pytest.fixture(scope="module")
def state_dir() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="f1lake-airflow-"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="module")
def up(minidump: Path, state_dir: Path) -> Iterator[Running]:
    with running(state_dir, "up", *source_args(minidump)) as stack:
        stack.wait_for("Ctrl-C or `f1lake down` stops the stack.", timeout=300)
        yield stack
    assert not await_no_processes(state_dir, 30)


@pytest.fixture(scope="module")
def api(up: Running, state_dir: Path) -> AirflowApi:
    info = read_info(state_dir)
    assert info is not None and info.airflow_url
    login = json.loads((state_dir / "airflow" / "passwords.json").read_text())
    return AirflowApi(info.airflow_url, "admin", login["admin"])


def test_the_ui_login_is_generated_private_and_printed(up, state_dir):
    path = state_dir / "airflow" / "passwords.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    password = json.loads(path.read_text())["admin"]
    assert len(password) >= 12 and password != "admin"
    assert f"login admin / {password}" in up.output


def test_airflow_lists_both_dags_on_the_embedded_postgresql(api, state_dir):
    assert {"f1_historical_backfill", "f1_latest_results"} <= set(api.dag_ids())
    assert not api.dag("f1_latest_results")["is_paused"]
    info = read_info(state_dir)
    assert info is not None and info.airflow_url.startswith("http://127.0.0.1:")
    env = Path(f"/proc/{info.process_groups[-1]}/environ").read_bytes().split(b"\0")
    conn = next(v for v in env if v.startswith(b"AIRFLOW__DATABASE__SQL_ALCHEMY_CONN="))
    assert conn.split(b"=", 1)[1].startswith(b"postgresql+psycopg2://postgres@/airflow?host=")


@pytest.mark.timeout(1200)
def test_backfill_and_latest_run_through_the_scheduler(api, minidump, state_dir):
    done = f1lake(state_dir, "backfill", "--season", "2022", timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    runs = api.runs("f1_historical_backfill")
    assert any(r.conf.get("season") == 2022 and r.state == "success" for r in runs)
    table = f1lake(
        state_dir,
        "sql",
        "SELECT driver_id, sum(points) AS points FROM results WHERE season = '2022' "
        "GROUP BY driver_id",
        "--format",
        "json",
    )
    assert table.returncode == 0, table.stderr
    got = {row["driver_id"]: row["points"] for row in json.loads(table.stdout)}
    assert got == pytest.approx(csv_points(minidump, 2022, [1, 2, 3]))

    before = {r.run_id for r in api.runs("f1_latest_results")}
    latest = f1lake(state_dir, "latest", timeout=600)
    assert latest.returncode == 0, latest.stdout + latest.stderr
    new = [r for r in api.runs("f1_latest_results") if r.run_id not in before]
    assert len(new) == 1 and new[0].state == "success"


def test_sigterm_stops_airflow_and_everything_else_within_15_seconds(up, state_dir):
    seconds = up.signal(signal.SIGTERM)
    assert seconds < 15
    left = await_no_processes(state_dir, 5)
    assert not left, f"left running: {left}"
