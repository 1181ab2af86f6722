"""The lake's object keys, raw and processed: pure, and the one place their layouts are written.

Raw (one immutable object per ingestion, Hive-style):
race scope ``{endpoint}/season=2023/round=09/{endpoint}-2023-09-{ingested}-{sha12}.json``,
season scope (the dimensions) ``{endpoint}/season=2023/{endpoint}-2023-{ingested}-{sha12}.json``.
The prefix is fixed by (endpoint, season[, round]); the file name carries the ingestion instant,
so a re-ingest writes a new object beside the old one and the newest sorts last.

Processed (one Parquet file per race per table, or per season for the dimensions):
``{table}/season=YYYY/YYYY-RR.parquet`` or ``{table}/season=YYYY/YYYY.parquet``: the season is a
Hive partition (in the path, not in the file) and the round is in the name, so one round never
clobbers another.

Quarantine: ``{raw key}.error.json``, the record of why a raw object was rejected;
``foreign/{bucket}/{key}.error.json`` for an object of another bucket an event named (refused
unread), kept apart so it never stands for, or clears, a raw object's record of the same key.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import NamedTuple

_STAMP = "%Y%m%dT%H%M%S%fZ"
_TAIL = r"(?P<stamp>\d{8}T\d{12}Z)-(?P<sha>[0-9a-f]{12})\.json$"
_RACE_KEY_RE = re.compile(
    r"^(?P<endpoint>[a-z_]+)/season=(?P<season>\d{4})/round=(?P<round>\d{2,})/"
    r"(?P=endpoint)-(?P=season)-(?P=round)-" + _TAIL
)
_SEASON_KEY_RE = re.compile(
    r"^(?P<endpoint>[a-z_]+)/season=(?P<season>\d{4})/(?P=endpoint)-(?P=season)-" + _TAIL
)
_PROCESSED_RE = re.compile(
    r"^(?P<table>[a-z_]+)/season=(?P<season>\d{4})/(?P=season)(?:-(?P<round>\d{2,}))?\.parquet$"
)

QUARANTINE_SUFFIX = ".error.json"


# -- raw -------------------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class RawKey:
    """One raw object's key, parsed.

    Its ordering is the lake's one rule for "which raw object is newer": of two keys of the same
    object (endpoint, season, round) the greater was ingested later, the payload hash breaking a
    tie. The processor converges on the greatest, the pipeline calls a key superseded by a
    greater one, and the ledger's SQL orders by (ingested_at, raw_key), which is the same order
    (tested in ``tests/ledger``). Keys of different objects order by object first.
    """

    endpoint: str
    season: int
    round: int | None
    """None for a season-scoped object (one per season: the dimensions)."""
    ingested_at: datetime
    sha12: str

    @property
    def scope(self) -> str:
        return "season" if self.round is None else "race"

    @property
    def prefix(self) -> str:
        return object_prefix(self.endpoint, self.season, self.round)

    @property
    def key(self) -> str:
        stamp = self.ingested_at.astimezone(UTC).strftime(_STAMP)
        if self.round is None:
            return f"{self.prefix}{self.endpoint}-{self.season}-{stamp}-{self.sha12}.json"
        return (
            f"{self.prefix}{self.endpoint}-{self.season}-{self.round:02d}-{stamp}-{self.sha12}.json"
        )


def race_prefix(endpoint: str, season: int, round_: int) -> str:
    """Prefix holding every raw object of one (endpoint, race)."""
    return f"{endpoint}/season={season}/round={round_:02d}/"


def season_prefix(endpoint: str, season: int) -> str:
    """Prefix holding every raw object of one (endpoint, season).

    For a season-scoped endpoint the objects sit directly under it; list it with
    ``Delimiter='/'`` (or use :func:`object_prefix`'s keys) to leave out race sub-prefixes.
    """
    return f"{endpoint}/season={season}/"


def object_prefix(endpoint: str, season: int, round_: int | None) -> str:
    """The prefix of one raw object's versions: per race, or per season when ``round_`` is None."""
    return (
        season_prefix(endpoint, season) if round_ is None else race_prefix(endpoint, season, round_)
    )


def raw_key(
    endpoint: str, season: int, round_: int | None, ingested_at: datetime, sha256: str
) -> str:
    """The key of a new raw object; ``round_=None`` for a season-scoped endpoint."""
    return RawKey(endpoint, season, round_, ingested_at, sha256[:12]).key


def parse_raw_key(key: str) -> RawKey:
    """Inverse of :func:`raw_key` for both scopes; ValueError naming the key when it is not one.

    Parse a key once, where it enters (an event, a listing, a report), and pass the
    :class:`RawKey` on. Only the exact spelling :attr:`RawKey.key` writes is a raw key (not
    ``round=009``), so a parsed key always names the object it was parsed from.
    """
    m = _RACE_KEY_RE.match(key)
    round_: int | None = int(m["round"]) if m else None
    if m is None:
        m = _SEASON_KEY_RE.match(key)
    parsed = None
    if m is not None:
        stamp = datetime.strptime(m["stamp"], _STAMP).replace(tzinfo=UTC)
        parsed = RawKey(m["endpoint"], int(m["season"]), round_, stamp, m["sha"])
    if parsed is None or parsed.key != key:
        raise ValueError(
            f"not a raw object key: {key!r} (expected "
            "'<endpoint>/season=YYYY/round=NN/<endpoint>-YYYY-NN-<stamp>-<sha12>.json' or "
            "'<endpoint>/season=YYYY/<endpoint>-YYYY-<stamp>-<sha12>.json')"
        )
    return parsed


def parse_raw_key_or_none(key: str | None) -> RawKey | None:
    """:func:`parse_raw_key` for keys read from the lake, where a stray name is no error."""
    try:
        return None if key is None else parse_raw_key(key)
    except ValueError:
        return None


# -- processed -------------------------------------------------------------------------------


class ProcessedKey(NamedTuple):
    table: str
    season: int
    round: int | None
    """None for a season-scoped table's file (one per season)."""


def processed_prefix(table: str, season: int | None = None) -> str:
    """Prefix of a table (or of one season's partition)."""
    return f"{table}/" if season is None else f"{table}/season={season}/"


def processed_key(table: str, season: int, round_: int | None) -> str:
    """Key of the Parquet file of one race of one table (of the season when ``round_`` is None)."""
    name = f"{season}" if round_ is None else f"{season}-{round_:02d}"
    return f"{processed_prefix(table, season)}{name}.parquet"


def parse_processed_key(key: str) -> ProcessedKey:
    """Inverse of :func:`processed_key`; ValueError naming the key when it is not one."""
    m = _PROCESSED_RE.match(key)
    if not m:
        raise ValueError(
            f"not a processed key: {key!r} (expected '<table>/season=YYYY/YYYY-RR.parquet' "
            "or '<table>/season=YYYY/YYYY.parquet')"
        )
    return ProcessedKey(
        m["table"], int(m["season"]), None if m["round"] is None else int(m["round"])
    )


# -- quarantine ------------------------------------------------------------------------------


def quarantine_key(raw_key: str, foreign_bucket: str | None = None) -> str:
    """Key of the quarantine record of an object of the raw bucket (a raw key or a stray name:
    both can be rejected), or with ``foreign_bucket``, of an object of that other bucket."""
    if foreign_bucket is not None:
        return f"foreign/{foreign_bucket}/{raw_key}{QUARANTINE_SUFFIX}"
    return f"{raw_key}{QUARANTINE_SUFFIX}"
