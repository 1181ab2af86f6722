"""Versioned migrations on a real PostgreSQL: from scratch, re-runs, concurrency, tampering."""

from __future__ import annotations

import hashlib
import re
import shutil
import threading
from pathlib import Path

import psycopg2
import pytest

from f1lake.ledger import Ledger, MigrationError, connect, load_migrations, migrate
from f1lake.ledger.schema import default_directory

LEDGER_TABLES = {"processed_races", "race_ingestions", "ingestion_events", "schema_migrations"}


def _tables(dsn: str) -> set[str]:
    with connect(dsn) as conn, conn.cursor() as cur:
        cur.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        return {r[0] for r in cur.fetchall()}


def _catalog_snapshot(dsn: str) -> tuple:
    """Columns, constraints, indexes and the migration log: any change to the schema shows."""
    conn = connect(dsn)
    try:
        with conn.cursor() as cur:
            cur.execute(
                "SELECT table_name, column_name, data_type, is_nullable, column_default "
                "FROM information_schema.columns WHERE table_schema = 'public' ORDER BY 1, 2"
            )
            columns = cur.fetchall()
            cur.execute(
                "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
                "FROM pg_constraint WHERE connamespace = 'public'::regnamespace ORDER BY 1, 2"
            )
            constraints = cur.fetchall()
            cur.execute("SELECT indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1")
            indexes = cur.fetchall()
            cur.execute("SELECT * FROM schema_migrations ORDER BY version")
            log = cur.fetchall()
        return columns, constraints, indexes, log
    finally:
        conn.close()


def _copy_migrations(tmp_path: Path) -> Path:
    target = tmp_path / "migrations"
    shutil.copytree(default_directory(), target)
    return target


def test_migrate_from_scratch_creates_the_ledger_and_logs_each_version(pg_dsn):
    shipped = load_migrations()
    assert shipped, "the package ships no migrations"

    applied = migrate(pg_dsn)

    assert applied == [m.version for m in shipped]
    assert _tables(pg_dsn) >= LEDGER_TABLES
    with connect(pg_dsn) as conn, conn.cursor() as cur:
        cur.execute("SELECT version, name, checksum FROM schema_migrations ORDER BY version")
        logged = cur.fetchall()
    on_disk = [
        (m.version, m.name, hashlib.sha256(m.path.read_bytes()).hexdigest()) for m in shipped
    ]
    assert logged == on_disk


def test_rerunning_migrate_applies_nothing_and_changes_nothing(pg_dsn):
    migrate(pg_dsn)
    before = _catalog_snapshot(pg_dsn)

    assert migrate(pg_dsn) == []
    assert migrate(pg_dsn) == []

    assert _catalog_snapshot(pg_dsn) == before


def test_concurrent_migrators_apply_each_migration_once(pg_dsn, tmp_path):
    directory = _copy_migrations(tmp_path)
    # A slow extra migration widens the window in which an unserialised migrator would collide.
    (directory / "9001_slow.sql").write_text(
        "SELECT pg_sleep(0.3);\nCREATE TABLE slow_marker (id int PRIMARY KEY);\n"
    )
    versions = [m.version for m in load_migrations(directory)]
    start = threading.Barrier(4)
    results: list[list[str]] = []
    errors: list[BaseException] = []

    def run() -> None:
        start.wait()
        try:
            results.append(migrate(pg_dsn, directory=directory))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == []
    assert sorted(results, key=len) == [[], [], [], versions]
    with connect(pg_dsn) as conn, conn.cursor() as cur:
        cur.execute("SELECT version FROM schema_migrations ORDER BY version")
        assert [r[0] for r in cur.fetchall()] == versions


def test_edited_applied_migration_is_refused_and_nothing_else_is_applied(pg_dsn, tmp_path):
    directory = _copy_migrations(tmp_path)
    migrate(pg_dsn, directory=directory)
    first = load_migrations(directory)[0]
    first.path.write_text(first.sql + "\nCREATE TABLE sneaky (id int);\n")
    (directory / "9002_later.sql").write_text("CREATE TABLE later (id int);\n")

    with pytest.raises(MigrationError, match=re.escape(first.path.name)):
        migrate(pg_dsn, directory=directory)

    assert "later" not in _tables(pg_dsn)
    assert "sneaky" not in _tables(pg_dsn)


def test_line_ending_changes_do_not_count_as_edits(pg_dsn, tmp_path):
    directory = _copy_migrations(tmp_path)
    migrate(pg_dsn, directory=directory)
    for path in directory.glob("*.sql"):
        path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))

    assert migrate(pg_dsn, directory=directory) == []


def test_new_migration_is_applied_on_top_of_existing_ones(pg_dsn, tmp_path):
    directory = _copy_migrations(tmp_path)
    migrate(pg_dsn, directory=directory)
    (directory / "9003_add_note.sql").write_text(
        "ALTER TABLE processed_races ADD COLUMN note text;\n"
    )

    assert migrate(pg_dsn, directory=directory) == ["9003"]
    with connect(pg_dsn) as conn, conn.cursor() as cur:
        cur.execute("SELECT note FROM processed_races")  # the column exists now
    assert migrate(pg_dsn, directory=directory) == []


def test_failing_migration_is_rolled_back_whole(pg_dsn, tmp_path):
    directory = _copy_migrations(tmp_path)
    (directory / "9004_broken.sql").write_text(
        "CREATE TABLE half_done (id int);\nALTER TABLE no_such_table ADD COLUMN x int;\n"
    )

    with pytest.raises(MigrationError, match=r"9004_broken\.sql.*no_such_table"):
        migrate(pg_dsn, directory=directory)

    assert "half_done" not in _tables(pg_dsn)
    # the earlier migrations committed on their own and are not re-applied
    (directory / "9004_broken.sql").unlink()
    assert migrate(pg_dsn, directory=directory) == []


def test_database_migrated_by_newer_code_is_refused(pg_dsn, tmp_path):
    directory = _copy_migrations(tmp_path)
    (directory / "9005_future.sql").write_text("CREATE TABLE future (id int);\n")
    migrate(pg_dsn, directory=directory)

    with pytest.raises(MigrationError, match="9005"):
        migrate(pg_dsn)
    with pytest.raises(MigrationError, match="9005"):
        Ledger(pg_dsn)


def test_badly_named_migration_file_is_refused(tmp_path):
    directory = _copy_migrations(tmp_path)
    (directory / "add_thing.sql").write_text("SELECT 1;\n")

    with pytest.raises(MigrationError, match=r"add_thing\.sql"):
        load_migrations(directory)


def test_ledger_on_unmigrated_database_says_how_to_fix_it(pg_dsn):
    with pytest.raises(MigrationError, match=r"migrate\(dsn\)"):
        Ledger(pg_dsn)

    with Ledger(pg_dsn, migrate=True) as ledger:
        assert ledger.seasons() == []


def test_connect_accepts_pgserver_uri_keyword_and_sqlalchemy_forms(pg_dsn):
    assert "?host=" in pg_dsn  # the pgserver form: empty host, socket directory in the query
    params = psycopg2.extensions.parse_dsn(pg_dsn)
    keyword = " ".join(f"{k}={v}" for k, v in params.items() if v)
    sqlalchemy = pg_dsn.replace("postgresql://", "postgresql+psycopg2://", 1)

    for dsn in (pg_dsn, keyword, sqlalchemy):
        conn = connect(dsn)
        try:
            with conn.cursor() as cur:
                cur.execute("SELECT current_database(), current_setting('TimeZone')")
                assert cur.fetchone() == (params["dbname"], "UTC")
        finally:
            conn.close()


def test_connect_to_nothing_names_the_problem(tmp_path):
    with pytest.raises(ConnectionError, match="ledger database"):
        connect(f"postgresql://postgres:@/postgres?host={tmp_path}")
    with pytest.raises(ValueError, match="DSN is empty"):
        connect("")
