from __future__ import annotations

import pyarrow as pa
import pytest

from f1lake.schema import TABLES, Column, Table, render_data_dictionary, tables_for_source

DESIGN_TABLES = {
    "races",
    "results",
    "sprint_results",
    "qualifying",
    "driver_standings",
    "constructor_standings",
    "drivers",
    "constructors",
    "circuits",
}


def test_every_table_of_the_design_is_defined_and_partitioned_by_season():
    assert set(TABLES) >= DESIGN_TABLES
    for table in TABLES.values():
        assert table.partition_keys == ("season",)
        assert [c["Name"] for c in table.glue_partition_keys()] == ["season"]
        assert table.glue_partition_keys()[0]["Type"] == "int"


def test_partition_column_is_not_inside_the_parquet_schema():
    for table in TABLES.values():
        assert "season" not in table.arrow_schema().names
        assert "season" not in [c["Name"] for c in table.glue_columns()]
        assert "season" in table.arrow_schema(with_partitions=True).names


def test_results_types_and_nullability():
    schema = TABLES["results"].arrow_schema()
    expected = {
        "round": (pa.int32(), False),
        "race_date": (pa.date32(), False),
        "grid": (pa.int32(), False),
        "position": (pa.int32(), True),
        "position_text": (pa.string(), False),
        "points": (pa.float64(), False),
        "laps": (pa.int32(), False),
        "time_millis": (pa.int64(), True),
        "fastest_lap_time_millis": (pa.int64(), True),
        "fastest_lap_avg_speed_kph": (pa.float64(), True),
        "constructor_id": (pa.string(), True),
        "driver_code": (pa.string(), True),
        "driver_number": (pa.int32(), True),
        "car_number": (pa.int32(), True),
        "driver_id": (pa.string(), False),
        "entry": (pa.int32(), False),
    }
    for name, (type_, nullable) in expected.items():
        field = schema.field(name)
        assert (field.type, field.nullable) == (type_, nullable), name
    assert TABLES["results"].key == ("season", "round", "driver_id", "entry")


def test_glue_types_agree_with_arrow_types():
    glue_to_arrow = {
        "int": pa.int32(),
        "bigint": pa.int64(),
        "double": pa.float64(),
        "string": pa.string(),
        "date": pa.date32(),
    }
    for table in TABLES.values():
        for col in table.glue_columns():
            arrow = table.arrow_schema().field(col["Name"]).type
            if col["Type"] in glue_to_arrow:
                assert arrow == glue_to_arrow[col["Type"]], (table.name, col)
    standings = TABLES["driver_standings"].arrow_schema().field("constructor_ids").type
    assert standings == pa.list_(pa.string())


def test_parquet_schema_keeps_types_but_is_all_optional():
    table = TABLES["results"]
    parquet = table.parquet_schema()
    assert parquet.names == table.arrow_schema().names
    assert all(f.nullable for f in parquet)
    assert [f.type for f in parquet] == [f.type for f in table.arrow_schema()]


def test_data_dictionary_mentions_every_table_and_column():
    doc = render_data_dictionary()
    for table in TABLES.values():
        assert f"## `{table.name}`" in doc
        section = doc.split(f"## `{table.name}`", 1)[1].split("\n## ", 1)[0]
        for column in table.columns:
            assert f"| `{column.name}` |" in section, (table.name, column.name)
        assert "| `season` | int (partition) |" in section


def test_sources_map_endpoints_to_tables():
    assert {t.name for t in tables_for_source("results")} == {"results", "drivers", "constructors"}
    assert {t.name for t in tables_for_source("races")} == {"races", "circuits"}


def test_a_bad_definition_fails_at_definition_time():
    with pytest.raises(ValueError, match="unsupported column type"):
        Column("x", "varchar2", "typo")
    with pytest.raises(ValueError, match="not a column"):
        Table("t", "d", "results", (Column("season", "int", "s"),), key=("round",))
