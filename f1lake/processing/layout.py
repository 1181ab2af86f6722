"""Where processed and quarantined objects live: pure functions, shared with the catalog.

One Parquet file per race per table, ``{table}/season=YYYY/YYYY-RR.parquet``, or per season for
the season-scoped dimensions, ``{table}/season=YYYY/YYYY.parquet``: the season is a Hive
partition (in the path, not in the file) and the round is in the name, so one round never
clobbers another. Each file's S3 metadata names the raw object it was built from.
"""

from __future__ import annotations

import re

from f1lake.schema import tables_for_source

META_SOURCE_KEY = "f1lake-source-key"
"""S3 user metadata: raw key the Parquet file was built from."""
META_PAYLOAD_SHA = "f1lake-payload-sha256"
"""S3 user metadata: payload SHA-256 of that raw object (as in its envelope)."""

QUARANTINE_SUFFIX = ".error.json"

_PROCESSED_RE = re.compile(
    r"^(?P<table>[a-z_]+)/season=(?P<season>\d{4})/(?P=season)(?:-(?P<round>\d{2,}))?\.parquet$"
)


def processed_prefix(table: str, season: int | None = None) -> str:
    """Prefix of a table (or of one season's partition)."""
    return f"{table}/" if season is None else f"{table}/season={season}/"


def processed_key(table: str, season: int, round_: int | None) -> str:
    """Key of the Parquet file of one race of one table (of the season when ``round_`` is None)."""
    name = f"{season}" if round_ is None else f"{season}-{round_:02d}"
    return f"{processed_prefix(table, season)}{name}.parquet"


def parse_processed_key(key: str) -> tuple[str, int, int | None]:
    """(table, season, round or None) of a processed key; ValueError naming the key otherwise."""
    m = _PROCESSED_RE.match(key)
    if not m:
        raise ValueError(
            f"not a processed key: {key!r} (expected '<table>/season=YYYY/YYYY-RR.parquet' "
            "or '<table>/season=YYYY/YYYY.parquet')"
        )
    return m["table"], int(m["season"]), None if m["round"] is None else int(m["round"])


def quarantine_key(raw_key: str) -> str:
    """Key of the quarantine record of a raw object (beside a copy-free reference to it)."""
    return f"{raw_key}{QUARANTINE_SUFFIX}"


def tables_for_endpoint(endpoint: str) -> list[str]:
    """Names of the processed tables the processor writes for one raw endpoint's object."""
    return [t.name for t in tables_for_source(endpoint)]
