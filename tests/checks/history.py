"""The real Ergast history (../shared/data/ergast-csv) as the processed tables, in DuckDB.

Reads the CSV dump into every column of ``f1lake.schema`` (``season`` a string, as Glue types a
partition key; a column the dump lacks is NULL), so the checks, views and named queries run
over 1950-2025 in seconds without going through S3. Nothing here is copied into the
repository: the tests skip when the folder is absent.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
from sqlglot import exp

from f1lake.resources import SQL_ROOT
from f1lake.schema import TABLES

CSV_TABLES = (
    "races",
    "circuits",
    "results",
    "sprint_results",
    "qualifying",
    "drivers",
    "constructors",
    "status",
    "driver_standings",
    "constructor_standings",
    "pit_stops",
)


def _csv(directory: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(directory / f"{name}.csv", na_values=["\\N"], keep_default_na=False)


# "1:27.452" (or "27.452") -> 87452 milliseconds; NULL when absent or unreadable.
_MILLIS_MACRO = """
CREATE MACRO lap_millis(t) AS CASE
    WHEN t IS NULL OR CAST(t AS VARCHAR) = '' THEN NULL
    WHEN contains(CAST(t AS VARCHAR), ':') THEN CAST(round(1000 * (
        TRY_CAST(split_part(CAST(t AS VARCHAR), ':', 1) AS DOUBLE) * 60
        + TRY_CAST(split_part(CAST(t AS VARCHAR), ':', 2) AS DOUBLE))) AS BIGINT)
    ELSE CAST(round(1000 * TRY_CAST(CAST(t AS VARCHAR) AS DOUBLE)) AS BIGINT)
END
"""

_DRIVER = """
    d.driverRef AS driver_id,
    CAST(d.code AS VARCHAR) AS driver_code,
    TRY_CAST(d.number AS INTEGER) AS driver_number,
    d.forename AS driver_given_name,
    d.surname AS driver_family_name,
    d.nationality AS driver_nationality"""

_CONSTRUCTOR = """
    c.constructorRef AS constructor_id,
    c.name AS constructor_name,
    c.nationality AS constructor_nationality"""

_CLASSIFICATION = f"""
SELECT
    CAST(ra.year AS VARCHAR) AS season,
    CAST(ra.round AS INTEGER) AS round,
    CAST(ra.date AS DATE) AS race_date,
    CAST(row_number() OVER (
        PARTITION BY x.raceId, x.driverId ORDER BY x.positionOrder) AS INTEGER) AS entry,
    {_DRIVER},
    {_CONSTRUCTOR},
    TRY_CAST(x.number AS INTEGER) AS car_number,
    CAST(x.grid AS INTEGER) AS grid,
    TRY_CAST(x.position AS INTEGER) AS position,
    CAST(x.positionOrder AS INTEGER) AS position_order,
    CAST(x.positionText AS VARCHAR) AS position_text,
    CAST(x.points AS DOUBLE) AS points,
    CAST(x.laps AS INTEGER) AS laps,
    st.status AS status,
    TRY_CAST(x.milliseconds AS BIGINT) AS time_millis,
    CAST(x.time AS VARCHAR) AS time_text,
    TRY_CAST(x.{{rank}} AS INTEGER) AS fastest_lap_rank,
    TRY_CAST(x.fastestLap AS INTEGER) AS fastest_lap_lap,
    lap_millis(x.fastestLapTime) AS fastest_lap_time_millis,
    TRY_CAST(x.{{speed}} AS DOUBLE) AS fastest_lap_avg_speed_kph
FROM csv_{{source}} AS x
JOIN csv_races AS ra USING (raceId)
JOIN csv_drivers AS d USING (driverId)
JOIN csv_constructors AS c USING (constructorId)
JOIN csv_status AS st USING (statusId)
"""

_QUALIFYING = f"""
SELECT
    CAST(ra.year AS VARCHAR) AS season,
    CAST(ra.round AS INTEGER) AS round,
    CAST(ra.date AS DATE) AS race_date,
    CAST(row_number() OVER (
        PARTITION BY x.raceId, x.driverId ORDER BY x.position) AS INTEGER) AS entry,
    {_DRIVER},
    {_CONSTRUCTOR},
    TRY_CAST(x.number AS INTEGER) AS car_number,
    CAST(x.position AS INTEGER) AS position,
    lap_millis(x.q1) AS q1_millis,
    lap_millis(x.q2) AS q2_millis,
    lap_millis(x.q3) AS q3_millis
FROM csv_qualifying AS x
JOIN csv_races AS ra USING (raceId)
JOIN csv_drivers AS d USING (driverId)
JOIN csv_constructors AS c USING (constructorId)
"""

_PIT_STOPS = """
SELECT
    CAST(ra.year AS VARCHAR) AS season,
    CAST(ra.round AS INTEGER) AS round,
    CAST(ra.date AS DATE) AS race_date,
    d.driverRef AS driver_id,
    CAST(x.stop AS INTEGER) AS stop,
    CAST(x.lap AS INTEGER) AS lap,
    CAST(x.time AS VARCHAR) AS time_of_day,
    CAST(x.milliseconds AS BIGINT) AS duration_millis,
    CAST(x.duration AS VARCHAR) AS duration_text
FROM csv_pit_stops AS x
JOIN csv_races AS ra USING (raceId)
JOIN csv_drivers AS d USING (driverId)
"""
_RACES = """
SELECT
    CAST(ra.year AS VARCHAR) AS season,
    CAST(ra.round AS INTEGER) AS round,
    ra.name AS race_name,
    CAST(ra.date AS DATE) AS race_date,
    ci.circuitRef AS circuit_id,
    ci.name AS circuit_name,
    ci.location AS locality,
    ci.country AS country,
    TRY_CAST(ci.lat AS DOUBLE) AS lat,
    TRY_CAST(ci.lng AS DOUBLE) AS lng
FROM csv_races AS ra
JOIN csv_circuits AS ci USING (circuitId)
"""

_STANDINGS = """
SELECT
    CAST(ra.year AS VARCHAR) AS season,
    CAST(ra.round AS INTEGER) AS round,
    {columns},
    TRY_CAST(x.position AS INTEGER) AS position,
    CAST(x.positionText AS VARCHAR) AS position_text,
    CAST(x.points AS DOUBLE) AS points,
    CAST(x.wins AS INTEGER) AS wins
FROM csv_{table} AS x
JOIN csv_races AS ra USING (raceId)
JOIN csv_{entity} AS {alias} USING ({key})
-- The API serves the official standings after the season's last completed round only.
WHERE ra.round = (SELECT max(r2.round) FROM csv_{table} AS y JOIN csv_races AS r2 USING (raceId)
                  WHERE r2.year = ra.year)
"""

# Season dimensions: who took part in the season, as the season endpoints list them.
_DIMENSIONS = {
    "drivers": """
        SELECT DISTINCT season, driver_id, driver_code, driver_number, driver_given_name,
            driver_family_name, driver_nationality
        FROM (SELECT * FROM results_src UNION ALL BY NAME SELECT * FROM sprint_results_src)
    """,
    "constructors": """
        SELECT DISTINCT season, constructor_id, constructor_name, constructor_nationality
        FROM (SELECT * FROM results_src UNION ALL BY NAME SELECT * FROM sprint_results_src)
    """,
    "circuits": """
        SELECT DISTINCT season, circuit_id, circuit_name, locality, country, lat, lng
        FROM races_src
    """,
}


def _typed(con: duckdb.DuckDBPyConnection, table: str, source: str) -> None:
    """``table`` with exactly the schema module's columns, from a source holding some of them."""
    schema = TABLES[table]
    have = {row[0] for row in con.execute(f"DESCRIBE {source}").fetchall()}
    columns = [(k, "string") for k in schema.partition_keys] + [
        (c.name, c.type) for c in schema.data_columns
    ]
    select = ", ".join(
        f"CAST({name if name in have else 'NULL'} AS "
        f"{exp.DataType.build(type_, dialect='hive').sql(dialect='duckdb')}) AS {name}"
        for name, type_ in columns
    )
    con.execute(f"CREATE TABLE {table} AS SELECT {select} FROM {source}")


# The tables of what happens at a race: cut at a date, they hold only the races run before it.
_RACE_DAY_TABLES = (
    "results",
    "sprint_results",
    "qualifying",
    "driver_standings",
    "constructor_standings",
)


def load_history(directory: Path, as_of: date | None = None) -> duckdb.DuckDBPyConnection:
    """A DuckDB database holding the processed tables of the whole dump.

    ``as_of``: the lake as it stood on that day, as the replay API serves it then: the
    schedule (``races``) lists every round of each season, results and standings only the
    races dated before it.
    """
    con = duckdb.connect()
    frames = {name: _csv(directory, name) for name in CSV_TABLES}
    if as_of is not None:
        races = frames["races"]
        run = set(races.loc[pd.to_datetime(races["date"]).dt.date < as_of, "raceId"])
        for name in _RACE_DAY_TABLES:
            frames[name] = frames[name][frames[name]["raceId"].isin(run)]
    for name, frame in frames.items():
        con.register(f"csv_{name}", frame)
    con.execute(_MILLIS_MACRO)
    sources = {
        "races": _RACES,
        "results": _CLASSIFICATION.format(source="results", rank="rank", speed="fastestLapSpeed"),
        # The sprint CSV has no rank or speed of the fastest lap.
        "sprint_results": _CLASSIFICATION.format(
            source="sprint_results", rank="NULL", speed="NULL"
        ).replace("x.NULL", "NULL"),
        "qualifying": _QUALIFYING,
        "pit_stops": _PIT_STOPS,
        "driver_standings": _STANDINGS.format(
            table="driver_standings",
            columns=_DRIVER,
            entity="drivers",
            alias="d",
            key="driverId",
        ),
        "constructor_standings": _STANDINGS.format(
            table="constructor_standings",
            columns=_CONSTRUCTOR,
            entity="constructors",
            alias="c",
            key="constructorId",
        ),
    }
    for table, sql in sources.items():
        con.execute(f"CREATE TEMP TABLE {table}_src AS {sql}")
    for table, sql in _DIMENSIONS.items():
        con.execute(f"CREATE TEMP TABLE {table}_src AS {sql}")
    for table in (*sources, *_DIMENSIONS):
        _typed(con, table, f"{table}_src")
        con.execute(f"DROP TABLE {table}_src")
    for name in CSV_TABLES:
        con.unregister(f"csv_{name}")
    return con


_RESIDUALS = re.compile(
    r"<!-- residual differences:.*?-->\n(.*?)<!-- end of residual differences -->", re.DOTALL
)


def residual_differences() -> dict[tuple[str, int], set[str]]:
    """(championship, season) -> entrants: the documented residual differences of the
    standings from the official tables (the table in sql/athena/README.md)."""
    match = _RESIDUALS.search((SQL_ROOT / "README.md").read_text(encoding="utf-8"))
    assert match, "sql/athena/README.md has no residual differences table"
    out: dict[tuple[str, int], set[str]] = {}
    for line in match.group(1).splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 4 or not cells[1].isdigit():
            continue  # header and rule lines
        out[(cells[0], int(cells[1]))] = {e.strip() for e in cells[2].split(",")}
    return out
