"""Airflow 3 for the local stack: its environment, its metadata database, its components.

``f1lake up`` runs Airflow as production does: the api-server (UI and REST API on
127.0.0.1), scheduler, dag-processor and triggerer, each its own process with the
LocalExecutor, and the metadata database in the stack's embedded PostgreSQL (database
``airflow``, beside the ledger's). The UI login is generated on first start and kept, owner
only, in the state dir. One-shot runs (``f1lake run``, the tests) use the same environment
with ``dag.test()`` in process (:mod:`f1lake.local.airflow_runner`).
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import requests

from f1lake.local.moto_server import LOCAL_AWS_ENV
from f1lake.resources import DAGS_FOLDER
from f1lake.settings import Settings

COMPONENTS = ("api-server", "scheduler", "dag-processor", "triggerer")
ADMIN_USER = "admin"
START_TIMEOUT_SECONDS = 180.0


def airflow_environment(
    settings: Settings,
    ledger_dsn: str,
    airflow_home: Path,
    *,
    metadata_url: str | None = None,
    api_port: int | None = None,
) -> dict[str, str]:
    """Environment for an Airflow process (or ``dag.test()``) wired to this stack.

    ``metadata_url``: Airflow's metadata database (default: SQLite in ``airflow_home``, for
    in-process runs whose Airflow configuration is fixed at first import). ``api_port``: the
    api-server's port, for the running components.
    """
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
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": metadata_url
        or f"sqlite:///{airflow_home / 'airflow.db'}",
        "AIRFLOW_CONN_AWS_DEFAULT": json.dumps(aws_conn),
        "AIRFLOW_CONN_F1LAKE_LEDGER": json.dumps(postgres_connection(ledger_dsn)),
    }
    if api_port is not None:
        env.update(_service_environment(airflow_home, api_port))
    for name, value in settings.model_dump(exclude_none=True).items():
        if name not in {"aws_endpoint_url", "aws_region", "ledger_dsn"}:
            env[f"F1LAKE_{name.upper()}"] = str(value)
    return env


def _service_environment(airflow_home: Path, api_port: int) -> dict[str, str]:
    """What the separate components need to agree on: executor, tokens, the login."""
    secrets_file = _owner_only_json(
        airflow_home / "secrets.json",
        lambda: {"jwt_secret": secrets.token_urlsafe(32), "api_secret": secrets.token_urlsafe(32)},
    )
    base = f"http://127.0.0.1:{api_port}"
    return {
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        "AIRFLOW__CORE__PARALLELISM": "4",
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{base}/execution/",
        "AIRFLOW__API__BASE_URL": base,
        "AIRFLOW__API__HOST": "127.0.0.1",
        "AIRFLOW__API__PORT": str(api_port),
        "AIRFLOW__API_AUTH__JWT_SECRET": secrets_file["jwt_secret"],
        "AIRFLOW__API__SECRET_KEY": secrets_file["api_secret"],
        "AIRFLOW__CORE__AUTH_MANAGER": (
            "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager"
        ),
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": f"{ADMIN_USER}:admin",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(login_file(airflow_home)),
        # Both DAGs run as soon as they are parsed: the latest DAG on its schedule, the
        # backfill when triggered (a paused DAG would queue its runs forever).
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
        "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "30",
        "AIRFLOW__LOGGING__LOGGING_LEVEL": "WARNING",
    }


def login_file(airflow_home: Path) -> Path:
    return airflow_home / "passwords.json"


def admin_password(airflow_home: Path) -> str:
    """The UI's admin password: generated on first use, kept owner-only in the state dir."""
    data = _owner_only_json(
        login_file(airflow_home), lambda: {ADMIN_USER: secrets.token_urlsafe(12)}
    )
    return str(data[ADMIN_USER])


def _owner_only_json(path: Path, make: object) -> dict[str, str]:
    if path.exists():
        return json.loads(path.read_text())
    path.parent.mkdir(parents=True, exist_ok=True)
    data = make()  # type: ignore[operator]
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(data, handle)
    return data


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


def _airflow_command() -> str:
    return str(Path(sys.executable).with_name("airflow"))


def migrate_airflow_db(env: dict[str, str]) -> None:
    """Create or upgrade Airflow's metadata database (idempotent; skipped when current).

    The marker names the database it was made for, so a new metadata database is migrated.
    """
    home = Path(env["AIRFLOW_HOME"])
    marker = home / ".migrated"
    target = env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]
    if marker.exists() and marker.read_text() in ("", target):
        return
    home.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        [_airflow_command(), "db", "migrate"],
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    if done.returncode != 0:
        raise RuntimeError(f"airflow db migrate failed:\n{done.stderr[-2000:]}")
    marker.write_text(target)


@dataclass
class AirflowServices:
    """The running components; each is a process group of its own, logging to AIRFLOW_HOME."""

    env: dict[str, str]
    url: str
    processes: dict[str, subprocess.Popen[bytes]]

    @property
    def process_groups(self) -> list[int]:
        return [p.pid for p in self.processes.values()]

    def dead(self) -> list[str]:
        return [name for name, p in self.processes.items() if p.poll() is not None]

    def stop(self, grace: float = 10.0) -> None:
        from f1lake.local.stack_state import stop_process_groups

        stop_process_groups(self.process_groups, grace)
        for proc in self.processes.values():
            proc.wait()


def start_services(env: dict[str, str], api_port: int) -> AirflowServices:
    """Start the four components and wait until the api-server and scheduler are healthy."""
    home = Path(env["AIRFLOW_HOME"])
    logs = home / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    processes: dict[str, subprocess.Popen[bytes]] = {}
    full_env = {**os.environ, **env, "PYTHONWARNINGS": "ignore"}
    try:
        for component in COMPONENTS:
            args = [_airflow_command(), component]
            if component == "api-server":
                args += ["--host", "127.0.0.1", "--port", str(api_port)]
            log = (logs / f"{component}.log").open("ab")
            processes[component] = subprocess.Popen(
                args,
                env=full_env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            log.close()
        services = AirflowServices(env, f"http://127.0.0.1:{api_port}", processes)
        _await_healthy(services, logs)
    except BaseException:
        from f1lake.local.stack_state import stop_process_groups

        stop_process_groups([p.pid for p in processes.values()], 5.0)
        raise
    return services


def _await_healthy(services: AirflowServices, logs: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if dead := services.dead():
            raise RuntimeError(
                f"Airflow {', '.join(dead)} exited at start; see {logs}/{dead[0]}.log"
            )
        try:
            health = requests.get(f"{services.url}/api/v2/monitor/health", timeout=2).json()
        except (requests.RequestException, ValueError):
            health = {}
        scheduler = health.get("scheduler", {}).get("status")
        processor = health.get("dag_processor", {}).get("status")
        database = health.get("metadatabase", {}).get("status")
        if database == scheduler == "healthy" and processor in (None, "healthy"):
            return
        time.sleep(1)
    raise RuntimeError(
        f"Airflow did not become healthy in {START_TIMEOUT_SECONDS:.0f} s; see {logs}"
    )


def await_dags(url: str, user: str, password: str, timeout: float = START_TIMEOUT_SECONDS) -> None:
    """Wait until the dag-processor has parsed every DAG file, so a trigger finds its DAG."""
    from f1lake.local.airflow_api import AirflowApi

    wanted = {path.stem for path in DAGS_FOLDER.glob("*.py") if not path.name.startswith("_")}
    api = AirflowApi(url, user, password)
    deadline = time.monotonic() + timeout
    while not wanted <= set(api.dag_ids()):
        if time.monotonic() > deadline:
            raise RuntimeError(f"Airflow did not list {sorted(wanted)} in {timeout:.0f} s")
        time.sleep(1)
