"""The CDK entry point as the CDK CLI runs it (``cdk synth``: cdk.json's ``app`` command, the
context in ``CDK_CONTEXT_JSON``, the cloud assembly in ``CDK_OUTDIR``)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

from tests.infra.conftest import CDK_DIR, cdk_json_context

pytest.importorskip("aws_cdk", reason="aws-cdk-lib is not installed (uv sync --group cdk)")


def _node_major() -> str:
    done = subprocess.run(["node", "--version"], capture_output=True, text=True, check=True)
    return re.match(r"v(\d+)", done.stdout).group(1)


def test_a_missing_airflow_principal_is_one_error_line_before_anything_is_bundled(tmp_path):
    env = {
        **os.environ,
        "CDK_CONTEXT_JSON": json.dumps(cdk_json_context()),
        "CDK_OUTDIR": str(tmp_path),
        # This machine's Node may be past its end of life: jsii's banner is not the app's output.
        "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": _node_major(),
    }
    done = subprocess.run(
        [sys.executable, "app.py"],
        cwd=CDK_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr.splitlines() == [done.stderr.strip()], done.stderr
    assert done.stderr.startswith("error: context 'airflowPrincipalArn' is required")
    assert not list(tmp_path.glob("asset.*")), "the Lambda was bundled before the error"
