"""The processor package: everything the handler imports is in the bundle or the layer."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from f1lake.settings import PROJECT_ROOT

pytest.importorskip("aws_cdk", reason="aws-cdk-lib is not installed (uv sync --group cdk)")

from f1lake_infra.bundling import (
    CODE_PACKAGES,
    LAYER_DISTRIBUTIONS,
    bundled_distributions,
    pinned_requirements,
    runtime_requirements,
)

# Import what the handler imports (awswrangler, imported lazily by the store, is the layer
# itself), then name the distribution of every third-party module.
_PROBE = """
import importlib.metadata as md, json, sys
before = set(sys.modules)
import lambda_processor.handler, f1lake.processing.s3_objects, f1lake.processing.processor
tops = {m.split('.')[0] for m in set(sys.modules) - before}
owners = md.packages_distributions()
print(json.dumps(sorted({d for t in tops for d in owners.get(t, [])})))
"""
OPTIONAL = {"certifi"}
"""botocore uses certifi when present and its own CA bundle otherwise."""


def _normal(name: str) -> str:
    return name.lower().replace("_", "-")


def test_every_distribution_the_handler_imports_is_packaged():
    done = subprocess.run(
        [sys.executable, "-c", _PROBE],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    imported = {_normal(d) for d in json.loads(done.stdout.strip().splitlines()[-1])}
    provided = (
        {_normal(d) for d in LAYER_DISTRIBUTIONS | set(bundled_distributions())}
        | {_normal(p) for p in CODE_PACKAGES}
        | {"f1lake"}
    )
    assert imported, "the probe found no imports"
    missing = sorted(imported - provided - OPTIONAL)
    assert not missing, f"the Lambda would fail to import: {missing}"


def test_bundled_dependencies_are_pinned_to_the_installed_versions():
    from importlib import metadata

    pins = dict(p.split("==") for p in pinned_requirements())
    assert pins["pydantic-settings"] == metadata.version("pydantic-settings")
    assert set(pins) == set(bundled_distributions())


def test_the_bundle_is_the_runtime_group_the_layer_lacks_with_its_closure():
    bundled = set(bundled_distributions())
    layer = {_normal(d) for d in LAYER_DISTRIBUTIONS}
    for req in runtime_requirements():
        assert _normal(req.name) in layer | bundled, req.name
    assert {"pydantic-settings", "pydantic", "pydantic-core", "python-dotenv"} <= bundled
    assert not bundled & {"apache-airflow", "duckdb", "moto", "pandas", "pyarrow", "boto3"}


def test_a_dependency_added_to_the_runtime_group_is_bundled(tmp_path):
    text = (PROJECT_ROOT / "pyproject.toml").read_text()
    (tmp_path / "pyproject.toml").write_text(
        text.replace("dependencies = [\n", 'dependencies = [\n    "tabulate>=0.9",\n', 1)
    )
    assert "tabulate" in bundled_distributions(tmp_path)
    assert "tabulate" not in bundled_distributions()
