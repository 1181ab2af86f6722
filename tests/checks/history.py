"""The real Ergast history (../shared/data/ergast-csv) as the processed tables, in DuckDB.

Reads the CSV dump into the columns of ``f1lake.schema`` (``season`` a string, as Glue types a
partition key), so the checks and views run over 1950-2025 in seconds without going through
S3. Nothing here is copied into the repository: the tests skip when the folder is absent.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd


def _csv(directory: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(directory / f"{name}.csv", na_values=["\\N"], keep_default_na=False)


_CLASSIFICATION = """
CREATE TABLE {table} AS
SELECT
    CAST(ra.year AS VARCHAR) AS season,
    CAST(ra.round AS INTEGER) AS round,
    CAST(row_number() OVER (
        PARTITION BY x.raceId, x.driverId ORDER BY x.positionOrder) AS INTEGER) AS entry,
    d.driverRef AS driver_id,
    c.constructorRef AS constructor_id,
    CAST(x.number AS INTEGER) AS car_number,
    CAST(x.grid AS INTEGER) AS grid,
    CAST(x.position AS INTEGER) AS position,
    CAST(x.positionOrder AS INTEGER) AS position_order,
    CAST(x.positionText AS VARCHAR) AS position_text,
    CAST(x.points AS DOUBLE) AS points,
    CAST(x.laps AS INTEGER) AS laps,
    st.status AS status
FROM csv_{source} AS x
JOIN csv_races AS ra USING (raceId)
JOIN csv_drivers AS d USING (driverId)
JOIN csv_constructors AS c USING (constructorId)
JOIN csv_status AS st USING (statusId)
"""

_STANDINGS = """
CREATE TABLE {table} AS
SELECT
    CAST(ra.year AS VARCHAR) AS season,
    CAST(ra.round AS INTEGER) AS round,
    e.{ref} AS {id},
    CAST(x.position AS INTEGER) AS position,
    CAST(x.positionText AS VARCHAR) AS position_text,
    CAST(x.points AS DOUBLE) AS points,
    CAST(x.wins AS INTEGER) AS wins
FROM csv_{table} AS x
JOIN csv_races AS ra USING (raceId)
JOIN csv_{entity} AS e USING ({key})
-- The API serves the official standings after the season's last completed round only.
WHERE ra.round = (SELECT max(r2.round) FROM csv_{table} AS y JOIN csv_races AS r2 USING (raceId)
                  WHERE r2.year = ra.year)
"""


def load_history(directory: Path) -> duckdb.DuckDBPyConnection:
    """A DuckDB database holding the processed tables of the whole dump."""
    con = duckdb.connect()
    names = ("races", "results", "sprint_results", "drivers", "constructors", "status")
    for name in (*names, "driver_standings", "constructor_standings"):
        con.register(f"csv_{name}", _csv(directory, name))
    con.execute(
        "CREATE TABLE races AS SELECT CAST(year AS VARCHAR) AS season, "
        "CAST(round AS INTEGER) AS round, name AS race_name, CAST(date AS DATE) AS race_date "
        "FROM csv_races"
    )
    con.execute(_CLASSIFICATION.format(table="results", source="results"))
    con.execute(_CLASSIFICATION.format(table="sprint_results", source="sprint_results"))
    con.execute(
        _STANDINGS.format(
            table="driver_standings",
            ref="driverRef",
            id="driver_id",
            entity="drivers",
            key="driverId",
        )
    )
    con.execute(
        _STANDINGS.format(
            table="constructor_standings",
            ref="constructorRef",
            id="constructor_id",
            entity="constructors",
            key="constructorId",
        )
    )
    # Season dimensions: who took part in the season, as the season endpoints list them.
    con.execute(
        "CREATE TABLE drivers AS SELECT DISTINCT season, driver_id FROM "
        "(SELECT season, driver_id FROM results UNION ALL SELECT season, driver_id FROM sprint_results)"
    )
    con.execute(
        "CREATE TABLE constructors AS SELECT DISTINCT season, constructor_id FROM "
        "(SELECT season, constructor_id FROM results "
        "UNION ALL SELECT season, constructor_id FROM sprint_results)"
    )
    for name in (*names, "driver_standings", "constructor_standings"):
        con.unregister(f"csv_{name}")
    return con
