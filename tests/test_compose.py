"""docker-compose.yml cannot run here (no Docker engine): parse it and check that it is a
working Airflow 3 deployment of the DAGs that agrees with the local stack's settings.

Commands are parsed by the installed Airflow's and f1lake's own CLI parsers, configuration
variables checked against Airflow's configuration reference, connection URIs parsed by
Airflow's Connection, and defaults compared with ``f1lake.settings``."""

from __future__ import annotations

import json
import os
import re
import runpy
import stat
import subprocess
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


SECRETS_SCRIPT = PROJECT_ROOT / "infra" / "compose" / "secrets.py"
SECRETS = runpy.run_path(str(SECRETS_SCRIPT))  # its functions, without running main()


@pytest.fixture(scope="module")
def secrets_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """What the `secrets` service writes on a first start, into a fresh folder."""
    folder = tmp_path_factory.mktemp("secrets")
    SECRETS["ensure"](folder, {})
    return folder


def secret_file(env: dict[str, str], key: str, folder: Path) -> str:
    """An Airflow ``*_CMD`` option's value (``cat <file>``), read from ``folder``."""
    program, path = env[key].split()
    assert program == "cat" and Path(path).parent == Path(env["SECRETS_DIR"]), env[key]
    return (folder / Path(path).name).read_text(encoding="utf-8")


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
    assert init["entrypoint"] == ["sh", f"{IMAGE_PROJECT_DIR}/infra/compose/ledger-env.sh"]
    assert 'Path(os.environ["SECRETS_DIR"], "admin_password")' in text
    assert "f1lake-secrets" in " ".join(init["volumes"])
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
            _, section, option = key.lower().split("__", 2)
            if option.endswith("_cmd"):  # the option's value is the command's output
                option = option.removesuffix("_cmd")
                assert (section, option) in conf.sensitive_config_values, f"{name}: {key}"
            options = described.get(section, {}).get("options", {})
            assert option in options, f"{name}: {key} is not an Airflow option"


def test_components_share_the_tokens_and_reach_the_execution_api(secrets_dir):
    envs = [environment(name) for name in AIRFLOW]
    for key in ("AIRFLOW__API_AUTH__JWT_SECRET_CMD", "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_CMD"):
        assert len({e[key] for e in envs}) == 1, key
        assert len(secret_file(envs[0], key, secrets_dir)) >= 32, key
    url = urlsplit(envs[0]["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"])
    assert url.hostname == "airflow-api-server" and url.path == "/execution/"
    api = SERVICES["airflow-api-server"]["command"]
    assert url.port == int(api[api.index("--port") + 1]) == 8080
    assert published("airflow-api-server") == {8080: 8080}


def ledger_connection(folder: Path) -> Any:
    """The ledger connection Airflow's LocalFilesystemBackend reads from the secrets volume."""
    from airflow.models.connection import Connection

    backend = environment("airflow-scheduler")
    assert backend["AIRFLOW__SECRETS__BACKEND"].endswith(".LocalFilesystemBackend")
    path = Path(json.loads(backend["AIRFLOW__SECRETS__BACKEND_KWARGS"])["connections_file_path"])
    assert path.parent == Path(backend["SECRETS_DIR"])
    uri = json.loads((folder / path.name).read_text(encoding="utf-8"))[LEDGER_CONN_ID]
    return Connection(conn_id=LEDGER_CONN_ID, uri=uri)


def test_one_postgres_holds_the_airflow_metadata_and_the_ledger(secrets_dir):
    pg = environment("postgres")
    init_sql = next(v for v in SERVICES["postgres"]["volumes"] if "initdb" in v).split(":")[0]
    text = (PROJECT_ROOT / init_sql).read_text(encoding="utf-8")
    created = set(re.findall(r"^\s*CREATE\s+DATABASE\s+(\w+)", text, re.IGNORECASE | re.MULTILINE))
    scheduler = environment("airflow-scheduler")
    conn_cmd = "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_CMD"
    metadata = urlsplit(secret_file(scheduler, conn_cmd, secrets_dir))
    assert metadata.scheme == "postgresql+psycopg2" and metadata.hostname == "postgres"
    assert metadata.path.lstrip("/") in created
    password = (secrets_dir / Path(pg["POSTGRES_PASSWORD_FILE"]).name).read_text(encoding="utf-8")
    assert metadata.username == pg["POSTGRES_USER"] and metadata.password == password
    ledger = ledger_connection(secrets_dir)
    assert ledger.conn_type == "postgres"
    assert (ledger.host, ledger.port, ledger.schema) == ("postgres", 5432, pg["POSTGRES_DB"])
    assert (ledger.login, ledger.password) == (pg["POSTGRES_USER"], password)
    assert ledger.schema not in created  # the image creates POSTGRES_DB; init adds Airflow's
    dsn = urlsplit((secrets_dir / "ledger_dsn").read_text(encoding="utf-8"))
    assert (dsn.username, dsn.password, dsn.hostname, dsn.port, dsn.path) == (
        ledger.login,
        ledger.password,
        ledger.host,
        ledger.port,
        f"/{ledger.schema}",
    )


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
    assert reconcile["entrypoint"] == SERVICES["airflow-init"]["entrypoint"]  # ledger-env.sh
    assert env["SECRETS_DIR"] == environment("airflow-init")["SECRETS_DIR"]
    assert urlsplit(env["F1LAKE_AWS_ENDPOINT_URL"]).hostname == "moto"
    for dep in ("provision", "airflow-init"):
        assert reconcile["depends_on"][dep]["condition"] == "service_completed_successfully"


def test_a_missing_csv_dump_is_an_error_not_an_empty_folder():
    (mount,) = SERVICES["replay-api"]["volumes"]
    assert mount["type"] == "bind" and mount["bind"]["create_host_path"] is False
    assert mount["target"] == "/data/ergast-csv" and mount["read_only"] is True


SECRET_NAME = re.compile(r"PASSWORD|SECRET|FERNET|TOKEN|JWT|ACCESS_KEY", re.IGNORECASE)
MOTO_CREDENTIALS = "testing"
"""moto's fixed fake credentials: they open nothing but the offline emulator."""


def test_docker_compose_holds_no_literal_secret():
    """No password, token or key is written in the file: a secret-named variable is a file
    (``*_FILE``, ``*_CMD``) or comes from the operator's environment with no default; no URI
    carries a password but moto's; and none of the old fixed values is left."""
    text = COMPOSE_FILE.read_text(encoding="utf-8")
    for fixed in ("local-only", "PASSWORD:-admin", "PASSWORD:-f1lake", "CORE__FERNET_KEY:"):
        assert fixed not in text, fixed
    userinfo = re.compile(r"://([^/@:\s]+):([^@/\s]+)@")
    for name, service in SERVICES.items():
        for key, raw in (service.get("environment") or {}).items():
            value = str(raw)
            for _, password in userinfo.findall(interpolate(value)):
                assert password == MOTO_CREDENTIALS, f"{name}: {key} holds a password"
            option = key.rsplit("__", 1)[-1]  # AIRFLOW__SECRETS__BACKEND is no secret
            secret = SECRET_NAME.search(option) and not option.endswith("_DIR")
            if not secret or interpolate(value) == MOTO_CREDENTIALS:
                continue
            if key.endswith(("_FILE", "_CMD")):
                path = value.split()[-1]  # `cat <path>` or <path>
                assert path.startswith(("/var/lib/f1lake-secrets/", "/opt/airflow/auth/")), key
            else:
                assert interpolate(value) == "", f"{name}: {key} has a default: {value}"
    # every secret variable the file lets the operator set reaches the secrets service
    overrides = set(environment("secrets")) - {"SECRETS_DIR"}
    assert overrides == {variable for variable, _ in SECRETS["SECRETS"].values()}


def test_secrets_are_generated_once_kept_and_taken_from_the_environment(tmp_path):
    from cryptography.fernet import Fernet

    first, second = tmp_path / "first", tmp_path / "second"
    made = SECRETS["ensure"](first, {})
    assert sorted(made) == sorted(SECRETS["SECRETS"])
    values = {name: (first / name).read_text(encoding="utf-8") for name in made}
    Fernet(values["fernet_key"].encode())  # a valid key (Airflow refuses an invalid one)
    assert len(set(values.values())) == len(values) and min(map(len, values.values())) >= 16
    for path in first.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name

    assert SECRETS["ensure"](first, {}) == []  # a restart keeps them
    assert {n: (first / n).read_text(encoding="utf-8") for n in made} == values
    SECRETS["ensure"](second, {})
    assert (second / "jwt_secret").read_text() != values["jwt_secret"]  # no shared secret

    # an operator's password, with characters a URI must escape
    SECRETS["ensure"](second, {"POSTGRES_PASSWORD": "p@ss:w/rd"})
    ledger = ledger_connection(second)
    assert ledger.password == "p@ss:w/rd" and ledger.host == "postgres"


def test_ledger_env_hands_the_ledger_dsn_to_the_command(secrets_dir):
    script = PROJECT_ROOT / "infra" / "compose" / "ledger-env.sh"
    env = {"PATH": os.environ["PATH"], "SECRETS_DIR": str(secrets_dir)}
    out = subprocess.run(
        ["sh", str(script), "sh", "-c", 'printf %s "$F1LAKE_LEDGER_DSN"'],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert out == (secrets_dir / "ledger_dsn").read_text(encoding="utf-8")
    assert urlsplit(out).path == "/f1lake"
