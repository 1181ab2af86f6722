"""A small stand-in for the Ergast API's paging, to serve constructed data over real HTTP.

It follows the documented behaviour: ``limit`` capped and echoed, ``total`` counting rows
(or items when there is no row list), a race cut by a page boundary appearing on both pages
with part of its rows, an offset past the end answering an empty list.
"""

from __future__ import annotations

import json
from typing import Any

from werkzeug import Request, Response

from f1lake.endpoints import Endpoint

XMLNS = "http://ergast.com/mrd/1.5"


def make_races(
    season: int, rows_per_race: list[int], row_key: str | None = "Results"
) -> list[dict]:
    """Races of one season, rounds 1..n, each with its own distinct rows."""
    races = []
    for index, count in enumerate(rows_per_race, start=1):
        race: dict[str, Any] = {
            "season": str(season),
            "round": str(index),
            "raceName": f"Test Grand Prix {index}",
            "date": f"{season}-03-{index:02d}",
            "Circuit": {"circuitId": f"circuit_{index}"},
        }
        if row_key is not None:
            race[row_key] = [
                {
                    "number": str(n + 1),
                    "position": str(n + 1),
                    "points": "0",
                    "Driver": {"driverId": f"driver_{index}_{n + 1}"},
                }
                for n in range(count)
            ]
        races.append(race)
    return races


def page_body(
    endpoint: Endpoint,
    items: list[dict],
    *,
    url: str,
    limit: int,
    offset: int,
    table: dict[str, str],
    max_limit: int = 100,
) -> dict:
    """The API's answer for one page of ``items`` (races with rows, or bare items)."""
    limit = min(limit, max_limit)
    if endpoint.row_key is None:
        total = len(items)
        page_items = items[offset : offset + limit]
    else:
        units = [(i, row) for i, item in enumerate(items) for row in item[endpoint.row_key]]
        total = len(units)
        page_items = []
        for i, row in units[offset : offset + limit]:
            if not page_items or page_items[-1][0] != i:
                page_items.append((i, {**items[i], endpoint.row_key: []}))
            page_items[-1][1][endpoint.row_key].append(row)
        page_items = [item for _, item in page_items]
    return {
        "MRData": {
            "xmlns": XMLNS,
            "series": "f1",
            "url": url,
            "limit": str(limit),
            "offset": str(offset),
            "total": str(total),
            endpoint.table_key: {**table, endpoint.items_key: page_items},
        }
    }


def paged_handler(
    endpoint: Endpoint, items: list[dict], table: dict[str, str], max_limit: int = 100
):
    """A pytest-httpserver handler serving ``items`` page by page."""

    def handle(request: Request) -> Response:
        limit = int(request.args.get("limit", 30))
        offset = int(request.args.get("offset", 0))
        body = page_body(
            endpoint,
            items,
            url=request.base_url,
            limit=limit,
            offset=offset,
            table=table,
            max_limit=max_limit,
        )
        return Response(json.dumps(body), status=200, content_type="application/json")

    return handle


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(
        json.dumps(body), status=status, headers=headers, content_type="application/json"
    )
