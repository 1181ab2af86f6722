"""What the ledger says the lake must hold, as rows a check can join: the ledger's manifest.

The checks run on the lake's engine (Athena, or DuckDB locally), which cannot reach the
ledger's PostgreSQL; so the runner passes the ledger's list into the SQL as a ``VALUES`` table
(a check marks where with ``-- @manifest NAME``). The rows are integers and table names this
code builds, never user text. Without a manifest (no ledger configured) such a check is
skipped and says so, rather than passing on nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from f1lake.endpoints import RACES, get_endpoint
from f1lake.ledger import Absence, Ingestion, Ledger, State
from f1lake.schema import tables_for_source

ManifestRow = tuple[int, int, str]
"""(season, round or 0 for a season-scoped table, table): the lake must have rows there."""

LEDGER_MANIFEST = "ledger_manifest"


def expected_rows(
    ingestions: Iterable[Ingestion], absences: Iterable[Absence] = ()
) -> list[ManifestRow]:
    """Pure: what the lake must hold for one season's current ingestions and absences.

    Every processed ingestion has rows in its table (a race-scoped object with an empty list
    is quarantined, never processed). Every completed race has results, whether or not they
    were ever fetched: a round the pipeline took as run, which is one with anything but its
    schedule entry ingested or found absent (the schedule holds every round of the published
    calendar; a round with nothing else is still to run, not missing). A season-scoped
    dimension is expected once the season has a completed race (before that, an empty list
    is valid).
    """
    ingestions = list(ingestions)
    completed = {i.round for i in ingestions if i.endpoint != RACES.name and i.round}
    completed |= {a.round for a in absences}
    seasons = {i.season for i in ingestions} | {a.season for a in absences}
    rows: set[ManifestRow] = {(s, r, "results") for s in seasons for r in completed}
    for i in ingestions:
        if i.state != State.PROCESSED:
            continue
        if get_endpoint(i.endpoint).scope == "season" and not completed:
            continue
        rows.update((i.season, i.round or 0, t.name) for t in tables_for_source(i.endpoint))
    return sorted(rows)


def ledger_manifest(ledger_dsn: str, seasons: Sequence[int] | None = None) -> list[ManifestRow]:
    """The manifest of ``seasons`` (default: every season the ledger holds)."""
    with Ledger(ledger_dsn) as ledger:
        chosen = ledger.seasons() if seasons is None else sorted(set(seasons))
        return [
            row for s in chosen for row in expected_rows(ledger.ingestions(s), ledger.absences(s))
        ]


def values_sql(rows: Sequence[ManifestRow]) -> str:
    """The manifest as a ``VALUES`` list; one impossible row when empty (SQL has no empty
    VALUES), which the check's own filter (season > 0) leaves out."""
    if not rows:
        return "VALUES (0, 0, '')"
    for season, round_, table in rows:
        if not (isinstance(season, int) and isinstance(round_, int) and table.isidentifier()):
            raise ValueError(f"not a manifest row: {(season, round_, table)!r}")
    return "VALUES " + ", ".join(f"({s}, {r}, '{t}')" for s, r, t in rows)
