"""The offline Lambda rehearsal: the handler from the synthesized bundle, on the layer's Python
with exactly the AWS SDK for pandas layer's pandas, pyarrow, numpy and awswrangler, processes
a raw object of every endpoint against the moto server and writes the same Parquet (schema and
rows) with the same S3 metadata as the main environment does."""

from __future__ import annotations

import io
import json
import os
import subprocess
from importlib import metadata
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from f1lake import aws
from f1lake.endpoints import ENDPOINTS
from f1lake.local.lambda_runner import settings_env
from f1lake.local.moto_server import LOCAL_AWS_ENV
from f1lake.local.provision import provision
from f1lake.processing.handler import handle_event
from f1lake.settings import Settings
from tests.processing.factories import put_raw, s3_event, sqs_event, weekend_envelopes
from tests.support.lambda_env import find_python, lambda_env

pytest.importorskip("aws_cdk", reason="aws-cdk-lib is not installed (uv sync --group cdk)")

from f1lake_infra.bundling import bundle_processor
from f1lake_infra.processor import RUNTIME
from f1lake_infra.sdk_pandas_layer import LAYER_PINS, PYTHON_VERSION

# Lambda's order: the function package (/var/task) first, then the layer (here: the env).
_RUN = """
import json, sys
sys.path.insert(0, sys.argv[1])
import awswrangler, numpy, pandas, pyarrow
import f1lake, lambda_processor.handler as entry
response = entry.handler(json.loads(sys.stdin.read()), None)
print(json.dumps({
    "response": response,
    "f1lake": f1lake.__file__,
    "versions": {m.__name__: m.__version__ for m in (awswrangler, numpy, pandas, pyarrow)},
}))
"""


def test_the_runtime_is_the_layers_python():
    assert RUNTIME.name == f"python{PYTHON_VERSION}"


@pytest.fixture(scope="module")
def rehearsal_python() -> Path:
    python = find_python(PYTHON_VERSION)
    if python is None:
        pytest.skip(
            f"Python {PYTHON_VERSION} (the Lambda's) is not installed: "
            f"`uv python install {PYTHON_VERSION}` (.ci/run does)"
        )
    # The runtime provides boto3 (the layer drops it): ours, at the lock file's version.
    return lambda_env(python, PYTHON_VERSION, {**LAYER_PINS, "boto3": metadata.version("boto3")})


def _outputs(settings: Settings) -> dict[str, dict[str, Any]]:
    """Every processed object: its Parquet schema (physical and Arrow), rows, S3 metadata."""
    s3 = aws.client("s3", settings)
    out = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=settings.processed_bucket):
        for item in page.get("Contents", []):
            obj = s3.get_object(Bucket=settings.processed_bucket, Key=item["Key"])
            parquet = pq.ParquetFile(io.BytesIO(obj["Body"].read()))
            table = parquet.read()
            out[item["Key"]] = {
                # the physical schema (what Athena reads), less its first line (an address)
                "parquet_schema": str(parquet.schema).split("\n", 1)[1],
                "arrow_schema": table.schema.remove_metadata().to_string(),
                "rows": table.to_pylist(),
                "metadata": obj["Metadata"],
                "content_type": obj["ContentType"],
            }
    return out


def _clear(settings: Settings, bucket: str) -> None:
    s3 = aws.client("s3", settings)
    for item in s3.list_objects_v2(Bucket=bucket).get("Contents", []):
        s3.delete_object(Bucket=bucket, Key=item["Key"])


def test_the_bundle_on_the_layers_versions_writes_what_the_main_environment_writes(
    rehearsal_python, settings, tmp_path
):
    provision(settings)
    keys = [put_raw(settings, env) for env in weekend_envelopes(2023, 9)]
    event = sqs_event(*(json.dumps(s3_event(settings.raw_bucket, k)) for k in keys))

    assert handle_event(event, settings) == {"batchItemFailures": []}
    expected = _outputs(settings)
    assert len(expected) == len(ENDPOINTS)  # one table per endpoint
    _clear(settings, settings.processed_bucket)

    bundle = tmp_path / "bundle"
    bundle.mkdir()
    bundle_processor(bundle)
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        **LOCAL_AWS_ENV,
        **settings_env(settings),
    }
    done = subprocess.run(
        [str(rehearsal_python), "-c", _RUN, str(bundle)],
        input=json.dumps(event), cwd=tmp_path, env=env,
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    ran = json.loads(done.stdout.strip().splitlines()[-1])
    assert ran["response"] == {"batchItemFailures": []}, done.stderr[-3000:]
    assert ran["versions"] == LAYER_PINS  # the layer's libraries, not the main environment's
    assert Path(ran["f1lake"]).is_relative_to(bundle)  # the bundle's code, not the checkout's

    assert _outputs(settings) == expected
    assert (
        aws.client("s3", settings)
        .list_objects_v2(Bucket=settings.quarantine_bucket)
        .get("KeyCount")
        == 0
    )
