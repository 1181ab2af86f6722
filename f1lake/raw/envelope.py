"""The metadata envelope around each raw object, and the payload hash.

The body keeps the Ergast ``MRData`` exactly as the API would answer a per-race request (race
scope) or a per-season request (season scope: the dimensions) with a large enough limit;
``f1lake`` beside it records where it came from. The hash covers only the record (the race, or
the season's table wrapper), so paging (which page a race came on, how it was split) never
changes it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, datetime
from typing import Any

from f1lake.endpoints import Endpoint

FORMAT_VERSION = 1


def canonical_json(value: Any) -> bytes:
    """Sorted-key, compact UTF-8 JSON. A lone surrogate (the source can send ``"\\ud800"``)
    has no UTF-8 form: ``backslashreplace`` writes it back as the same JSON escape, so the
    bytes stay valid UTF-8, decode to the same value, and hash the same on every run."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.encode("utf-8", "backslashreplace")


def payload_sha256(record: dict[str, Any]) -> str:
    """SHA-256 of one record (a race with its rows, or a season's table wrapper), independent
    of key order and paging."""
    return hashlib.sha256(canonical_json(record)).hexdigest()


@dataclass(frozen=True)
class EnvelopeMeta:
    endpoint: str
    season: int
    round: int | None
    """None for a season-scoped object."""
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
    record: dict[str, Any],
    *,
    base_url: str,
    header: dict[str, Any],
    source_urls: list[str],
    pages: int,
    ingested_at: datetime | None = None,
    dag_id: str | None = None,
    dag_run_id: str | None = None,
) -> dict[str, Any]:
    """Wrap one record as the per-race (or per-season) MRData answer plus ``f1lake`` metadata.

    Race scope: ``record`` is one assembled race (or StandingsLists item). Season scope:
    ``record`` is the table wrapper, ``{"season": "2023", "Drivers": [...]}``.
    """
    if endpoint.scope == "season":
        season, round_ = _season_record(endpoint, record), None
        rows = len(record[endpoint.items_key])
        url_path = endpoint.season_path(season)
        table: dict[str, Any] = record
    else:
        season, round_ = int(record["season"]), int(record["round"])
        rows = len(record.get(endpoint.row_key, [])) if endpoint.row_key else 1
        url_path = endpoint.race_path(season, round_)
        table = {"season": str(season), "round": str(round_), endpoint.items_key: [record]}
    when = (ingested_at or datetime.now(UTC)).astimezone(UTC)
    meta = EnvelopeMeta(
        endpoint=endpoint.name,
        season=season,
        round=round_,
        payload_sha256=payload_sha256(record),
        source_urls=list(source_urls),
        pages=pages,
        ingested_at=when.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        dag_id=dag_id,
        dag_run_id=dag_run_id,
    )
    mrdata = {
        "xmlns": header.get("xmlns", ""),
        "series": header.get("series", "f1"),
        "url": f"{base_url.rstrip('/')}/{url_path}",
        "limit": str(max(rows, 1)),
        "offset": "0",
        "total": str(rows),
        endpoint.table_key: table,
    }
    return {"f1lake": asdict(meta), "MRData": mrdata}


def _season_record(endpoint: Endpoint, record: dict[str, Any]) -> int:
    """The season of a season-scoped table wrapper; ValueError on a wrong shape."""
    items = record.get(endpoint.items_key) if isinstance(record, dict) else None
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise ValueError(
            f"{endpoint.name}: a season record needs a list of objects under "
            f"{endpoint.items_key!r}, got {str(record)[:120]!r}"
        )
    try:
        return int(record["season"])
    except (KeyError, TypeError, ValueError):
        raise ValueError(
            f"{endpoint.name}: a season record needs a numeric 'season', "
            f"got {record.get('season')!r}"
        ) from None


_FIELD_TYPES: dict[str, tuple[type, ...]] = {
    "endpoint": (str,),
    "season": (int,),
    "round": (int, type(None)),
    "payload_sha256": (str,),
    "source_urls": (list,),
    "pages": (int,),
    "ingested_at": (str,),
    "dag_id": (str, type(None)),
    "dag_run_id": (str, type(None)),
    "format_version": (int,),
    "extra": (dict,),
}
"""What each envelope field must be in the JSON: a season of 2023.0 or "2023" would compare equal
(or parse) somewhere and name a partition ``season=2023.0/``, so types are exact."""


def _check_types(meta: EnvelopeMeta) -> None:
    """ValueError naming every envelope field of the wrong JSON type (bool is not an int)."""
    wrong = [
        f"{name} is {type(value).__name__} {str(value)[:40]!r}, not {_names(_FIELD_TYPES[name])}"
        for name, value in ((f.name, getattr(meta, f.name)) for f in fields(meta))
        if isinstance(value, bool) or not isinstance(value, _FIELD_TYPES[name])
    ]
    if not wrong and not all(isinstance(u, str) for u in meta.source_urls):
        wrong.append("source_urls is not a list of strings")
    if wrong:
        raise ValueError("envelope field types: " + "; ".join(wrong))


def _names(types: tuple[type, ...]) -> str:
    return " or ".join("null" if t is type(None) else t.__name__ for t in types)


def read_envelope(body: dict[str, Any]) -> tuple[EnvelopeMeta, dict[str, Any]]:
    """Split a raw object into its metadata and its record; ValueError on a wrong shape.

    The record is the single race (race scope) or the table wrapper with the season's whole
    item list (season scope), i.e. what :func:`payload_sha256` hashes.
    """
    if not isinstance(body, dict) or "f1lake" not in body or "MRData" not in body:
        raise ValueError("raw object has no 'f1lake' envelope or no 'MRData' body")
    if not isinstance(body["f1lake"], dict):
        raise ValueError("the 'f1lake' envelope is not an object")
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
    _check_types(meta)
    from f1lake.endpoints import get_endpoint

    endpoint = get_endpoint(meta.endpoint)
    mrdata = body["MRData"]
    table = mrdata.get(endpoint.table_key) if isinstance(mrdata, dict) else None
    items = table.get(endpoint.items_key) if isinstance(table, dict) else None
    if endpoint.scope == "season":
        if meta.round is not None:
            raise ValueError(
                f"{endpoint.name} is season-scoped, but the envelope names round {meta.round}"
            )
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            raise ValueError(
                f"MRData.{endpoint.table_key}.{endpoint.items_key} must be a list of objects"
            )
        if str(table.get("season")) != str(meta.season):
            raise ValueError(
                f"MRData.{endpoint.table_key}.season is {table.get('season')!r} but the "
                f"envelope says season {meta.season}"
            )
        return meta, table
    if meta.round is None:
        raise ValueError(f"{endpoint.name} is race-scoped, but the envelope names no round")
    if not isinstance(items, list) or len(items) != 1 or not isinstance(items[0], dict):
        raise ValueError(
            f"MRData.{endpoint.table_key}.{endpoint.items_key} must hold exactly one race"
        )
    return meta, items[0]
