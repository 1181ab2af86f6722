"""The report stage: what a run did, and the API requests it spent per endpoint."""

from __future__ import annotations

import logging
from collections import Counter
from typing import TypedDict

from f1lake.pipeline.contracts import IngestReport, Plan

log = logging.getLogger(__name__)


class Summary(TypedDict):
    """A run's summary: the summary task's XCom, which the main job prints."""

    seasons: list[int]
    rounds: int
    api_requests: int
    requests_by_endpoint: dict[str, int]
    """``plan``: the requests that validated the seasons and fetched schedules."""
    written: dict[str, int]
    unchanged: dict[str, int]
    absent: dict[str, int]
    skipped: dict[str, int]


def summarize(plans: list[Plan], reports: list[IngestReport]) -> Summary:
    """What the run did, with the API requests it spent per endpoint."""
    by_endpoint: dict[str, int] = {"plan": sum(p.requests for p in plans)}
    written: Counter[str] = Counter()
    unchanged: Counter[str] = Counter()
    absent: Counter[str] = Counter()
    skipped: Counter[str] = Counter()
    for r in reports:
        by_endpoint[r.endpoint] = by_endpoint.get(r.endpoint, 0) + r.requests
        written[r.endpoint] += len(r.written)
        unchanged[r.endpoint] += len(r.unchanged)
        absent[r.endpoint] += len(r.absent)
        skipped[r.endpoint] += len(r.skipped)
    summary = Summary(
        seasons=[p.season for p in plans],
        rounds=sum(len(p.targets) for p in plans),
        api_requests=sum(by_endpoint.values()),
        requests_by_endpoint=by_endpoint,
        written=dict(written),
        unchanged=dict(unchanged),
        absent=dict(absent),
        skipped=dict(skipped),
    )
    log.info("API requests per endpoint:\n%s", format_requests(by_endpoint))
    log.info("summary: %s", summary)
    return summary


def format_requests(by_endpoint: dict[str, int]) -> str:
    """One line per endpoint and the total: the figure the API's budget is spent in."""
    width = max((len(ep) for ep in by_endpoint), default=5)
    lines = [f"  {ep:<{width}}  {n:>5}" for ep, n in by_endpoint.items()]
    lines.append(f"  {'total':<{width}}  {sum(by_endpoint.values()):>5}")
    return "\n".join(lines)
