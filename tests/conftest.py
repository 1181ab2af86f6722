"""Shared fixtures: real servers (moto on 127.0.0.1, embedded PostgreSQL), each stopped after use."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psycopg2
import pytest

from f1lake.local.moto_server import LOCAL_AWS_ENV, moto_server
from f1lake.local.postgres import embedded_postgres
from f1lake.resources import DAGS_FOLDER
from f1lake.settings import Settings

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
AIRFLOW_HOME = Path(tempfile.mkdtemp(prefix="f1lake-airflow-"))


def pytest_configure(config: pytest.Config) -> None:
    """Airflow reads its configuration once, at first import: give the session its own home."""
    os.environ["AIRFLOW_HOME"] = str(AIRFLOW_HOME)
    os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
    # as the stack sets it: a test may import Airflow before a stack runs (airflow.settings
    # fixes the DAGs folder at import)
    os.environ["AIRFLOW__CORE__DAGS_FOLDER"] = str(DAGS_FOLDER)
    os.environ["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] = f"sqlite:///{AIRFLOW_HOME / 'airflow.db'}"


def pytest_unconfigure(config: pytest.Config) -> None:
    shutil.rmtree(AIRFLOW_HOME, ignore_errors=True)


def shared_path(*parts: str) -> Path:
    """A path under ../shared/data; skips the test cleanly when the folder is absent."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"reference data not present: {path}")
    return path


@pytest.fixture(scope="session", autouse=True)
def _local_aws_credentials() -> Iterator[None]:
    """Dummy AWS credentials for every test, so no test can reach a real account."""
    saved = {k: os.environ.get(k) for k in LOCAL_AWS_ENV}
    os.environ.update(LOCAL_AWS_ENV)
    yield
    for k, v in saved.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    """URL of a moto server on 127.0.0.1, shared by the session (tests use unique names)."""
    with moto_server() as url:
        yield url


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[str]:
    """DSN of an embedded PostgreSQL for the session.

    Its data folder lives outside pytest's basetemp, which a concurrent pytest run may prune.
    """
    data = Path(tempfile.mkdtemp(prefix="f1lake-pg-"))
    try:
        with embedded_postgres(data, cleanup=True) as dsn:
            yield dsn
    finally:
        shutil.rmtree(data, ignore_errors=True)


@pytest.fixture
def pg_dsn(pg_cluster: str, request: pytest.FixtureRequest) -> Iterator[str]:
    """A fresh, empty database per test on the session's PostgreSQL."""
    name = "t_" + "".join(c if c.isalnum() else "_" for c in request.node.name.lower())[:50]
    admin = psycopg2.connect(pg_cluster)
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cur.execute(f'CREATE DATABASE "{name}"')
    dsn = _with_dbname(pg_cluster, name)
    try:
        yield dsn
    finally:
        with admin.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def _with_dbname(dsn: str, dbname: str) -> str:
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(dsn)
    return urlunsplit(parts._replace(path=f"/{dbname}"))


def unique_names() -> dict[str, str]:
    """Bucket, queue and database names of one test.

    Tests share one moto server (and its backends) per session, so they keep apart by name.
    """
    suffix = os.urandom(4).hex()
    return {
        "raw_bucket": f"raw-{suffix}",
        "processed_bucket": f"processed-{suffix}",
        "quarantine_bucket": f"quarantine-{suffix}",
        "queue_name": f"raw-events-{suffix}",
        "glue_database": f"f1lake_{suffix}",
    }


@pytest.fixture
def settings(moto_endpoint: str, tmp_path: Path) -> Settings:
    """Settings for the local stack with unique bucket names per test."""
    return Settings(aws_endpoint_url=moto_endpoint, state_dir=tmp_path / "state", **unique_names())
