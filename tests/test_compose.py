"""docker-compose.yml cannot run here (no Docker engine): check it parses and stays in step."""

from __future__ import annotations

import json

import yaml

from f1lake.cli import main
from f1lake.settings import PROJECT_ROOT, Settings

COMPOSE = yaml.safe_load((PROJECT_ROOT / "docker-compose.yml").read_text())


def test_every_f1lake_variable_is_a_setting():
    fields = {f"F1LAKE_{name.upper()}" for name in Settings.model_fields}
    env = COMPOSE["x-f1lake-env"]
    unknown = {k for k in env if k.startswith("F1LAKE_")} - fields
    assert not unknown, f"compose sets variables no setting reads: {unknown}"


def test_services_run_real_cli_commands():
    commands = set(main.commands)
    for name, service in COMPOSE["services"].items():
        command = service.get("command")
        if command and command[0] == "f1lake":
            assert command[1] in commands, f"service {name} runs unknown command {command[1]}"


def test_published_ports_bind_loopback_only():
    for name, service in COMPOSE["services"].items():
        for port in service.get("ports", []):
            assert port.startswith("127.0.0.1:"), f"{name} publishes {port} beyond loopback"


def test_airflow_connections_are_the_ones_the_dags_read():
    from f1lake.pipeline.airflow_runtime import AWS_CONN_ID, LEDGER_CONN_ID

    env = COMPOSE["services"]["airflow"]["environment"]
    aws = json.loads(env[f"AIRFLOW_CONN_{AWS_CONN_ID.upper()}"])
    ledger = json.loads(env[f"AIRFLOW_CONN_{LEDGER_CONN_ID.upper()}"])
    assert aws["conn_type"] == "aws" and aws["extra"]["endpoint_url"] == "http://moto:5000"
    assert ledger["conn_type"] == "postgres"
    assert env["AIRFLOW__CORE__DAGS_FOLDER"].endswith("/airflow/dags")
