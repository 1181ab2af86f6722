"""Every processed table, defined once: validation, Parquet, the Glue catalog and the docs
all read these definitions.

A table is fed by exactly one raw endpoint. Per-race tables are written as one Parquet file
per race (``{table}/season=YYYY/YYYY-RR.parquet``); the dimensions (drivers, constructors,
circuits, status) come from their season-scoped endpoints as one file per season
(``{table}/season=YYYY/YYYY.parquet``): a row means "took part in that season", so joins go on
(season, id).
"""

from __future__ import annotations

from f1lake.schema.types import Column, Table


def _col(name: str, type_: str, description: str, *, nullable: bool = True) -> Column:
    return Column(name, type_, description, nullable)


def _season_key() -> Column:
    return _col(
        "season", "int", "Championship year; the partition key (season=YYYY/).", nullable=False
    )


def _race_key() -> tuple[Column, ...]:
    return (
        _season_key(),
        _col("round", "int", "Round number within the season.", nullable=False),
    )


def _race_date() -> Column:
    return _col("race_date", "date", "Date of the Grand Prix (race day).", nullable=False)


def _driver(prefix: str = "driver_") -> tuple[Column, ...]:
    return (
        _col(f"{prefix}id", "string", "Ergast driverId, stable across seasons.", nullable=False),
        _col(
            f"{prefix}code",
            "string",
            "Three-letter code (VER); absent for most historical drivers.",
        ),
        _col(f"{prefix}number", "int", "Permanent number (33); absent before 2014."),
        _col(f"{prefix}given_name", "string", "Given name.", nullable=False),
        _col(f"{prefix}family_name", "string", "Family name.", nullable=False),
        _col(f"{prefix}nationality", "string", "Nationality as an adjective (Dutch)."),
    )


def _constructor(*, nullable: bool) -> tuple[Column, ...]:
    why = " Absent on a few historical entries." if nullable else ""
    return (
        _col("constructor_id", "string", "Ergast constructorId." + why, nullable=nullable),
        _col("constructor_name", "string", "Constructor name." + why, nullable=nullable),
        _col("constructor_nationality", "string", "Constructor nationality." + why),
    )


def _entry() -> Column:
    return _col(
        "entry",
        "int",
        "1 for a driver's first entry in the event, 2 for a second car he shared "
        "(until 1978 one driver could appear twice in a race).",
        nullable=False,
    )


def _race_like_results() -> tuple[Column, ...]:
    """Columns shared by the race and sprint classifications."""
    return (
        *_race_key(),
        _race_date(),
        _entry(),
        *_driver(),
        *_constructor(nullable=True),
        _col("car_number", "int", "Race number on the car (can differ from driver_number)."),
        _col(
            "grid", "int", "Starting grid position; 0 = started from the pit lane.", nullable=False
        ),
        _col(
            "position",
            "int",
            "Classified finishing position; null when position_text is not a number.",
        ),
        _col(
            "position_order",
            "int",
            "Order of the classification (the API's position), set for every entry.",
            nullable=False,
        ),
        _col(
            "position_text",
            "string",
            "Position as published: a number, or R retired, D disqualified, E excluded, "
            "W withdrawn, F failed to qualify, N not classified. A disqualification the "
            "source lists as a place is D (docs/source_variants.md).",
            nullable=False,
        ),
        _col("points", "double", "Points scored (half points exist).", nullable=False),
        _col("laps", "int", "Laps completed.", nullable=False),
        _col(
            "status",
            "string",
            "Finishing status (Finished, +1 Lap, Lapped, Engine...).",
            nullable=False,
        ),
        _col(
            "time_millis",
            "bigint",
            "Total race time in milliseconds: lead-lap finishers in the Ergast data; Jolpica "
            "also times lapped cars (docs/source_variants.md).",
        ),
        _col("time_text", "string", "Published time: the winner's total, others' gap (+5.155)."),
        _col("fastest_lap_rank", "int", "Rank of this driver's fastest lap in the race."),
        _col("fastest_lap_lap", "int", "Lap on which the fastest lap was set."),
        _col("fastest_lap_time_millis", "bigint", "Fastest lap time in milliseconds."),
        _col("fastest_lap_avg_speed_kph", "double", "Average speed of the fastest lap, km/h."),
    )


def _session(name: str, label: str) -> tuple[Column, ...]:
    return (
        _col(f"{name}_date", "date", f"{label} date; absent before 2021."),
        _col(f"{name}_time", "string", f"{label} start, UTC (HH:MM:SS)."),
    )


RACES = Table(
    name="races",
    description="The season calendar: one row per Grand Prix of the published schedule, run or "
    "still to run, with its circuit and session times (view schedule says which are run).",
    source="races",
    key=("season", "round"),
    columns=(
        *_race_key(),
        _col("race_name", "string", "Grand Prix name.", nullable=False),
        _race_date(),
        _col("race_time", "string", "Race start, UTC (HH:MM:SS); absent before 2005."),
        _col("circuit_id", "string", "Ergast circuitId.", nullable=False),
        _col("circuit_name", "string", "Circuit name.", nullable=False),
        _col("locality", "string", "Town or city of the circuit."),
        _col("country", "string", "Country of the circuit."),
        _col("lat", "double", "Circuit latitude, degrees."),
        _col("lng", "double", "Circuit longitude, degrees."),
        _col("url", "string", "Wikipedia page of the race."),
        *_session("fp1", "First practice"),
        *_session("fp2", "Second practice (the sprint shootout on some 2023 sprint weekends)"),
        *_session("fp3", "Third practice"),
        *_session("qualifying", "Qualifying"),
        *_session("sprint_qualifying", "Sprint qualifying / shootout"),
        *_session("sprint", "Sprint"),
    ),
)

RESULTS = Table(
    name="results",
    description="Race classification: one row per entry of each Grand Prix.",
    source="results",
    key=("season", "round", "driver_id", "entry"),
    columns=_race_like_results(),
)

SPRINT_RESULTS = Table(
    name="sprint_results",
    description="Sprint classification (2021 on): one row per entry of each sprint.",
    source="sprint",
    key=("season", "round", "driver_id", "entry"),
    columns=_race_like_results(),
)

QUALIFYING = Table(
    name="qualifying",
    description="Qualifying classification with the Q1/Q2/Q3 lap times (1994 on).",
    source="qualifying",
    key=("season", "round", "driver_id", "entry"),
    columns=(
        *_race_key(),
        _race_date(),
        _entry(),
        *_driver(),
        *_constructor(nullable=True),
        _col("car_number", "int", "Race number on the car."),
        _col("position", "int", "Qualifying position.", nullable=False),
        _col("q1_millis", "bigint", "Best Q1 lap (the only session before 2006), milliseconds."),
        _col("q2_millis", "bigint", "Best Q2 lap, milliseconds."),
        _col("q3_millis", "bigint", "Best Q3 lap, milliseconds."),
    ),
)

PIT_STOPS = Table(
    name="pit_stops",
    description=(
        "Pit stops (2011 on): one row per stop of each Grand Prix, as the source times them. "
        "Stops under a red flag (the cars wait in the pit lane) are included, with their long "
        "durations (16:44.718); filter on duration_millis to leave them out."
    ),
    source="pit_stops",
    key=("season", "round", "driver_id", "stop"),
    columns=(
        *_race_key(),
        _race_date(),
        _col("driver_id", "string", "Ergast driverId (join results for the team).", nullable=False),
        _col("stop", "int", "The driver's stop number in the race (1, 2...).", nullable=False),
        _col("lap", "int", "Lap on which the driver stopped.", nullable=False),
        _col(
            "time_of_day",
            "string",
            "Local time of day at the circuit when the car entered the pit lane (HH:MM:SS).",
        ),
        _col(
            "duration_millis",
            "bigint",
            "Time from pit entry to exit, milliseconds: a normal stop is 18-30 s; a minute or "
            "more is a red-flag wait or a repair.",
        ),
        _col("duration_text", "string", "Duration as published (23.456, 16:44.718)."),
    ),
)

LAPS = Table(
    name="laps",
    description=(
        "Lap times (1996 on; ingested only when asked for): one row per driver per lap of "
        "each Grand Prix, with his position at the end of the lap."
    ),
    source="laps",
    key=("season", "round", "lap", "driver_id"),
    columns=(
        *_race_key(),
        _race_date(),
        _col("lap", "int", "Lap number (1 = the first racing lap).", nullable=False),
        _col("driver_id", "string", "Ergast driverId (join results for the team).", nullable=False),
        _col("position", "int", "Position at the end of the lap."),
        _col("time_millis", "bigint", "Lap time, milliseconds."),
    ),
)

_STANDING = (
    _col(
        "position",
        "int",
        "Championship position; null when the source gives none (position_text '-').",
    ),
    _col(
        "position_text",
        "string",
        "Position as published: a number, D disqualified, E excluded, or - unranked.",
        nullable=False,
    ),
    _col("points", "double", "Championship points after this round.", nullable=False),
    _col("wins", "int", "Wins so far this season.", nullable=False),
)

DRIVER_STANDINGS = Table(
    name="driver_standings",
    description=(
        "Official drivers' championship after a round, as published by the API (the "
        "season's last completed round: final standings of a past season). Standings "
        "derived from results are SQL views."
    ),
    source="driver_standings",
    key=("season", "round", "driver_id"),
    columns=(
        *_race_key(),
        *_driver(),
        *_STANDING,
        _col(
            "constructor_ids",
            "array<string>",
            "Ergast constructorIds the driver drove for in the season up to this round, in the "
            "API's order: more than one when he changed teams; null when the source lists none.",
        ),
    ),
)

CONSTRUCTOR_STANDINGS = Table(
    name="constructor_standings",
    description=(
        "Official constructors' championship after a round (1958 on), as published by the API."
    ),
    source="constructor_standings",
    key=("season", "round", "constructor_id"),
    columns=(*_race_key(), *_constructor(nullable=False), *_STANDING),
)


DRIVERS = Table(
    name="drivers",
    description="Driver dimension: one row per driver who took part in the season.",
    source="drivers",
    key=("season", "driver_id"),
    columns=(
        _season_key(),
        *_driver(),
        _col("date_of_birth", "date", "Date of birth."),
        _col("url", "string", "Wikipedia page of the driver."),
    ),
)

CONSTRUCTORS = Table(
    name="constructors",
    description="Constructor dimension: one row per constructor that took part in the season.",
    source="constructors",
    key=("season", "constructor_id"),
    columns=(
        _season_key(),
        *_constructor(nullable=False),
        _col("url", "string", "Wikipedia page of the constructor."),
    ),
)

CIRCUITS = Table(
    name="circuits",
    description="Circuit dimension: one row per circuit on the season's calendar.",
    source="circuits",
    key=("season", "circuit_id"),
    columns=(
        _season_key(),
        _col("circuit_id", "string", "Ergast circuitId.", nullable=False),
        _col("circuit_name", "string", "Circuit name.", nullable=False),
        _col("locality", "string", "Town or city."),
        _col("country", "string", "Country."),
        _col("lat", "double", "Latitude, degrees."),
        _col("lng", "double", "Longitude, degrees."),
        _col("url", "string", "Wikipedia page of the circuit."),
    ),
)

STATUS = Table(
    name="status",
    description="Finishing statuses: one row per status that occurred in the season's results.",
    source="status",
    key=("season", "status_id"),
    columns=(
        _season_key(),
        _col("status_id", "int", "Ergast statusId.", nullable=False),
        _col(
            "status",
            "string",
            "Status text as in results.status (Finished, +1 Lap, Engine...).",
            nullable=False,
        ),
        _col("count", "int", "Race results with this status in the season.", nullable=False),
    ),
)

TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        RACES,
        RESULTS,
        SPRINT_RESULTS,
        QUALIFYING,
        PIT_STOPS,
        LAPS,
        DRIVER_STANDINGS,
        CONSTRUCTOR_STANDINGS,
        DRIVERS,
        CONSTRUCTORS,
        CIRCUITS,
        STATUS,
    )
}
"""Every processed table by name."""


def get_table(name: str) -> Table:
    try:
        return TABLES[name]
    except KeyError:
        raise ValueError(f"unknown table {name!r}; known tables: {', '.join(TABLES)}") from None


def tables_for_source(endpoint: str) -> list[Table]:
    """Tables fed by one raw endpoint (exactly one each: ``sprint`` feeds sprint_results)."""
    return [t for t in TABLES.values() if t.source == endpoint]
