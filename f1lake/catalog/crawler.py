"""A local Glue crawler: applies ``glue/crawler.json`` to the processed bucket.

It does what the AWS crawler does for this lake, through the same Glue API: find one table per
folder at the table level, read Parquet footers for the schema (no hand-written DDL), create the
tables with Hive-style partition keys (typed ``string``, as Glue types them), and add partitions.
With ``CRAWL_NEW_FOLDERS_ONLY`` a re-crawl only adds folders the catalog does not know yet and,
as on AWS, logs (does not apply) schema changes it sees in them.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import awswrangler as wr
import boto3
import pyarrow as pa
from awswrangler._data_types import athena_types_from_pyarrow_schema

from f1lake.aws import client, configure_wrangler, session
from f1lake.catalog.crawl_runs import CrawlRun, one_line, record_run
from f1lake.catalog.definition import CrawlerDefinition, S3Target, load_definition
from f1lake.catalog.discovery import BucketLayout, PartitionLayout, TableLayout, plan_layout
from f1lake.catalog.footers import FooterCache, FooterError, FooterReader
from f1lake.catalog.glue_tables import GlueTable, read_tables
from f1lake.settings import Settings

log = logging.getLogger(__name__)

FOOTER_CACHE = "crawler-footers.json"
"""In the state folder: the schema of every Parquet object the crawler has read, by ETag."""

PARTITION_KEY_TYPE = "string"  # what a Glue crawler gives Hive partition keys
_TABLE_INPUT_KEYS = (
    "Name",
    "Description",
    "Owner",
    "Retention",
    "StorageDescriptor",
    "PartitionKeys",
    "TableType",
    "Parameters",
)


@dataclass
class CrawlReport:
    """What one crawl changed in the catalog, and what it left alone and why."""

    database: str
    tables_created: list[str] = field(default_factory=list)
    tables_updated: list[str] = field(default_factory=list)
    tables_deleted: list[str] = field(default_factory=list)
    partitions_added: dict[str, list[tuple[str, ...]]] = field(default_factory=dict)
    partitions_deleted: dict[str, list[tuple[str, ...]]] = field(default_factory=dict)
    excluded: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    schema_changes_logged: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    footers_read: int = 0
    """Parquet footers read from S3 (the others were known at their ETag)."""

    @property
    def partitions_added_count(self) -> int:
        return sum(len(v) for v in self.partitions_added.values())

    def summary(self) -> str:
        return (
            f"database {self.database}: {len(self.tables_created)} table(s) created, "
            f"{len(self.tables_updated)} updated, {self.partitions_added_count} partition(s) "
            f"added, {len(self.excluded)} object(s) excluded, {len(self.skipped)} skipped, "
            f"{len(self.errors)} error(s)"
        )


@dataclass(frozen=True)
class _Ctx:
    """What every step of one crawl needs."""

    glue: Any
    aws: boto3.Session
    definition: CrawlerDefinition
    report: CrawlReport
    footers: FooterReader

    @property
    def database(self) -> str:
        return self.definition.DatabaseName


def crawl(
    settings: Settings, *, definition: CrawlerDefinition | None = None, mirror: bool = False
) -> CrawlReport:
    """Run the crawler definition against the bucket(s) it targets; returns what changed.

    Footers are read only for objects not seen at their ETag by an earlier crawl of the same
    state folder (see :mod:`f1lake.catalog.footers`); what is cataloged does not depend on it.
    ``mirror``: footers are read from the local engine's lake mirror where it holds an object
    at its ETag (the local runner puts what it writes there), and objects read from S3 are
    kept in it (a load's crawl, whose checks then read every table without fetching again).

    Each run's outcome, failed or not, goes to the state folder's run history
    (:mod:`f1lake.catalog.crawl_runs`), which ``f1lake status`` reads: on AWS, Glue's crawler
    keeps its own, and this crawler runs only on the local stack.
    """
    definition = definition or load_definition(settings)
    report = CrawlReport(database=definition.DatabaseName)
    started = datetime.now(UTC)
    try:
        _crawl(settings, definition, report, mirror)
    except BaseException as exc:  # a task timeout or Ctrl-C ends the run as failed too
        record_run(settings.state_dir, _run(report, started, one_line(exc)))
        raise
    record_run(settings.state_dir, _run(report, started))
    log.info("crawl %s: %s", definition.Name, report.summary())
    return report


def _run(report: CrawlReport, started: datetime, failure: str | None = None) -> CrawlRun:
    """The run history's record of a crawl (a failed one: what it did before failing)."""
    return CrawlRun(
        started=started,
        finished=datetime.now(UTC),
        succeeded=failure is None,
        reason=failure or "",
        tables_created=len(report.tables_created),
        tables_updated=len(report.tables_updated),
        objects_read=report.footers_read,
    )


def _crawl(
    settings: Settings, definition: CrawlerDefinition, report: CrawlReport, mirror: bool
) -> None:
    configure_wrangler(settings)
    database = definition.DatabaseName
    # One boto3 session for every call: creating clients from fresh sessions dominates runtime.
    aws = session(settings)
    wr.catalog.create_database(database, exist_ok=True, boto3_session=aws)
    glue = client("glue", settings, aws)
    s3 = client("s3", settings, aws)
    cache = FooterCache(settings.state_dir / FOOTER_CACHE)
    keep = kept = None
    if mirror:
        from f1lake.query.local import mirror_root
        from f1lake.query.s3load import LakeMirror

        lake_mirror = LakeMirror(s3, mirror_root(settings))
        keep, kept = lake_mirror.keep, lake_mirror.kept
    etags: dict[str, str] = {}
    for target in definition.Targets.S3Targets:
        listed = dict(_list_keys(s3, target))
        etags.update({f"s3://{target.bucket}/{k}": e for k, e in listed.items()})
        layout = plan_layout(target, listed, definition.table_level)
        report.excluded += layout.excluded
        report.skipped += layout.skipped
        footers = FooterReader(s3, cache, etags, keep=keep, kept=kept)
        try:
            _apply(_Ctx(glue, aws, definition, report, footers), target, layout)
        finally:
            report.footers_read += footers.reads
    cache.save(etags.values())


def _list_keys(s3: Any, target: S3Target) -> Iterator[tuple[str, str]]:
    """(key, ETag) of every non-empty object under the target."""
    paginator = s3.get_paginator("list_objects_v2")
    for page in paginator.paginate(Bucket=target.bucket, Prefix=target.prefix):
        for obj in page.get("Contents", []):
            if obj.get("Size", 0) > 0:  # Glue ignores empty objects (folder markers)
                yield obj["Key"], obj.get("ETag", "").strip('"')


def _dir(location: str) -> str:
    return location if not location or location.endswith("/") else location + "/"


def _sample(partitions: list[PartitionLayout], sample_size: int | None) -> list[str]:
    """The files whose footers are read: all, or the first SampleSize of each leaf folder."""
    return [f for p in partitions for f in (p.files[:sample_size] if sample_size else p.files)]


def _infer_columns(ctx: _Ctx, files: list[str], table: str) -> dict[str, str] | None:
    """Merged column types from Parquet footers (as awswrangler's ``read_parquet_metadata``
    merges them); unreadable files are skipped with the reason."""
    schemas: list[pa.Schema] = []
    for path, found in ctx.footers.schemas(files).items():
        if isinstance(found, FooterError):
            ctx.report.skipped.append((path, f"unreadable Parquet: {found}"))
        else:
            schemas.append(found)
    if not schemas:
        return None
    try:
        merged = schemas[0] if len(schemas) == 1 else pa.unify_schemas(schemas)
        return dict(athena_types_from_pyarrow_schema(merged))
    except Exception as exc:  # pyarrow's, or awswrangler's UnsupportedType
        ctx.report.errors.append(f"table {table}: incompatible Parquet schemas: {exc}")
        return None


def _apply(ctx: _Ctx, target: S3Target, layout: BucketLayout) -> None:
    catalog = read_tables(ctx.glue, ctx.database)
    for name, table in layout.tables.items():
        existing = catalog.get(name)
        if existing is None:
            _create_table(ctx, target, table)
        elif existing.key_names != table.partition_keys:
            ctx.report.errors.append(
                f"table {name}: partition keys in S3 {table.partition_keys} differ from the "
                f"catalog's {existing.key_names}; not changed"
            )
        else:
            _update_table(ctx, target, table, existing)
    if not ctx.definition.incremental:  # incremental crawls never notice deletions
        for name, existing in catalog.items():
            if name not in layout.tables and _dir(existing.location).startswith(target.Path):
                _gone(ctx, name, None)


def _create_table(ctx: _Ctx, target: S3Target, table: TableLayout) -> None:
    files = _sample(list(table.partitions.values()), target.SampleSize)
    columns = _infer_columns(ctx, files, table.name)
    if columns is None:
        return
    clash = sorted(set(columns) & set(table.partition_keys))
    if clash:  # Athena rejects a table whose column repeats a partition key
        ctx.report.errors.append(
            f"table {table.name}: column(s) {', '.join(clash)} in the Parquet files repeat "
            f"the partition key(s) of the folders; table not created"
        )
        return
    wr.catalog.create_parquet_table(
        database=ctx.database,
        table=table.name,
        path=table.location,
        columns_types=columns,
        partitions_types={k: PARTITION_KEY_TYPE for k in table.partition_keys} or None,
        parameters={"UPDATED_BY_CRAWLER": ctx.definition.Name},
        mode="overwrite",
        boto3_session=ctx.aws,
    )
    ctx.report.tables_created.append(table.name)
    if table.partition_keys:
        _add_partitions(ctx, target, table, list(table.partitions.values()), columns)


def _update_table(ctx: _Ctx, target: S3Target, table: TableLayout, existing: GlueTable) -> None:
    incremental = ctx.definition.incremental
    known = set(existing.partitions) if table.partition_keys else {()}
    new = [p for v, p in table.partitions.items() if v not in known]
    # An incremental crawl reads only new folders; a full crawl re-reads everything.
    scanned = new if incremental else list(table.partitions.values())
    columns = _infer_columns(ctx, _sample(scanned, target.SampleSize), table.name)
    table_columns = existing.columns
    if columns is not None and columns != existing.columns:
        if incremental and not set(columns.items()) - set(existing.columns.items()):
            pass  # new folders hold a subset of the known columns: nothing to report
        elif ctx.definition.SchemaChangePolicy.UpdateBehavior == "UPDATE_IN_DATABASE":
            _replace_columns(ctx, existing, columns)
            ctx.report.tables_updated.append(table.name)
            table_columns = columns
        else:
            change = f"table {table.name}: catalog {existing.columns}, found {columns}"
            ctx.report.schema_changes_logged.append(change)
            log.warning("schema change logged, not applied (UpdateBehavior=LOG): %s", change)
    if table.partition_keys and new:
        _add_partitions(ctx, target, table, new, table_columns)
    if not incremental and table.partition_keys:
        for values in set(existing.partitions) - set(table.partitions):
            _gone(ctx, table.name, values)


def _replace_columns(ctx: _Ctx, existing: GlueTable, columns: dict[str, str]) -> None:
    table_input = {k: v for k, v in existing.raw.items() if k in _TABLE_INPUT_KEYS}
    table_input["StorageDescriptor"] = {
        **table_input.get("StorageDescriptor", {}),
        "Columns": [{"Name": k, "Type": v} for k, v in columns.items()],
    }
    table_input["Parameters"] = {
        **table_input.get("Parameters", {}),
        "UPDATED_BY_CRAWLER": ctx.definition.Name,
    }
    ctx.glue.update_table(DatabaseName=ctx.database, TableInput=table_input)


def _add_partitions(
    ctx: _Ctx,
    target: S3Target,
    table: TableLayout,
    partitions: list[PartitionLayout],
    table_columns: dict[str, str],
) -> None:
    if ctx.definition.partitions_inherit_from_table:
        batches = [(partitions, table_columns)]
    else:  # each partition keeps the schema of its own files
        batches = [
            ([p], _infer_columns(ctx, _sample([p], target.SampleSize), table.name) or table_columns)
            for p in partitions
        ]
    for batch, columns in batches:
        wr.catalog.add_parquet_partitions(
            database=ctx.database,
            table=table.name,
            partitions_values={p.location: list(p.values) for p in batch},
            columns_types=columns,
            boto3_session=ctx.aws,
        )
    ctx.report.partitions_added.setdefault(table.name, []).extend(p.values for p in partitions)


def _gone(ctx: _Ctx, table: str, values: tuple[str, ...] | None) -> None:
    """A table or partition whose objects are gone: deleted or logged per DeleteBehavior."""
    what = f"table {table}" if values is None else f"partition {table}{list(values)}"
    if ctx.definition.SchemaChangePolicy.DeleteBehavior != "DELETE_FROM_DATABASE":
        ctx.report.schema_changes_logged.append(f"{what}: no objects left in S3")
        return
    if values is None:
        ctx.glue.delete_table(DatabaseName=ctx.database, Name=table)
        ctx.report.tables_deleted.append(table)
    else:
        ctx.glue.batch_delete_partition(
            DatabaseName=ctx.database,
            TableName=table,
            PartitionsToDelete=[{"Values": list(values)}],
        )
        ctx.report.partitions_deleted.setdefault(table, []).append(values)
