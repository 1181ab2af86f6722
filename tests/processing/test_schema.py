from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from f1lake.endpoints import ENDPOINTS
from f1lake.keys import parse_processed_key, processed_key
from f1lake.processing import tables_for_endpoint
from f1lake.schema import TABLES, Column, Table, render_data_dictionary
from f1lake.schema.dictionary import DOCS_PATH

REPO = Path(__file__).resolve().parents[2]

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
    "status",
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


def test_every_endpoint_feeds_exactly_its_own_table():
    expected = {
        "races": "races",
        "results": "results",
        "sprint": "sprint_results",
        "qualifying": "qualifying",
        "pit_stops": "pit_stops",
        "laps": "laps",
        "driver_standings": "driver_standings",
        "constructor_standings": "constructor_standings",
        "drivers": "drivers",
        "constructors": "constructors",
        "circuits": "circuits",
        "status": "status",
    }
    assert set(expected) == set(ENDPOINTS)
    for endpoint, table in expected.items():
        assert tables_for_endpoint(endpoint) == [table]
        assert TABLES[table].scope == ENDPOINTS[endpoint].scope


def test_season_scoped_tables_have_one_file_per_season():
    assert processed_key("drivers", 2023, None) == "drivers/season=2023/2023.parquet"
    assert processed_key("results", 2023, 9) == "results/season=2023/2023-09.parquet"
    assert parse_processed_key("status/season=1950/1950.parquet") == ("status", 1950, None)
    assert parse_processed_key("results/season=2023/2023-09.parquet") == ("results", 2023, 9)
    with pytest.raises(ValueError, match="not a processed key"):
        parse_processed_key("drivers/season=2023/2022.parquet")
    dimensions = {t.name for t in TABLES.values() if t.scope == "season"}
    assert dimensions == {"drivers", "constructors", "circuits", "status"}
    for name in dimensions:
        assert "round" not in TABLES[name].column_names
        assert TABLES[name].key[0] == "season"


def test_standings_types_and_nullability():
    drivers = TABLES["driver_standings"].arrow_schema()
    assert (drivers.field("position").type, drivers.field("position").nullable) == (
        pa.int32(),
        True,
    )
    assert not drivers.field("position_text").nullable
    assert drivers.field("points").type == pa.float64()
    assert drivers.field("wins").type == pa.int32()
    qualifying = TABLES["qualifying"].arrow_schema()
    for session in ("q1_millis", "q2_millis", "q3_millis"):
        assert (qualifying.field(session).type, qualifying.field(session).nullable) == (
            pa.int64(),
            True,
        )


def test_committed_data_dictionary_is_up_to_date():
    committed = (REPO / DOCS_PATH).read_text()
    assert committed == render_data_dictionary(), (
        f"{DOCS_PATH} is out of date with f1lake.schema: run "
        f"'uv run python -m f1lake.schema > {DOCS_PATH}'"
    )


def test_a_bad_definition_fails_at_definition_time():
    with pytest.raises(ValueError, match="unsupported column type"):
        Column("x", "varchar2", "typo")
    with pytest.raises(ValueError, match="not a column"):
        Table("t", "d", "results", (Column("season", "int", "s"),), key=("round",))


def test_the_dictionary_command_prints_what_is_committed():
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, "-m", "f1lake.schema"],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
    )
    assert out.stdout == (REPO / DOCS_PATH).read_text()
    assert out.stderr == ""
