"""Loading one cataloged table from S3 into DuckDB: the local engine's only read of the lake.

Reading a table object by object made every process pay one request per race (1,143 for the
full history's ``results``). Instead the table's Parquet objects are mirrored in a local folder
keyed by their ETags (``LakeMirror``):

- one listing of the table's location (one request per 1,000 objects) says what the catalog's
  partitions hold now, with each object's ETag;
- only objects the mirror lacks at that ETag are fetched, in parallel, once per change;
- the table as DuckDB builds it (catalog types, partition columns) is kept as one Parquet file
  named by a digest of that state, so a warm process reads one local file, and a changed lake
  is a new digest: nothing stale can be read.

``table_state`` (what the table holds now) and ``load_table`` are the entry points, so how the
lake is read can change in this module alone.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
from botocore.exceptions import ClientError
from sqlglot import exp

from f1lake.catalog.glue_tables import GlueTable
from f1lake.query.dialect import duck_ident
from f1lake.query.errors import QueryError

log = logging.getLogger(__name__)

_FORMAT = 1  # bump when the consolidated file's layout changes: old digests then never match
_FETCH_WORKERS = 8
_ETAG_SAFE = re.compile(r"[^0-9A-Za-z-]")


@dataclass(frozen=True)
class LakeObject:
    """One data object of a cataloged partition, as the listing saw it."""

    bucket: str
    key: str
    etag: str
    values: tuple[str, ...]  # the partition's values, in key order


class LakeMirror:
    """A local folder of the lake's Parquet objects and consolidated tables, shared by every
    process of one state folder (writes are atomic renames, so concurrent readers are safe)."""

    def __init__(self, s3: Any, root: Path) -> None:
        self.s3 = s3
        self.root = root

    def load(
        self, con: duckdb.DuckDBPyConnection, table: GlueTable, objects: list[LakeObject]
    ) -> None:
        """Create a DuckDB table with the catalog's schema from ``objects`` (the listing of the
        table's cataloged partitions)."""
        if not objects:
            create_empty(con, table)
            return
        consolidated = self.root / "tables" / f"{table.name}-{_digest(table, objects)}.parquet"
        if not consolidated.is_file():
            self._consolidate(con, table, objects, consolidated)
        con.execute(
            f"CREATE TABLE {duck_ident(table.name)} AS "
            f"SELECT * FROM read_parquet({_sql_str(consolidated)})"
        )

    def listing(self, table: GlueTable) -> list[LakeObject]:
        """The objects Athena would read for the table's cataloged partitions: under a partition's
        location, not hidden (``_``/``.``), Parquet only; one listing of the table's location
        covers every partition under it."""
        partitions = {_as_prefix(loc): values for values, loc in table.partitions.items() if loc}
        table_prefix = _as_prefix(table.location) if table.location else None
        prefixes = {table_prefix} if table_prefix else set()
        prefixes |= {p for p in partitions if not (table_prefix and p.startswith(table_prefix))}
        found: list[LakeObject] = []
        for prefix in sorted(prefixes):
            bucket, key_prefix = _split(prefix)
            for key, etag in self._list(bucket, key_prefix):
                url = f"s3://{bucket}/{key}"
                owner = max((p for p in partitions if url.startswith(p)), key=len, default=None)
                if owner is None:
                    continue  # in no cataloged partition: invisible, as in Athena
                rel = url[len(owner) :]
                if any(part.startswith(("_", ".")) for part in rel.split("/")):
                    continue
                if not key.lower().endswith(".parquet"):
                    log.warning("skipping non-Parquet object in a table location: %s", url)
                    continue
                found.append(LakeObject(bucket, key, etag, partitions[owner]))
        return sorted(found, key=lambda o: (o.bucket, o.key))

    def _list(self, bucket: str, prefix: str) -> list[tuple[str, str]]:
        pages = self.s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
        return [
            (o["Key"], o["ETag"].strip('"'))
            for page in pages
            for o in page.get("Contents", [])
            if o.get("Size", 1) > 0
        ]

    def _consolidate(
        self,
        con: duckdb.DuckDBPyConnection,
        table: GlueTable,
        objects: list[LakeObject],
        target: Path,
    ) -> None:
        files = self._fetch(objects)
        parts = pa.table(
            {
                "__file": [str(files[o]) for o in objects],
                **{
                    key: [o.values[i] for o in objects]
                    for i, key in enumerate(table.partition_keys)
                },
            }
        )
        source = f"__parts_{table.name}"
        con.register(source, parts)
        try:
            data = f"read_parquet({_sql_list(files[o] for o in objects)}, filename = '__file', union_by_name = true)"
            try:
                present = {
                    row[0] for row in con.execute(f"DESCRIBE SELECT * FROM {data}").fetchall()
                }
            except duckdb.Error as exc:
                raise QueryError(
                    f"table {table.name!r}: cannot read {table.location}: {_first_line(exc)}"
                ) from None
            select = ", ".join(
                _column(c, t, "p" if c in table.partition_keys else "d" if c in present else None)
                for c, t in {**table.columns, **table.partition_keys}.items()
            )
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
            try:
                con.execute(
                    f"COPY (SELECT {select} FROM {data} AS d JOIN {duck_ident(source)} AS p "
                    f"USING (__file)) TO {_sql_str(tmp)} (FORMAT parquet)"
                )
            except duckdb.Error as exc:
                tmp.unlink(missing_ok=True)
                raise QueryError(
                    f"table {table.name!r}: data at {table.location} does not match the catalog "
                    f"schema: {_first_line(exc)}"
                ) from None
            os.replace(tmp, target)
        finally:
            con.unregister(source)
        for old in target.parent.glob(f"{table.name}-*.parquet"):
            if old != target:
                old.unlink(missing_ok=True)

    def _fetch(self, objects: list[LakeObject]) -> dict[LakeObject, Path]:
        """The local file of each object, fetching those the mirror lacks at their ETag."""
        files = {o: self._path(o) for o in objects}
        missing = [o for o, path in files.items() if not path.is_file()]
        if missing:
            with ThreadPoolExecutor(min(_FETCH_WORKERS, len(missing))) as pool:
                list(pool.map(self._get, missing))
        return files

    def _get(self, obj: LakeObject) -> None:
        try:
            got = self.s3.get_object(Bucket=obj.bucket, Key=obj.key, IfMatch=obj.etag)
            body = got["Body"].read()
        except ClientError as exc:
            raise QueryError(
                f"cannot read s3://{obj.bucket}/{obj.key}: {_first_line(exc)} (if it changed "
                "while being read, run the query again)"
            ) from None
        self.keep(obj.bucket, obj.key, obj.etag, body)

    def keep(self, bucket: str, key: str, etag: str, body: bytes) -> None:
        """Store an object's bytes as read at ``etag``; also for another reader of the lake
        (the local crawler reads each new object whole), so no query fetches it again."""
        path = self._path(LakeObject(bucket, key, etag, ()))
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".fetch-")
        with os.fdopen(fd, "wb") as out:
            out.write(body)
        os.replace(tmp, path)
        for stale in path.parent.glob(f"{path.name.rsplit('@', 1)[0]}@*"):
            if stale != path:
                stale.unlink(missing_ok=True)  # an older version of the same key

    def kept(self, bucket: str, key: str, etag: str) -> bytes | None:
        """The object's bytes at ``etag`` when the mirror holds them, else None."""
        try:
            return self._path(LakeObject(bucket, key, etag, ())).read_bytes()
        except OSError:
            return None

    def _path(self, obj: LakeObject) -> Path:
        return self.root / "objects" / obj.bucket / f"{obj.key}@{_ETAG_SAFE.sub('', obj.etag)}"


@dataclass(frozen=True)
class TableState:
    """A cataloged table as the lake holds it now: the objects under its cataloged partitions,
    with their ETags. ``key`` names that state: an equal key is equal data, so a process that
    keeps a table loaded knows from the key alone whether it is still current."""

    table: GlueTable
    objects: tuple[LakeObject, ...]

    @property
    def key(self) -> str:
        return _digest(self.table, list(self.objects))


def table_state(table: GlueTable, mirror: Callable[[], LakeMirror]) -> TableState:
    """The table's current state: one listing of its location (none when no partition is
    cataloged; ``mirror`` is asked for only when one is)."""
    if not any(table.partitions.values()):
        return TableState(table, ())
    return TableState(table, tuple(mirror().listing(table)))


def load_table(
    con: duckdb.DuckDBPyConnection, state: TableState, mirror: Callable[[], LakeMirror]
) -> None:
    """Create a DuckDB table with the catalog's schema holding ``state``'s objects."""
    if state.objects:
        mirror().load(con, state.table, list(state.objects))
    else:
        create_empty(con, state.table)


def create_empty(con: duckdb.DuckDBPyConnection, table: GlueTable) -> None:
    schema = {**table.columns, **table.partition_keys}
    cols = ", ".join(f"{duck_ident(c)} {_duck_type(t)}" for c, t in schema.items())
    con.execute(f"CREATE TABLE {duck_ident(table.name)} ({cols})")


def _column(name: str, glue_type: str, source: str | None) -> str:
    value = "NULL" if source is None else f"{source}.{duck_ident(name)}"
    return f"CAST({value} AS {_duck_type(glue_type)}) AS {duck_ident(name)}"


def _digest(table: GlueTable, objects: list[LakeObject]) -> str:
    """Names the table's state: its schema and every object (with partition and ETag)."""
    state = {
        "format": _FORMAT,
        "columns": table.columns,
        "keys": table.partition_keys,
        "objects": [[o.bucket, o.key, o.etag, list(o.values)] for o in objects],
    }
    return hashlib.sha256(json.dumps(state, sort_keys=True).encode()).hexdigest()[:20]


def _as_prefix(location: str) -> str:
    return location if location.endswith("/") else location + "/"


def _split(url: str) -> tuple[str, str]:
    bucket, _, key = url.removeprefix("s3://").removeprefix("s3a://").partition("/")
    return bucket, key


def _sql_str(value: object) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def _sql_list(values: Any) -> str:
    return "[" + ", ".join(_sql_str(v) for v in values) + "]"


def _first_line(exc: Exception) -> str:
    return next((line.strip() for line in str(exc).splitlines() if line.strip()), repr(exc))


def _duck_type(glue_type: str) -> str:
    return exp.DataType.build(glue_type, dialect="hive").sql(dialect="duckdb")
