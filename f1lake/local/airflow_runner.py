"""Run a DAG of ``airflow/dags`` once through real Airflow (``dag.test()``), in this process.

The DAG's tasks run in this process and reach the stack's servers, which run in child
processes (the Lambda runner keeps processing while the tasks ingest). Airflow reads its
configuration when first imported, so callers must apply the environment
(``apply_environment``) before anything imports ``airflow``, inside ``restored_environ`` so
that the run's settings do not outlive it in the process (a notebook or a test session that
runs another stack next).
"""

from __future__ import annotations

import importlib.util
import os
import signal
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
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


@contextmanager
def restored_environ() -> Iterator[None]:
    """``os.environ`` as it was before the block once it ends, however it ends.

    Whatever the block set is undone, not only the stack's Airflow and ``F1LAKE_*`` settings:
    moto's dummy AWS credentials, Airflow's ``AIRFLOW_CTX_*`` task variables. Airflow needs
    none of them between runs: its home and metadata database are fixed at first import, and
    a run applies its environment again.
    """
    saved = dict(os.environ)
    try:
        yield
    finally:
        for name in [name for name in os.environ if name not in saved]:
            del os.environ[name]
        for name, value in saved.items():
            if os.environ.get(name) != value:
                os.environ[name] = value


def apply_environment(env: dict[str, str]) -> None:
    """Set ``env`` (a stack's ``airflow_env``) in ``os.environ`` and migrate its metadata DB.

    Airflow fixes its home when first imported: a process runs DAGs of that home only (the
    same home again, as in the tests and the benchmark, works).
    """
    configuration = sys.modules.get("airflow.configuration")
    imported_home = getattr(configuration, "AIRFLOW_HOME", None)
    if imported_home is not None and Path(imported_home) != Path(env["AIRFLOW_HOME"]):
        raise RuntimeError(
            f"airflow was imported for AIRFLOW_HOME {imported_home}, not {env['AIRFLOW_HOME']}"
        )
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
        # Airflow's task runner sets AIRFLOW_CTX_* variables for each task and leaves them.
        with restored_environ(), warnings.catch_warnings():
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
