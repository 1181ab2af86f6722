"""The metadata envelope around each raw race object, and the payload hash.

The body keeps the Ergast ``MRData`` exactly as the API would answer a per-race request with a
large enough limit; ``f1lake`` beside it records where it came from. The hash covers only the
race record, so paging (which page a race came on, how it was split) never changes it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from f1lake.endpoints import Endpoint

FORMAT_VERSION = 1


def canonical_json(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def payload_sha256(race: dict[str, Any]) -> str:
    """SHA-256 of one race record (with its rows), independent of key order and paging."""
    return hashlib.sha256(canonical_json(race)).hexdigest()


@dataclass(frozen=True)
class EnvelopeMeta:
    endpoint: str
    season: int
    round: int
    payload_sha256: str
    source_urls: list[str]
    pages: int
    ingested_at: str
    dag_id: str | None = None
    dag_run_id: str | None = None
    format_version: int = FORMAT_VERSION
    extra: dict[str, Any] = field(default_factory=dict)


def build_envelope(
    endpoint: Endpoint,
    race: dict[str, Any],
    *,
    base_url: str,
    header: dict[str, Any],
    source_urls: list[str],
    pages: int,
    ingested_at: datetime | None = None,
    dag_id: str | None = None,
    dag_run_id: str | None = None,
) -> dict[str, Any]:
    """Wrap one assembled race as the per-race MRData answer plus the ``f1lake`` metadata."""
    season, round_ = int(race["season"]), int(race["round"])
    rows = len(race.get(endpoint.row_key, [])) if endpoint.row_key else 1
    when = (ingested_at or datetime.now(UTC)).astimezone(UTC)
    meta = EnvelopeMeta(
        endpoint=endpoint.name,
        season=season,
        round=round_,
        payload_sha256=payload_sha256(race),
        source_urls=list(source_urls),
        pages=pages,
        ingested_at=when.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        dag_id=dag_id,
        dag_run_id=dag_run_id,
    )
    mrdata = {
        "xmlns": header.get("xmlns", ""),
        "series": header.get("series", "f1"),
        "url": f"{base_url.rstrip('/')}/{endpoint.race_path(season, round_)}",
        "limit": str(max(rows, 1)),
        "offset": "0",
        "total": str(rows),
        endpoint.table_key: {
            "season": str(season),
            "round": str(round_),
            endpoint.items_key: [race],
        },
    }
    return {"f1lake": asdict(meta), "MRData": mrdata}


def read_envelope(body: dict[str, Any]) -> tuple[EnvelopeMeta, dict[str, Any]]:
    """Split a raw object into its metadata and its single race; ValueError on a wrong shape."""
    if not isinstance(body, dict) or "f1lake" not in body or "MRData" not in body:
        raise ValueError("raw object has no 'f1lake' envelope or no 'MRData' body")
    raw_meta = dict(body["f1lake"])
    if raw_meta.get("format_version") != FORMAT_VERSION:
        raise ValueError(
            f"unsupported envelope format_version {raw_meta.get('format_version')!r} "
            f"(this code reads {FORMAT_VERSION})"
        )
    try:
        meta = EnvelopeMeta(**raw_meta)
    except TypeError as exc:
        raise ValueError(f"malformed envelope metadata: {exc}") from None
    from f1lake.endpoints import get_endpoint

    endpoint = get_endpoint(meta.endpoint)
    table = body["MRData"].get(endpoint.table_key)
    items = table.get(endpoint.items_key) if isinstance(table, dict) else None
    if not isinstance(items, list) or len(items) != 1 or not isinstance(items[0], dict):
        raise ValueError(
            f"MRData.{endpoint.table_key}.{endpoint.items_key} must hold exactly one race"
        )
    return meta, items[0]
