"""The ledger in PostgreSQL: the schedule and what was ingested for it, so nothing is done twice.

Schema (``migrations/``): five tables, and the migrations' own.

``processed_races`` - the schedule (despite its name it holds no processing state): one row per
    race, PK (season, round), with name and date. "Which completed races are missing?" is this
    table anti-joined to the ingestions. The ingestion state lives in the next two tables.
``race_ingestions`` - the *current* raw object per (race, endpoint), PK (season, round,
    endpoint): raw key, payload SHA-256, state (``ingested`` -> ``processed`` | ``failed``,
    with the error), ingestion/outcome times, the DAG run that wrote it, pages and requests.
    Endpoint is a plain name checked against :mod:`f1lake.endpoints`, so ``sprint``,
    ``qualifying``, standings or per-race dimensions are new rows, not new columns. "Which
    changed since last time?" compares a fetched hash with ``payload_sha256`` here. The row
    only moves forward: an older raw key (by :class:`f1lake.keys.RawKey` ordering) never
    replaces a newer one, and a processing outcome only lands on the raw key it names.
``season_ingestions`` (migration 0002) - the same for season-scoped endpoints (the
    dimensions: one raw object per season), PK (season, endpoint), plus ``through_round``:
    the season's last completed round when the payload was last confirmed, so a current
    season's dimensions are refetched once a later race has been run.
``race_absences`` (0002) - completed races an endpoint has no data for (a weekend without a
    sprint): asked once, then known; an ingestion of the same race clears it.
``ingestion_events`` - append-only history (a trigger refuses UPDATE/DELETE): ``ingested``,
    ``processed``, ``failed``, ``skipped_unchanged``, each with raw key, hash, DAG run and
    time. Facts that did not change the current row are kept too (``applied = false``):
    out-of-order ingestions, outcomes for superseded keys. An outcome that arrives before its
    ingestion is recorded (S3 events can overtake the DAG's ledger write) is applied when the
    ingestion lands. "What happened when?" reads this table.

``schema_migrations`` tracks applied migrations (see :mod:`f1lake.ledger.schema`).

The adapter is :mod:`f1lake.ledger.store` (SQL on one connection); :mod:`f1lake.ledger.plan`
decides, without I/O, what a run writes.
"""

from __future__ import annotations

from f1lake.ledger.connection import connect, normalise_dsn
from f1lake.ledger.models import (
    Absence,
    Event,
    EventKind,
    Ingestion,
    RaceRef,
    RaceRow,
    Revision,
    State,
)
from f1lake.ledger.plan import (
    Change,
    PayloadDecision,
    WritePlan,
    plan_writes,
)
from f1lake.ledger.schema import MigrationError, load_migrations, migrate
from f1lake.ledger.store import Ledger, UnknownRaceError

__all__ = [
    "Absence",
    "Change",
    "Event",
    "EventKind",
    "Ingestion",
    "Ledger",
    "MigrationError",
    "PayloadDecision",
    "RaceRef",
    "RaceRow",
    "Revision",
    "State",
    "UnknownRaceError",
    "WritePlan",
    "connect",
    "load_migrations",
    "migrate",
    "normalise_dsn",
    "plan_writes",
]
