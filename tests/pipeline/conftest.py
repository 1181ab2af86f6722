"""The local stack over the test dump, with Airflow wired to it, for DAG runs via dag.test()."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from f1lake.local.airflow_services import migrate_airflow_db
from f1lake.local.stack import LocalStack, local_stack
from f1lake.settings import Settings
from tests.conftest import AIRFLOW_HOME, unique_names
from tests.support.minidump import MINIDUMP_TODAY, write_minidump


@dataclass
class Stack:
    stack: LocalStack
    csv_dir: Path

    @property
    def settings(self) -> Settings:
        return self.stack.settings

    @property
    def dsn(self) -> str:
        return self.stack.ledger_dsn


@pytest.fixture(scope="session")
def minidump(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_minidump(tmp_path_factory.mktemp("minidump"))


@pytest.fixture
def state_dir() -> Iterator[Path]:
    """The stack's state folder (embedded PostgreSQL inside), outside pytest's basetemp: a
    concurrent pytest run resets that tree's permissions, which the server's user needs."""
    path = Path(tempfile.mkdtemp(prefix="f1lake-state-"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def stack(minidump: Path, state_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Stack]:
    """A fresh local stack (moto, PostgreSQL, replay API, Lambda runner) per test."""
    for name in [k for k in os.environ if k.startswith("F1LAKE_")]:
        monkeypatch.delenv(name)
    settings = Settings(state_dir=state_dir, rate_limit_per_second=50, **unique_names())
    with local_stack(
        settings,
        csv_dir=minidump,
        today=MINIDUMP_TODAY,
        airflow_home=AIRFLOW_HOME,
        runner_poll_seconds=1,
        runner_workers=1,  # one process starts faster; concurrency is test_local_services'
    ) as up:
        for name, value in up.airflow_env.items():
            monkeypatch.setenv(name, value)
        migrate_airflow_db(up.airflow_env)
        yield Stack(up, minidump)
