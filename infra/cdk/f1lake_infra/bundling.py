"""Package the processor Lambda without Docker: our two packages plus the pure-Python
dependencies the AWS SDK for pandas layer does not carry, as Linux wheels for the runtime.

The layer brings awswrangler, pandas, pyarrow, numpy, boto3 and their dependencies; the bundle
brings pydantic-settings and its closure, pinned to the versions installed here (the lock file),
so the Lambda runs what the tests ran.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path
from typing import Any

import jsii
from aws_cdk import ILocalBundling

from f1lake.settings import PROJECT_ROOT

CODE_PACKAGES = ("f1lake", "lambda_processor")
"""The repository's packages the handler imports."""

LAYER_DISTRIBUTIONS = frozenset(
    {
        "awswrangler",
        "boto3",
        "botocore",
        "s3transfer",
        "jmespath",
        "urllib3",
        "numpy",
        "pandas",
        "pyarrow",
        "python-dateutil",
        "pytz",
        "tzdata",
        "six",
        "packaging",
        "typing-extensions",
    }
)
"""What the AWS SDK for pandas managed layer provides (its requirements)."""

BUNDLED_DISTRIBUTIONS = (
    "pydantic-settings",
    "pydantic",
    "pydantic-core",
    "annotated-types",
    "typing-extensions",
    "typing-inspection",
    "python-dotenv",
)
"""Installed into the function package; pydantic-core is compiled, hence platform wheels.
typing-extensions is also in the layer but pydantic needs a recent one: the bundle wins."""

PLATFORM = "x86_64-manylinux2014"
PYTHON_VERSION = "3.11"


def pinned_requirements(distributions: Iterable[str] = BUNDLED_DISTRIBUTIONS) -> list[str]:
    """``name==version`` for each distribution, as installed from the lock file."""
    pins = []
    for name in distributions:
        try:
            pins.append(f"{name}=={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            raise RuntimeError(
                f"{name} is not installed; run `uv sync` before synthesizing the CDK app"
            ) from None
    return pins


def _install_command(target: Path, requirements: list[str]) -> list[str]:
    uv = shutil.which("uv")
    if uv:
        return [
            uv, "pip", "install", "--quiet", "--no-deps", "--target", str(target),
            "--python-platform", PLATFORM, "--python-version", PYTHON_VERSION,
            "--only-binary", ":all:", *requirements,
        ]  # fmt: skip
    return [
        sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-compile",
        "--target", str(target), "--platform", "manylinux2014_x86_64",
        "--python-version", PYTHON_VERSION, "--implementation", "cp",
        "--only-binary=:all:", *requirements,
    ]  # fmt: skip


def bundle_processor(output_dir: Path, project_root: Path = PROJECT_ROOT) -> None:
    """Write the function package into ``output_dir`` (the asset CDK zips)."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "tests")
    for package in CODE_PACKAGES:
        shutil.copytree(project_root / package, output_dir / package, ignore=ignore)
    command = _install_command(output_dir, pinned_requirements())
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(
            "installing the processor's dependencies failed:\n"
            f"{' '.join(command)}\n{done.stderr.strip()}"
        )


@jsii.implements(ILocalBundling)
class LocalProcessorBundling:
    """CDK calls this before trying Docker; returning True means no Docker is needed."""

    def try_bundle(self, output_dir: str, options: Any = None) -> bool:
        bundle_processor(Path(output_dir))
        return True
