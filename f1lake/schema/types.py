"""The building blocks of a processed table's definition: columns and tables.

Column types are written as Glue/Athena type strings because the catalog is the strictest
consumer; the Arrow (Parquet) type is derived from them, so the two can never drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from f1lake.endpoints import get_endpoint

_ARROW_TYPES: dict[str, pa.DataType] = {
    "int": pa.int32(),
    "bigint": pa.int64(),
    "double": pa.float64(),
    "string": pa.string(),
    "date": pa.date32(),
    "boolean": pa.bool_(),
}


def arrow_type(glue_type: str) -> pa.DataType:
    """Arrow type of a Glue type string (scalars and ``array<...>``)."""
    if glue_type.startswith("array<") and glue_type.endswith(">"):
        return pa.list_(arrow_type(glue_type[len("array<") : -1]))
    try:
        return _ARROW_TYPES[glue_type]
    except KeyError:
        raise ValueError(f"unsupported column type {glue_type!r}") from None


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    """Glue/Athena type string: int, bigint, double, string, date, boolean, array<string>."""
    description: str
    nullable: bool = True

    def __post_init__(self) -> None:
        arrow_type(self.type)  # fail at import time on a typo, not at write time

    @property
    def arrow_type(self) -> pa.DataType:
        return arrow_type(self.type)

    def arrow_field(self) -> pa.Field:
        return pa.field(self.name, self.arrow_type, nullable=self.nullable)

    def glue_column(self) -> dict[str, Any]:
        return {"Name": self.name, "Type": self.type, "Comment": self.description[:255]}


@dataclass(frozen=True)
class Table:
    name: str
    description: str
    source: str
    """Raw endpoint whose objects feed this table (an ``f1lake.endpoints`` name)."""
    columns: tuple[Column, ...]
    """Every column, partition columns included, in file order."""
    key: tuple[str, ...]
    """Columns that identify a row uniquely (checked on every write)."""
    partition_keys: tuple[str, ...] = ("season",)
    """Carried by the path (``season=2023/``), never inside the Parquet file."""

    def __post_init__(self) -> None:
        names = [c.name for c in self.columns]
        if len(set(names)) != len(names):
            raise ValueError(f"table {self.name}: duplicate column names")
        for name in (*self.key, *self.partition_keys):
            if name not in names:
                raise ValueError(f"table {self.name}: {name!r} is not a column")

    @property
    def scope(self) -> str:
        """``race``: one file per race (``YYYY-RR.parquet``); ``season``: one per season
        (``YYYY.parquet``), as the source endpoint is scoped."""
        return get_endpoint(self.source).scope

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"table {self.name} has no column {name!r}")

    @property
    def data_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.name not in self.partition_keys)

    @property
    def partition_columns(self) -> tuple[Column, ...]:
        return tuple(self.column(name) for name in self.partition_keys)

    def arrow_schema(self, *, with_partitions: bool = False) -> pa.Schema:
        """Schema of the Parquet file (data columns only, unless asked for the partitions)."""
        cols = self.columns if with_partitions else self.data_columns
        return pa.schema([c.arrow_field() for c in cols])

    def parquet_schema(self) -> pa.Schema:
        """Schema the Parquet file is written with: the data columns' exact types, every field
        optional. awswrangler builds its Arrow table from pandas as all-optional and refuses a
        different writer schema; non-null is enforced by validation before writing instead."""
        return pa.schema([pa.field(c.name, c.arrow_type) for c in self.data_columns])

    def glue_columns(self) -> list[dict[str, Any]]:
        """``StorageDescriptor.Columns`` of the Glue table."""
        return [c.glue_column() for c in self.data_columns]

    def glue_partition_keys(self) -> list[dict[str, Any]]:
        """``PartitionKeys`` of the Glue table."""
        return [c.glue_column() for c in self.partition_columns]

    def athena_dtypes(self) -> dict[str, str]:
        """Column types in awswrangler's ``dtype=`` form (data columns)."""
        return {c.name: c.type for c in self.data_columns}
