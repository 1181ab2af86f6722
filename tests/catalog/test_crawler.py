"""The local crawler against the moto server: tables and partitions appear without DDL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from f1lake.aws import client
from f1lake.catalog import CrawlerDefinition, crawl, load_definition
from f1lake.catalog.glue_tables import read_tables
from f1lake.settings import Settings
from tests.catalog.lakedata import (
    DRIVERS_SCHEMA,
    RESULTS_SCHEMA,
    SEASON_2022,
    SEASON_2023,
    build_lake,
    make_bucket,
    parquet_bytes,
    put,
    put_results,
    result_rows,
)

# Glue's name for each Arrow type the processor writes.
GLUE_TYPES = {
    "int32": "int",
    "int64": "bigint",
    "double": "double",
    "string": "string",
    "date32[day]": "date",
}


def _table(settings: Settings, name: str) -> dict[str, Any]:
    return client("glue", settings).get_table(DatabaseName=settings.glue_database, Name=name)[
        "Table"
    ]


def _partitions(settings: Settings, table: str) -> dict[tuple[str, ...], str]:
    glue = client("glue", settings)
    parts = glue.get_partitions(DatabaseName=settings.glue_database, TableName=table)["Partitions"]
    return {tuple(p["Values"]): p["StorageDescriptor"]["Location"] for p in parts}


def _tables(settings: Settings) -> set[str]:
    glue = client("glue", settings)
    return {t["Name"] for t in glue.get_tables(DatabaseName=settings.glue_database)["TableList"]}


def test_crawl_creates_typed_tables_partitioned_by_season(settings: Settings) -> None:
    build_lake(settings)
    report = crawl(settings)

    assert sorted(report.tables_created) == ["drivers", "races", "results"]
    assert _tables(settings) == {"drivers", "races", "results"}
    results = _table(settings, "results")
    columns = {c["Name"]: c["Type"] for c in results["StorageDescriptor"]["Columns"]}
    assert columns == {f.name: GLUE_TYPES[str(f.type)] for f in RESULTS_SCHEMA}
    assert "season" not in columns  # the partition is a key, not a column in the files
    assert results["PartitionKeys"] == [{"Name": "season", "Type": "string"}]
    assert results["StorageDescriptor"]["Location"] == f"s3://{settings.processed_bucket}/results/"
    assert _partitions(settings, "results") == {
        ("2022",): f"s3://{settings.processed_bucket}/results/season=2022/",
        ("2023",): f"s3://{settings.processed_bucket}/results/season=2023/",
    }
    assert report.partitions_added_count == 4  # results and races, two seasons each
    drivers = _table(settings, "drivers")
    assert drivers.get("PartitionKeys", []) == []
    assert {c["Name"] for c in drivers["StorageDescriptor"]["Columns"]} == set(DRIVERS_SCHEMA.names)


def test_second_crawl_adds_only_the_new_season(settings: Settings) -> None:
    build_lake(settings)
    crawl(settings)
    before = _partitions(settings, "results")

    again = crawl(settings)
    assert again.tables_created == [] and again.partitions_added == {}

    put_results(settings, 2024, SEASON_2023[:4])
    report = crawl(settings)
    assert report.tables_created == []
    assert report.partitions_added == {"results": [("2024",)]}
    after = _partitions(settings, "results")
    assert set(after) - set(before) == {("2024",)}
    assert {k: after[k] for k in before} == before


def test_excluded_and_foreign_objects_are_ignored(settings: Settings) -> None:
    make_bucket(settings)
    put_results(settings, 2023, SEASON_2023)
    rows = result_rows(2023, SEASON_2023)[1]
    good = parquet_bytes(rows, RESULTS_SCHEMA)
    excluded_keys = [
        "results/_SUCCESS",
        "results/season=2023/_temporary/part-0.parquet",
        "results/season=2023/2023-04.error.json",
        "_staging/season=2023/2023-01.parquet",
    ]
    for key in excluded_keys:
        put(settings, key, good)
    put(settings, "results/season=2023/notes.txt", b"not data")

    report = crawl(settings)

    assert _tables(settings) == {"results"}  # no _staging table
    assert sorted(report.excluded) == sorted(
        f"s3://{settings.processed_bucket}/{k}" for k in excluded_keys
    )
    assert [p for p, _ in report.skipped] == [
        f"s3://{settings.processed_bucket}/results/season=2023/notes.txt"
    ]
    assert _partitions(settings, "results").keys() == {("2023",)}


def test_incremental_crawl_logs_a_schema_change_instead_of_applying_it(settings: Settings) -> None:
    make_bucket(settings)
    put_results(settings, 2023, SEASON_2023)
    crawl(settings)
    wider = RESULTS_SCHEMA.append(pa.field("fastest_lap_rank", pa.int32()))
    rows = [dict(r, fastest_lap_rank=1) for r in result_rows(2024, SEASON_2023)[1]]
    put(settings, "results/season=2024/2024-01.parquet", parquet_bytes(rows, wider))

    report = crawl(settings)

    assert report.partitions_added == {"results": [("2024",)]}
    assert report.tables_updated == []
    assert any("fastest_lap_rank" in c for c in report.schema_changes_logged)
    columns = [c["Name"] for c in _table(settings, "results")["StorageDescriptor"]["Columns"]]
    assert "fastest_lap_rank" not in columns


def test_full_crawl_with_update_policy_applies_the_schema_change(settings: Settings) -> None:
    make_bucket(settings)
    put_results(settings, 2023, SEASON_2023)
    crawl(settings)
    wider = RESULTS_SCHEMA.append(pa.field("fastest_lap_rank", pa.int32()))
    for rnd, rows in result_rows(2023, SEASON_2023).items():
        rows = [dict(r, fastest_lap_rank=1) for r in rows]
        put(settings, f"results/season=2023/2023-{rnd:02d}.parquet", parquet_bytes(rows, wider))
    full = CrawlerDefinition.model_validate(
        {
            **load_definition(settings).model_dump(),
            "RecrawlPolicy": {"RecrawlBehavior": "CRAWL_EVERYTHING"},
            "SchemaChangePolicy": {"UpdateBehavior": "UPDATE_IN_DATABASE", "DeleteBehavior": "LOG"},
        }
    )

    report = crawl(settings, definition=full)

    assert report.tables_updated == ["results"]
    columns = {
        c["Name"]: c["Type"] for c in _table(settings, "results")["StorageDescriptor"]["Columns"]
    }
    assert columns["fastest_lap_rank"] == "int"
    assert _partitions(settings, "results").keys() == {("2023",)}  # partitions kept


def test_unreadable_parquet_is_skipped_with_the_reason(settings: Settings) -> None:
    make_bucket(settings)
    put_results(settings, 2023, SEASON_2023)
    bad = "results/season=2023/2023-09.parquet"
    put(settings, bad, b"PAR1 this is not parquet")

    report = crawl(settings)

    assert "results" in report.tables_created
    reasons = dict(report.skipped)
    assert "unreadable Parquet" in reasons[f"s3://{settings.processed_bucket}/{bad}"]
    columns = {c["Name"] for c in _table(settings, "results")["StorageDescriptor"]["Columns"]}
    assert columns == set(RESULTS_SCHEMA.names)


def test_a_partition_key_inside_the_files_is_reported_not_cataloged(settings: Settings) -> None:
    make_bucket(settings)
    with_season = RESULTS_SCHEMA.append(pa.field("season", pa.int32()))
    rows = [dict(r, season=2023) for r in result_rows(2023, SEASON_2023)[1]]
    put(settings, "results/season=2023/2023-01.parquet", parquet_bytes(rows, with_season))

    report = crawl(settings)

    assert report.tables_created == []
    assert any("season" in e and "partition key" in e for e in report.errors)
    assert _tables(settings) == set()


def test_full_crawl_with_delete_policy_drops_vanished_partitions(settings: Settings) -> None:
    make_bucket(settings)
    put_results(settings, 2023, SEASON_2023)
    keys_2024 = put_results(settings, 2024, SEASON_2023[:4])
    crawl(settings)
    s3 = client("s3", settings)
    for key in keys_2024:
        s3.delete_object(Bucket=settings.processed_bucket, Key=key)

    assert crawl(settings).partitions_deleted == {}  # incremental crawls never delete
    full = CrawlerDefinition.model_validate(
        {
            **load_definition(settings).model_dump(),
            "RecrawlPolicy": {"RecrawlBehavior": "CRAWL_EVERYTHING"},
            "SchemaChangePolicy": {
                "UpdateBehavior": "LOG",
                "DeleteBehavior": "DELETE_FROM_DATABASE",
            },
        }
    )
    report = crawl(settings, definition=full)

    assert report.partitions_deleted == {"results": [("2024",)]}
    assert _partitions(settings, "results").keys() == {("2023",)}


def _footer_gets(monkeypatch: pytest.MonkeyPatch, calls: list[str]) -> None:
    """Count the crawler's S3 GETs (footer reads) at botocore's send."""
    import f1lake.catalog.crawler as crawler

    def counting_client(service: str, *args: Any) -> Any:
        made = client(service, *args)
        if service == "s3":
            made.meta.events.register(
                "before-parameter-build.s3.GetObject",
                lambda params, **_: calls.append(params["Key"]),
            )
        return made

    monkeypatch.setattr(crawler, "client", counting_client)


def test_a_recrawl_reads_only_changed_footers_and_catalogs_as_a_full_crawl(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    make_bucket(settings)
    put_results(settings, 2022, SEASON_2023)
    put_results(settings, 2023, SEASON_2023)
    full = CrawlerDefinition.model_validate(
        {
            **load_definition(settings).model_dump(),
            "RecrawlPolicy": {"RecrawlBehavior": "CRAWL_EVERYTHING"},
        }
    )
    crawl(settings, definition=full)
    # A new season, a new race in a known season, a race rewritten (a newer payload).
    added = put_results(settings, 2024, SEASON_2023[:4])
    rows = result_rows(2023, SEASON_2023)
    put(
        settings,
        "results/season=2023/2023-04.parquet",
        parquet_bytes([dict(r, round=4) for r in rows[1]], RESULTS_SCHEMA),
    )
    rewritten = [dict(r, points=r["points"] + 1) for r in rows[2]]
    put(settings, "results/season=2023/2023-02.parquet", parquet_bytes(rewritten, RESULTS_SCHEMA))
    gets: list[str] = []
    _footer_gets(monkeypatch, gets)

    again = crawl(settings, definition=full)

    # Every footer is consulted (a full crawl), but only the changed objects' are fetched.
    changed = {*added, "results/season=2023/2023-04.parquet", "results/season=2023/2023-02.parquet"}
    assert sorted(gets) == sorted(changed)
    assert again.footers_read == len(gets)
    assert again.partitions_added == {"results": [("2024",)]}
    # The same bucket crawled afresh (no remembered footers, a new database) catalogs the same.
    fresh = settings.model_copy(
        update={"glue_database": settings.glue_database + "_fresh", "state_dir": tmp_path / "fresh"}
    )
    crawl(fresh, definition=full.model_copy(update={"DatabaseName": fresh.glue_database}))
    glue = client("glue", settings)
    incremental = read_tables(glue, settings.glue_database)
    reference = read_tables(glue, fresh.glue_database)
    assert incremental == reference
    assert set(incremental["results"].partitions) == {("2022",), ("2023",), ("2024",)}


def test_a_loads_crawl_hands_what_it_read_to_the_engine_which_fetches_nothing(
    settings: Settings,
) -> None:
    from f1lake.query.local import LocalEngine

    build_lake(settings)
    crawl(settings, mirror=True)
    with LocalEngine(settings) as engine:
        gets: list[str] = []
        engine.mirror().s3.meta.events.register(
            "before-parameter-build.s3.GetObject", lambda params, **_: gets.append(params["Key"])
        )
        rows = engine.run("SELECT season, count(*) AS n FROM results GROUP BY season ORDER BY 1")
    assert rows.to_dict("records") == [
        {"season": "2022", "n": len(SEASON_2022)},
        {"season": "2023", "n": len(SEASON_2023)},
    ]
    assert gets == []


def test_a_loads_crawl_reads_the_footers_the_runner_left_in_the_mirror_not_s3(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from f1lake.local.runner_service import mirror_what_is_written
    from f1lake.processing.s3_objects import shared_store
    from f1lake.schema import get_table

    make_bucket(settings)
    mirror_what_is_written(settings)  # as each Lambda runner process does at start
    schema = get_table("results").parquet_schema()
    for rnd in (1, 2):
        shared_store(settings).write_table(
            "results", 2023, rnd, schema.empty_table(), f"raw/{rnd}", "0" * 64
        )
    gets: list[str] = []
    _footer_gets(monkeypatch, gets)

    report = crawl(settings, mirror=True)

    assert report.tables_created == ["results"]
    assert report.partitions_added == {"results": [("2023",)]}
    columns = _table(settings, "results")["StorageDescriptor"]["Columns"]
    assert [c["Name"] for c in columns] == schema.names
    assert gets == []  # both footers came from the runner's copies
