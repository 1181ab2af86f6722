"""Faults the replay API can inject, decided by pure functions so every run is reproducible.

All off by default. A :class:`FaultConfig` holds:

* rules (:class:`FaultRule`): answer requests whose path (below ``/ergast/f1/``) matches a glob
  with a fault - 429 with ``Retry-After``, a proxy's 500/502/503, an answer slower than the
  client's timeout, a truncated body, or a 200 that is not the Ergast shape - for the first N
  matching requests, or each with a probability drawn from the seed and the request's number;
* a rate limit (:class:`RateLimit`, Jolpica's published 4 requests/s burst and 500 requests/h
  by default): requests beyond it are answered 429 with the seconds until one fits;
* revisions (:class:`Revision`): from a given request on, two finishers of a race swap places
  and points, and the standings after that race (and later ones) follow, as when the stewards
  revise a result after the race has been ingested.

:func:`decide` and :func:`throttle_wait` are pure (the server keeps the counters and the clock);
:func:`revise` turns a dump into its revised copy. Rules are written as short specs for the
command line, ``KIND[:key=value,...]``, parsed by :func:`parse_rule`.
"""

from __future__ import annotations

import json
import math
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from fnmatch import fnmatchcase
from typing import Literal, get_args

from f1lake.replay.dump import Dump, Row

FaultKind = Literal["throttle", "server_error", "slow", "truncated", "malformed"]
KINDS: tuple[str, ...] = get_args(FaultKind)
SERVER_ERRORS = (500, 502, 503, 504)
MALFORMED_VARIANTS = ("no_table", "bad_total", "html")
"""A 200 without the table object, with a ``total`` that is not a number, or an HTML page."""


class FaultSpecError(ValueError):
    """A fault, rate limit or revision spec that cannot be understood; says what is wrong."""


@dataclass(frozen=True)
class FaultRule:
    """Answer matching requests with a fault: the first ``first`` of them, or each with
    ``probability`` (seeded), or - neither given - every one (an outage)."""

    kind: FaultKind
    path: str = "*"
    """Glob on the request path below ``/ergast/f1/``, e.g. ``2023/results*`` or ``*/qualifying*``."""
    first: int | None = None
    probability: float | None = None
    status: int | None = None
    """server_error: 500, 502, 503 (default) or 504. throttle is always 429."""
    retry_after: float | None = None
    """throttle and server_error: the ``Retry-After`` header in seconds (None: no header)."""
    delay: float = 2.0
    """slow: seconds before the (correct) answer is sent."""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise FaultSpecError(f"unknown fault kind {self.kind!r}; known: {', '.join(KINDS)}")
        if self.first is not None and self.probability is not None:
            raise FaultSpecError("give a fault rule first=N or probability=P, not both")
        if self.first is not None and self.first < 0:
            raise FaultSpecError(f"first must be >= 0, got {self.first}")
        if self.probability is not None and not 0.0 <= self.probability <= 1.0:
            raise FaultSpecError(f"probability must be between 0 and 1, got {self.probability}")
        if self.status is not None:
            if self.kind != "server_error":
                raise FaultSpecError(f"status applies to server_error only, not {self.kind}")
            if self.status not in SERVER_ERRORS:
                raise FaultSpecError(
                    f"server_error status must be one of {SERVER_ERRORS}, got {self.status}"
                )
        if self.retry_after is not None and self.retry_after < 0:
            raise FaultSpecError(f"retry_after must be >= 0, got {self.retry_after}")
        if self.delay < 0:
            raise FaultSpecError(f"delay must be >= 0, got {self.delay}")
        if not self.path:
            raise FaultSpecError("path must be a non-empty glob (use * for every path)")

    def matches(self, path: str) -> bool:
        return fnmatchcase(path.strip("/"), self.path.strip("/"))

    def fires(self, nth: int, seed: int, index: int) -> bool:
        """Whether the ``nth`` (0-based) request that reached this rule gets the fault."""
        if self.first is not None:
            return nth < self.first
        if self.probability is not None:
            return _draw(seed, index, nth) < self.probability
        return True


@dataclass(frozen=True)
class RateLimit:
    """Requests allowed in any rolling second and hour; Jolpica's published values by default.

    The server counts every client's requests together (as Jolpica counts an address's).
    ``window``: the "hour" in seconds, shorter in tests so a spent budget recovers in seconds.
    """

    per_second: int = 4
    per_hour: int = 500
    window: float = 3600.0

    def __post_init__(self) -> None:
        if self.per_second < 1 or self.per_hour < self.per_second:
            raise FaultSpecError(
                f"a rate limit needs 1 <= per_second <= per_hour, got "
                f"{self.per_second}/s and {self.per_hour}/h"
            )
        if not self.window > 1.0:
            raise FaultSpecError(f"the hourly window must be longer than 1s, got {self.window}")


JOLPICA_RATE_LIMIT = RateLimit()


@dataclass(frozen=True)
class Revision:
    """From request number ``after + 1`` on, the finishers at positions ``swap`` of the race
    exchange places, points and times; standings after the race and later rounds follow."""

    season: int
    round: int
    swap: tuple[int, int] = (1, 2)
    after: int = 0
    """The revision is published once this many requests have been answered (0: from start)."""

    def __post_init__(self) -> None:
        a, b = self.swap
        if a == b or min(a, b) < 1:
            raise FaultSpecError(f"swap needs two different positions >= 1, got {self.swap}")
        if self.after < 0:
            raise FaultSpecError(f"after must be >= 0, got {self.after}")

    def active(self, request_number: int) -> bool:
        return request_number > self.after


@dataclass(frozen=True)
class FaultConfig:
    seed: int = 0
    rules: tuple[FaultRule, ...] = ()
    rate_limit: RateLimit | None = None
    revisions: tuple[Revision, ...] = field(default=())
    jolpica: bool = False
    """Behave as Jolpica does: ``current``/``last`` by the calendar year (404 while the year's
    season is unpublished, an unrun round 1 as ``last``), 429s without ``Retry-After``."""

    @property
    def empty(self) -> bool:
        return not (self.rules or self.rate_limit or self.revisions or self.jolpica)


@dataclass(frozen=True)
class Fault:
    """How to answer one request instead of (or on top of) the data."""

    kind: FaultKind
    status: int
    retry_after: float | None = None
    delay: float = 0.0
    variant: str | None = None
    """malformed: one of :data:`MALFORMED_VARIANTS`."""
    rule: int | None = None
    """Index of the rule that fired; None for the rate limit."""


def decide(
    config: FaultConfig, path: str, seen: Sequence[int]
) -> tuple[Fault | None, tuple[int, ...]]:
    """The fault for one request to ``path`` (None: answer normally), and the rules' new counts.

    ``seen[i]`` counts the earlier requests that reached rule ``i``: a request answered by an
    earlier rule does not reach the later ones, so ``throttle first=2`` then
    ``server_error first=2`` on one path answers 429, 429, 5xx, 5xx, then data.
    """
    counts = list(seen) + [0] * (len(config.rules) - len(seen))
    for index, rule in enumerate(config.rules):
        if not rule.matches(path):
            continue
        nth = counts[index]
        counts[index] += 1
        if rule.fires(nth, config.seed, index):
            return _fault(rule, index, config.seed, nth), tuple(counts)
    return None, tuple(counts)


def _fault(rule: FaultRule, index: int, seed: int, nth: int) -> Fault:
    if rule.kind == "throttle":
        return Fault("throttle", 429, rule.retry_after, rule=index)
    if rule.kind == "server_error":
        return Fault("server_error", rule.status or 503, rule.retry_after, rule=index)
    if rule.kind == "slow":
        return Fault("slow", 200, delay=rule.delay, rule=index)
    if rule.kind == "truncated":
        return Fault("truncated", 200, rule=index)
    pick = int(_draw(seed, index, nth, "variant") * len(MALFORMED_VARIANTS))
    return Fault("malformed", 200, variant=MALFORMED_VARIANTS[pick], rule=index)


def _draw(seed: int, index: int, nth: int, purpose: str = "fire") -> float:
    """A number in [0, 1) fixed by (seed, rule, request): the same run draws the same faults.

    String seeds are hashed with SHA-512 by :class:`random.Random`, so the draw does not depend
    on ``PYTHONHASHSEED`` or on the process.
    """
    return random.Random(f"{seed}/{index}/{nth}/{purpose}").random()


def throttle_wait(limit: RateLimit, admitted: Sequence[float], now: float) -> float | None:
    """Seconds until one more request fits both windows, None when it fits now.

    ``admitted``: times (seconds, ascending) of the requests let through; answered 429s do not
    count, as a request the server refused consumed nothing.
    """
    waits = []
    for allowed, window in ((limit.per_second, 1.0), (limit.per_hour, limit.window)):
        inside = [t for t in admitted if t > now - window]
        if len(inside) >= allowed:
            waits.append(inside[-allowed] + window - now)
    return max(waits) if waits else None


def retry_after_header(seconds: float) -> str:
    """``Retry-After`` as HTTP sends it: whole seconds, rounded up so a client that honours it
    is not refused again."""
    return str(max(1, math.ceil(seconds)))


# -- bodies ------------------------------------------------------------------------------------


def truncate(body: bytes) -> bytes:
    """The first half of a body, as a connection cut mid-answer leaves it."""
    return body[: max(len(body) // 2, 1)]


def malform(document: dict[str, object], variant: str) -> tuple[bytes, str]:
    """(body, content type) of a 200 that is not the Ergast shape."""
    if variant == "html":
        page = "<html><body><h1>Service is warming up</h1></body></html>"
        return page.encode(), "text/html"
    mrdata = dict(document.get("MRData") or {})  # type: ignore[call-overload]
    if variant == "no_table":
        mrdata = {k: v for k, v in mrdata.items() if not k.endswith("Table")}
    elif variant == "bad_total":
        mrdata["total"] = "unknown"
    else:
        raise FaultSpecError(f"unknown malformed variant {variant!r}")
    return json.dumps({"MRData": mrdata}).encode(), "application/json"


# -- revisions ---------------------------------------------------------------------------------

_SWAPPED = ("position", "positionText", "positionOrder", "points", "time", "milliseconds")


def active_revisions(config: FaultConfig, request_number: int) -> tuple[Revision, ...]:
    return tuple(r for r in config.revisions if r.active(request_number))


def revise(dump: Dump, revisions: Iterable[Revision]) -> Dump:
    """A copy of ``dump`` with each revision applied (the input is left unchanged)."""
    for revision in revisions:
        dump = _revise_one(dump, revision)
    return dump


def _revise_one(dump: Dump, revision: Revision) -> Dump:
    race = dump.race(revision.season, revision.round)
    if race is None:
        raise FaultSpecError(f"revision: the dump has no race {revision.season}/{revision.round}")
    rows = dump.results.get(race.race_id, [])
    by_order = {int(r["positionOrder"] or 0): r for r in rows}
    a, b = revision.swap
    if a not in by_order or b not in by_order:
        raise FaultSpecError(
            f"revision: race {revision.season}/{revision.round} has no finishers at "
            f"positions {a} and {b} ({len(rows)} results)"
        )
    first, second = by_order[a], by_order[b]
    new_first = {**first, **{k: second.get(k) for k in _SWAPPED}}
    new_second = {**second, **{k: first.get(k) for k in _SWAPPED}}
    replaced = {id(first): new_first, id(second): new_second}
    new_rows = sorted(
        (replaced.get(id(r), r) for r in rows), key=lambda r: int(r["positionOrder"] or 10_000)
    )
    gained = {
        first["driverId"]: _num(second["points"]) - _num(first["points"]),
        second["driverId"]: _num(first["points"]) - _num(second["points"]),
    }
    wins = {
        orig["driverId"]: int(_won(now)) - int(_won(orig))
        for orig, now in ((first, new_first), (second, new_second))
    }
    teams: dict[str | None, float] = {}
    team_wins: dict[str | None, int] = {}
    for orig in (first, second):
        team = orig.get("constructorId")
        teams[team] = teams.get(team, 0.0) + gained[orig["driverId"]]
        team_wins[team] = team_wins.get(team, 0) + wins[orig["driverId"]]
    later = [
        r.race_id
        for r in dump.races_by_season.get(revision.season, [])
        if r.round >= revision.round
    ]
    driver_standings = dict(dump.driver_standings)
    constructor_standings = dict(dump.constructor_standings)
    for race_id in later:
        if race_id in driver_standings:
            driver_standings[race_id] = _restand(
                driver_standings[race_id], "driverId", gained, wins
            )
        if race_id in constructor_standings:
            constructor_standings[race_id] = _restand(
                constructor_standings[race_id], "constructorId", teams, team_wins
            )
    return replace(
        dump,
        results={**dump.results, race.race_id: new_rows},
        driver_standings=driver_standings,
        constructor_standings=constructor_standings,
    )


def _won(row: Row) -> bool:
    return row.get("position") == "1"


def _restand(
    rows: list[Row], key: str, points: dict[str | None, float], wins: dict[str | None, int]
) -> list[Row]:
    """Standings rows with points and wins moved, re-ranked by points (ties keep their order)."""
    moved = []
    for row in rows:
        who = row.get(key)
        if who in points or who in wins:
            row = {
                **row,
                "points": _fmt(_num(row["points"]) + points.get(who, 0.0)),
                "wins": str(int(row.get("wins") or 0) + wins.get(who, 0)),
            }
        moved.append(row)
    ranked = [r for r in moved if (r.get("positionText") or "").isdigit()]
    others = [r for r in moved if not (r.get("positionText") or "").isdigit()]
    ranked.sort(key=lambda r: (-_num(r["points"]), int(r["position"] or 10_000)))
    out = [
        {**r, "position": str(place), "positionText": str(place)}
        for place, r in enumerate(ranked, start=1)
    ]
    return out + others


def _num(value: str | None) -> float:
    return float(value or 0)


def _fmt(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:g}"


# -- specs (command line, environment) ---------------------------------------------------------


def config_from_specs(
    rules: Iterable[str] = (),
    seed: int = 0,
    rate_limit: str | None = None,
    revisions: Iterable[str] = (),
    jolpica: bool = False,
) -> FaultConfig:
    """A config from command-line specs (an env variable may hold several, space-separated)."""
    return FaultConfig(
        seed=seed,
        rules=tuple(parse_rule(s) for spec in rules for s in spec.split()),
        rate_limit=parse_rate_limit(rate_limit) if rate_limit else None,
        revisions=tuple(parse_revision(s) for spec in revisions for s in spec.split()),
        jolpica=jolpica,
    )


def parse_rule(spec: str) -> FaultRule:
    """``KIND[:key=value,...]``, e.g. ``throttle:first=2,retry_after=1,path=2023/results*``.

    Keys: path, first, probability, status, retry_after, delay.
    """
    kind, _, rest = spec.strip().partition(":")
    if kind not in KINDS:
        raise FaultSpecError(
            f"fault {spec!r}: unknown kind {kind!r}; known: {', '.join(KINDS)} "
            "(form KIND[:key=value,...], e.g. server_error:status=502,first=3)"
        )
    fields_: dict[str, object] = {}
    converters = {
        "path": str,
        "first": int,
        "probability": float,
        "status": int,
        "retry_after": float,
        "delay": float,
    }
    for name, value in _pairs(spec, rest):
        if name not in converters:
            raise FaultSpecError(
                f"fault {spec!r}: unknown key {name!r}; known: {', '.join(converters)}"
            )
        try:
            fields_[name] = converters[name](value)
        except ValueError:
            raise FaultSpecError(f"fault {spec!r}: {name}={value!r} is not a number") from None
    try:
        return FaultRule(kind, **fields_)  # type: ignore[arg-type]
    except FaultSpecError as exc:
        raise FaultSpecError(f"fault {spec!r}: {exc}") from None


def parse_rate_limit(spec: str) -> RateLimit:
    """``jolpica`` (4/s, 500/h) or ``PER_SECOND/PER_HOUR[/WINDOW_SECONDS]``, e.g. ``2/100`` or
    ``50/60/3`` (60 requests per 3-second "hour", for tests)."""
    text = spec.strip().lower()
    if text == "jolpica":
        return JOLPICA_RATE_LIMIT
    parts = text.split("/")
    try:
        if len(parts) not in (2, 3):
            raise ValueError
        window = float(parts[2]) if len(parts) == 3 else 3600.0
        return RateLimit(int(parts[0]), int(parts[1]), window)
    except ValueError as exc:
        if isinstance(exc, FaultSpecError):
            raise
        raise FaultSpecError(
            f"rate limit {spec!r}: expected 'jolpica' or PER_SECOND/PER_HOUR[/WINDOW_SECONDS], "
            "e.g. 4/500"
        ) from None


def parse_revision(spec: str) -> Revision:
    """``SEASON/ROUND[:swap=A-B,after=N]``, e.g. ``2023/5`` or ``2023/5:swap=1-3,after=40``."""
    head, _, rest = spec.strip().partition(":")
    season, sep, round_ = head.partition("/")
    try:
        if not sep:
            raise ValueError
        values: dict[str, object] = {"season": int(season), "round": int(round_)}
        for name, value in _pairs(spec, rest):
            if name == "after":
                values["after"] = int(value)
            elif name == "swap":
                a, dash, b = value.partition("-")
                if not dash:
                    raise ValueError
                values["swap"] = (int(a), int(b))
            else:
                raise FaultSpecError(f"revision {spec!r}: unknown key {name!r} (swap, after)")
        return Revision(**values)  # type: ignore[arg-type]
    except ValueError as exc:
        if isinstance(exc, FaultSpecError):
            raise
        raise FaultSpecError(
            f"revision {spec!r}: expected SEASON/ROUND[:swap=A-B,after=N], e.g. 2023/5:swap=1-2"
        ) from None


def _pairs(spec: str, rest: str) -> list[tuple[str, str]]:
    pairs = []
    for part in filter(None, (p.strip() for p in rest.split(","))):
        name, eq, value = part.partition("=")
        if not eq or not name.strip():
            raise FaultSpecError(f"{spec!r}: {part!r} is not key=value")
        pairs.append((name.strip(), value.strip()))
    return pairs
