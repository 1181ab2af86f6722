"""Embedded PostgreSQL (the ``pgserver`` wheel): a real server, no root, unix socket only."""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

LEDGER_DATABASE = "f1lake"
AIRFLOW_DATABASE = "airflow"


@contextmanager
def embedded_postgres(data_dir: Path, *, cleanup: bool = False) -> Iterator[str]:
    """Start (or reuse) a PostgreSQL cluster in ``data_dir``; yields a libpq DSN.

    The server listens on a unix socket in its data directory, never on TCP, so nothing is
    exposed beyond this machine. ``cleanup`` removes the cluster afterwards (tests).
    """
    pgserver = _pgserver()
    data_dir.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(data_dir, cleanup_mode="delete" if cleanup else "stop")
    try:
        yield server.get_uri()
    finally:
        server.cleanup()


def _pgserver() -> Any:
    """pgserver, imported without platformdirs' warning about an unset XDG_RUNTIME_DIR (its
    fallback under /tmp is what we want: that is where pgserver keeps its lock file)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pgserver
    logging.getLogger("pgserver").setLevel(logging.WARNING)
    return pgserver


@dataclass(frozen=True)
class Cluster:
    """A running embedded cluster: the server's DSN, its postmaster's PID, and its databases."""

    uri: str
    pid: int
    data_dir: Path

    def dsn(self, database: str) -> str:
        """The libpq URI of one database of the cluster."""
        parts = urlsplit(self.uri)
        return urlunsplit(parts._replace(path=f"/{database}"))

    @property
    def socket_dir(self) -> str:
        from urllib.parse import parse_qs

        return parse_qs(urlsplit(self.uri).query)["host"][0]

    def sqlalchemy_url(self, database: str) -> str:
        """The SQLAlchemy URL of one database (Airflow's ``sql_alchemy_conn``)."""
        return f"postgresql+psycopg2://postgres@/{database}?host={self.socket_dir}"


def start_cluster(data_dir: Path, databases: tuple[str, ...] = (LEDGER_DATABASE,)) -> Cluster:
    """Start the durable cluster of a local stack (created on first use) with ``databases``.

    The caller stops it (:func:`f1lake.local.stack_state.stop_postgres`); pgserver is told to
    leave it running, so it does not decide from its own bookkeeping of handle PIDs.
    """
    import psycopg2

    pgserver = _pgserver()
    data_dir.mkdir(parents=True, exist_ok=True)
    # pgserver caches one handle per data dir and process; a stack stopped and started again in
    # one process (the tests) needs a fresh one, as the old postmaster is gone.
    pgserver.PostgresServer._instances.pop(data_dir.resolve(), None)
    server = pgserver.get_server(data_dir, cleanup_mode=None)
    pid = server.get_pid()
    assert pid is not None
    cluster = Cluster(server.get_uri(), pid, data_dir)
    conn = psycopg2.connect(cluster.dsn("postgres"))
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            for name in databases:
                cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
                if cur.fetchone() is None:
                    cur.execute(f'CREATE DATABASE "{name}"')
    finally:
        conn.close()
    return cluster
