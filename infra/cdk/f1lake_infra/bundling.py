"""Package the processor Lambda without Docker: our two packages plus the runtime dependencies
the AWS SDK for pandas layer does not carry, as Linux wheels for the layer's Python.

What the function needs is the base ``dependencies`` of pyproject.toml (the runtime group the
Lambda imports); the layer brings awswrangler, pandas, pyarrow and numpy at its own versions
(``sdk_pandas_layer.LAYER_PINS``, which must satisfy those requirements), the runtime brings
boto3, and the bundle brings the rest with its closure (today pydantic-settings and pydantic),
pinned to the versions installed here (the lock file). The test suite runs the handler at
exactly these versions (tests/infra/test_lambda_rehearsal.py). Nothing here lists our
dependencies by hand: only the layer's contents, a fact about AWS's layer.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path
from typing import Any

import jsii
from aws_cdk import ILocalBundling
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from f1lake.settings import PROJECT_ROOT
from f1lake_infra.sdk_pandas_layer import LAYER_PINS, PYTHON_VERSION

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
"""What the AWS SDK for pandas managed layer and the Lambda runtime provide (the layer's
requirements; the layer drops boto3, botocore, s3transfer and urllib3, which the runtime has)."""

PLATFORM = "x86_64-manylinux2014"
_LAMBDA_MARKERS = {
    "python_version": PYTHON_VERSION,
    "python_full_version": f"{PYTHON_VERSION}.0",
    "sys_platform": "linux",
    "platform_system": "Linux",
    "platform_machine": "x86_64",
    "os_name": "posix",
    "implementation_name": "cpython",
    "platform_python_implementation": "CPython",
}
"""Environment markers of the Lambda runtime, to follow only the requirements it installs."""


def _not_installed(name: str) -> RuntimeError:
    return RuntimeError(f"{name} is not installed; run `uv sync` before synthesizing the CDK app")


def runtime_requirements(project_root: Path = PROJECT_ROOT) -> list[Requirement]:
    """The base ``dependencies`` of pyproject.toml: what the processor Lambda imports."""
    pyproject = tomllib.loads((project_root / "pyproject.toml").read_text(encoding="utf-8"))
    return [Requirement(text) for text in pyproject["project"]["dependencies"]]


def closure(requirements: Iterable[Requirement]) -> tuple[str, ...]:
    """Canonical names of these distributions and everything they require on the Lambda, as
    installed here (extras followed only where a requirement asks for them)."""
    seen: dict[str, set[str]] = {}
    todo = list(requirements)
    while todo:
        req = todo.pop(0)
        name = canonicalize_name(req.name)
        extras = {""} | set(req.extras)
        if extras <= seen.get(name, set()):
            continue
        seen[name] = seen.get(name, set()) | extras
        try:
            needs = metadata.requires(req.name) or []
        except metadata.PackageNotFoundError:
            raise _not_installed(req.name) from None
        for text in needs:
            dep = Requirement(text)
            if dep.marker is None or any(
                dep.marker.evaluate({**_LAMBDA_MARKERS, "extra": extra}) for extra in extras
            ):
                todo.append(dep)
    return tuple(seen)


def layer_mismatches(project_root: Path = PROJECT_ROOT) -> list[str]:
    """Runtime requirements of ours that the layer's pinned versions do not satisfy."""
    pins = {canonicalize_name(name): version for name, version in LAYER_PINS.items()}
    return [
        f"{req} (the layer has {pins[canonicalize_name(req.name)]})"
        for req in runtime_requirements(project_root)
        if canonicalize_name(req.name) in pins
        and not req.specifier.contains(pins[canonicalize_name(req.name)], prereleases=True)
    ]


def bundled_distributions(project_root: Path = PROJECT_ROOT) -> tuple[str, ...]:
    """What the function package installs: the runtime requirements the layer does not provide,
    with their closure. A dependency of theirs the layer also carries (typing-extensions) is
    bundled too: pydantic needs a recent one, and the bundle wins over the layer."""
    layer = {canonicalize_name(d) for d in LAYER_DISTRIBUTIONS}
    return closure(
        r for r in runtime_requirements(project_root) if canonicalize_name(r.name) not in layer
    )


def pinned_requirements(distributions: Iterable[str] | None = None) -> list[str]:
    """``name==version`` for each distribution (default: the bundled ones), as installed from
    the lock file."""
    pins = []
    for name in bundled_distributions() if distributions is None else distributions:
        try:
            pins.append(f"{name}=={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            raise _not_installed(name) from None
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
    mismatches = layer_mismatches(project_root)
    if mismatches:
        raise RuntimeError(
            "pyproject.toml asks for versions the Lambda layer does not have: "
            + "; ".join(mismatches)
        )
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
