"""Small seasons in the processed layout, with official standings, for the check tests.

A season is described by its races (who finished where, with which points), so a test can
break one thing (a duplicated winner, a negative grid, an official total) and see exactly the
check that must catch it fail. Rows carry every column of ``f1lake.schema``; those a test does
not care about get plain defaults.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from f1lake.schema import TABLES
from f1lake.settings import Settings
from tests.catalog.lakedata import make_bucket, parquet_bytes, put

_DEFAULTS = {"int": 0, "bigint": 0, "double": 0.0, "string": "", "date": dt.date(2000, 1, 1)}


@dataclass
class Entry:
    driver: str
    team: str
    position: int | None  # None: not classified
    points: float
    car: int | None = None
    text: str | None = None  # position_text; default the position or "R"
    grid: int = 1
    laps: int = 50
    entry: int = 1
    status: str | None = None  # default Finished, or Engine when not classified
    fastest: tuple[int, int, int] | None = None  # fastest lap: (lap, millis, rank)
    quali: int | None = None  # qualifying position (a qualifying row is written when set)


@dataclass
class Season:
    year: int
    races: dict[int, list[Entry]] = field(default_factory=dict)
    sprints: dict[int, list[Entry]] = field(default_factory=dict)
    race_names: dict[int, str] = field(default_factory=dict)
    driver_official: dict[str, float] = field(default_factory=dict)
    constructor_official: dict[str, float] = field(default_factory=dict)
    missing_drivers: set[str] = field(default_factory=set)  # left out of the dimension
    scheduled: set[int] = field(default_factory=set)  # calendar rounds without results yet
    official_text: dict[str, str] = field(default_factory=dict)  # position_text overrides

    @property
    def last_round(self) -> int:
        return max(self.races)


def _row(table: str, values: dict[str, Any]) -> dict[str, Any]:
    schema = TABLES[table]
    row = {}
    for col in schema.data_columns:
        if col.name in values:
            row[col.name] = values[col.name]
        elif col.nullable or col.type.startswith("array<"):
            row[col.name] = None
        else:
            row[col.name] = _DEFAULTS[col.type]
    return row


def _schema(table: str) -> pa.Schema:
    return TABLES[table].parquet_schema()


def _classification(table: str, season: Season, rnd: int, entries: list[Entry]) -> list[dict]:
    order = sorted(entries, key=lambda e: (e.position is None, e.position or 0))
    rows = []
    for i, e in enumerate(order, start=1):
        text = e.text or (str(e.position) if e.position is not None else "R")
        rows.append(
            _row(
                table,
                {
                    "round": rnd,
                    "race_date": dt.date(season.year, 3, 1) + dt.timedelta(days=14 * rnd),
                    "entry": e.entry,
                    "driver_id": e.driver,
                    "driver_given_name": e.driver.title(),
                    "driver_family_name": e.driver.upper(),
                    "constructor_id": e.team,
                    "constructor_name": e.team.title(),
                    "car_number": e.car if e.car is not None else i,
                    "grid": e.grid,
                    "position": e.position,
                    "position_order": i,
                    "position_text": text,
                    "points": e.points,
                    "laps": e.laps,
                    "status": e.status or ("Finished" if e.position is not None else "Engine"),
                    **(
                        {
                            "fastest_lap_lap": e.fastest[0],
                            "fastest_lap_time_millis": e.fastest[1],
                            "fastest_lap_rank": e.fastest[2],
                            "fastest_lap_avg_speed_kph": 200.0 + e.fastest[2],
                        }
                        if e.fastest
                        else {}
                    ),
                },
            )
        )
    return rows


def _qualifying(season: Season, rnd: int, entries: list[Entry]) -> list[dict]:
    return [
        _row(
            "qualifying",
            {
                "round": rnd,
                "race_date": dt.date(season.year, 3, 1) + dt.timedelta(days=14 * rnd),
                "entry": e.entry,
                "driver_id": e.driver,
                "driver_given_name": e.driver.title(),
                "driver_family_name": e.driver.upper(),
                "constructor_id": e.team,
                "constructor_name": e.team.title(),
                "position": e.quali,
            },
        )
        for e in sorted(entries, key=lambda e: e.quali or 0)
        if e.quali is not None
    ]


def write_season(settings: Settings, season: Season) -> None:
    """Races, results, sprints, dimensions and official standings of one season."""
    y = season.year
    drivers: set[str] = set()
    teams: set[str] = set()
    for table, sessions in (("results", season.races), ("sprint_results", season.sprints)):
        for rnd, entries in sessions.items():
            rows = _classification(table, season, rnd, entries)
            put(
                settings,
                f"{table}/season={y}/{y}-{rnd:02d}.parquet",
                parquet_bytes(rows, _schema(table)),
            )
            drivers |= {e.driver for e in entries}
            teams |= {e.team for e in entries}
    for rnd, entries in season.races.items():
        quali = _qualifying(season, rnd, entries)
        if quali:
            put(
                settings,
                f"qualifying/season={y}/{y}-{rnd:02d}.parquet",
                parquet_bytes(quali, _schema("qualifying")),
            )
    for rnd in sorted({*season.races, *season.scheduled}):
        race = _row(
            "races",
            {
                "round": rnd,
                "race_name": season.race_names.get(rnd, f"Grand Prix {rnd}"),
                "race_date": dt.date(y, 3, 1) + dt.timedelta(days=14 * rnd),
                "circuit_id": f"circuit_{rnd}",
                "circuit_name": f"Circuit {rnd}",
                "country": f"Country {rnd}",
            },
        )
        put(
            settings,
            f"races/season={y}/{y}-{rnd:02d}.parquet",
            parquet_bytes([race], _schema("races")),
        )
    dims = [
        _row("drivers", {"driver_id": d, "driver_given_name": d, "driver_family_name": d})
        for d in sorted(drivers - season.missing_drivers)
    ]
    put(settings, f"drivers/season={y}/{y}.parquet", parquet_bytes(dims, _schema("drivers")))
    cons = [
        _row("constructors", {"constructor_id": t, "constructor_name": t}) for t in sorted(teams)
    ]
    put(
        settings,
        f"constructors/season={y}/{y}.parquet",
        parquet_bytes(cons, _schema("constructors")),
    )
    last = season.last_round
    for table, key, official in (
        ("driver_standings", "driver_id", season.driver_official),
        ("constructor_standings", "constructor_id", season.constructor_official),
    ):
        ranked = sorted(official.items(), key=lambda kv: -kv[1])
        rows = [
            _row(
                table,
                {
                    "round": last,
                    key: who,
                    "driver_given_name": who,
                    "driver_family_name": who,
                    "constructor_name": who,
                    "position": None if who in season.official_text else i,
                    "position_text": season.official_text.get(who, str(i)),
                    "points": pts,
                    "wins": 0,
                },
            )
            for i, (who, pts) in enumerate(ranked, start=1)
        ]
        put(
            settings,
            f"{table}/season={y}/{y}-{last:02d}.parquet",
            parquet_bytes(rows, _schema(table)),
        )


def totals(season: Season, by: str) -> dict[str, float]:
    """Plain sums of race and sprint points (what the official table holds in modern seasons)."""
    out: dict[str, float] = defaultdict(float)
    for sessions in (season.races, season.sprints):
        for entries in sessions.values():
            for e in entries:
                out[getattr(e, by)] += e.points
    return dict(out)


def modern_season(year: int = 2021) -> Season:
    """Three rounds: round 2 paid half points, round 3 had a sprint (3-2-1 in 2021)."""
    s = Season(year)
    s.races[1] = [
        Entry("alpha", "red", 1, 25.0),
        Entry("bravo", "blue", 2, 18.0),
        Entry("charlie", "red", 3, 15.0),
        Entry("delta", "blue", None, 0.0, laps=3),
    ]
    s.races[2] = [
        Entry("bravo", "blue", 1, 12.5),
        Entry("alpha", "red", 2, 9.0),
        Entry("delta", "blue", 3, 7.5),
        Entry("charlie", "red", 4, 6.0),
    ]
    s.sprints[3] = [
        Entry("delta", "blue", 1, 3.0),
        Entry("alpha", "red", 2, 2.0),
        Entry("charlie", "red", 3, 1.0),
        Entry("bravo", "blue", 4, 0.0),
    ]
    s.races[3] = [
        Entry("delta", "blue", 1, 25.0),
        Entry("charlie", "red", 2, 18.0),
        Entry("alpha", "red", 3, 15.0),
        Entry("bravo", "blue", 4, 12.0, grid=0),
    ]
    s.driver_official = totals(s, "driver")
    s.constructor_official = totals(s, "team")
    return s


def manifest(seasons: Iterable[Season]) -> list[tuple[int, int, str]]:
    """What a ledger that ingested these seasons expects of the lake (the checks' manifest)."""
    rows = []
    for s in seasons:
        y = s.year
        rows += [(y, r, t) for r in s.races for t in ("races", "results")]
        rows += [(y, r, "sprint_results") for r in s.sprints]
        rows += [(y, s.last_round, t) for t in ("driver_standings", "constructor_standings")]
        rows += [(y, 0, "drivers"), (y, 0, "constructors")]
    return sorted(rows)


def build(settings: Settings, seasons: Iterable[Season]) -> None:
    make_bucket(settings)
    for season in seasons:
        write_season(settings, season)
