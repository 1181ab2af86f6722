"""An environment like the processor Lambda's, built with uv: the layer's Python minor version
holding exactly the AWS SDK for pandas layer's pinned libraries (and the runtime's boto3).

Built once per set of pins and kept in a cache folder (``F1LAKE_LAMBDA_ENV_CACHE``, default
``~/.cache/f1lake/lambda-env``), so repeated runs reuse it. The function's own package (our
code and the bundled dependencies) is not in it: the test puts the synthesized bundle first on
``sys.path``, as Lambda does with ``/var/task`` before the layer's ``/opt/python``.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

CACHE = Path(
    os.environ.get("F1LAKE_LAMBDA_ENV_CACHE", Path.home() / ".cache" / "f1lake" / "lambda-env")
)


def uv_command() -> list[str]:
    """uv on PATH, else the one `make install` puts beside the system Python (python3 -m uv)."""
    uv = shutil.which("uv")
    if uv:
        return [uv]
    if importlib.util.find_spec("uv") is not None:
        return [sys.executable, "-m", "uv"]
    return ["python3", "-m", "uv"]


def _minor_of(python: str) -> str | None:
    try:
        done = subprocess.run(
            [python, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True, text=True, timeout=30, check=False,
        )  # fmt: skip
    except OSError:
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def find_python(minor: str) -> str | None:
    """An installed CPython ``minor`` (e.g. "3.12"): what uv finds (no download), else a
    pyenv version (pyenv's shim refuses a version that is not selected, which uv then skips)."""
    env = {**os.environ, "UV_PYTHON_DOWNLOADS": "never"}
    found = subprocess.run(
        [*uv_command(), "python", "find", minor],
        capture_output=True, text=True, env=env, timeout=60, check=False,
    )  # fmt: skip
    candidates = [found.stdout.strip()] if found.returncode == 0 else []
    pyenv_root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    candidates += sorted(str(p) for p in pyenv_root.glob(f"versions/{minor}.*/bin/python{minor}"))
    for python in candidates:
        if python and _minor_of(python) == minor:
            return python
    return None


def lambda_env(python: str, minor: str, pins: dict[str, str]) -> Path:
    """The cached environment's interpreter, built on first use: ``python``'s venv holding
    exactly ``pins`` (name -> version) and what they require."""
    key = hashlib.sha256(json.dumps([minor, sorted(pins.items())]).encode()).hexdigest()[:16]
    home = CACHE / f"py{minor}-{key}"
    interpreter = home / "bin" / "python"
    if (home / "ready").exists():
        return interpreter
    building = CACHE / f".building-{key}-{os.getpid()}"
    shutil.rmtree(building, ignore_errors=True)
    uv = uv_command()
    steps = [
        [*uv, "venv", "--quiet", "--python", python, str(building)],
        [*uv, "pip", "install", "--quiet", "--python", str(building / "bin" / "python"),
         *(f"{name}=={version}" for name, version in sorted(pins.items()))],
    ]  # fmt: skip
    for step in steps:
        done = subprocess.run(step, capture_output=True, text=True, timeout=600, check=False)
        if done.returncode != 0:
            shutil.rmtree(building, ignore_errors=True)
            raise RuntimeError(f"building the Lambda env failed: {' '.join(step)}\n{done.stderr}")
    (building / "ready").write_text(json.dumps(pins, indent=1), encoding="utf-8")
    shutil.rmtree(home, ignore_errors=True)
    building.rename(home)  # venv scripts name their folder; the interpreter is invoked directly
    return interpreter
