"""A small client of Airflow 3's REST API (``/api/v2``), for the daily-loop commands.

``f1lake backfill`` and ``f1lake latest`` trigger runs of the running stack's scheduler
through it, and ``f1lake status`` reads the runs back: the same calls a user makes from the
UI, with the login the stack generated (SimpleAuthManager's ``/auth/token``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import requests

FINISHED = frozenset({"success", "failed"})


class AirflowApiError(RuntimeError):
    """Airflow answered an error; the message carries its detail."""


@dataclass(frozen=True)
class DagRun:
    dag_id: str
    run_id: str
    state: str
    conf: dict[str, Any]

    @property
    def finished(self) -> bool:
        return self.state in FINISHED


class AirflowApi:
    def __init__(self, base_url: str, username: str, password: str, timeout: float = 30) -> None:
        self.base = base_url.rstrip("/")
        self.timeout = timeout
        self._http = requests.Session()
        token = self._call("POST", "/auth/token", json={"username": username, "password": password})
        self._http.headers["Authorization"] = f"Bearer {token['access_token']}"

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        try:
            response = self._http.request(
                method, f"{self.base}{path}", timeout=self.timeout, **kwargs
            )
        except requests.RequestException as exc:
            raise AirflowApiError(f"Airflow at {self.base} is not answering: {exc}") from None
        if response.status_code >= 400:
            try:
                detail = response.json().get("detail", response.text)
            except ValueError:
                detail = response.text
            raise AirflowApiError(f"{method} {path}: HTTP {response.status_code}: {detail}")
        return response.json() if response.content else None

    def dag_ids(self) -> list[str]:
        return [d["dag_id"] for d in self._call("GET", "/api/v2/dags")["dags"]]

    def dag(self, dag_id: str) -> dict[str, Any]:
        return self._call("GET", f"/api/v2/dags/{dag_id}")

    def config_value(self, section: str, option: str) -> str | None:
        data = self._call("GET", f"/api/v2/config/section/{section}/option/{option}")
        for sect in data.get("sections", []):
            for opt in sect.get("options", []):
                if opt.get("key") == option:
                    return opt.get("value")
        return None

    def trigger(self, dag_id: str, conf: dict[str, Any]) -> DagRun:
        run = self._call(
            "POST", f"/api/v2/dags/{dag_id}/dagRuns", json={"logical_date": None, "conf": conf}
        )
        return _run(run)

    def run(self, dag_id: str, run_id: str) -> DagRun:
        return _run(self._call("GET", f"/api/v2/dags/{dag_id}/dagRuns/{run_id}"))

    def runs(self, dag_id: str, limit: int = 20) -> list[DagRun]:
        data = self._call(
            "GET",
            f"/api/v2/dags/{dag_id}/dagRuns",
            params={"limit": limit, "order_by": "-run_after"},
        )
        return [_run(r) for r in data["dag_runs"]]

    def task_states(self, dag_id: str, run_id: str) -> dict[str, str]:
        data = self._call("GET", f"/api/v2/dags/{dag_id}/dagRuns/{run_id}/taskInstances")
        states: dict[str, str] = {}
        for ti in data["task_instances"]:
            name = (
                ti["task_id"]
                if ti.get("map_index", -1) < 0
                else f"{ti['task_id']}[{ti['map_index']}]"
            )
            states[name] = ti.get("state") or "none"
        return states

    def wait(
        self,
        run: DagRun,
        *,
        timeout: float = 6 * 3600,
        poll: float = 2.0,
        on_change: Callable[[dict[str, str]], None] | None = None,
    ) -> DagRun:
        """Poll until the run finishes; ``on_change`` sees task states whenever they change."""
        deadline = time.monotonic() + timeout
        seen: dict[str, str] = {}
        while True:
            current = self.run(run.dag_id, run.run_id)
            if on_change is not None:
                states = self.task_states(run.dag_id, run.run_id)
                if states != seen:
                    seen = states
                    on_change(states)
            if current.finished:
                return current
            if time.monotonic() > deadline:
                raise AirflowApiError(
                    f"run {run.run_id} still {current.state} after {timeout:.0f} s"
                )
            time.sleep(poll)


def _run(data: dict[str, Any]) -> DagRun:
    return DagRun(
        data["dag_id"], data["dag_run_id"], str(data.get("state")), data.get("conf") or {}
    )
