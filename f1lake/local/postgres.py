"""Embedded PostgreSQL (the ``pgserver`` wheel): a real server, no root, unix socket only."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def embedded_postgres(data_dir: Path, *, cleanup: bool = False) -> Iterator[str]:
    """Start (or reuse) a PostgreSQL cluster in ``data_dir``; yields a libpq DSN.

    The server listens on a unix socket in its data directory, never on TCP, so nothing is
    exposed beyond this machine. ``cleanup`` removes the cluster afterwards (tests).
    """
    import pgserver

    data_dir.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(data_dir, cleanup_mode="delete" if cleanup else "stop")
    try:
        yield server.get_uri()
    finally:
        server.cleanup()
