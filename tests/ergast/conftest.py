"""An HTTP server on 127.0.0.1 per test, playing the Ergast API (an edge we do not own)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytest_httpserver import HTTPServer

from f1lake.ergast import ErgastClient, InMemoryRateLimiter, Limit


@pytest.fixture(scope="module")
def _api_server() -> Iterator[HTTPServer]:
    # Stopping a threaded server takes half a second, so one per module, cleared per test.
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def api(_api_server: HTTPServer) -> Iterator[HTTPServer]:
    _api_server.clear()
    yield _api_server
    _api_server.clear()


@pytest.fixture
def limiter() -> Iterator[InMemoryRateLimiter]:
    """Generous limits, so tests that are not about rate limiting do not wait."""
    with InMemoryRateLimiter([Limit(1000, 1.0), Limit(100_000, 3600.0)]) as limiter:
        yield limiter


@pytest.fixture
def client(api: HTTPServer, limiter: InMemoryRateLimiter) -> Iterator[ErgastClient]:
    with ErgastClient(
        api.url_for("/ergast/f1"),
        limiter=limiter,
        timeout=5,
        max_attempts=4,
        backoff_base=0.01,
        backoff_max=0.05,
    ) as client:
        yield client
