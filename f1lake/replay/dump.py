"""Load an Ergast CSV dump into per-season and per-race lookups.

The replay API answers every request from these lookups, so all the sorting and grouping is done
once here; a request then only slices lists. Cell values stay the CSV's text (the API serves
every number as a string anyway), with the dump's ``\\N`` turned into ``None``.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

NULL = "\\N"
Row = dict[str, str | None]

REQUIRED_FILES = (
    "circuits",
    "constructors",
    "drivers",
    "races",
    "results",
    "seasons",
    "status",
)
OPTIONAL_FILES = (
    "sprint_results",
    "qualifying",
    "driver_standings",
    "constructor_standings",
    "pit_stops",
    "lap_times",
)


class DumpError(ValueError):
    """The folder is not a readable Ergast CSV dump."""


@dataclass(frozen=True)
class Race:
    race_id: str
    season: int
    round: int
    day: date
    row: Row


@dataclass
class Dump:
    """An Ergast dump, indexed for the replay API."""

    races: dict[str, Race]
    races_by_season: dict[int, list[Race]]
    seasons: dict[int, str | None]  # year -> wikipedia url
    drivers: dict[str, Row]
    constructors: dict[str, Row]
    circuits: dict[str, Row]
    status: dict[str, str]
    results: dict[str, list[Row]] = field(default_factory=dict)  # raceId -> rows by positionOrder
    sprint_results: dict[str, list[Row]] = field(default_factory=dict)
    qualifying: dict[str, list[Row]] = field(default_factory=dict)
    driver_standings: dict[str, list[Row]] = field(default_factory=dict)
    constructor_standings: dict[str, list[Row]] = field(default_factory=dict)
    pit_stops: dict[str, list[Row]] = field(default_factory=dict)
    lap_times: dict[str, list[Row]] = field(default_factory=dict)  # by lap, then position

    def race(self, season: int, round_: int) -> Race | None:
        for race in self.races_by_season.get(season, ()):
            if race.round == round_:
                return race
        return None


def read_table(path: Path) -> list[Row]:
    """Rows of one CSV file, ``\\N`` as None."""
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        try:
            header = next(reader)
        except StopIteration:
            raise DumpError(f"{path} is empty (expected a header row)") from None
        rows = []
        for line_no, cells in enumerate(reader, start=2):
            if not cells:
                continue
            if len(cells) > len(header):
                raise DumpError(
                    f"{path} line {line_no}: {len(cells)} cells, the header has {len(header)}"
                )
            # Real dumps end some rows early (the newest races lack the session columns).
            row: Row = dict.fromkeys(header)
            row.update((k, None if v == NULL else v) for k, v in zip(header, cells, strict=False))
            rows.append(row)
        return rows


def _need(row: Row, column: str, table: str) -> str:
    value = row.get(column)
    if value is None:
        raise DumpError(f"{table}.csv: a row has no {column!r}: {row}")
    return value


def _group(rows: list[Row], sort_key: str | None) -> dict[str, list[Row]]:
    grouped: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        grouped[_need(row, "raceId", "results")].append(row)
    if sort_key:
        for race_rows in grouped.values():
            race_rows.sort(key=lambda r: int(r.get(sort_key) or 10_000))
    return dict(grouped)


def _pit_stop_key(row: Row) -> tuple[int, str, int]:
    return (int(row["lap"] or 0), row["time"] or "", int(row["stop"] or 0))


def _lap_time_key(row: Row) -> tuple[int, int]:
    return (int(row["lap"] or 0), int(row["position"] or 10_000))


def load_dump(csv_dir: Path) -> Dump:
    """Read every table of the dump in ``csv_dir``; the result tables are optional."""
    csv_dir = Path(csv_dir)
    if not csv_dir.is_dir():
        raise DumpError(f"Ergast CSV dump folder not found: {csv_dir}")
    missing = [f"{name}.csv" for name in REQUIRED_FILES if not (csv_dir / f"{name}.csv").is_file()]
    if missing:
        raise DumpError(f"{csv_dir} is not an Ergast CSV dump: missing {', '.join(missing)}")

    def table(name: str) -> list[Row]:
        path = csv_dir / f"{name}.csv"
        return read_table(path) if path.is_file() else []

    races: dict[str, Race] = {}
    by_season: dict[int, list[Race]] = defaultdict(list)
    for row in table("races"):
        try:
            race = Race(
                race_id=_need(row, "raceId", "races"),
                season=int(_need(row, "year", "races")),
                round=int(_need(row, "round", "races")),
                day=date.fromisoformat(_need(row, "date", "races")),
                row=row,
            )
        except ValueError as exc:
            raise DumpError(f"races.csv: bad row {row}: {exc}") from exc
        races[race.race_id] = race
        by_season[race.season].append(race)
    for season_races in by_season.values():
        season_races.sort(key=lambda r: r.round)
    seasons = {int(_need(r, "year", "seasons")): r.get("url") for r in table("seasons")}
    for year in by_season:
        seasons.setdefault(year, None)
    return Dump(
        races=races,
        races_by_season=dict(sorted(by_season.items())),
        seasons=dict(sorted(seasons.items())),
        drivers={_need(r, "driverId", "drivers"): r for r in table("drivers")},
        constructors={_need(r, "constructorId", "constructors"): r for r in table("constructors")},
        circuits={_need(r, "circuitId", "circuits"): r for r in table("circuits")},
        status={_need(r, "statusId", "status"): r.get("status") or "" for r in table("status")},
        results=_group(table("results"), "positionOrder"),
        sprint_results=_group(table("sprint_results"), "positionOrder"),
        qualifying=_group(table("qualifying"), "position"),
        driver_standings=_group(table("driver_standings"), "position"),
        constructor_standings=_group(table("constructor_standings"), "position"),
        pit_stops={
            k: sorted(v, key=_pit_stop_key) for k, v in _group(table("pit_stops"), None).items()
        },
        lap_times={
            k: sorted(v, key=_lap_time_key) for k, v in _group(table("lap_times"), None).items()
        },
    )


def default_today(dump: Dump) -> date:
    """The day after the latest race with results: the dump as of when it was made."""
    days = [dump.races[race_id].day for race_id in dump.results if race_id in dump.races]
    if not days:
        raise DumpError("the dump has no race with results; pass an explicit today")
    return max(days) + timedelta(days=1)
