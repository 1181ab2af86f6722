"""The warm query service: one local engine, its tables loaded, answering over HTTP on loopback.

Every ``f1lake sql`` process used to import DuckDB, pandas and sqlglot, read the catalog and
load its tables before answering; the service does that once per stack (``f1lake up`` keeps it,
:mod:`f1lake.local.query_service`), so a command only sends its SQL and prints the answer.

It never answers stale: before each query it asks the lake file whether anything was written
since it last looked (:mod:`f1lake.query.freshness`), and if so re-reads the catalog and the
listing of each table the query reads and reloads those that changed. Errors come back as the same
one-line messages (and error classes) the in-process engine raises.

Protocol (JSON unless said): ``POST /query`` ``{"sql", "params", "format", "lake"}`` answers
``{"text", "rows"}`` for a text format (rendered here, by the renderer the CLI uses in process)
or an Arrow IPC stream for ``"arrow"``; ``GET /tables``; ``POST /describe`` ``{"name"}``;
``POST /dashboard`` ``{"seasons", "missing_ok", "spec"}`` answers the dashboard's data
(:func:`f1lake.dashboard.data.to_json`), built here in one go and kept while the lake holds.
A failure is ``{"error", "kind"}`` (status 400 for a query's error, 409 for a request about a
different lake, 500 for a bug).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
import traceback
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from f1lake.query.errors import QueryError
from f1lake.query.freshness import LakeVersion
from f1lake.query.local import LocalEngine
from f1lake.query.remote import lake_identity
from f1lake.settings import Settings

log = logging.getLogger(__name__)

ARROW_TYPE = "application/vnd.apache.arrow.stream"
TEXT_FORMATS = ("table", "csv", "json")
_KEPT_BOARDS = 8


@dataclass(frozen=True)
class _Board:
    """A built dashboard's JSON and what it was built from: the lake's version, the catalog's
    tables (a new one lights a visual up) and the state of every table loaded."""

    version: int
    tables: dict[str, str]
    states: dict[str, str]
    body: bytes


def decode_params(raw: dict[str, Any] | None) -> dict[str, object]:
    """JSON parameters back to Python values (a date travels as ``{"date": "YYYY-MM-DD"}``)."""
    values: dict[str, object] = {}
    for name, value in (raw or {}).items():
        if isinstance(value, dict) and set(value) == {"date"}:
            values[name] = dt.date.fromisoformat(value["date"])
        else:
            values[name] = value
    return values


class QueryService:
    """The engine behind the HTTP handler: one query at a time, each over the current lake."""

    def __init__(self, settings: Settings, lake_file: Path | None = None) -> None:
        self.settings = settings
        self.identity = lake_identity(settings)
        self.version = LakeVersion(lake_file)
        self.engine = LocalEngine(settings, lake_version=self.version)
        self.lock = threading.Lock()
        self._boards: dict[str, _Board] = {}

    def warm(self) -> None:
        """Load every cataloged table now, so the first query finds them (a query waits)."""
        with self.lock:
            try:
                self.engine.load_catalog()
            except QueryError as exc:
                log.warning("query service: tables not preloaded: %s", exc)

    def query(self, request: dict[str, Any]) -> tuple[str, bytes]:
        """The answer to a query request: (content type, body)."""
        fmt = request.get("format", "json")
        if fmt not in (*TEXT_FORMATS, "arrow"):
            raise QueryError(f"unknown output format {fmt!r}; formats: {', '.join(TEXT_FORMATS)}")
        params = decode_params(request.get("params"))
        with self.lock:
            table = self.engine.run_arrow(str(request.get("sql", "")), params)
        if fmt == "arrow":
            import pyarrow as pa

            sink = pa.BufferOutputStream()
            with pa.ipc.new_stream(sink, table.schema) as writer:
                writer.write_table(table)
            return ARROW_TYPE, sink.getvalue().to_pybytes()
        from f1lake.query.frames import to_pandas
        from f1lake.query.output import render

        text = render(to_pandas(table), fmt)
        return "application/json", _json({"text": text, "rows": table.num_rows})

    def dashboard(self, request: dict[str, Any]) -> tuple[str, bytes]:
        """The dashboard's data for the chosen seasons, built by ``collect`` on this engine
        (its answers straight from Arrow, no request per query), and kept: given again while the
        lake's version is the same, or else while the catalog's tables and every loaded table's
        state are (checked as a query checks them); else built anew."""
        from f1lake.dashboard.data import collect, to_json
        from f1lake.dashboard.spec import load_spec
        from f1lake.resources import DASHBOARD_SPEC

        seasons = request.get("seasons")
        missing_ok = bool(request.get("missing_ok"))
        spec_path = Path(request.get("spec") or DASHBOARD_SPEC)
        key = json.dumps([sorted(seasons) if seasons else None, missing_ok, str(spec_path)])
        with self.lock:
            version = self.version.current()  # before building: a write during it is seen
            kept = self._boards.get(key)
            if kept is not None and (
                kept.version == version
                or (kept.tables == self.engine.tables() and self.engine.holds(kept.states))
            ):
                self._boards[key] = _Board(version, kept.tables, kept.states, kept.body)
                return "application/json", kept.body
            tables = self.engine.tables()
            data = collect(self.engine, load_spec(spec_path), seasons, missing_ok=missing_ok)
            body = _json(to_json(data))
            if self.version.current() == version:  # nothing written while it was built:
                tables = self.engine.tables()  # with the tables it loaded from the schema
            self._boards.pop(key, None)
            self._boards[key] = _Board(version, tables, self.engine.states(), body)
            while len(self._boards) > _KEPT_BOARDS:
                del self._boards[next(iter(self._boards))]
        return "application/json", body

    def tables(self) -> dict[str, str]:
        with self.lock:
            return self.engine.tables()

    def describe(self, name: str) -> dict[str, Any]:
        with self.lock:
            frame = self.engine.describe(name)
        return {"columns": list(frame.columns), "rows": frame.values.tolist()}

    def close(self) -> None:
        with self.lock:
            self.engine.close()
            self.version.close()


def _json(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: a dashboard sends dozens of queries
    disable_nagle_algorithm = True  # else the body waits on the headers' delayed ACK (40 ms)
    service: QueryService

    def do_GET(self) -> None:
        if self.path == "/tables":
            self._answer(lambda: ("application/json", _json({"tables": self.service.tables()})))
        elif self.path == "/health":
            self._answer(lambda: ("application/json", _json(self.service.identity)))
        else:
            self._send(404, "application/json", _json({"error": f"no {self.path}"}))

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        try:
            request = json.loads(self.rfile.read(length) or b"{}")
        except ValueError:
            self._send(400, "application/json", _json({"error": "request is not JSON"}))
            return
        lake = request.get("lake")
        if lake is not None and lake != self.service.identity:
            message = f"this query service serves {self.service.identity}, not {lake}"
            self._send(409, "application/json", _json({"error": message, "kind": "Mismatch"}))
            return
        if self.path == "/query":
            self._answer(lambda: self.service.query(request))
        elif self.path == "/dashboard":
            self._answer(lambda: self.service.dashboard(request))
        elif self.path == "/describe":
            name = str(request.get("name", ""))
            self._answer(lambda: ("application/json", _json(self.service.describe(name))))
        else:
            self._send(404, "application/json", _json({"error": f"no {self.path}"}))

    def _answer(self, make: Any) -> None:
        from f1lake.dashboard.data import DashboardError

        try:
            kind, body = make()
        except (QueryError, DashboardError) as exc:
            error = {"error": str(exc), "kind": type(exc).__name__}
            self._send(400, "application/json", _json(error))
            return
        except Exception as exc:  # a bug, or the edge we do not own (boto): one line back
            traceback.print_exc()
            text = " ".join(str(exc).split()) or type(exc).__name__
            self._send(500, "application/json", _json({"error": text, "kind": "Error"}))
            return
        self._send(200, kind, body)

    def _send(self, status: int, kind: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass  # one line per query on the stack's terminal would drown its progress lines


def serve(service: QueryService, host: str = "127.0.0.1", port: int = 0) -> ThreadingHTTPServer:
    """An HTTP server for ``service`` on ``host:port`` (0: a free port), not yet serving."""
    handler = type("Handler", (_Handler,), {"service": service})
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    return server
