"""Errors of the Ergast client: one base class, so callers can catch every API failure at once.

Each message names what a user needs to act on (the URL, the season or round, the cause),
because these end up in Airflow task logs far from the code that raised them.
"""

from __future__ import annotations

from collections.abc import Sequence


class ErgastError(Exception):
    """Any failure talking to an Ergast-compatible API."""


class ApiUnavailableError(ErgastError):
    """The API could not be reached, or kept failing, through every attempt."""

    def __init__(self, url: str, attempts: int, cause: BaseException | str) -> None:
        self.url = url
        self.attempts = attempts
        self.cause = cause
        super().__init__(
            f"Ergast API unavailable: GET {url} failed after {attempts} attempt(s); "
            f"last error: {_describe(cause)}"
        )

    @property
    def problem(self) -> str:
        """What went wrong in a few words, for a message that names the API already."""
        cause = self.cause
        brief = connection_problem(cause) if isinstance(cause, BaseException) else None
        return f"{brief or _describe(cause)}; {self.attempts} attempt(s)"


class ApiRequestError(ErgastError):
    """The API rejected the request (a 4xx other than 429); retrying would not help."""

    def __init__(self, url: str, status: int, detail: str) -> None:
        self.url = url
        self.status = status
        self.detail = detail
        super().__init__(f"Ergast API answered {status} for GET {url}: {detail}")


class MalformedResponseError(ErgastError):
    """A 200 whose body is not JSON, or not the ``MRData`` shape the client expects."""

    def __init__(self, url: str, reason: str, attempts: int | None = None) -> None:
        self.url = url
        self.reason = reason
        self.attempts = attempts
        tried = f" (after {attempts} attempt(s))" if attempts else ""
        super().__init__(f"malformed Ergast response from {url}{tried}: {reason}")


class InconsistentPagesError(ErgastError):
    """The pages of one request do not fit together (the data changed while paging)."""

    def __init__(self, reason: str, urls: Sequence[str] = ()) -> None:
        self.reason = reason
        self.urls = list(urls)
        where = f" (pages: {', '.join(self.urls)})" if self.urls else ""
        super().__init__(f"inconsistent Ergast pages: {reason}{where}")


class UnknownSeasonError(ErgastError):
    """The API has no races for the season."""

    def __init__(self, season: int | str, valid_range: tuple[int, int] | None = None) -> None:
        self.season = season
        self.valid_range = valid_range
        known = (
            f"; the API knows seasons {valid_range[0]} to {valid_range[1]}" if valid_range else ""
        )
        super().__init__(f"unknown season {season}: the API lists no races for it{known}")


class UnknownRoundError(ErgastError):
    """The season exists but has no such round."""

    def __init__(self, season: int, round_: int | str, rounds: int) -> None:
        self.season = season
        self.round = round_
        self.rounds = rounds
        super().__init__(
            f"unknown round {round_} of season {season}: the season has {rounds} round(s)"
            + (f" (1 to {rounds})" if rounds else "")
        )


class RateLimitTimeoutError(ErgastError):
    """The rate limiter could not grant a request within the caller's timeout."""

    def __init__(self, timeout: float, limits: str) -> None:
        self.timeout = timeout
        super().__init__(f"no API request allowed within {timeout:g}s under limits {limits}")


def _describe(cause: BaseException | str) -> str:
    if isinstance(cause, BaseException):
        return f"{type(cause).__name__}: {connection_problem(cause) or cause}"
    return cause


def connection_problem(exc: BaseException) -> str | None:
    """A failed connection in a few words (``cannot resolve host api.jolpi.ca``), or None.

    requests wraps urllib3's pool errors, whose text repeats the URL and the pool twice; the
    reason underneath is what a user acts on (no network, a wrong host, nothing listening).
    """
    import urllib3.exceptions as u3

    reason = exc.args[0] if exc.args else None
    reason = getattr(reason, "reason", reason)  # MaxRetryError -> the connection's own error
    conn = getattr(reason, "conn", None)
    where = f"{conn.host}:{conn.port}" if conn is not None else "the server"
    if isinstance(reason, u3.NameResolutionError):
        return f"cannot resolve host {getattr(conn, 'host', '?')} (no network or DNS?)"
    if isinstance(reason, u3.NewConnectionError):  # a subclass of ConnectTimeoutError
        if "refused" in str(reason).lower():
            return f"connection refused by {where} (nothing listening?)"
        return f"cannot connect to {where}"
    if isinstance(reason, u3.ConnectTimeoutError):
        return f"connecting to {where} timed out"
    return None
