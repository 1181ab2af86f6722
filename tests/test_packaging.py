"""The wheel carries the repository's SQL, crawler definition and dashboard spec, and an
installed copy finds them through ``f1lake.resources`` (no checkout on the path)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from f1lake.resources import CRAWLER_DEFINITION, DAGS_FOLDER, DASHBOARD_SPEC, SQL_ROOT
from f1lake.settings import PROJECT_ROOT

UV = os.environ.get("UV") or shutil.which("uv")
"""``uv run`` names its own binary in ``UV``; otherwise the one on PATH."""

pytestmark = pytest.mark.skipif(UV is None, reason="uv is not installed")

# Run from the installed copy: the named queries, the crawler's name, the dashboard's queries.
_PROBE = """
import json, f1lake
from f1lake.catalog.definition import load_definition
from f1lake.dashboard.spec import load_spec
from f1lake.query.library import load_library
from f1lake.resources import DATA_ROOT
from f1lake.settings import Settings
print(json.dumps({
    "package": f1lake.__file__,
    "data_root": str(DATA_ROOT),
    "queries": sorted(load_library()),
    "crawler": load_definition(Settings(_env_file=None)).Name,
    "dashboard": load_spec().title,
}))
"""


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [UV, "build", "--wheel", "--out-dir", str(out), str(PROJECT_ROOT)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    [built] = out.glob("f1lake-*.whl")
    return built


def _shipped(path: Path) -> str:
    return "f1lake/_data/" + path.relative_to(PROJECT_ROOT).as_posix()


def test_the_wheel_ships_the_sql_the_crawler_and_the_dashboard(wheel: Path):
    names = set(zipfile.ZipFile(wheel).namelist())
    sql = sorted(SQL_ROOT.rglob("*.sql"))
    assert sql and {_shipped(p) for p in sql} <= names
    assert {p.parent.name for p in sql} >= {"athena", "views", "checks"}
    assert _shipped(CRAWLER_DEFINITION) in names
    assert _shipped(DASHBOARD_SPEC) in names
    dags = sorted(DAGS_FOLDER.glob("*.py"))
    assert {"f1_historical_backfill.py", "f1_latest_results.py"} <= {p.name for p in dags}
    assert {_shipped(p) for p in dags} <= names  # an installed `f1lake up` has its DAGs


def test_an_installed_wheel_runs_its_named_queries_without_the_checkout(
    wheel: Path, tmp_path: Path
):
    site = tmp_path / "site"
    subprocess.run(
        [UV, "pip", "install", "--quiet", "--no-deps", "--python", sys.executable,
         "--target", str(site), str(wheel)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-c", _PROBE],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(site)},
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    got = json.loads(done.stdout.strip().splitlines()[-1])
    assert Path(got["package"]).is_relative_to(site), "imported the checkout, not the wheel"
    assert Path(got["data_root"]) == site / "f1lake" / "_data"
    assert got["queries"] == sorted(p.stem for p in SQL_ROOT.glob("*.sql"))
    assert "standings" in got["queries"]
    assert got["crawler"] and got["dashboard"]
