"""Opening a PostgreSQL connection for the ledger from whatever DSN form the caller holds."""

from __future__ import annotations

import re

import psycopg2
from psycopg2.extensions import connection as PgConnection

_DRIVER_SUFFIX = re.compile(r"^(postgres(?:ql)?)\+[a-z0-9_]+://", re.IGNORECASE)


def normalise_dsn(dsn: str) -> str:
    """Accept libpq URIs and key=value strings, plus SQLAlchemy's ``postgresql+psycopg2://``.

    pgserver's ``postgresql://postgres:@/postgres?host=/tmp/x`` (empty host, socket directory in
    the query) is already a valid libpq URI and passes through unchanged.
    """
    if not isinstance(dsn, str) or not dsn.strip():
        raise ValueError("ledger DSN is empty; set F1LAKE_LEDGER_DSN or pass a PostgreSQL DSN")
    return _DRIVER_SUFFIX.sub(lambda m: f"{m[1]}://", dsn.strip(), count=1)


def connect(dsn: str, *, application_name: str = "f1lake-ledger") -> PgConnection:
    """A new psycopg2 connection with the session in UTC, so timestamps come back tz-aware UTC."""
    try:
        conn = psycopg2.connect(
            normalise_dsn(dsn), application_name=application_name, connect_timeout=30
        )
    except psycopg2.OperationalError as exc:
        raise ConnectionError(f"cannot connect to the ledger database: {exc}".strip()) from exc
    with conn.cursor() as cur:
        cur.execute("SET TIME ZONE 'UTC'")
    conn.commit()
    return conn
