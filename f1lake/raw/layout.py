"""Deterministic, Hive-style keys of raw objects.

``{endpoint}/season=2023/round=09/{endpoint}-2023-09-{ingested}-{sha12}.json``: the prefix is
fixed by (endpoint, season, round); the file name carries the ingestion instant, so a re-ingest
writes a new object beside the old one and the newest sorts last.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

_STAMP = "%Y%m%dT%H%M%S%fZ"
_KEY_RE = re.compile(
    r"^(?P<endpoint>[a-z_]+)/season=(?P<season>\d{4})/round=(?P<round>\d{2,})/"
    r"(?P=endpoint)-(?P=season)-(?P=round)-(?P<stamp>\d{8}T\d{12}Z)-(?P<sha>[0-9a-f]{12})\.json$"
)


@dataclass(frozen=True, order=True)
class RawKey:
    endpoint: str
    season: int
    round: int
    ingested_at: datetime
    sha12: str

    @property
    def key(self) -> str:
        stamp = self.ingested_at.astimezone(UTC).strftime(_STAMP)
        return f"{race_prefix(self.endpoint, self.season, self.round)}{self.endpoint}-{self.season}-{self.round:02d}-{stamp}-{self.sha12}.json"


def race_prefix(endpoint: str, season: int, round_: int) -> str:
    """Prefix holding every raw object of one (endpoint, race)."""
    return f"{endpoint}/season={season}/round={round_:02d}/"


def raw_key(endpoint: str, season: int, round_: int, ingested_at: datetime, sha256: str) -> str:
    return RawKey(endpoint, season, round_, ingested_at, sha256[:12]).key


def parse_raw_key(key: str) -> RawKey:
    """Inverse of :func:`raw_key`; raises ValueError naming the key when it is not one."""
    m = _KEY_RE.match(key)
    if not m:
        raise ValueError(
            f"not a raw object key: {key!r} (expected "
            "'<endpoint>/season=YYYY/round=NN/<endpoint>-YYYY-NN-<stamp>-<sha12>.json')"
        )
    stamp = datetime.strptime(m["stamp"], _STAMP).replace(tzinfo=UTC)
    return RawKey(m["endpoint"], int(m["season"]), int(m["round"]), stamp, m["sha"])


def newest(keys: list[str]) -> str | None:
    """The most recently ingested of several raw keys of one race (None for none)."""
    parsed = [parse_raw_key(k) for k in keys]
    return max(parsed, key=lambda k: (k.ingested_at, k.sha12)).key if parsed else None
