"""Run a DAG of ``airflow/dags`` once through real Airflow (``dag.test()``), in this process.

The DAG's tasks run in this process and reach the stack's servers, which run in child
processes (the Lambda runner keeps processing while the tasks ingest). Airflow reads its
configuration when first imported, so callers must apply the environment
(``apply_environment``) before anything imports ``airflow``.
"""

from __future__ import annotations

import importlib.util
import os
import signal
import sys
import warnings
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from f1lake.local.airflow_services import DAGS_FOLDER, migrate_airflow_db


@dataclass(frozen=True)
class DagRunResult:
    dag_id: str
    run_id: str
    state: str
    returns: dict[str, Any]
    """Return values of the run's unmapped tasks, by task id."""
    spans: dict[str, tuple[datetime, datetime]] = field(default_factory=dict)
    """When each task ran, by task id: first start and last end over its mapped instances."""

    @property
    def succeeded(self) -> bool:
        return self.state == "success"


def apply_environment(env: dict[str, str]) -> None:
    if "airflow" in sys.modules and os.environ.get("AIRFLOW_HOME") != env["AIRFLOW_HOME"]:
        raise RuntimeError("airflow was imported before its environment was set")
    os.environ.update(env)
    migrate_airflow_db(env)


def load_dag(dag_id: str, dags_folder: Path = DAGS_FOLDER) -> Any:
    path = dags_folder / f"{dag_id}.py"
    if not path.exists():
        raise FileNotFoundError(f"no DAG file {path}")
    spec = importlib.util.spec_from_file_location(f"f1lake_dag_{dag_id}", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.dag_object


def run_dag(
    dag_id: str, conf: dict[str, Any] | None = None, run_after: datetime | None = None
) -> DagRunResult:
    """``dag.test()`` with ``conf``; Param validation errors propagate as raised by Airflow.

    ``run_after`` runs it as of another moment (a run without a logical date, as Airflow 3
    allows, since one before the DAG's start date would run no task).
    """
    dag = load_dag(dag_id)
    when = {} if run_after is None else {"run_after": run_after, "logical_date": None}
    # Airflow's in-process task runner installs its own SIGTERM/SIGINT handlers and leaves
    # them behind; ours (stop the stack cleanly) must hold again after the run.
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        with warnings.catch_warnings():
            # dag.test() runs tasks through Starlette's test client, which warns about httpx.
            warnings.filterwarnings("ignore", message=r".*starlette\.testclient")
            dag_run = dag.test(run_conf=conf or {}, **when)
    finally:
        for sig, handler in saved.items():
            if handler is not None:
                signal.signal(sig, handler)
    state = str(getattr(dag_run.state, "value", dag_run.state))
    return DagRunResult(
        dag_id,
        dag_run.run_id,
        state,
        _task_returns(dag_id, dag_run.run_id),
        _task_spans(dag_id, dag_run.run_id),
    )


def _task_returns(dag_id: str, run_id: str) -> dict[str, Any]:
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session

    with create_session() as session:
        rows = session.scalars(
            XComModel.get_many(run_id=run_id, dag_ids=dag_id, key="return_value", map_indexes=-1)
        ).all()
        return {row.task_id: XComModel.deserialize_value(row) for row in rows}


def _task_spans(dag_id: str, run_id: str) -> dict[str, tuple[datetime, datetime]]:
    from airflow.models.taskinstance import TaskInstance
    from airflow.utils.session import create_session
    from sqlalchemy import select

    spans: dict[str, tuple[datetime, datetime]] = {}
    with create_session() as session:
        rows = session.execute(
            select(TaskInstance.task_id, TaskInstance.start_date, TaskInstance.end_date).where(
                TaskInstance.dag_id == dag_id, TaskInstance.run_id == run_id
            )
        ).all()
    for task_id, start, end in rows:
        if start is None or end is None:
            continue
        first, last = spans.get(task_id, (start, end))
        spans[task_id] = (min(first, start), max(last, end))
    return spans
