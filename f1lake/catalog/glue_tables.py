"""The Glue catalog's tables as this lake reads them: one reader for the crawler and the local
query engine, so "a cataloged table and its partitions" means the same to the crawler that
writes the catalog and to the engine that reads the lake through it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class GlueTable:
    """One catalog table: where it lives, its columns, partition keys and partitions."""

    name: str
    location: str  # as cataloged ("" for a table that has no data yet)
    columns: dict[str, str]  # name -> Glue (Hive) type
    partition_keys: dict[str, str]  # name -> Glue type, in key order
    # partition values -> location; an unpartitioned table is one partition, () -> location
    partitions: dict[tuple[str, ...], str]
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)  # get_table's

    @property
    def key_names(self) -> tuple[str, ...]:
        return tuple(self.partition_keys)


def read_table(glue: Any, database: str, name: str) -> GlueTable | None:
    """The table ``name`` with its partitions, or None when the catalog has no such table."""
    try:
        table = glue.get_table(DatabaseName=database, Name=name)["Table"]
    except glue.exceptions.EntityNotFoundException:
        return None
    return _glue_table(glue, database, table)


def read_tables(glue: Any, database: str) -> dict[str, GlueTable]:
    """Every table of the database with its partitions, by name."""
    pages = glue.get_paginator("get_tables").paginate(DatabaseName=database)
    return {t["Name"]: _glue_table(glue, database, t) for page in pages for t in page["TableList"]}


def table_names(glue: Any, database: str) -> list[str] | None:
    """The database's table names, sorted; None when the database does not exist."""
    try:
        pages = glue.get_paginator("get_tables").paginate(DatabaseName=database)
        return sorted(t["Name"] for page in pages for t in page["TableList"])
    except glue.exceptions.EntityNotFoundException:
        return None


def _glue_table(glue: Any, database: str, table: dict[str, Any]) -> GlueTable:
    sd = table.get("StorageDescriptor", {})
    keys = {k["Name"]: k["Type"] for k in table.get("PartitionKeys", [])}
    partitions: dict[tuple[str, ...], str] = {}
    if keys:
        pages = glue.get_paginator("get_partitions").paginate(
            DatabaseName=database, TableName=table["Name"]
        )
        for page in pages:
            for p in page["Partitions"]:
                partitions[tuple(p["Values"])] = p.get("StorageDescriptor", {}).get("Location", "")
    else:
        partitions[()] = sd.get("Location", "")
    return GlueTable(
        name=table["Name"],
        location=sd.get("Location", ""),
        columns={c["Name"]: c["Type"] for c in sd.get("Columns", [])},
        partition_keys=keys,
        partitions=partitions,
        raw=table,
    )
