"""docker-compose.yml cannot run here (no Docker engine): parse it and check that it is a
working Airflow 3 deployment of the DAGs that agrees with the local stack's settings.

Commands are parsed by the installed Airflow's and f1lake's own CLI parsers, configuration
variables checked against Airflow's configuration reference, connection URIs parsed by
Airflow's Connection, and defaults compared with ``f1lake.settings``."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from f1lake.cli import main
from f1lake.pipeline.airflow_runtime import AWS_CONN_ID, LEDGER_CONN_ID
from f1lake.settings import PROJECT_ROOT, Settings

COMPOSE_FILE = PROJECT_ROOT / "docker-compose.yml"
COMPOSE = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))
SERVICES: dict[str, dict[str, Any]] = COMPOSE["services"]
AIRFLOW = ("airflow-api-server", "airflow-scheduler", "airflow-dag-processor", "airflow-triggerer")
OFFLINE = ("moto", "replay-api", "provision", "reconcile", "lambda-runner")
IMAGE_PROJECT_DIR = "/opt/f1lake"
_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


def interpolate(value: str, env: dict[str, str] | None = None) -> str:
    """Compose's ``${NAME}`` / ``${NAME:-default}`` with ``env`` (empty: the defaults)."""
    env = env or {}
    return _VAR.sub(lambda m: env.get(m.group(1)) or (m.group(2) or ""), value)


def environment(service: str, env: dict[str, str] | None = None) -> dict[str, str]:
    raw = SERVICES[service].get("environment") or {}
    return {k: interpolate(str(v), env) for k, v in raw.items()}


def connection(service: str, conn_id: str, env: dict[str, str] | None = None) -> Any:
    from airflow.models.connection import Connection

    uri = environment(service, env)[f"AIRFLOW_CONN_{conn_id.upper()}"]
    return Connection(conn_id=conn_id, uri=uri)


def published(service: str) -> dict[int, int]:
    """Container port -> host port of a service (all bound to loopback)."""
    ports = {}
    for spec in SERVICES[service].get("ports", []):
        host_ip, host, container = spec.split(":")
        assert host_ip == "127.0.0.1", f"{service} publishes {spec} beyond loopback"
        ports[int(container)] = int(host)
    return ports


def test_airflow_3_components_and_an_init_service():
    assert set(AIRFLOW) | {"airflow-init", "postgres"} <= set(SERVICES)
    for name in (*AIRFLOW, "airflow-init"):
        assert environment(name)["AIRFLOW__CORE__EXECUTOR"] == "LocalExecutor", name
        assert "profiles" not in SERVICES[name], name
    for name in AIRFLOW:
        depends = SERVICES[name]["depends_on"]
        assert depends["airflow-init"]["condition"] == "service_completed_successfully", name
        # With the offline profile the buckets exist before a DAG runs; without it, no wait.
        assert depends["provision"] == {
            "condition": "service_completed_successfully",
            "required": False,
        }, name
    assert SERVICES["airflow-init"]["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    for name in OFFLINE:
        assert SERVICES[name]["profiles"] == ["offline"], name


def test_airflow_commands_parse_with_the_installed_airflow():
    from airflow.cli.cli_parser import get_parser

    parser = get_parser()
    commands = {name: SERVICES[name]["command"] for name in AIRFLOW}
    assert [c[1] for c in commands.values()] == [
        "api-server",
        "scheduler",
        "dag-processor",
        "triggerer",
    ]
    checks = [SERVICES[n]["healthcheck"]["test"][1:] for n in AIRFLOW[1:]]
    for argv in [*commands.values(), *checks]:
        assert argv[0] == "airflow", argv
        parser.parse_args(argv[1:])  # exits (SystemExit) on an unknown command or option
    job_types = [argv[argv.index("--job-type") + 1] for argv in checks]
    assert job_types == ["SchedulerJob", "DagProcessorJob", "TriggererJob"]


def test_init_migrates_both_databases_and_sets_the_admin_password():
    init = SERVICES["airflow-init"]
    script = init["command"][-1]
    mount = next(v for v in init["volumes"] if v.split(":")[1] == script)
    text = (PROJECT_ROOT / mount.split(":")[0]).read_text(encoding="utf-8")
    lines = [line.strip() for line in text.splitlines()]
    assert "airflow db migrate" in lines and "f1lake migrate" in lines
    from airflow.cli.cli_parser import get_parser

    get_parser().parse_args(["db", "migrate"])
    main.make_context("f1lake", ["migrate"])
    env = environment("airflow-init")
    assert env["F1LAKE_LEDGER_DSN"].endswith("/f1lake")
    # The api-server reads the password file the init writes, on a shared volume.
    passwords = Path(env["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE"])
    volume = next(v for v in init["volumes"] if str(passwords.parent) in v)
    assert volume in SERVICES["airflow-api-server"]["volumes"]


def test_every_airflow_variable_is_an_option_of_the_installed_airflow():
    from airflow.configuration import conf

    described = conf.configuration_description
    for name in (*AIRFLOW, "airflow-init"):
        for key in environment(name):
            if not key.startswith("AIRFLOW__"):
                continue
            _, section, option = key.split("__", 2)
            options = described.get(section.lower(), {}).get("options", {})
            assert option.lower() in options, f"{name}: {key} is not an Airflow option"


def test_components_share_the_tokens_and_reach_the_execution_api():
    envs = [environment(name) for name in AIRFLOW]
    for key in ("AIRFLOW__API_AUTH__JWT_SECRET", "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"):
        assert len({e[key] for e in envs}) == 1, key
        assert envs[0][key]
    url = urlsplit(envs[0]["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"])
    assert url.hostname == "airflow-api-server" and url.path == "/execution/"
    api = SERVICES["airflow-api-server"]["command"]
    assert url.port == int(api[api.index("--port") + 1]) == 8080
    assert published("airflow-api-server") == {8080: 8080}


def test_one_postgres_holds_the_airflow_metadata_and_the_ledger():
    pg = environment("postgres")
    init_sql = next(v for v in SERVICES["postgres"]["volumes"] if "initdb" in v).split(":")[0]
    text = (PROJECT_ROOT / init_sql).read_text(encoding="utf-8")
    created = set(re.findall(r"^\s*CREATE\s+DATABASE\s+(\w+)", text, re.IGNORECASE | re.MULTILINE))
    metadata = urlsplit(environment("airflow-scheduler")["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"])
    assert metadata.scheme == "postgresql+psycopg2" and metadata.hostname == "postgres"
    assert metadata.path.lstrip("/") in created
    ledger = connection("airflow-scheduler", LEDGER_CONN_ID)
    assert ledger.conn_type == "postgres"
    assert (ledger.host, ledger.port, ledger.schema) == ("postgres", 5432, pg["POSTGRES_DB"])
    assert (ledger.login, ledger.password) == (pg["POSTGRES_USER"], pg["POSTGRES_PASSWORD"])
    assert ledger.schema not in created  # the image creates POSTGRES_DB; init adds Airflow's


def test_aws_default_points_at_moto_offline_and_at_the_deployment_with_its_env_file():
    aws = connection("airflow-scheduler", AWS_CONN_ID)
    assert aws.conn_type == "aws"
    endpoint = urlsplit(aws.extra_dejson["endpoint_url"])
    assert endpoint.hostname == "moto"
    moto = SERVICES["moto"]["command"]
    assert endpoint.port == int(moto[moto.index("--port") + 1]) == 5000
    assert aws.extra_dejson["region_name"] == Settings().aws_region

    # The env file infra/cdk/airflow_env.py writes from a deployment's outputs.
    pytest.importorskip("aws_cdk", reason="aws-cdk-lib is not installed (uv sync --group cdk)")
    import sys

    sys.path.insert(0, str(PROJECT_ROOT / "infra" / "cdk"))
    from f1lake_infra.outputs import OUTPUT_VARIABLES, env_file

    outputs = {name: f"deployed-{name.lower()}" for name in OUTPUT_VARIABLES}
    outputs["AwsRegion"] = "eu-west-1"
    outputs["AirflowRoleArn"] = "arn:aws:iam::123456789012:role/airflow"
    env = dict(
        line.split("=", 1) for line in env_file(outputs).splitlines() if not line.startswith("#")
    )
    deployed = environment("airflow-scheduler", env)
    for key, value in env.items():
        assert deployed.get(key) == value, f"compose ignores {key} of the env file"
    on_aws = connection("airflow-scheduler", AWS_CONN_ID, env)
    assert "endpoint_url" not in on_aws.extra_dejson
    assert on_aws.extra_dejson["role_arn"] == outputs["AirflowRoleArn"]


def test_f1lake_variables_are_settings_with_the_local_stacks_defaults():
    fields = {f"F1LAKE_{name.upper()}": name for name in Settings.model_fields}
    # the declared defaults, not Settings(): an in-process DAG run exports F1LAKE_* variables
    defaults = {name: field.default for name, field in Settings.model_fields.items()}
    for name in SERVICES:
        for key, value in environment(name).items():
            if not key.startswith("F1LAKE_"):
                continue
            assert key in fields, f"{name} sets {key}, which no setting reads"
            field = fields[key]
            if field in {"raw_bucket", "processed_bucket", "quarantine_bucket", "queue_name",
                         "glue_database", "athena_workgroup", "aws_region"}:  # fmt: skip
                assert value == defaults[field], f"{name}: {key}={value}"


def test_offline_services_run_real_f1lake_commands_against_moto_and_the_replay_api():
    for service in SERVICES.values():
        command = service.get("command")
        if command and command[0] == "f1lake":
            main.make_context("f1lake", list(command[1:]))  # raises on an unknown command/option
    for name in ("provision", "lambda-runner"):
        endpoint = urlsplit(environment(name)["F1LAKE_AWS_ENDPOINT_URL"])
        assert (endpoint.hostname, endpoint.port) == ("moto", 5000), name
    api = urlsplit(environment("airflow-scheduler")["F1LAKE_API_BASE_URL"])
    replay = SERVICES["replay-api"]["command"]
    assert api.hostname == "replay-api"
    assert api.port == int(replay[replay.index("--port") + 1])
    assert published("replay-api") == {8000: 8000} and published("moto") == {5000: 5000}
    runner = SERVICES["lambda-runner"]["depends_on"]["provision"]
    assert runner["condition"] == "service_completed_successfully"


def test_published_ports_bind_loopback_only():
    for name in SERVICES:
        published(name)


def test_the_dags_and_f1lake_are_mounted_where_airflow_and_python_look():
    for name in AIRFLOW:
        env = environment(name)
        targets = {v.split(":")[1]: v.split(":")[0] for v in SERVICES[name]["volumes"]}
        assert targets[env["AIRFLOW__CORE__DAGS_FOLDER"]] == "./airflow/dags"
        for package in ("f1lake", "sql", "glue"):
            assert targets[f"{IMAGE_PROJECT_DIR}/{package}"] == f"./{package}", (name, package)
        for source in targets.values():
            if source.startswith("./"):
                assert (PROJECT_ROOT / source).exists(), source
    dockerfile = (PROJECT_ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert f"WORKDIR {IMAGE_PROJECT_DIR}" in dockerfile


def test_depends_on_names_existing_services_and_volumes_are_declared():
    volumes = set(COMPOSE["volumes"])
    for name, service in SERVICES.items():
        for dep in service.get("depends_on", {}):
            assert dep in SERVICES, f"{name} depends on unknown service {dep}"
        for spec in service.get("volumes", []):
            source = spec["source"] if isinstance(spec, dict) else spec.split(":")[0]
            if not source.startswith(("./", "/", "$", "..")):
                assert source in volumes, f"{name} mounts undeclared volume {source}"


def test_a_plain_up_runs_the_offline_stack_and_an_env_file_leaves_it_out():
    # compose reads .env only when no --env-file is given (the AWS mode passes one)
    dotenv = dict(
        line.split("=", 1)
        for line in (PROJECT_ROOT / ".env").read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    )
    assert dotenv["COMPOSE_PROFILES"] == "offline"
    api = urlsplit(environment("airflow-scheduler")["F1LAKE_API_BASE_URL"])
    assert "offline" in SERVICES[api.hostname]["profiles"]


def test_the_offline_lake_is_durable_and_reconciled_with_the_ledger_at_start():
    moto = SERVICES["moto"]
    command = moto["command"]
    assert command[:3] == ["python", "-m", "f1lake.local.moto_server"]
    lake_file = Path(command[command.index("--lake-file") + 1])
    assert "--standalone" in command  # a container's stdin is closed: no parent to watch
    volume = next(v for v in moto["volumes"] if v.split(":")[1] == str(lake_file.parent))
    assert volume.split(":")[0] in COMPOSE["volumes"]
    reconcile = SERVICES["reconcile"]
    assert reconcile["command"] == ["f1lake", "reconcile"]
    main.make_context("f1lake", ["reconcile"])
    env = environment("reconcile")
    assert env["F1LAKE_LEDGER_DSN"] == environment("airflow-init")["F1LAKE_LEDGER_DSN"]
    assert urlsplit(env["F1LAKE_AWS_ENDPOINT_URL"]).hostname == "moto"
    for dep in ("provision", "airflow-init"):
        assert reconcile["depends_on"][dep]["condition"] == "service_completed_successfully"


def test_a_missing_csv_dump_is_an_error_not_an_empty_folder():
    (mount,) = SERVICES["replay-api"]["volumes"]
    assert mount["type"] == "bind" and mount["bind"]["create_host_path"] is False
    assert mount["target"] == "/data/ergast-csv" and mount["read_only"] is True
