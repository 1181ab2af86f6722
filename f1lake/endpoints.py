"""The Ergast endpoints the pipeline ingests: one registry, so a new endpoint is one entry.

Each endpoint is fetched season-wide with offset pagination (``limit=100``) and split into one
raw object per race. ``row_key`` names the per-race list the API pages over (``Results``); an
endpoint without one (the schedule) pages over races themselves.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Endpoint:
    name: str
    """Raw-layer and ledger name, also the URL suffix: ``/{season}/{name}.json``."""
    table_key: str
    """MRData key of the table wrapper (``RaceTable``)."""
    items_key: str
    """Key of the list inside the table wrapper (``Races``)."""
    row_key: str | None
    """Key of the per-race row list inside each item (``Results``); None when items are rows."""
    description: str

    def season_path(self, season: int | str) -> str:
        return f"{season}/{self.name}.json"

    def race_path(self, season: int | str, round_: int | str) -> str:
        return f"{season}/{round_}/{self.name}.json"


RACES = Endpoint(
    name="races",
    table_key="RaceTable",
    items_key="Races",
    row_key=None,
    description="Season schedule: one item per race, with circuit and session times.",
)
RESULTS = Endpoint(
    name="results",
    table_key="RaceTable",
    items_key="Races",
    row_key="Results",
    description="Race classification: one row per entry.",
)

ENDPOINTS: dict[str, Endpoint] = {e.name: e for e in (RACES, RESULTS)}
"""Every endpoint the DAGs ingest, in ingestion order."""


def get_endpoint(name: str) -> Endpoint:
    try:
        return ENDPOINTS[name]
    except KeyError:
        known = ", ".join(ENDPOINTS)
        raise ValueError(f"unknown endpoint {name!r}; known endpoints: {known}") from None
