"""The client of the warm query service (:mod:`f1lake.query.service`).

``QueryClient`` is what ``f1lake sql`` uses on its start-up path: the standard library only (no
pandas, pyarrow, DuckDB or sqlglot), so a command costs the interpreter's start and one request.
``RemoteEngine`` is the same service behind the ``Engine`` protocol, for callers that want
DataFrames (the dashboard, the console); it imports pandas and pyarrow when it first answers.
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from f1lake.query.errors import ParameterError, QueryError, error_of
from f1lake.settings import Settings

if TYPE_CHECKING:
    import pandas as pd


class ServiceUnavailable(QueryError):
    """The service does not answer, or serves another lake: run the query in process."""


def lake_identity(settings: Settings) -> dict[str, str]:
    """What names a lake: the service answers only requests about its own."""
    return {
        "endpoint": str(settings.aws_endpoint_url or ""),
        "database": settings.glue_database,
        "bucket": settings.processed_bucket,
    }


def service_client(settings: Settings, engine: str | None = None) -> QueryClient | None:
    """A client of the stack's query service when one runs and the local engine is chosen."""
    if not settings.query_url or (engine or settings.sql_engine).lower() != "local":
        return None
    return QueryClient(settings.query_url, lake_identity(settings))


def encode_params(params: Mapping[str, object] | None) -> dict[str, object]:
    """Parameters as JSON values (a date as ``{"date": ...}``; the service checks the rest)."""
    encoded: dict[str, object] = {}
    for name, value in (params or {}).items():
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            encoded[name] = {"date": value.isoformat()}
        elif value is None or isinstance(value, str | int | float | bool):
            encoded[name] = value
        else:
            raise ParameterError(
                f"parameter {name!r}: unsupported value type {type(value).__name__}"
            )
    return encoded


class QueryClient:
    """One keep-alive connection to the service; each call is one request."""

    def __init__(self, url: str, lake: dict[str, str]) -> None:
        parts = urlsplit(url)
        self.url = url
        self.lake = lake
        self._address = (parts.hostname or "127.0.0.1", parts.port or 80)
        self._conn: http.client.HTTPConnection | None = None

    def text(self, sql: str, params: Mapping[str, object] | None, fmt: str) -> tuple[str, int]:
        """The answer rendered as ``fmt`` (table, csv, json) and its number of rows."""
        body = self._call("POST", "/query", self._query(sql, params, fmt))
        answer = json.loads(body)
        return answer["text"], int(answer["rows"])

    def arrow(self, sql: str, params: Mapping[str, object] | None) -> bytes:
        """The answer as an Arrow IPC stream."""
        return self._call("POST", "/query", self._query(sql, params, "arrow"))

    def dashboard(self, seasons: list[int] | None, missing_ok: bool, spec: str) -> dict[str, Any]:
        """The dashboard's data, built by the service (:func:`f1lake.dashboard.data.to_json`)."""
        request = {"seasons": seasons, "missing_ok": missing_ok, "spec": spec, "lake": self.lake}
        return dict(json.loads(self._call("POST", "/dashboard", request)))

    def serves(self) -> bool:
        """Whether the service answers, about this lake (one small request)."""
        try:
            return bool(json.loads(self._call("GET", "/health")) == self.lake)
        except QueryError:
            return False

    def tables(self) -> dict[str, str]:
        return dict(json.loads(self._call("GET", "/tables"))["tables"])

    def describe(self, name: str) -> dict[str, Any]:
        return dict(json.loads(self._call("POST", "/describe", {"name": name, "lake": self.lake})))

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def _query(self, sql: str, params: Mapping[str, object] | None, fmt: str) -> dict[str, Any]:
        return {"sql": sql, "params": encode_params(params), "format": fmt, "lake": self.lake}

    def _call(self, method: str, path: str, payload: dict[str, Any] | None = None) -> bytes:
        data = json.dumps(payload).encode("utf-8") if payload is not None else None
        headers = {"Content-Type": "application/json"} if data is not None else {}
        for attempt in (1, 2):  # a kept-alive connection the server closed: once more, anew
            conn = self._conn or http.client.HTTPConnection(*self._address)
            self._conn = conn
            try:
                conn.request(method, path, body=data, headers=headers)
                response = conn.getresponse()
                body = response.read()
                break
            except ConnectionRefusedError:
                self.close()
                raise ServiceUnavailable(f"no query service answers at {self.url}") from None
            except (http.client.HTTPException, OSError) as exc:
                self.close()
                if attempt == 2:
                    raise QueryError(f"the query service at {self.url} failed: {exc}") from None
        if response.status == 200:
            return body
        try:
            error = json.loads(body)
        except ValueError:
            error = {"error": body.decode("utf-8", "replace")[:200]}
        if response.status == 409:
            raise ServiceUnavailable(error["error"])
        raise error_of(str(error.get("kind", "")), str(error["error"]))


class RemoteEngine:
    """The ``Engine`` of a running query service: the local engine's answers, warm."""

    name = "local"

    def __init__(self, client: QueryClient) -> None:
        self.client = client

    def run(self, sql: str, params: Mapping[str, object] | None = None) -> pd.DataFrame:
        import pyarrow as pa

        from f1lake.query.frames import to_pandas

        with pa.ipc.open_stream(self.client.arrow(sql, params)) as reader:
            return to_pandas(reader.read_all())

    def tables(self) -> dict[str, str]:
        return self.client.tables()

    def describe(self, name: str) -> pd.DataFrame:
        import pandas as pd

        answer = self.client.describe(name)
        return pd.DataFrame(answer["rows"], columns=answer["columns"])

    def close(self) -> None:
        self.client.close()
