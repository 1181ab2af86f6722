"""The DAG tasks' AWS credentials: the ``aws_default`` connection's, handed down to every AWS
call as a (refreshable) session, never written into ``os.environ``."""

from __future__ import annotations

import json
import os
import re
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

from botocore.credentials import Credentials, RefreshableCredentials

from f1lake import aws
from f1lake.local.lambda_runner import settings_env
from f1lake.local.provision import provision
from f1lake.pipeline import tasks

CREDENTIAL_VARIABLES = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN")


def no_ambient_credentials(monkeypatch, tmp_path) -> None:
    """Nothing in boto3's default chain: only handed-down credentials can sign."""
    for name in CREDENTIAL_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


def signing_keys(client) -> list[str]:
    """The access key id of every request the client sends (from its SigV4 header)."""
    keys: list[str] = []

    def record(request, **_):
        keys.append(re.search(r"Credential=([^/]+)/", request.headers["Authorization"].decode())[1])

    client.meta.events.register("before-send", record)
    return keys


def test_a_task_signs_with_the_connection_and_exports_nothing(settings, monkeypatch, tmp_path):
    provision(settings)
    no_ambient_credentials(monkeypatch, tmp_path)
    for name, value in settings_env(settings).items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("F1LAKE_AWS_ENDPOINT_URL")  # the connection's extra says where AWS is
    connection = {
        "conn_type": "aws",
        "login": "AKIDFROMCONNECTION",
        "password": "secret-from-the-connection",
        "extra": {"region_name": "eu-west-1", "endpoint_url": settings.aws_endpoint_url},
    }
    monkeypatch.setenv("AIRFLOW_CONN_AWS_DEFAULT", json.dumps(connection))
    seen: list[str] = []
    load = aws._Given.load

    def watched(provider):  # each client resolving the handed-down credentials
        seen.append(load(provider).access_key)
        return load(provider)

    monkeypatch.setattr(aws._Given, "load", watched)

    crawled = tasks.crawl.function({})  # the task's own body, as a worker runs it

    assert crawled["tables_created"] == []  # it listed the (empty) bucket: it could sign
    assert seen and set(seen) == {"AKIDFROMCONNECTION"}
    assert [name for name in CREDENTIAL_VARIABLES if name in os.environ] == []
    assert aws.session(settings).get_credentials() is None  # nothing left behind


def test_an_expiring_credential_refreshes_before_a_call(settings, monkeypatch, tmp_path):
    """A role's session expires within the hour; a task that waits longer (the rate limiter)
    must renew it, not fail with ExpiredToken."""
    provision(settings)
    no_ambient_credentials(monkeypatch, tmp_path)
    now = datetime.now(UTC)
    refreshed: list[str] = []

    def metadata(key: str, expires: datetime) -> dict[str, str]:
        return {
            "access_key": key,
            "secret_key": "secret",
            "token": "token",
            "expiry_time": expires.isoformat(),
        }

    def refresh() -> dict[str, str]:
        refreshed.append(f"ASIARENEWED{len(refreshed)}")
        return metadata(refreshed[-1], datetime.now(UTC) + timedelta(hours=1))

    expiring = RefreshableCredentials.create_from_metadata(
        metadata("ASIAEXPIRING", now + timedelta(minutes=2)), refresh, "assume-role"
    )
    with aws.using_credentials(expiring):
        s3 = aws.client("s3", settings)
        keys = signing_keys(s3)
        s3.head_bucket(Bucket=settings.raw_bucket)
        s3.head_bucket(Bucket=settings.raw_bucket)

    assert refreshed == ["ASIARENEWED0"]  # once: the renewed one lasts an hour
    assert keys == ["ASIARENEWED0", "ASIARENEWED0"]


def test_threads_of_a_task_sign_with_its_credentials(settings):
    """The ingest stage's worker threads run with the task's credentials, not the default."""
    given = Credentials("AKIDOFTHETASK", "secret")

    def key() -> str:
        return aws.session(settings).get_credentials().access_key

    with aws.using_credentials(given), ThreadPoolExecutor(1) as pool:
        assert pool.submit(aws.in_context(key)).result() == "AKIDOFTHETASK"
        assert pool.submit(key).result() != "AKIDOFTHETASK"  # a bare thread: the default chain
    assert key() != "AKIDOFTHETASK"
