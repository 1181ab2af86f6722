"""The local stack: every service the pipeline needs, on one machine, started and stopped together.

moto (S3, SQS, Glue) on 127.0.0.1, an embedded PostgreSQL for the ledger (unless a DSN is given),
the offline replay API when a CSV dump is given, the Lambda runner polling the raw-events queue,
and an Airflow home whose connections point at all of them. moto, the replay API and the
runner are child processes, so they run beside Airflow's tasks instead of sharing their GIL.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from f1lake.ledger import migrate
from f1lake.local.moto_server import LOCAL_AWS_ENV, start_moto, use_local_aws_credentials
from f1lake.local.postgres import embedded_postgres
from f1lake.local.provision import provision
from f1lake.local.replay_service import start_replay
from f1lake.local.runner_service import RunnerService
from f1lake.settings import PROJECT_ROOT, Settings

log = logging.getLogger(__name__)

DAGS_FOLDER = PROJECT_ROOT / "airflow" / "dags"


@dataclass
class LocalStack:
    settings: Settings
    ledger_dsn: str
    runner: RunnerService
    airflow_env: dict[str, str] = field(default_factory=dict)


def airflow_environment(settings: Settings, ledger_dsn: str, airflow_home: Path) -> dict[str, str]:
    """Environment for an Airflow process (or ``dag.test()``) wired to this stack."""
    aws_extra = {"region_name": settings.aws_region}
    if settings.aws_endpoint_url:
        aws_extra["endpoint_url"] = settings.aws_endpoint_url
    aws_conn = {
        "conn_type": "aws",
        "login": os.environ.get("AWS_ACCESS_KEY_ID", LOCAL_AWS_ENV["AWS_ACCESS_KEY_ID"]),
        "password": os.environ.get("AWS_SECRET_ACCESS_KEY", LOCAL_AWS_ENV["AWS_SECRET_ACCESS_KEY"]),
        "extra": aws_extra,
    }
    env = {
        "AIRFLOW_HOME": str(airflow_home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS_FOLDER),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{airflow_home / 'airflow.db'}",
        "AIRFLOW_CONN_AWS_DEFAULT": json.dumps(aws_conn),
        "AIRFLOW_CONN_F1LAKE_LEDGER": json.dumps(postgres_connection(ledger_dsn)),
    }
    for name, value in settings.model_dump(exclude_none=True).items():
        if name not in {"aws_endpoint_url", "aws_region", "ledger_dsn"}:
            env[f"F1LAKE_{name.upper()}"] = str(value)
    return env


def postgres_connection(dsn: str) -> dict[str, object]:
    """An Airflow Postgres connection (JSON form) for a libpq URI, unix sockets included."""
    parts = urlsplit(dsn)
    query = parse_qs(parts.query)
    conn: dict[str, object] = {
        "conn_type": "postgres",
        "host": query.get("host", [parts.hostname or "localhost"])[0],
        "login": parts.username or "postgres",
        "schema": parts.path.lstrip("/") or "postgres",
    }
    if parts.password:
        conn["password"] = parts.password
    if parts.port:
        conn["port"] = parts.port
    return conn


def migrate_airflow_db(env: dict[str, str]) -> None:
    """Create or upgrade Airflow's metadata database (idempotent; skipped when current)."""
    home = Path(env["AIRFLOW_HOME"])
    marker = home / ".migrated"
    if marker.exists():
        return
    home.mkdir(parents=True, exist_ok=True)
    airflow = Path(sys.executable).with_name("airflow")
    subprocess.run(
        [str(airflow), "db", "migrate"],
        env={**os.environ, **env},
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    marker.touch()


@contextmanager
def local_stack(
    settings: Settings,
    *,
    csv_dir: Path | None = None,
    today: date | None = None,
    airflow_home: Path | None = None,
    runner_poll_seconds: int = 1,
    runner_workers: int = 1,
    runner_batch_size: int = 10,
) -> Iterator[LocalStack]:
    """Bring the stack up for the duration of the block, and everything down after it.

    ``runner_workers`` Lambda runner processes poll the queue (Lambda's concurrency), each
    invoking the handler with up to ``runner_batch_size`` messages (the mapping's batch size).
    """
    use_local_aws_credentials()
    state = settings.state_dir.resolve()
    state.mkdir(parents=True, exist_ok=True)
    with ExitStack() as stack:
        # moto and the replay API start side by side (each loads for a few seconds).
        moto = start_moto()
        stack.callback(moto.stop)
        replay = None
        if csv_dir is not None:
            replay = start_replay(csv_dir, today=today)
            stack.callback(replay.stop)
        # moto keeps its state in memory, so the ledger is made fresh with it: a ledger that
        # outlived its lake would claim races the lake no longer holds.
        dsn = settings.ledger_dsn or stack.enter_context(
            embedded_postgres(state / "postgres", cleanup=True)
        )
        overrides: dict[str, object] = {"aws_endpoint_url": moto.ready(), "state_dir": state}
        if replay is not None:
            overrides["api_base_url"] = replay.ready()
        overrides["ledger_dsn"] = dsn
        live = settings.model_copy(update=overrides)
        migrate(dsn)
        provision(live)
        runner = RunnerService(
            live,
            workers=runner_workers,
            wait_seconds=runner_poll_seconds,
            batch_size=runner_batch_size,
        )
        runner.start()
        stack.callback(runner.stop)
        env = airflow_environment(live, dsn, airflow_home or state / "airflow")
        yield LocalStack(live, dsn, runner, env)
