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
or an Arrow IPC stream for ``"arrow"``; ``GET /tables``; ``POST /describe`` ``{"name"}``.
A failure is ``{"error", "kind"}`` (status 400 for a query's error, 409 for a request about a
different lake, 500 for a bug).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
import traceback
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
    return json.dumps(value, ensure_ascii=False).encode("utf-8")


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
        elif self.path == "/describe":
            name = str(request.get("name", ""))
            self._answer(lambda: ("application/json", _json(self.service.describe(name))))
        else:
            self._send(404, "application/json", _json({"error": f"no {self.path}"}))

    def _answer(self, make: Any) -> None:
        try:
            kind, body = make()
        except QueryError as exc:
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
