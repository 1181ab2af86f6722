"""Versioned SQL migrations of the ledger schema, applied idempotently.

Files ``NNNN_name.sql`` in ``f1lake/ledger/migrations`` are applied in version order, each in
its own transaction together with its row in ``schema_migrations``, so a failed migration leaves
nothing half-applied. A session advisory lock serialises concurrent migrators (two DAG tasks
starting at once): the second waits, then finds nothing to do. An applied migration whose file
has since changed is refused rather than silently diverging: add a new migration instead.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

import psycopg2

from f1lake.ledger.connection import connect

_FILE_RE = re.compile(r"^(?P<version>\d{4})_(?P<name>[a-z0-9_]+)\.sql$")
LOCK_KEY = int.from_bytes(hashlib.sha256(b"f1lake.ledger.migrate").digest()[:8], "big", signed=True)
"""pg_advisory_lock key shared by every migrator of the ledger."""

_CREATE_TABLE = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    version     text        PRIMARY KEY CHECK (version ~ '^[0-9]{4}$'),
    name        text        NOT NULL,
    checksum    text        NOT NULL CHECK (checksum ~ '^[0-9a-f]{64}$'),
    applied_at  timestamptz NOT NULL DEFAULT now()
)
"""


class MigrationError(RuntimeError):
    """The migrations on disk and in the database disagree, or a migration file is malformed."""


@dataclass(frozen=True)
class Migration:
    version: str
    name: str
    sql: str
    checksum: str
    path: Path


def default_directory() -> Path:
    return Path(str(files("f1lake.ledger") / "migrations"))


def load_migrations(directory: Path | None = None) -> list[Migration]:
    """Every migration in ``directory``, in version order; MigrationError on a stray .sql file."""
    directory = Path(directory) if directory is not None else default_directory()
    if not directory.is_dir():
        raise MigrationError(f"migrations directory not found: {directory}")
    found: dict[str, Migration] = {}
    for path in sorted(directory.glob("*.sql")):
        m = _FILE_RE.match(path.name)
        if not m:
            raise MigrationError(
                f"migration file {path.name!r} is not named NNNN_name.sql "
                "(four-digit version, lowercase name)"
            )
        # Line endings normalised so a CRLF checkout does not count as an edited migration.
        sql = path.read_bytes().decode("utf-8").replace("\r\n", "\n")
        if not sql.strip():
            raise MigrationError(f"migration file {path.name!r} is empty")
        if m["version"] in found:
            raise MigrationError(
                f"two migrations share version {m['version']}: "
                f"{found[m['version']].path.name} and {path.name}"
            )
        checksum = hashlib.sha256(sql.encode()).hexdigest()
        found[m["version"]] = Migration(m["version"], m["name"], sql, checksum, path)
    return [found[v] for v in sorted(found)]


def migrate(dsn: str, *, directory: Path | None = None) -> list[str]:
    """Apply every not-yet-applied migration; returns the versions applied by this call."""
    migrations = load_migrations(directory)
    conn = connect(dsn, application_name="f1lake-ledger-migrate")
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT pg_advisory_lock(%s)", (LOCK_KEY,))
        conn.commit()
        try:
            with conn, conn.cursor() as cur:
                cur.execute(_CREATE_TABLE)
            pending = _pending(conn, migrations)
            applied_now: list[str] = []
            for migration in pending:
                try:
                    with conn, conn.cursor() as cur:
                        cur.execute(migration.sql)
                        cur.execute(
                            "INSERT INTO schema_migrations (version, name, checksum) "
                            "VALUES (%s, %s, %s)",
                            (migration.version, migration.name, migration.checksum),
                        )
                except Exception as exc:
                    raise MigrationError(
                        f"migration {migration.path.name} failed and was rolled back: {exc}"
                    ) from exc
                applied_now.append(migration.version)
            return applied_now
        finally:
            _unlock(conn)
    finally:
        conn.close()


def _unlock(conn) -> None:
    # Closing the session releases the lock too, so a broken connection needs no unlock.
    try:
        conn.rollback()
        with conn.cursor() as cur:
            cur.execute("SELECT pg_advisory_unlock(%s)", (LOCK_KEY,))
        conn.commit()
    except psycopg2.Error:
        pass


def applied_versions(conn) -> dict[str, tuple[str, str]]:
    """version -> (name, checksum) of the migrations recorded in the database ({} if none)."""
    with conn.cursor() as cur:
        cur.execute("SELECT to_regclass('schema_migrations') IS NOT NULL")
        if not cur.fetchone()[0]:
            return {}
        cur.execute("SELECT version, name, checksum FROM schema_migrations ORDER BY version")
        return {v: (n, c) for v, n, c in cur.fetchall()}


def unapplied(conn, directory: Path | None = None) -> list[str]:
    """Versions this code knows that the database lacks (MigrationError on a changed file)."""
    return [m.version for m in _pending(conn, load_migrations(directory))]


def _pending(conn, migrations: list[Migration]) -> list[Migration]:
    applied = applied_versions(conn)
    conn.rollback()
    known = {m.version: m for m in migrations}
    unknown = sorted(set(applied) - set(known))
    if unknown:
        raise MigrationError(
            f"the database has migrations this code does not know ({', '.join(unknown)}); "
            "it was migrated by a newer f1lake - upgrade before using it"
        )
    for version, (name, checksum) in applied.items():
        migration = known[version]
        if checksum != migration.checksum:
            raise MigrationError(
                f"migration {version}_{name} was applied with checksum {checksum[:12]}..., "
                f"but {migration.path.name} now has {migration.checksum[:12]}...; applied "
                "migrations must not be edited - revert the file and add a new migration"
            )
    return [m for m in migrations if m.version not in applied]
