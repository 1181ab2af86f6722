"""Fixtures of the processing tests: a provisioned stack on the session's moto server, with
the ``F1LAKE_*`` environment pointing the Lambda handler at it."""

from __future__ import annotations

import io
from collections.abc import Callable

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from f1lake import aws
from f1lake.keys import processed_key
from f1lake.local.lambda_runner import settings_env
from f1lake.local.provision import provision
from f1lake.settings import Settings


@pytest.fixture
def provisioned(settings: Settings) -> Settings:
    """Buckets, queue + DLQ (1 s visibility, 2 receives), notification and Glue database."""
    provision(settings, visibility_timeout=1, max_receive_count=2)
    return settings


@pytest.fixture
def stack(provisioned: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """A provisioned stack whose ``F1LAKE_*`` environment configures the Lambda handler."""
    for name, value in settings_env(provisioned).items():
        monkeypatch.setenv(name, value)
    return provisioned


@pytest.fixture
def read_processed(provisioned: Settings) -> Callable[[str, int, int], pa.Table | None]:
    s3 = aws.client("s3", provisioned)

    def read(table: str, season: int, round_: int) -> pa.Table | None:
        try:
            obj = s3.get_object(
                Bucket=provisioned.processed_bucket, Key=processed_key(table, season, round_)
            )
        except s3.exceptions.NoSuchKey:
            return None
        return pq.read_table(io.BytesIO(obj["Body"].read()))

    return read
