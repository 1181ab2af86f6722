"""Loading one cataloged table from S3 into DuckDB: the local engine's only read of the lake.

``load_table`` is the one entry point, so how the Parquet files are read (today: awswrangler
into pandas, one cataloged partition at a time) can change in this module alone.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

import awswrangler as wr
import boto3
import duckdb
import pandas as pd
from sqlglot import exp

from f1lake.catalog.glue_tables import GlueTable
from f1lake.query.dialect import duck_ident
from f1lake.query.errors import QueryError

log = logging.getLogger(__name__)


def load_table(con: duckdb.DuckDBPyConnection, table: GlueTable, aws: boto3.Session | None) -> None:
    """Create a DuckDB table with the catalog's schema from the table's cataloged partitions."""
    schema = {**table.columns, **table.partition_keys}
    frames = list(_frames(table, aws))
    if not frames:
        cols = ", ".join(f"{duck_ident(c)} {_duck_type(t)}" for c, t in schema.items())
        con.execute(f"CREATE TABLE {duck_ident(table.name)} ({cols})")
        return
    data = pd.concat(frames, ignore_index=True)
    source = f"__src_{table.name}"
    con.register(source, data)
    select = ", ".join(
        (
            f"CAST({duck_ident(c)} AS {_duck_type(t)}) AS {duck_ident(c)}"
            if c in data.columns
            else f"CAST(NULL AS {_duck_type(t)}) AS {duck_ident(c)}"
        )
        for c, t in schema.items()
    )
    try:
        con.execute(
            f"CREATE TABLE {duck_ident(table.name)} AS SELECT {select} FROM {duck_ident(source)}"
        )
    except duckdb.Error as exc:
        raise QueryError(
            f"table {table.name!r}: data at {table.location} does not match the catalog "
            f"schema: {exc}"
        ) from None
    finally:
        con.unregister(source)


def _data_files(location: str, aws: boto3.Session | None) -> list[str]:
    """The objects Athena would read at a location: not hidden (``_``/``.``), Parquet only."""
    if not location:
        return []
    prefix = location if location.endswith("/") else location + "/"
    files = []
    for path in wr.s3.list_objects(prefix, ignore_empty=True, boto3_session=aws):
        rel = path[len(prefix) :]
        if any(part.startswith(("_", ".")) for part in rel.split("/")):
            continue
        if not path.lower().endswith(".parquet"):
            log.warning("skipping non-Parquet object in a table location: %s", path)
            continue
        files.append(path)
    return files


def _frames(table: GlueTable, aws: boto3.Session | None) -> Iterable[pd.DataFrame]:
    for values, location in table.partitions.items():
        files = _data_files(location, aws)
        if not files:
            continue
        try:
            df = wr.s3.read_parquet(path=files, dtype_backend="pyarrow", boto3_session=aws)
        except Exception as exc:
            raise QueryError(f"table {table.name!r}: cannot read {location}: {exc}") from None
        for key, value in zip(table.partition_keys, values, strict=True):
            df[key] = value
        yield df


def _duck_type(glue_type: str) -> str:
    return exp.DataType.build(glue_type, dialect="hive").sql(dialect="duckdb")
