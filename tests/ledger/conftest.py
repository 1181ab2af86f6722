"""Ledger fixtures: a migrated ledger on a fresh database, and raw keys/hashes made on demand."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest

from f1lake.keys import raw_key
from f1lake.ledger import Ledger, RaceRef, migrate

T0 = datetime(2024, 3, 4, 12, 0, tzinfo=UTC)

SCHEDULE_2024 = [
    RaceRef(2024, 1, "Bahrain Grand Prix", date(2024, 3, 2)),
    RaceRef(2024, 2, "Saudi Arabian Grand Prix", date(2024, 3, 9)),
    RaceRef(2024, 3, "Australian Grand Prix", date(2024, 3, 24)),
]


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def key(endpoint: str, season: int, round_: int, payload: str, minutes: int = 0) -> str:
    """Raw key of ``payload`` ingested ``minutes`` after T0."""
    return raw_key(endpoint, season, round_, T0 + timedelta(minutes=minutes), sha(payload))


@pytest.fixture
def ledger(pg_dsn: str) -> Iterator[Ledger]:
    migrate(pg_dsn)
    with Ledger(pg_dsn) as led:
        led.upsert_races(SCHEDULE_2024)
        yield led
