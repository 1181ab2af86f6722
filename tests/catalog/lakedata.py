"""Small processed-bucket datasets the catalog and query tests write themselves."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Mapping
from functools import lru_cache

import pyarrow as pa
import pyarrow.parquet as pq

from f1lake.aws import client
from f1lake.settings import Settings

RESULTS_SCHEMA = pa.schema(
    [
        ("round", pa.int32()),
        ("race_date", pa.date32()),
        ("driver_id", pa.string()),
        ("driver_code", pa.string()),
        ("driver_family_name", pa.string()),
        ("constructor_id", pa.string()),
        ("constructor_name", pa.string()),
        ("grid", pa.int32()),
        ("position", pa.int32()),
        ("position_order", pa.int32()),
        ("position_text", pa.string()),
        ("points", pa.float64()),
        ("laps", pa.int32()),
        ("status", pa.string()),
        ("time_millis", pa.int64()),
    ]
)
RACES_SCHEMA = pa.schema(
    [
        ("round", pa.int32()),
        ("race_name", pa.string()),
        ("race_date", pa.date32()),
        ("circuit_id", pa.string()),
    ]
)
DRIVERS_SCHEMA = pa.schema([("driver_id", pa.string()), ("code", pa.string())])

# Three races of one season, four drivers (team red: A and C, team blue: B and D).
# Round 3 paid half points. D retired in round 1. B and D finish level on 37.5 points,
# D ahead on wins: the count-back decides.
SEASON_2023 = [
    # (round, driver, constructor, position, position_text, points)
    (1, "alpha", "red", 1, "1", 25.0),
    (1, "bravo", "blue", 2, "2", 18.0),
    (1, "charlie", "red", 3, "3", 15.0),
    (1, "delta", "blue", 4, "R", 0.0),
    (2, "delta", "blue", 1, "1", 25.0),
    (2, "alpha", "red", 2, "2", 18.0),
    (2, "charlie", "red", 3, "3", 15.0),
    (2, "bravo", "blue", 4, "4", 12.0),
    (3, "delta", "blue", 1, "1", 12.5),
    (3, "alpha", "red", 2, "2", 9.0),
    (3, "bravo", "blue", 3, "3", 7.5),
    (3, "charlie", "red", 4, "4", 6.0),
]
SEASON_2022 = [
    (1, "echo", "green", 1, "1", 25.0),
    (1, "alpha", "red", 2, "2", 18.0),
]


def result_rows(season: int, rows: Iterable[tuple]) -> dict[int, list[dict[str, object]]]:
    """Ergast-like result rows per round, in the processed table's columns."""
    out: dict[int, list[dict[str, object]]] = {}
    for rnd, driver, constructor, position, text, points in rows:
        finished = text.isdigit()
        out.setdefault(rnd, []).append(
            {
                "round": rnd,
                "race_date": dt.date(season, 3, 1) + dt.timedelta(days=14 * rnd),
                "driver_id": driver,
                "driver_code": driver[:3].upper(),
                "driver_family_name": driver.upper(),
                "constructor_id": constructor,
                "constructor_name": constructor.title(),
                "grid": position,
                "position": position,
                "position_order": position,
                "position_text": text,
                "points": points,
                "laps": 57 if finished else 20,
                "status": "Finished" if finished else "Engine",
                "time_millis": 5_400_000 + 1000 * position if finished else None,
            }
        )
    return out


def parquet_bytes(rows: list[Mapping[str, object]], schema: pa.Schema) -> bytes:
    buf = io.BytesIO()
    pq.write_table(pa.Table.from_pylist(list(rows), schema=schema), buf)
    return buf.getvalue()


@lru_cache
def _s3(endpoint: str | None, region: str):  # one client: building clients is the slow part
    return client("s3", Settings(aws_endpoint_url=endpoint, aws_region=region))


def put(settings: Settings, key: str, body: bytes) -> None:
    s3 = _s3(settings.aws_endpoint_url, settings.aws_region)
    s3.put_object(Bucket=settings.processed_bucket, Key=key, Body=body)


def make_bucket(settings: Settings) -> None:
    _s3(settings.aws_endpoint_url, settings.aws_region).create_bucket(
        Bucket=settings.processed_bucket
    )


def put_results(settings: Settings, season: int, rows: Iterable[tuple]) -> list[str]:
    """One Parquet object per race, at the processor's key layout; returns the keys."""
    keys = []
    for rnd, race_rows in result_rows(season, rows).items():
        key = f"results/season={season}/{season}-{rnd:02d}.parquet"
        put(settings, key, parquet_bytes(race_rows, RESULTS_SCHEMA))
        keys.append(key)
    return keys


def put_races(settings: Settings, season: int, rounds: Iterable[int]) -> None:
    for rnd in rounds:
        row = {
            "round": rnd,
            "race_name": f"Grand Prix {rnd}",
            "race_date": dt.date(season, 3, 1) + dt.timedelta(days=14 * rnd),
            "circuit_id": f"circuit_{rnd}",
        }
        put(
            settings,
            f"races/season={season}/{season}-{rnd:02d}.parquet",
            parquet_bytes([row], RACES_SCHEMA),
        )


def build_lake(settings: Settings) -> None:
    """Bucket with results and races for 2022 and 2023, and an unpartitioned drivers table."""
    make_bucket(settings)
    put_results(settings, 2023, SEASON_2023)
    put_results(settings, 2022, SEASON_2022)
    put_races(settings, 2023, [1, 2, 3])
    put_races(settings, 2022, [1])
    drivers = [{"driver_id": d, "code": d[:3].upper()} for d in ("alpha", "bravo", "charlie")]
    put(settings, "drivers/drivers.parquet", parquet_bytes(drivers, DRIVERS_SCHEMA))
