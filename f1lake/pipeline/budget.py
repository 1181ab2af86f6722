"""The request budget of a plan: what each endpoint's work costs in API requests, and how long
that takes at the configured rate limits.

Pure, from the planner's own rules (:mod:`f1lake.pipeline.plan_rules`): the progress output
of a backfill states its budget and ETA before the first request, and keeps the ETA current.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from f1lake.endpoints import ENDPOINTS
from f1lake.pipeline.plan_rules import (
    PAGE_SIZE,
    ROWS_PER_RACE,
    ROWS_PER_RACE_ESTIMATE,
    fetch_per_race,
    race_pages,
)

HOUR = 3600.0


def endpoint_requests(endpoint: str, needed: Sequence[int | None], completed: int) -> int:
    """About how many requests fetching ``needed`` of ``endpoint`` costs (season paging or the
    pages of each race, whichever the planner picks); a season-scoped object is one page."""
    if not needed:
        return 0
    ep = ENDPOINTS[endpoint]
    if ep.scope == "season" or ep.row_key is None:
        return 1
    if ep.selection == "last_race":
        return len(needed)
    if fetch_per_race(ep, len(needed), completed):
        return len(needed) * race_pages(ep)
    per_race = ROWS_PER_RACE.get(endpoint, ROWS_PER_RACE_ESTIMATE)
    return math.ceil(completed * per_race / PAGE_SIZE) or 1


def plan_budget(work: Mapping[str, Sequence[int | None]], completed: int) -> dict[str, int]:
    """Requests per endpoint of one season's work (zeros left out)."""
    budget = {ep: endpoint_requests(ep, needed, completed) for ep, needed in work.items()}
    return {ep: n for ep, n in budget.items() if n}


def seconds_for(
    requests: int, per_second: float, per_hour: float, used_this_hour: int = 0
) -> float:
    """How long ``requests`` take under both limits, ``used_this_hour`` already spent.

    What is left of the hour's budget goes at the burst rate; the rest waits for the window,
    ``per_hour`` an hour.
    """
    if requests <= 0:
        return 0.0
    now = max(0, min(requests, int(per_hour) - used_this_hour))
    later = requests - now
    return now / per_second + (later / per_hour) * HOUR


def format_duration(seconds: float) -> str:
    whole = round(seconds)
    if whole < 60:
        return f"{whole}s"
    minutes, whole = divmod(whole, 60)
    if minutes < 60:
        return f"{minutes}m{whole:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"
