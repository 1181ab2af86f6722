"""Offset paging of season-level Ergast requests, and assembling the pages into whole races.

Pure: no I/O, so the planning and the merge are tested on constructed pages.

The API pages over rows (``total`` counts results, not races) for endpoints with a per-race
row list, and over the items themselves for endpoints whose items are the rows (the
schedule). A race cut by a page boundary therefore appears on both pages, each with part
of its rows; ``assemble`` joins those parts in page order and checks that every page holds
exactly the rows its offset promises (for the laps: timings, and a lap cut by the boundary is
joined too), so a fetch that raced with an update of the data (rows
shifted between pages) fails loudly instead of dropping or duplicating rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from f1lake.endpoints import Endpoint
from f1lake.ergast.errors import InconsistentPagesError, MalformedResponseError

HEADER_KEYS = ("xmlns", "series")


@dataclass(frozen=True)
class Page:
    """One parsed answer of the API."""

    url: str
    limit: int
    offset: int
    total: int
    header: dict[str, Any]
    """The ``MRData`` attributes that describe the source: ``xmlns`` and ``series``."""
    table: dict[str, Any]
    """The table wrapper's attributes without its item list (``season``, ``round``...)."""
    items: list[dict[str, Any]]


def parse_page(body: Any, endpoint: Endpoint, url: str = "<unknown url>") -> Page:
    """Check the ``MRData`` shape of one answer and pull out what paging needs."""
    if not isinstance(body, dict) or not isinstance(body.get("MRData"), dict):
        raise MalformedResponseError(url, "the body has no MRData object")
    mrdata = body["MRData"]
    numbers = {key: _count(mrdata, key, url) for key in ("limit", "offset", "total")}
    table = mrdata.get(endpoint.table_key)
    if not isinstance(table, dict):
        raise MalformedResponseError(url, f"MRData has no {endpoint.table_key} object")
    items = table.get(endpoint.items_key)
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise MalformedResponseError(
            url, f"{endpoint.table_key}.{endpoint.items_key} is not a list of objects"
        )
    if endpoint.row_key is not None:
        for item in items:
            if not isinstance(item.get(endpoint.row_key, []), list):
                raise MalformedResponseError(
                    url, f"{endpoint.row_key} of {_describe_item(item)} is not a list"
                )
    return Page(
        url=url,
        limit=numbers["limit"],
        offset=numbers["offset"],
        total=numbers["total"],
        header={key: mrdata[key] for key in HEADER_KEYS if key in mrdata},
        table={key: value for key, value in table.items() if key != endpoint.items_key},
        items=items,
    )


def page_offsets(total: int, limit: int, start: int = 0) -> list[int]:
    """Offsets of every page of a request with ``total`` units, ``limit`` per page."""
    if limit < 1:
        raise ValueError(f"page limit must be at least 1, got {limit}")
    return list(range(start, total, limit)) or [start]


def remaining_offsets(first: Page) -> list[int]:
    """Offsets still to request after ``first``, using the limit the server echoed.

    The echoed limit, not the requested one, decides: servers cap it (Jolpica at 100).
    """
    if first.limit < 1:
        raise MalformedResponseError(first.url, f"limit {first.limit} cannot page")
    return page_offsets(first.total, first.limit, first.offset)[1:]


def units(endpoint: Endpoint, items: Sequence[dict[str, Any]]) -> int:
    """What ``total`` counts: rows for endpoints with a row list (the timings of each lap for
    the laps), else items."""
    if endpoint.row_key is None:
        return len(items)
    rows = [row for item in items for row in item.get(endpoint.row_key, [])]
    if endpoint.nested_key is None:
        return len(rows)
    return sum(len(row.get(endpoint.nested_key, [])) for row in rows if isinstance(row, dict))


def _continue_rows(endpoint: Endpoint, rows: list[Any], more: list[Any]) -> None:
    """Append a race's rows from the next page; for the laps, a lap cut by the page boundary
    (the same ``number`` again) gets the rest of its timings instead of a second entry."""
    more = list(more)
    key = endpoint.nested_key
    if key and rows and more and isinstance(rows[-1], dict) and isinstance(more[0], dict):
        last, first = rows[-1], more[0]
        if last.get("number") == first.get("number"):
            rows[-1] = {**last, key: [*last.get(key, []), *first.get(key, [])]}
            more = more[1:]
    rows.extend(more)


def assemble(endpoint: Endpoint, pages: Sequence[Page]) -> list[dict[str, Any]]:
    """Merge consecutive pages of one request into complete races, in round order.

    The input pages are not modified; a race split over two pages comes back once, with its
    rows in page order.
    """
    if not pages:
        return []
    _check_consistent(endpoint, pages)
    if endpoint.scope == "season" and endpoint.row_key is None:
        # A season's dimension (drivers, status...): items carry no season/round to key on;
        # the API orders them, and the consistency check above already proved no overlap.
        return [dict(item) for page in pages for item in page.items]
    merged: list[dict[str, Any]] = []
    seen: dict[tuple[int, ...], dict[str, Any]] = {}
    urls = [page.url for page in pages]
    for page in pages:
        for position, item in enumerate(page.items):
            key = item_key(item, page.url)
            if key not in seen:
                copy = dict(item)
                if endpoint.row_key is not None:
                    copy[endpoint.row_key] = list(item.get(endpoint.row_key, []))
                seen[key] = copy
                merged.append(copy)
                continue
            continues_split = (
                endpoint.row_key is not None and position == 0 and merged[-1] is seen[key]
            )
            if not continues_split:
                raise InconsistentPagesError(
                    f"{_describe_item(item)} appears twice, not as a race continued on the "
                    f"next page (at {page.url})",
                    urls,
                )
            rows = seen[key][endpoint.row_key]
            _continue_rows(endpoint, rows, item.get(endpoint.row_key, []))
    return sorted(merged, key=lambda item: item_key(item))


def item_key(item: dict[str, Any], url: str = "<unknown url>") -> tuple[int, ...]:
    """(season, round) of a race item, or (season,) for items without a round."""
    key: list[int] = []
    for name in ("season", "round"):
        if name in item:
            try:
                key.append(int(item[name]))
            except (TypeError, ValueError):
                raise MalformedResponseError(
                    url, f"{name} {item[name]!r} of an item is not a number"
                ) from None
    if not key:
        raise MalformedResponseError(url, f"an item has neither season nor round: {_short(item)}")
    return tuple(key)


def _check_consistent(endpoint: Endpoint, pages: Sequence[Page]) -> None:
    first = pages[0]
    urls = [page.url for page in pages]
    for index, page in enumerate(pages):
        if page.total != first.total:
            raise InconsistentPagesError(
                f"total changed from {first.total} to {page.total} at {page.url}", urls
            )
        if page.limit != first.limit:
            raise InconsistentPagesError(
                f"limit changed from {first.limit} to {page.limit} at {page.url}", urls
            )
        expected_offset = first.offset + index * first.limit
        if page.offset != expected_offset:
            raise InconsistentPagesError(
                f"page {index + 1} has offset {page.offset}, expected {expected_offset} "
                f"(limit {first.limit}) at {page.url}",
                urls,
            )
        expected = max(min(first.limit, first.total - page.offset), 0)
        found = units(endpoint, page.items)
        if found != expected:
            what = "rows" if endpoint.row_key else "items"
            raise InconsistentPagesError(
                f"{page.url} holds {found} {what}, expected {expected} "
                f"(offset {page.offset}, limit {page.limit}, total {page.total})",
                urls,
            )
    last = pages[-1]
    if last.offset + first.limit < first.total:
        raise InconsistentPagesError(
            f"pages end at offset {last.offset + first.limit} before total {first.total}", urls
        )


def _count(mrdata: dict[str, Any], key: str, url: str) -> int:
    try:
        value = int(mrdata[key])
    except KeyError:
        raise MalformedResponseError(url, f"MRData has no {key!r}") from None
    except (TypeError, ValueError):
        raise MalformedResponseError(url, f"MRData.{key} {mrdata[key]!r} is not a number") from None
    if value < 0:
        raise MalformedResponseError(url, f"MRData.{key} is negative ({value})")
    return value


def _describe_item(item: dict[str, Any]) -> str:
    if "round" in item:
        return f"race {item.get('season')}/{item.get('round')}"
    return f"item {_short(item)}"


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."
