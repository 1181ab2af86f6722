"""The one reader of the Glue catalog, as the crawler and the local query engine see it."""

from __future__ import annotations

from f1lake.aws import client
from f1lake.catalog import crawl
from f1lake.catalog.glue_tables import read_table, read_tables, table_names
from f1lake.settings import Settings
from tests.catalog.lakedata import build_lake


def test_a_crawled_lake_reads_back_with_its_partitions(settings: Settings) -> None:
    glue = client("glue", settings)
    assert table_names(glue, settings.glue_database) is None  # no database before a crawl
    build_lake(settings)
    crawl(settings)

    tables = read_tables(glue, settings.glue_database)
    assert (
        sorted(tables)
        == table_names(glue, settings.glue_database)
        == [
            "drivers",
            "races",
            "results",
        ]
    )
    results = tables["results"]
    assert results.partition_keys == {"season": "string"} and results.key_names == ("season",)
    assert sorted(results.partitions) == [("2022",), ("2023",)]
    assert all(loc.rstrip("/").endswith(f"season={v[0]}") for v, loc in results.partitions.items())
    drivers = tables["drivers"]
    assert drivers.partition_keys == {} and drivers.partitions == {(): drivers.location}
    assert read_table(glue, settings.glue_database, "results") == results  # one reader, one answer
    assert read_table(glue, settings.glue_database, "missing") is None
