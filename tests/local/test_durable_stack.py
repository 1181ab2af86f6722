"""The local stack as a place to live: the lake outlives the stack, a killed stack leaves
nothing running, and the next start needs no manual cleanup.

Every command runs as a user runs it, in its own process with nothing exported but the state
dir; what is left running is read from /proc.
"""

from __future__ import annotations

import json
import re
import shutil
import signal
import tempfile
from collections.abc import Iterator
from pathlib import Path
from urllib.request import urlopen

import pytest

from tests.local.procs import await_no_processes, f1lake, running, source_args
from tests.pipeline.test_dags import csv_points
from tests.support.minidump import write_minidump

SEASON = 2022
"""A past season of the test dump: complete, so a second run needs no API request at all."""
ROUNDS = [1, 2, 3]


@pytest.fixture(scope="module")
def minidump(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_minidump(tmp_path_factory.mktemp("minidump"))


@pytest.fixture
def state_dir() -> Iterator[Path]:
    """Outside pytest's basetemp (the embedded PostgreSQL's user needs to reach it)."""
    path = Path(tempfile.mkdtemp(prefix="f1lake-live-"))
    try:
        yield path
    finally:
        assert not await_no_processes(path, 30), "a test left processes running"
        shutil.rmtree(path, ignore_errors=True)


def standings(state_dir: Path) -> dict[str, float]:
    """``f1lake sql`` from a second shell: results-only points per driver, read from the lake."""
    done = f1lake(
        state_dir,
        "sql",
        "SELECT driver_id, sum(points) AS points FROM results "
        f"WHERE season = '{SEASON}' GROUP BY driver_id",
        "--format",
        "json",
    )
    assert done.returncode == 0, done.stderr
    return {row["driver_id"]: row["points"] for row in json.loads(done.stdout)}


@pytest.mark.timeout(1200)  # seven commands, each a process that starts a stack
def test_the_lake_outlives_stop_start_and_kill9_with_no_cleanup(minidump, state_dir):
    expected = csv_points(minidump, SEASON, ROUNDS)
    loaded = f1lake(state_dir, "backfill", "--season", str(SEASON), *source_args(minidump))
    assert loaded.returncode == 0, loaded.stdout + loaded.stderr
    assert not await_no_processes(state_dir), "the one-shot backfill left processes running"
    # long work is not silent: the budget first, then where each season stands
    out = loaded.stdout
    assert re.search(
        r"^budget: about \d+ API requests \(.*results \d+.*\); at .*, about ", out, re.M
    )
    assert re.search(rf"^  {SEASON}: \d+ raw objects written, \d+ processed \(3 races\)", out, re.M)
    assert "Warning" not in out + loaded.stderr and "{'" not in out  # no third-party noise

    # up, then read the lake from a second shell: no exports, no API request; `f1lake sql`
    # asks the stack's warm query service
    with running(state_dir, "up", "--no-airflow", *source_args(minidump)) as up:
        up.wait_for("Ctrl-C or `f1lake down` stops the stack.")
        assert standings(state_dir) == pytest.approx(expected)
        service = json.loads((state_dir / "stack.json").read_text())["query_url"]
        assert urlopen(f"{service}/health", timeout=10).status == 200
        seconds = up.signal(signal.SIGKILL)
    assert seconds < 5
    left = await_no_processes(state_dir)
    assert not left, f"kill -9 of `f1lake up` left processes running: {left}"
    with pytest.raises(OSError):  # the query service went with its owner
        urlopen(f"{service}/health", timeout=10)

    # the next start cleans up after the dead owner by itself and finds the same lake
    with running(state_dir, "up", "--no-airflow", *source_args(minidump)) as up:
        up.wait_for("Ctrl-C or `f1lake down` stops the stack.")
        assert "ledger vs lake" not in up.output  # nothing to repair: the lake was durable
        assert standings(state_dir) == pytest.approx(expected)
        status = f1lake(state_dir, "status")
        assert status.returncode == 0, status.stderr
        row = next(
            line for line in status.stdout.splitlines() if line.strip().startswith(str(SEASON))
        )
        cells = row.split()  # season, races, run, last run, last in lake, ...
        assert (cells[1], cells[4]) == ("3", "3")
        busy = f1lake(state_dir, "up", "--no-airflow", *source_args(minidump), timeout=60)
        assert busy.returncode == 2 and "already running" in busy.stderr
        seconds = up.signal(signal.SIGTERM)
    assert seconds < 15
    assert not await_no_processes(state_dir)

    # the main job again: nothing fetched, the same standings
    again = f1lake(state_dir, "run", "--season", str(SEASON), *source_args(minidump))
    assert again.returncode == 0, again.stdout + again.stderr
    assert "Traceback" not in again.stderr, again.stderr
    assert re.search(r"API requests: 0$", again.stdout, re.M), again.stdout[-500:]
    table = again.stdout.split("driver standings", 1)[1]
    lines = table.strip().splitlines()
    header = [c.strip() for c in next(x for x in lines if x.startswith("| season")).split("|")]
    first = next(line for line in lines if line.startswith("| 2022"))
    leader = first.split("|")[header.index("driver_id")].strip()
    assert leader == max(expected, key=expected.__getitem__)


def test_commands_that_need_a_stack_say_so_in_one_line(state_dir):
    for args in (["status"], ["check"], ["dashboard"], ["crawl"]):
        done = f1lake(state_dir, *args, timeout=60)
        assert done.returncode == 2, args
        assert done.stderr.count("\n") == 1 and done.stderr.startswith("error: "), done.stderr
        assert "f1lake up" in done.stderr
    down = f1lake(state_dir, "down", timeout=60)
    assert down.returncode == 0 and "no local stack is running" in down.stdout


def raw_objects(state_dir: Path) -> int:
    """Raw objects the lake holds right now (read from its file, as the stack runs)."""
    import sqlite3

    path = state_dir / "lake.sqlite"
    if not path.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=1) as db:
            (count,) = db.execute(
                "SELECT count(*) FROM objects WHERE bucket = 'f1lake-raw'"
            ).fetchone()
    except sqlite3.Error:
        return 0
    return int(count)


@pytest.mark.timeout(1200)
def test_a_backfill_killed_mid_ingestion_converges_on_the_rerun(minidump, state_dir):
    import subprocess
    import time

    from tests.local.procs import F1LAKE, cli_env

    expected = csv_points(minidump, SEASON, ROUNDS)
    args = [F1LAKE, "backfill", "--season", str(SEASON), *source_args(minidump)]
    proc = subprocess.Popen(args, env=cli_env(state_dir), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)  # fmt: skip
    deadline = time.monotonic() + 300
    while raw_objects(state_dir) < 3 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert proc.poll() is None, "the backfill ended before it could be killed"
    proc.kill()  # SIGKILL: no handler runs, the guardian stops the services
    proc.wait()
    assert not await_no_processes(state_dir), "a SIGKILLed backfill left processes running"

    again = f1lake(state_dir, "backfill", "--season", str(SEASON), *source_args(minidump))
    assert again.returncode == 0, again.stdout + again.stderr
    with running(state_dir, "up", "--no-airflow", *source_args(minidump)) as up:
        up.wait_for("Ctrl-C or `f1lake down` stops the stack.")
        assert standings(state_dir) == pytest.approx(expected)
        status = f1lake(state_dir, "status")
        assert status.returncode == 0, status.stderr
        assert "ledger vs lake: ledger and lake agree" in status.stdout, status.stdout
        row = next(s for s in status.stdout.splitlines() if s.strip().startswith(str(SEASON)))
        assert row.split()[6:8] == ["0", "0"], status.stdout  # nothing pending, nothing failed
        up.signal(signal.SIGTERM)
