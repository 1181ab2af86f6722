"""The replay API as an HTTP server: an Ergast CSV dump served as the Ergast JSON API.

A thin adapter around :mod:`f1lake.replay.responses`: it loads the dump once, then hands every
``GET /ergast/f1/...`` to ``respond``. With a :class:`Faults` it also misbehaves as configured
(:mod:`f1lake.replay.faults`: throttling, proxy errors, slow or broken bodies, Jolpica's rate
limits, results revised after the race), so clients and the pipeline can be tested against the
failures the real service shows; that is off unless ``faults`` is passed.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from f1lake.replay.dump import Dump, default_today, load_dump
from f1lake.replay.faults import (
    Fault,
    FaultConfig,
    FaultRule,
    FaultSpecError,
    Revision,
    active_revisions,
    decide,
    malform,
    parse_rule,
    retry_after_header,
    revise,
    throttle_wait,
    truncate,
)
from f1lake.replay.responses import ReplayView, respond
from f1lake.replay.variants import apply_variants

BASE_PATH = "/ergast/f1"
HOST = "127.0.0.1"
THROTTLED = {"detail": "Request was throttled."}
_HTML_ERROR = (
    "<html><head><title>{status} Service Temporarily Unavailable</title></head>"
    "<body><center><h1>{status} Service Temporarily Unavailable</h1></center>"
    "<hr><center>nginx</center></body></html>"
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Ticket:
    """What one request gets: its number (1-based) and the fault, if any."""

    number: int
    fault: Fault | None


class Faults:
    """The fault state of one replay server: config, counters, history. Thread-safe.

    The decisions are :func:`f1lake.replay.faults.decide` (rules, seeded) and
    :func:`~f1lake.replay.faults.throttle_wait` (rate limit); this class only keeps the request
    counter, each rule's match count and the admission times. ``injected`` counts the faults
    answered, by kind (``rate_limit`` for the rate limit's 429s).
    """

    def __init__(
        self, config: FaultConfig | None = None, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._config = config or FaultConfig()
        self._clock = clock
        self._lock = threading.Lock()
        self._pending: deque[Fault] = deque()
        self._seen: tuple[int, ...] = ()
        self._admitted: deque[float] = deque()
        self.requests = 0
        self.injected: Counter[str] = Counter()
        self.arrivals: deque[tuple[float, bool]] = deque(maxlen=100_000)
        """(time on the clock, refused by the rate limit) of each request, oldest first."""

    @property
    def config(self) -> FaultConfig:
        return self._config

    def configure(self, config: FaultConfig) -> None:
        """Replace the configuration; the rules' counts start again, the request count goes on."""
        with self._lock:
            self._config = config
            self._seen = ()

    def add_rule(self, rule: FaultRule | str) -> None:
        """Add a rule (or its spec, ``KIND[:key=value,...]``) after the configured ones."""
        rule = parse_rule(rule) if isinstance(rule, str) else rule
        with self._lock:
            self._config = replace(self._config, rules=(*self._config.rules, rule))

    def revise(self, season: int, round_: int, swap: tuple[int, int] = (1, 2)) -> Revision:
        """Publish a revision of the race's results from the next request on."""
        with self._lock:
            revision = Revision(season, round_, swap, after=self.requests)
            self._config = replace(self._config, revisions=(*self._config.revisions, revision))
        return revision

    def fail_next(self, count: int = 1, status: int = 429, retry_after: int | None = None) -> None:
        """Answer the next ``count`` API requests with ``status`` instead of the data.

        429 answers the throttling JSON (with ``Retry-After`` only when ``retry_after`` is
        given); any other status answers an HTML page, as a proxy in front of the API does.
        """
        if count < 0 or not 400 <= status <= 599:
            raise ValueError(f"need count >= 0 and an error status, got {count=} {status=}")
        kind = "throttle" if status == 429 else "server_error"
        with self._lock:
            self._pending.extend(Fault(kind, status, retry_after) for _ in range(count))

    def clear(self) -> None:
        with self._lock:
            self._pending.clear()

    @property
    def pending(self) -> int:
        with self._lock:
            return len(self._pending)

    def take(self, path: str = "") -> Ticket:
        """Number the request to ``path`` and decide its fault (queued ones first)."""
        with self._lock:
            self.requests += 1
            fault = self._pending.popleft() if self._pending else None
            if fault is None and self._config.rate_limit is not None:
                limit = self._config.rate_limit
                now = self._clock()
                while self._admitted and self._admitted[0] <= now - limit.window:
                    self._admitted.popleft()
                wait = throttle_wait(limit, self._admitted, now)
                self.arrivals.append((now, wait is not None))
                if wait is not None:
                    # Jolpica's 429 says nothing of when to come back.
                    after = None if self._config.jolpica else float(retry_after_header(wait))
                    fault = Fault("throttle", 429, after)
                    self.injected["rate_limit"] += 1
                    return Ticket(self.requests, fault)
                self._admitted.append(now)
            if fault is None:
                fault, self._seen = decide(self._config, path, self._seen)
            if fault is not None:
                self.injected[fault.kind] += 1
            return Ticket(self.requests, fault)

    def revisions(self, number: int) -> tuple[Revision, ...]:
        with self._lock:
            return active_revisions(self._config, number)

    def state(self) -> dict[str, object]:
        with self._lock:
            return {
                "requests": self.requests,
                "injected": dict(self.injected),
                "pending": len(self._pending),
                "rules": len(self._config.rules),
                "revisions": [
                    {"season": r.season, "round": r.round, "swap": list(r.swap), "after": r.after}
                    for r in self._config.revisions
                ],
            }


class _Views:
    """The dump as served, one view per set of published revisions (built once each)."""

    def __init__(self, dump: Dump, today: date) -> None:
        self.base = ReplayView(dump, today)
        self._views: dict[tuple[tuple[Revision, ...], bool], ReplayView] = {((), False): self.base}
        self._lock = threading.Lock()

    def get(self, revisions: tuple[Revision, ...], jolpica: bool = False) -> ReplayView:
        with self._lock:
            view = self._views.get((revisions, jolpica))
            if view is None:
                dump = revise(self.base.dump, revisions)
                view = ReplayView(dump, self.base.today, jolpica=jolpica)
                self._views[(revisions, jolpica)] = view
            return view


def _fault_response(fault: Fault) -> Response:
    headers = (
        {} if fault.retry_after is None else {"Retry-After": retry_after_header(fault.retry_after)}
    )
    if fault.status == 429:
        return JSONResponse(THROTTLED, status_code=429, headers=headers)
    return HTMLResponse(_HTML_ERROR.format(status=fault.status), fault.status, headers=headers)


def _broken_body(fault: Fault, body: dict[str, object]) -> Response:
    if fault.kind == "truncated":
        whole = JSONResponse(body).body
        return Response(truncate(whole), status_code=200, media_type="application/json")
    content, media_type = malform(body, fault.variant or "no_table")
    return Response(content, status_code=200, media_type=media_type)


def resolve_today(dump: Dump, today: date | None) -> date:
    """``today`` if given, else the day after the dump's latest race with results."""
    return today if today is not None else default_today(dump)


def create_app(
    csv_dir: Path,
    today: date | None = None,
    *,
    faults: Faults | None = None,
    dump: Dump | None = None,
    variants: tuple[str, ...] = (),
) -> FastAPI:
    """A FastAPI app serving the dump in ``csv_dir`` as seen on ``today``.

    ``app.state.requests`` keeps the latest request targets (path and query) so tests can see
    what a client fetched. With ``faults``, a small admin API drives them from another process:
    ``GET /_replay/faults`` (state), ``POST /_replay/faults?count=N&status=S&retry_after=T``
    (fail the next requests), ``POST /_replay/faults?rule=SPEC`` (add a rule) and
    ``POST /_replay/revisions?season=Y&round=R`` (revise a race's results from now on).
    """
    dump = dump if dump is not None else load_dump(Path(csv_dir))
    dump = apply_variants(dump, variants)  # Jolpica's forms (f1lake.replay.variants)
    if faults is not None:
        revise(dump, faults.config.revisions)  # a revision of a race the dump lacks: say so now
    views = _Views(dump, resolve_today(dump, today))
    app = FastAPI(title="f1lake Ergast replay API", openapi_url=None, docs_url=None)
    app.state.view = views.base
    app.state.faults = faults
    app.state.requests = deque(maxlen=10_000)

    @app.get(BASE_PATH + "/{path:path}")
    async def ergast(path: str, request: Request) -> Response:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        app.state.requests.append(target)
        ticket = faults.take(path) if faults is not None else Ticket(0, None)
        fault = ticket.fault
        if fault is not None and fault.status >= 400:
            return _fault_response(fault)
        if faults is None:
            view = views.base
        else:
            view = views.get(faults.revisions(ticket.number), faults.config.jolpica)
        url = f"{request.url.scheme}://{request.url.netloc}{BASE_PATH}/{path}"
        answer = respond(view, path, request.query_params, url)
        if fault is not None and fault.kind == "slow":
            await asyncio.sleep(fault.delay)
        elif fault is not None and answer.status == 200:
            return _broken_body(fault, answer.body)
        return JSONResponse(answer.body, status_code=answer.status)

    if faults is not None:

        @app.get("/_replay/faults")
        def fault_state() -> dict:
            return faults.state()

        @app.post("/_replay/faults")
        def arm(
            count: int = 1, status: int = 429, retry_after: int | None = None, rule: str = ""
        ) -> Response:
            try:
                if rule:
                    faults.add_rule(rule)
                else:
                    faults.fail_next(count, status, retry_after)
            except ValueError as exc:
                return JSONResponse({"detail": str(exc)}, status_code=400)
            return JSONResponse(faults.state())

        @app.post("/_replay/revisions")
        def publish(season: int, round: int, a: int = 1, b: int = 2) -> Response:
            try:
                revise(views.base.dump, [Revision(season, round, (a, b))])  # refuse a bad one now
            except FaultSpecError as exc:
                return JSONResponse({"detail": str(exc)}, status_code=400)
            revision = faults.revise(season, round, (a, b))
            return JSONResponse({"published_after_request": revision.after})

    @app.exception_handler(404)
    async def not_found(request: Request, exc: Exception) -> JSONResponse:
        return JSONResponse({"detail": f"Not found: {request.url.path}"}, status_code=404)

    return app


def serve(
    csv_dir: Path,
    port: int = 8000,
    today: date | None = None,
    host: str = HOST,
    faults: Faults | None = None,
    variants: tuple[str, ...] = (),
) -> None:
    """Serve the dump on ``host:port`` until interrupted (for the CLI).

    ``host`` stays 127.0.0.1 on a workstation; only inside a container (docker-compose) is it
    widened, and there the published port is bound to the host's loopback.
    """
    dump = load_dump(Path(csv_dir))
    day = resolve_today(dump, today)
    app = create_app(csv_dir, day, dump=dump, faults=faults, variants=variants)
    print(f"Replaying {csv_dir} as of {day} at http://{host}:{port}{BASE_PATH}/", flush=True)
    if faults is not None:
        print(f"Fault injection on: {faults.state()}", flush=True)
    uvicorn.run(app, host=host, port=port, log_level="warning")


@contextmanager
def replay_api(
    csv_dir: Path,
    today: date | None = None,
    port: int = 0,
    *,
    faults: Faults | None = None,
    variants: tuple[str, ...] = (),
) -> Iterator[str]:
    """Run the replay API in a background thread; yields its base URL, stops it on exit.

    ``port=0`` picks a free port. The URL looks like ``http://127.0.0.1:PORT/ergast/f1``.
    """
    app = create_app(csv_dir, today, faults=faults, variants=variants)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((HOST, port))
    bound_port = sock.getsockname()[1]
    # A slow fault keeps a request open for its delay: do not wait longer than that to stop.
    config = uvicorn.Config(app, log_level="warning", lifespan="off", timeout_graceful_shutdown=5)
    server = uvicorn.Server(config)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="replay-api", daemon=True
    )
    thread.start()
    try:
        while not server.started:
            if not thread.is_alive():
                raise RuntimeError("the replay API server stopped while starting")
            threading.Event().wait(0.01)
        yield f"http://{HOST}:{bound_port}{BASE_PATH}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
        if thread.is_alive():
            log.warning("replay API thread did not stop within 10 s")
