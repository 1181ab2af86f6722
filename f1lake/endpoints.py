"""The Ergast endpoints the pipeline ingests, each declared once, in ``ENDPOINTS``.

Each endpoint is fetched season-wide with offset pagination (``limit=100``) and split into one
raw object per race (``scope="race"``), or kept whole for the season (``scope="season"``, the
dimensions). ``row_key`` names the per-item list the API pages over (``Results``); an endpoint
without one pages over its items themselves (the schedule, the dimensions).

Adding an endpoint takes three declarations, one per layer. They stay apart
on purpose: this module is the ground floor the API client, the replay API, the DAGs and the
CDK app import without pyarrow or pandas, while the table needs Arrow and the transform pandas.

1. its :class:`Endpoint` here, added to ``ENDPOINTS`` (API shape, scope, selection);
2. its processed table in :mod:`f1lake.schema.tables`, added to ``TABLES`` with
   ``source=`` the endpoint's name (``python -m f1lake.schema > docs/tables.md`` then);
3. its rows function in :mod:`f1lake.transform`, added to ``TRANSFORMS`` under that name.

``tests/processing/test_registries.py`` fails until the three agree. The rest follows from
them: raw keys, the ledger, the DAGs' mapped tasks, the S3 notifications of the CDK app, the
Lambda's dispatch, the crawler's tables and the data dictionary. The replay API serves an
endpoint only if :mod:`f1lake.replay.responses` knows its URL segment.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Scope = Literal["race", "season"]
Selection = Literal["every_race", "last_race", "season"]


@dataclass(frozen=True)
class Endpoint:
    name: str
    """Raw-layer and ledger name (snake_case)."""
    path: str
    """URL segment: ``/{season}/{path}.json``, ``/{season}/{round}/{path}.json``."""
    table_key: str
    """MRData key of the table wrapper (``RaceTable``)."""
    items_key: str
    """Key of the list inside the table wrapper (``Races``)."""
    row_key: str | None
    """Key of the per-item row list (``Results``); None when the items are the rows."""
    scope: Scope
    """``race``: one raw object per (season, round); ``season``: one per season."""
    selection: Selection
    """Which rounds are ingested: every completed race, only the season's last completed race
    (standings: final for a past season, latest for the current one), or the season as one."""
    description: str
    nested_key: str | None = None
    """Key of each row's own list when the API pages over that (laps: ``Laps[].Timings``)."""
    rounds_only: bool = False
    """The API serves it per round only (``/{season}/{round}/pitstops``): fetched race by race."""
    opt_in: bool = False
    """Fetched only when a run asks for it (laps: 10-15 requests a race), never by default."""

    def season_path(self, season: int | str) -> str:
        return f"{season}/{self.path}.json"

    def race_path(self, season: int | str, round_: int | str) -> str:
        return f"{season}/{round_}/{self.path}.json"


RACES = Endpoint(
    name="races",
    path="races",
    table_key="RaceTable",
    items_key="Races",
    row_key=None,
    scope="race",
    selection="every_race",
    description="Season schedule: one item per race, with circuit and session times.",
)
RESULTS = Endpoint(
    name="results",
    path="results",
    table_key="RaceTable",
    items_key="Races",
    row_key="Results",
    scope="race",
    selection="every_race",
    description="Race classification: one row per entry.",
)
SPRINT = Endpoint(
    name="sprint",
    path="sprint",
    table_key="RaceTable",
    items_key="Races",
    row_key="SprintResults",
    scope="race",
    selection="every_race",
    description="Sprint classification (2021 on): one row per entry; rounds without a sprint have none.",
)
QUALIFYING = Endpoint(
    name="qualifying",
    path="qualifying",
    table_key="RaceTable",
    items_key="Races",
    row_key="QualifyingResults",
    scope="race",
    selection="every_race",
    description="Qualifying classification with Q1/Q2/Q3 times.",
)
PIT_STOPS = Endpoint(
    name="pit_stops",
    path="pitstops",
    table_key="RaceTable",
    items_key="Races",
    row_key="PitStops",
    scope="race",
    selection="every_race",
    description="Pit stops (2011 on): one row per stop, red-flag stops included.",
    rounds_only=True,
)
LAPS = Endpoint(
    name="laps",
    path="laps",
    table_key="RaceTable",
    items_key="Races",
    row_key="Laps",
    scope="race",
    selection="every_race",
    description="Lap times (1996 on): one timing per driver per lap; fetched only when asked for.",
    nested_key="Timings",
    rounds_only=True,
    opt_in=True,
)
DRIVER_STANDINGS = Endpoint(
    name="driver_standings",
    path="driverStandings",
    table_key="StandingsTable",
    items_key="StandingsLists",
    row_key="DriverStandings",
    scope="race",
    selection="last_race",
    description="Official drivers' championship after a round (final for a past season).",
)
CONSTRUCTOR_STANDINGS = Endpoint(
    name="constructor_standings",
    path="constructorStandings",
    table_key="StandingsTable",
    items_key="StandingsLists",
    row_key="ConstructorStandings",
    scope="race",
    selection="last_race",
    description="Official constructors' championship after a round (final for a past season).",
)
DRIVERS = Endpoint(
    name="drivers",
    path="drivers",
    table_key="DriverTable",
    items_key="Drivers",
    row_key=None,
    scope="season",
    selection="season",
    description="Drivers who took part in the season.",
)
CONSTRUCTORS = Endpoint(
    name="constructors",
    path="constructors",
    table_key="ConstructorTable",
    items_key="Constructors",
    row_key=None,
    scope="season",
    selection="season",
    description="Constructors that took part in the season.",
)
CIRCUITS = Endpoint(
    name="circuits",
    path="circuits",
    table_key="CircuitTable",
    items_key="Circuits",
    row_key=None,
    scope="season",
    selection="season",
    description="Circuits raced on in the season.",
)
STATUS = Endpoint(
    name="status",
    path="status",
    table_key="StatusTable",
    items_key="Status",
    row_key=None,
    scope="season",
    selection="season",
    description="Finishing statuses of the season with their counts.",
)

SEASONS = Endpoint(
    name="seasons",
    path="seasons",
    table_key="SeasonTable",
    items_key="Seasons",
    row_key=None,
    scope="season",
    selection="season",
    description="Every season the API knows (validation only; not ingested).",
)

ENDPOINTS: dict[str, Endpoint] = {
    e.name: e
    for e in (
        RACES,
        RESULTS,
        SPRINT,
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
"""Every endpoint the client and the replay API know, in ingestion order."""


def get_endpoint(name: str) -> Endpoint:
    try:
        return ENDPOINTS[name]
    except KeyError:
        known = ", ".join(ENDPOINTS)
        raise ValueError(f"unknown endpoint {name!r}; known endpoints: {known}") from None
