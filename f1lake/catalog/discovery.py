"""Table discovery: which tables and partitions a listing of S3 keys holds, as Glue would see it.

Given the keys under a crawler target, the table level and the exclude patterns, work out one
table per folder at the table level, Hive-style partitions (``season=2023``) below it, and what
was excluded or skipped. No I/O, so the rules are tested without a bucket.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from f1lake.catalog.definition import S3Target
from f1lake.catalog.globs import is_excluded

PARQUET_SUFFIX = ".parquet"


@dataclass(frozen=True)
class PartitionLayout:
    values: tuple[str, ...]
    location: str
    files: tuple[str, ...]


@dataclass
class TableLayout:
    name: str
    location: str
    partition_keys: tuple[str, ...]
    partitions: dict[tuple[str, ...], PartitionLayout] = field(default_factory=dict)

    @property
    def files(self) -> list[str]:
        return [f for p in self.partitions.values() for f in p.files]


@dataclass
class BucketLayout:
    tables: dict[str, TableLayout] = field(default_factory=dict)
    excluded: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)


def glue_name(name: str) -> str:
    """Catalog names as Glue writes them: lower case, anything but [a-z0-9_] as '_'."""
    return re.sub(r"[^a-z0-9_]", "_", name.lower())


def _partition(folders: list[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    keys, values = [], []
    for i, folder in enumerate(folders):
        key, sep, value = folder.partition("=")
        if sep and key:
            keys.append(glue_name(key))
            values.append(value)
        else:  # Glue names non-Hive partition folders partition_0, partition_1, ...
            keys.append(f"partition_{i}")
            values.append(folder)
    return tuple(keys), tuple(values)


def table_depth(target: S3Target, table_level: int | None) -> int:
    """How many key components name a table (the bucket is level 1, as in Glue)."""
    include_depth = len([p for p in target.prefix.split("/") if p])
    if table_level is None:
        return include_depth
    return max(table_level - 1, include_depth)


def plan_layout(target: S3Target, keys: Iterable[str], table_level: int | None) -> BucketLayout:
    """Group the target's object keys into tables and partitions."""
    layout = BucketLayout()
    depth = table_depth(target, table_level)
    for key in sorted(keys):
        if key.endswith("/") or not key.startswith(target.prefix):
            continue
        path = f"s3://{target.bucket}/{key}"
        if is_excluded(key[len(target.prefix) :], target.Exclusions):
            layout.excluded.append(path)
            continue
        parts = key.split("/")
        if len(parts) - 1 < depth:
            layout.skipped.append((path, f"above the table level (tables are at depth {depth})"))
            continue
        if not parts[-1].lower().endswith(PARQUET_SUFFIX):
            layout.skipped.append((path, "not a Parquet file"))
            continue
        table_parts, folders = parts[:depth], parts[depth:-1]
        name = glue_name(table_parts[-1] if table_parts else target.bucket)
        location = f"s3://{target.bucket}/" + "".join(p + "/" for p in table_parts)
        pkeys, pvalues = _partition(folders)
        table = layout.tables.setdefault(name, TableLayout(name, location, pkeys))
        if table.location != location:
            layout.skipped.append((path, f"table name {name!r} already used by {table.location}"))
            continue
        if pkeys != table.partition_keys:
            layout.skipped.append(
                (path, f"partition folders {pkeys} differ from the table's {table.partition_keys}")
            )
            continue
        part_location = location + "".join(f + "/" for f in folders)
        existing = table.partitions.get(pvalues)
        files = (existing.files if existing else ()) + (path,)
        table.partitions[pvalues] = PartitionLayout(pvalues, part_location, files)
    return layout
