"""HTTP client of an Ergast-compatible API (Jolpica by default): polite, patient, and strict.

Polite: every attempt, retries included, passes through the rate limiter. Patient: 5xx,
429, timeouts, dropped connections and 200s that are not the Ergast ``MRData`` JSON (a proxy's
page, a truncated body) are retried with exponential backoff and jitter (429 and 503 wait at
least their ``Retry-After``). A 429 is the budget talking, not a fault: it does not use up
the attempts; one without ``Retry-After`` (Jolpica's) pauses every process sharing the limiter
and backs off up to a quarter of the hourly window, until the window has turned over once. Strict: other 4xx fail at once with the API's ``detail``, a body
still malformed after every attempt fails naming the URL, and a season-level fetch is checked
page by page before its races are handed on.
"""

from __future__ import annotations

import json
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlencode

import requests
from tenacity import RetryCallState, Retrying, retry_if_exception_type

from f1lake.endpoints import DRIVER_STANDINGS, RACES, SEASONS, Endpoint
from f1lake.ergast.errors import (
    ApiRequestError,
    ApiUnavailableError,
    ErgastError,
    InconsistentPagesError,
    MalformedResponseError,
    UnknownRoundError,
    UnknownSeasonError,
    connection_problem,
)
from f1lake.ergast.paging import Page, assemble, item_key, parse_page, remaining_offsets
from f1lake.ergast.ratelimit import RateLimiter, rate_limiter_from_settings

if TYPE_CHECKING:
    from f1lake.settings import Settings

log = logging.getLogger(__name__)

USER_AGENT = "f1lake (Formula 1 data pipeline; https://github.com/f1lake)"
_SEASON_WORDS = frozenset({"current"})
_ROUND_WORDS = frozenset({"last", "next"})
_FETCH_TRIES = 2
"""Whole-fetch tries when the pages do not fit together (data updated while paging)."""

T = TypeVar("T")


@dataclass(frozen=True)
class Fetch:
    """Every race of one season- or race-level request, assembled from its pages (for a
    season-scoped endpoint: the season's items, with the table's attributes in ``table``)."""

    endpoint: Endpoint
    season: int
    round: int | None
    races: list[dict[str, Any]]
    source_urls: list[str]
    pages: int
    header: dict[str, Any]
    """``{'xmlns': ..., 'series': ...}`` of the first page, for the raw envelope."""
    table: dict[str, Any] = field(default_factory=dict)
    """The table wrapper's attributes of the first page (``season``...), without the items."""

    def season_record(self) -> dict[str, Any]:
        """The season-scoped record: the table wrapper with every item of the season."""
        return {**self.table, self.endpoint.items_key: list(self.races)}


class _Retryable(Exception):
    """An attempt failed in a way a later attempt may not."""

    retry_after: float | None = None


class _ServerError(_Retryable):
    def __init__(self, status: int, body: str, retry_after: float | None = None) -> None:
        # A 503 may say when to come back (RFC 9110): honoured like a 429's.
        self.retry_after = retry_after
        super().__init__(f"HTTP {status}: {body}")


class _Throttled(_Retryable):
    def __init__(self, retry_after: float | None, detail: str) -> None:
        self.retry_after = retry_after
        after = f"Retry-After {retry_after:g}s" if retry_after is not None else "no Retry-After"
        super().__init__(f"HTTP 429 ({after}): {detail}")


class _NotJson(_Retryable):
    def __init__(self, content_type: str, body: str) -> None:
        super().__init__(
            f"200 with a body that is not JSON (Content-Type {content_type!r}): {body}"
        )


@dataclass
class _Tries:
    """One logical request's failures so far, counted apart: throttles spend patience (time),
    everything else spends attempts."""

    failures: int = 0
    throttles: int = 0
    throttled_for: float = 0.0


class _Malformed(_Retryable):
    """JSON, but not the shape asked for: a transient upstream fault as often as not (a cache
    serving a half-built answer), so retried like a 5xx; the last one is reported as it was."""

    def __init__(self, error: MalformedResponseError) -> None:
        self.error = error
        super().__init__(error.reason)


_TRANSIENT = (
    _Retryable,
    requests.ConnectionError,
    requests.Timeout,
    requests.exceptions.ChunkedEncodingError,
    requests.exceptions.ContentDecodingError,
)


class ErgastClient:
    """Talks to one Ergast-compatible base URL.

    ``requests_made`` counts every HTTP request attempted, retries included: the figure the
    API's budget is spent in.
    """

    def __init__(
        self,
        base_url: str,
        *,
        limiter: RateLimiter,
        timeout: float = 30,
        max_attempts: int = 6,
        session: requests.Session | None = None,
        page_size: int = 100,
        backoff_base: float = 1.0,
        backoff_max: float = 60.0,
        throttle_patience: float | None = None,
        retry_log_level: int = logging.WARNING,
    ) -> None:
        if backoff_base < 0 or backoff_max < 0:
            raise ValueError(f"backoff must be >= 0, got {backoff_base=} {backoff_max=}")
        if max_attempts < 1:
            raise ValueError(f"max_attempts must be at least 1, got {max_attempts}")
        if not 1 <= page_size <= 100:
            raise ValueError(f"page_size must be 1..100 (the API caps it at 100), got {page_size}")
        self.base_url = base_url.rstrip("/")
        self.limiter = limiter
        self.timeout = timeout
        self.max_attempts = max_attempts
        self.page_size = page_size
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        window = max(limit.seconds for limit in limiter.limits)
        self.throttle_patience = 1.25 * window if throttle_patience is None else throttle_patience
        """How long one request keeps trying through 429s: past a whole window, a server still
        refusing is refusing for some other reason."""
        self.throttle_backoff_max = self.throttle_patience / 5
        self.retry_log_level = retry_log_level
        """Level of the line logged per failed attempt: a caller that reports the failure
        itself (the start-up probe) logs them at INFO, seen with ``-v``."""
        self.requests_made = 0
        self._owns_session = session is None
        self.session = session or requests.Session()
        self.session.headers.setdefault("User-Agent", USER_AGENT)
        self._owns_limiter = False

    @classmethod
    def from_settings(cls, settings: Settings) -> ErgastClient:
        """A client for the configured API, limited host-wide through the shared SQLite file."""
        client = cls(
            settings.api_base_url,
            limiter=rate_limiter_from_settings(settings),
            timeout=settings.http_timeout_seconds,
            max_attempts=settings.http_max_attempts,
            backoff_base=settings.http_backoff_seconds,
            backoff_max=settings.http_backoff_max_seconds,
            page_size=settings.api_page_size,
        )
        client._owns_limiter = True
        return client

    def close(self) -> None:
        """Release what the client created itself (session, limiter from settings)."""
        if self._owns_session:
            self.session.close()
        if self._owns_limiter:
            self.limiter.close()

    def __enter__(self) -> ErgastClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- one logical request -------------------------------------------------------------------

    def url(self, path: str, params: dict[str, Any] | None = None) -> str:
        url = f"{self.base_url}/{path.lstrip('/')}"
        return f"{url}?{urlencode(params)}" if params else url

    def get(
        self,
        path: str,
        params: dict[str, Any] | None = None,
        parse: Callable[[Any, str], T] | None = None,
    ) -> T | dict[str, Any]:
        """GET ``path`` under the base URL: rate-limited, retried; returns the parsed JSON, or
        ``parse(json, url)`` of it: a ``MalformedResponseError`` from ``parse`` is retried too."""
        url = self.url(path, params)
        tries = _Tries()
        retrying = Retrying(
            stop=lambda state: self._stop(state, tries),
            wait=lambda state: self._wait(state, tries),
            retry=retry_if_exception_type(_TRANSIENT),
            before_sleep=self._log_retry,
            reraise=True,
        )
        try:
            return retrying(self._attempt, url, parse)
        except _Malformed as exc:
            attempts = retrying.statistics.get("attempt_number", self.max_attempts)
            raise MalformedResponseError(url, exc.error.reason, attempts=attempts) from exc
        except _NotJson as exc:
            attempts = retrying.statistics.get("attempt_number", self.max_attempts)
            raise MalformedResponseError(url, str(exc), attempts=attempts) from exc
        except _TRANSIENT as exc:
            attempts = retrying.statistics.get("attempt_number", self.max_attempts)
            raise ApiUnavailableError(url, attempts, exc) from exc
        except requests.RequestException as exc:
            raise ErgastError(f"cannot request {url}: {type(exc).__name__}: {exc}") from exc

    def _attempt(self, url: str, parse: Callable[[Any, str], T] | None) -> T | dict[str, Any]:
        self.limiter.acquire()
        self.requests_made += 1
        number = self.requests_made
        started = time.monotonic()
        try:
            response = self.session.get(
                url, timeout=self.timeout, headers={"Accept": "application/json"}
            )
        except requests.RequestException as exc:
            log.info(
                "GET %s -> %s after %.3fs (request #%d)",
                url, type(exc).__name__, time.monotonic() - started, number,
            )  # fmt: skip
            raise
        status = response.status_code
        log.info(
            "GET %s -> %d in %.3fs (request #%d)", url, status, time.monotonic() - started, number
        )
        if status == 429:
            raise _Throttled(_retry_after(response.headers.get("Retry-After")), _detail(response))
        if status >= 500:
            retry_after = _retry_after(response.headers.get("Retry-After"))
            raise _ServerError(status, _snippet(response.text), retry_after)
        if status >= 400:
            raise ApiRequestError(url, status, _detail(response))
        try:
            body = json.loads(response.content)
        except ValueError:
            raise _NotJson(
                response.headers.get("Content-Type", ""), _snippet(response.text)
            ) from None
        if parse is None:
            return body
        try:
            return parse(body, url)
        except MalformedResponseError as exc:
            raise _Malformed(exc) from None

    def _wait(self, state: RetryCallState, tries: _Tries) -> float:
        """The pause before the next attempt (tenacity asks once per failure, before ``_stop``)."""
        outcome = state.outcome
        failure = outcome.exception() if outcome is not None else None
        retry_after = getattr(failure, "retry_after", None)
        if not isinstance(failure, _Throttled):
            tries.failures += 1
            tries.throttles = 0
            backoff = self._backoff(tries.failures, self.backoff_max)
            return backoff if retry_after is None else max(backoff, retry_after)
        tries.throttles += 1
        if retry_after is None:
            # No word on when to come back: the hourly budget may be spent (by any client of
            # this address). Back off further each time, up to a quarter of the window, and
            # hold every process sharing the limiter meanwhile: no retry storm.
            wait = self._backoff(tries.throttles, self.throttle_backoff_max)
        else:
            wait = max(self._backoff(tries.throttles, self.backoff_max), retry_after)
        tries.throttled_for += wait
        self.limiter.pause(wait)
        if retry_after is None:
            log.warning(
                "API answered 429 without Retry-After (throttled %d time(s) on this request): "
                "every request waits %.1fs; trying until %.0fs of throttling",
                tries.throttles, wait, self.throttle_patience,
            )  # fmt: skip
        return wait

    def _backoff(self, nth: int, cap: float) -> float:
        # Exponential with jitter, capped: spreads the retries of concurrent tasks apart.
        exponential = self.backoff_base * 2 ** (nth - 1)
        return min(cap, exponential + random.uniform(0, self.backoff_base))

    def _stop(self, state: RetryCallState, tries: _Tries) -> bool:
        if tries.throttles:
            return tries.throttled_for > self.throttle_patience
        return tries.failures >= self.max_attempts

    def _log_retry(self, state: RetryCallState) -> None:
        failure = state.outcome.exception() if state.outcome is not None else None
        sleep = state.next_action.sleep if state.next_action is not None else 0.0
        text = (connection_problem(failure) if failure is not None else None) or failure
        log.log(
            self.retry_log_level,
            "attempt %d/%d failed (%s: %s); retrying in %.2fs",
            state.attempt_number, self.max_attempts, type(failure).__name__, text, sleep,
        )  # fmt: skip

    # -- paged, assembled requests -------------------------------------------------------------

    def fetch(
        self,
        endpoint: Endpoint,
        season: int | str,
        round_: int | str | None = None,
        *,
        check_empty: bool = True,
    ) -> Fetch:
        """Every page of one endpoint for a season (or one race), assembled into races.

        An empty answer is checked against the schedule: an unknown season or round raises,
        a known one that simply has no data yet (a future race, a round without a sprint)
        comes back with no races. ``check_empty=False`` skips that check (one request) for a
        caller that has validated the season and round already.
        """
        fetched = self._fetch_unchecked(endpoint, season, round_)
        if fetched.races or not check_empty:
            return fetched
        if fetched.round is None:
            if endpoint == RACES:
                raise self._unknown_season(fetched.season)
            self.schedule(fetched.season)
        else:
            schedule = self.schedule(fetched.season)
            rounds = {item_key(race)[-1] for race in schedule}
            if fetched.round not in rounds:
                raise UnknownRoundError(fetched.season, fetched.round, len(schedule))
        return fetched

    def schedule(self, season: int | str) -> list[dict[str, Any]]:
        """The season's races in round order; ``UnknownSeasonError`` when it has none."""
        fetched = self._fetch_unchecked(RACES, season, None)
        if not fetched.races:
            raise self._unknown_season(fetched.season)
        return fetched.races

    def resolve(
        self, season: int | str = "current", round_: int | str | None = None
    ) -> tuple[int, int | None]:
        """Turn ``current`` (season) and ``last``/``next`` (round) into numbers."""
        season = _check_season(season)
        round_ = _check_round(round_)
        if isinstance(season, int) and (round_ is None or isinstance(round_, int)):
            return season, round_
        path = f"{season}.json" if round_ is None else f"{season}/{round_}.json"
        page = self.get(path, {"limit": 1}, lambda body, url: parse_page(body, RACES, url))
        resolved_season = _table_number(page, "season")
        if resolved_season is None:
            raise MalformedResponseError(page.url, f"season {season!r} did not resolve to a number")
        if round_ is None:
            return resolved_season, None
        resolved_round = _table_number(page, "round")
        if resolved_round is None or not page.items:
            raise ErgastError(
                f"round {round_!r} of season {resolved_season} does not exist "
                f"(yet): {page.url} lists no race"
            )
        return resolved_season, resolved_round

    def seasons(self) -> list[int]:
        """Every season the API has, ascending."""
        pages = self._pages("seasons.json", SEASONS)
        return sorted(item_key(item)[0] for item in assemble(SEASONS, pages))

    def results_through(self, season: int) -> int:
        """The last round of ``season`` the API has results for (0: none yet), one request.

        Asked of the official standings, which exist only once a round's results are in:
        unlike ``current/last``, which Jolpica points at an unrun round 1 between seasons
        (and answers 404 for while the calendar year's season is unpublished).
        """
        page = self.get(
            DRIVER_STANDINGS.season_path(season),
            {"limit": 1},
            lambda body, url: parse_page(body, DRIVER_STANDINGS, url),
        )
        rounds = [_positive_int(item.get("round")) for item in page.items]
        return max((r for r in rounds if r is not None), default=0)

    def _fetch_unchecked(
        self, endpoint: Endpoint, season: int | str, round_: int | str | None
    ) -> Fetch:
        season = _check_season(season)
        round_ = _check_round(round_)
        path = (
            endpoint.season_path(season) if round_ is None else endpoint.race_path(season, round_)
        )
        for attempt in range(1, _FETCH_TRIES + 1):
            pages = self._pages(path, endpoint)
            try:
                races = assemble(endpoint, pages)
                break
            except InconsistentPagesError as exc:
                if attempt == _FETCH_TRIES:
                    raise
                log.warning("refetching %s from the first page: %s", path, exc)
        first = pages[0]
        resolved_season = _table_number(first, "season")
        if resolved_season is None:
            if not isinstance(season, int):
                raise MalformedResponseError(first.url, f"season {season!r} came back unresolved")
            resolved_season = season
        resolved_round: int | None = None
        if round_ is not None:
            resolved_round = _table_number(first, "round")
            if resolved_round is None:
                if not isinstance(round_, int):
                    raise MalformedResponseError(
                        first.url, f"round {round_!r} came back unresolved"
                    )
                resolved_round = round_
        return Fetch(
            endpoint=endpoint,
            season=resolved_season,
            round=resolved_round,
            races=races,
            source_urls=[page.url for page in pages],
            pages=len(pages),
            header=dict(first.header),
            table=dict(first.table),
        )

    def _pages(self, path: str, endpoint: Endpoint) -> list[Page]:
        first = self._page(path, endpoint, 0)
        return [first] + [self._page(path, endpoint, off) for off in remaining_offsets(first)]

    def _page(self, path: str, endpoint: Endpoint, offset: int) -> Page:
        params = {"limit": self.page_size, "offset": offset}
        return self.get(path, params, lambda body, url: parse_page(body, endpoint, url))

    def _unknown_season(self, season: int) -> UnknownSeasonError:
        try:
            known = self.seasons()
        except ErgastError as exc:
            log.warning("could not list the API's seasons: %s", exc)
            known = []
        return UnknownSeasonError(season, (known[0], known[-1]) if known else None)


def _check_season(season: int | str) -> int | str:
    if isinstance(season, str) and season.strip().lower() in _SEASON_WORDS:
        return season.strip().lower()
    number = _positive_int(season)
    if number is None:
        raise ValueError(f"season must be a year or 'current', got {season!r}")
    return number


def _check_round(round_: int | str | None) -> int | str | None:
    if round_ is None:
        return None
    if isinstance(round_, str) and round_.strip().lower() in _ROUND_WORDS:
        return round_.strip().lower()
    number = _positive_int(round_)
    if number is None:
        raise ValueError(f"round must be a positive number, 'last' or 'next', got {round_!r}")
    return number


def _positive_int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value > 0 else None
    if isinstance(value, str) and value.strip().isdigit():
        return int(value) if int(value) > 0 else None
    return None


def _table_number(page: Page, key: str) -> int | None:
    value = page.table.get(key)
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        raise MalformedResponseError(page.url, f"{key} {value!r} is not a number") from None


def _retry_after(value: str | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: delta-seconds or an HTTP date."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        log.warning("ignoring unreadable Retry-After header %r", value)
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - datetime.now(UTC)).total_seconds(), 0.0)


def _detail(response: requests.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return _snippet(response.text) or response.reason or "no detail"
    if isinstance(body, dict) and "detail" in body:
        return str(body["detail"])
    return _snippet(json.dumps(body))


def _snippet(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."
