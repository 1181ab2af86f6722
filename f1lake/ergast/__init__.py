"""Client of the Ergast-compatible API: rate limits, retries, paging and race assembly."""

from __future__ import annotations

from f1lake.ergast.client import ErgastClient, Fetch
from f1lake.ergast.errors import (
    ApiRequestError,
    ApiUnavailableError,
    ErgastError,
    InconsistentPagesError,
    MalformedResponseError,
    RateLimitTimeoutError,
    UnknownRoundError,
    UnknownSeasonError,
)
from f1lake.ergast.ratelimit import (
    InMemoryRateLimiter,
    Limit,
    RateLimiter,
    SharedRateLimiter,
    jolpica_limits,
    rate_limiter_from_settings,
)

__all__ = [
    "ApiRequestError",
    "ApiUnavailableError",
    "ErgastClient",
    "ErgastError",
    "Fetch",
    "InMemoryRateLimiter",
    "InconsistentPagesError",
    "Limit",
    "MalformedResponseError",
    "RateLimitTimeoutError",
    "RateLimiter",
    "SharedRateLimiter",
    "UnknownRoundError",
    "UnknownSeasonError",
    "jolpica_limits",
    "rate_limiter_from_settings",
]
