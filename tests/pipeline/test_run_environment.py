"""What an in-process DAG run leaves in the process's environment (the main job's test covers
a whole run), and the one Airflow setting a process cannot change: its home."""

from __future__ import annotations

import os

import pytest

from f1lake.local.airflow_runner import apply_environment, restored_environ
from tests.conftest import AIRFLOW_HOME


def test_a_run_that_raises_still_restores_what_it_set_changed_and_removed(monkeypatch):
    monkeypatch.setenv("F1LAKE_RATE_LIMIT_PER_HOUR", "500")
    monkeypatch.setenv("F1LAKE_QUEUE_NAME", "mine")
    before = dict(os.environ)

    with pytest.raises(RuntimeError, match="task failed"), restored_environ():
        os.environ["AWS_ACCESS_KEY_ID"] = "testing-by-the-stack"
        os.environ["AIRFLOW_CTX_DAG_ID"] = "f1_historical_backfill"
        os.environ["F1LAKE_RATE_LIMIT_PER_HOUR"] = "180000"
        del os.environ["F1LAKE_QUEUE_NAME"]
        raise RuntimeError("task failed")

    assert dict(os.environ) == before


def test_another_airflow_home_is_refused_once_airflow_is_imported(tmp_path):
    import airflow.configuration

    assert str(AIRFLOW_HOME) == airflow.configuration.AIRFLOW_HOME  # tests/conftest.py's
    before = dict(os.environ)
    env = {"AIRFLOW_HOME": str(tmp_path / "airflow"), "F1LAKE_QUEUE_NAME": "other"}

    with pytest.raises(RuntimeError, match=f"imported for AIRFLOW_HOME {AIRFLOW_HOME}"):
        apply_environment(env)

    assert dict(os.environ) == before and not (tmp_path / "airflow").exists()
