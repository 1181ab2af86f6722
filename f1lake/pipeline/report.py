"""The report stage: what a run did, and the API requests it spent per endpoint."""

from __future__ import annotations

import logging
from typing import Any

log = logging.getLogger(__name__)


def summarize(
    plans: dict[str, Any] | list[dict[str, Any]],
    reports: list[dict[str, Any]],
    checks: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """What the run did, with the API requests it spent per endpoint (``plan``: the requests
    that validated the seasons and fetched schedules)."""
    plans = [plans] if isinstance(plans, dict) else list(plans)
    by_endpoint: dict[str, int] = {"plan": sum(p.get("requests", 0) for p in plans)}
    written: dict[str, int] = {}
    unchanged: dict[str, int] = {}
    absent: dict[str, int] = {}
    skipped: dict[str, int] = {}
    for r in reports:
        ep = r["endpoint"]
        by_endpoint[ep] = by_endpoint.get(ep, 0) + r["requests"]
        written[ep] = written.get(ep, 0) + len(r["written"])
        unchanged[ep] = unchanged.get(ep, 0) + len(r["unchanged"])
        absent[ep] = absent.get(ep, 0) + len(r.get("absent", []))
        skipped[ep] = skipped.get(ep, 0) + len(r["skipped"])
    seasons = [p["season"] for p in plans]
    summary: dict[str, Any] = {
        "season": seasons[0] if len(seasons) == 1 else seasons,
        "seasons": seasons,
        "rounds": sum(len(p["targets"]) for p in plans),
        "api_requests": sum(by_endpoint.values()),
        "requests_by_endpoint": by_endpoint,
        "written": written,
        "unchanged": unchanged,
        "absent": absent,
        "skipped": skipped,
    }
    if checks is not None:
        summary["checks"] = checks
    log.info("API requests per endpoint:\n%s", format_requests(by_endpoint))
    log.info("summary: %s", summary)
    return summary


def format_requests(by_endpoint: dict[str, int]) -> str:
    """One line per endpoint and the total: the figure the API's budget is spent in."""
    width = max((len(ep) for ep in by_endpoint), default=5)
    lines = [f"  {ep:<{width}}  {n:>5}" for ep, n in by_endpoint.items()]
    lines.append(f"  {'total':<{width}}  {sum(by_endpoint.values()):>5}")
    return "\n".join(lines)
