"""The ledger's PostgreSQL restarting in the middle of a backfill, and two backfills of the same
season at once: each ends with the lake and the ledger of one fault-free run."""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from f1lake.ledger import Ledger
from f1lake.local.postgres import embedded_postgres
from f1lake.replay.faults import FaultConfig, parse_rule
from tests.faults.conftest import SEASON, assert_converged, make_rig


def pg_ctl(data: Path, *args: str) -> None:
    from pgserver._commands import pg_ctl as run  # the wheel's own pg_ctl, as it starts it

    run(list(args), pgdata=data, user="pgserver" if os.geteuid() == 0 else None, timeout=30)


def restart(data: Path, dsn: str) -> None:
    """Stop the server (fast: sessions are cut) and start it again on the same socket."""
    sockets = parse_qs(urlsplit(dsn).query)["host"][0]
    pg_ctl(data, "-w", "-m", "fast", "stop")
    time.sleep(0.5)  # down for a moment, as in a failover or a restart after an upgrade
    pg_ctl(data, "-w", "-o", '-h ""', "-o", f"-k {sockets}", "-l", str(data / "log"), "start")


@pytest.fixture
def own_postgres(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """A PostgreSQL of this test alone, since the test restarts it."""
    data = tmp_path / "pg"
    with embedded_postgres(data, cleanup=True) as dsn:
        try:
            yield data, dsn
        finally:
            # the restarted server is not the one pgserver started: stop it here
            with contextlib.suppress(Exception):  # already stopped
                pg_ctl(data, "-w", "-m", "fast", "stop")


def test_a_postgres_restart_mid_backfill_is_retried_and_a_rerun_converges(
    moto_endpoint, own_postgres, minidump, tmp_path, baseline
):
    data, dsn = own_postgres
    slow = FaultConfig(rules=(parse_rule("slow:delay=0.8,path=2023/qualifying*,first=1"),))
    with make_rig(moto_endpoint, dsn, minidump, tmp_path / "state", slow) as rig:
        errors: list[BaseException] = []
        summaries: list[dict[str, Any]] = []

        def backfill() -> None:
            try:
                summaries.append(rig.backfill())
            except BaseException as exc:
                errors.append(exc)

        run = threading.Thread(target=backfill)
        run.start()
        deadline = time.monotonic() + 60
        while not rig.faults.injected["slow"] and time.monotonic() < deadline:
            time.sleep(0.02)
        assert rig.faults.injected["slow"], "the backfill never reached qualifying"
        restart(data, dsn)  # while the ingest of qualifying waits for the API
        run.join(120)

        assert not errors, f"the backfill failed on the restart: {errors[0]!r}"
        assert summaries[0]["written"]["qualifying"] == 5
        again = rig.backfill(run="run-2")  # the re-run finds everything done
        assert not any(again["written"].values())
        assert again["api_requests"] == again["requests_by_endpoint"]["plan"]
        assert_converged(rig, baseline.outcome)


def test_two_backfills_of_one_season_at_once_write_each_object_once(rig, baseline):
    # both runs page the API at the same pace, so they reach each write together
    rig.faults.configure(FaultConfig(rules=(parse_rule("slow:delay=0.2,path=2023/*"),)))
    start = threading.Barrier(2)
    results: dict[str, Any] = {}

    def backfill(run: str) -> None:
        try:
            start.wait(10)
            plans = rig.plan()
            results[run] = rig.ingest(plans, run=run)
        except BaseException as exc:
            results[run] = exc

    threads = [threading.Thread(target=backfill, args=(f"run-{n}",)) for n in (1, 2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    failed = {run: r for run, r in results.items() if isinstance(r, BaseException)}
    assert not failed, failed

    reports = results["run-1"] + results["run-2"]
    rig.finish(reports)

    written = [w.raw_key for r in reports for w in r.written]
    assert len(written) == len(set(written)) == baseline.raw_objects  # one write per object
    assert len(rig.raw_keys()) == baseline.raw_objects
    with Ledger(rig.dsn) as ledger:
        runs = {i.dag_run_id for i in ledger.ingestions(SEASON)}
        unchanged = [e for e in ledger.history(SEASON) if e.event.value == "skipped_unchanged"]
    assert runs <= {"run-1", "run-2"}
    assert len(unchanged) == baseline.raw_objects  # the other run found each one there
    assert_converged(rig, baseline.outcome)
