"""The replay API as an HTTP server: an Ergast CSV dump served as the Ergast JSON API.

A thin adapter around :mod:`f1lake.replay.responses`: it loads the dump once, then hands every
``GET /ergast/f1/...`` to ``respond``. It can also be told to fail the next requests (429 with
or without ``Retry-After``, or a proxy-style 502/503 with an HTML body) so that clients can be
tested against the failures the real service shows; that is off unless ``faults`` is passed.
"""

from __future__ import annotations

import logging
import socket
import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from f1lake.replay.dump import Dump, default_today, load_dump
from f1lake.replay.responses import ReplayView, respond

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
class Fault:
    status: int
    retry_after: int | None = None


class Faults:
    """Failures to answer the next requests with, in order; thread-safe, empty by default."""

    def __init__(self) -> None:
        self._pending: deque[Fault] = deque()
        self._lock = threading.Lock()

    def fail_next(self, count: int = 1, status: int = 429, retry_after: int | None = None) -> None:
        """Answer the next ``count`` API requests with ``status`` instead of the data.

        429 answers the throttling JSON (with ``Retry-After`` only when ``retry_after`` is
        given); any other status answers an HTML page, as a proxy in front of the API does.
        """
        if count < 0 or not 400 <= status <= 599:
            raise ValueError(f"need count >= 0 and an error status, got {count=} {status=}")
        with self._lock:
            self._pending.extend(Fault(status, retry_after) for _ in range(count))

    def clear(self) -> None:
        with self._lock:
            self._pending.clear()

    def take(self) -> Fault | None:
        with self._lock:
            return self._pending.popleft() if self._pending else None

    @property
    def pending(self) -> int:
        with self._lock:
            return len(self._pending)


def _fault_response(fault: Fault) -> Response:
    headers = {} if fault.retry_after is None else {"Retry-After": str(fault.retry_after)}
    if fault.status == 429:
        return JSONResponse(THROTTLED, status_code=429, headers=headers)
    return HTMLResponse(_HTML_ERROR.format(status=fault.status), fault.status, headers=headers)


def resolve_today(dump: Dump, today: date | None) -> date:
    """``today`` if given, else the day after the dump's latest race with results."""
    return today if today is not None else default_today(dump)


def create_app(
    csv_dir: Path,
    today: date | None = None,
    *,
    faults: Faults | None = None,
    dump: Dump | None = None,
) -> FastAPI:
    """A FastAPI app serving the dump in ``csv_dir`` as seen on ``today``.

    ``app.state.requests`` keeps the latest request targets (path and query) so tests can see
    what a client fetched. With ``faults``, ``POST /_replay/faults?count=N&status=S&retry_after=T``
    arms failures too (for a server running in another process).
    """
    dump = dump if dump is not None else load_dump(Path(csv_dir))
    view = ReplayView(dump, resolve_today(dump, today))
    app = FastAPI(title="f1lake Ergast replay API", openapi_url=None, docs_url=None)
    app.state.view = view
    app.state.faults = faults
    app.state.requests = deque(maxlen=10_000)

    @app.get(BASE_PATH + "/{path:path}")
    async def ergast(path: str, request: Request) -> Response:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        app.state.requests.append(target)
        fault = faults.take() if faults is not None else None
        if fault is not None:
            return _fault_response(fault)
        url = f"{request.url.scheme}://{request.url.netloc}{BASE_PATH}/{path}"
        answer = respond(view, path, request.query_params, url)
        return JSONResponse(answer.body, status_code=answer.status)

    if faults is not None:

        @app.post("/_replay/faults")
        def arm(count: int = 1, status: int = 429, retry_after: int | None = None) -> dict:
            try:
                faults.fail_next(count, status, retry_after)
            except ValueError as exc:
                return JSONResponse({"detail": str(exc)}, status_code=400)
            return {"pending": faults.pending}

    @app.exception_handler(404)
    async def not_found(request: Request, exc: Exception) -> JSONResponse:
        return JSONResponse({"detail": f"Not found: {request.url.path}"}, status_code=404)

    return app


def serve(csv_dir: Path, port: int = 8000, today: date | None = None, host: str = HOST) -> None:
    """Serve the dump on ``host:port`` until interrupted (for the CLI).

    ``host`` stays 127.0.0.1 on a workstation; only inside a container (docker-compose) is it
    widened, and there the published port is bound to the host's loopback.
    """
    dump = load_dump(Path(csv_dir))
    day = resolve_today(dump, today)
    app = create_app(csv_dir, day, dump=dump)
    print(f"Replaying {csv_dir} as of {day} at http://{host}:{port}{BASE_PATH}/", flush=True)
    uvicorn.run(app, host=host, port=port, log_level="warning")


@contextmanager
def replay_api(
    csv_dir: Path,
    today: date | None = None,
    port: int = 0,
    *,
    faults: Faults | None = None,
) -> Iterator[str]:
    """Run the replay API in a background thread; yields its base URL, stops it on exit.

    ``port=0`` picks a free port. The URL looks like ``http://127.0.0.1:PORT/ergast/f1``.
    """
    app = create_app(csv_dir, today, faults=faults)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((HOST, port))
    bound_port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", lifespan="off")
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
