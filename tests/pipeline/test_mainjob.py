"""The README's main job, end to end, on the test dump and (when present) the real history."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest

from f1lake.mainjob import run_main_job
from f1lake.settings import Settings
from tests.conftest import AIRFLOW_HOME, shared_path, unique_names
from tests.pipeline.test_dags import csv_points
from tests.support.minidump import MINIDUMP_TODAY


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [k for k in os.environ if k.startswith(("F1LAKE_", "AIRFLOW_CONN_"))]:
        monkeypatch.delenv(name)


def run(settings: Settings, season: int, csv_dir: Path, **kwargs: object) -> tuple[dict, list[str]]:
    lines: list[str] = []
    outcome = run_main_job(
        settings, season, csv_dir=csv_dir, airflow_home=AIRFLOW_HOME, say=lines.append, **kwargs
    )
    return outcome, lines


def changed_environ(before: dict[str, str]) -> dict[str, str | None]:
    """The variables whose value differs from ``before``'s (None: removed)."""
    names = set(before) | set(os.environ)
    return {n: os.environ.get(n) for n in sorted(names) if os.environ.get(n) != before.get(n)}


def test_main_job_prints_the_standings_the_dump_implies(
    clean_env, minidump, state_dir, monkeypatch
):
    for name in [k for k in os.environ if k.startswith("AWS_")]:
        monkeypatch.delenv(name)  # the stack sets moto's dummy credentials itself
    settings = Settings(state_dir=state_dir, rate_limit_per_second=50, **unique_names())
    before = dict(os.environ)

    outcome, lines = run(settings, 2023, minidump, today=MINIDUMP_TODAY)

    # The in-process run leaves the process's environment as it found it: a later stack, test
    # or notebook cell does not get this run's settings (its lifted hourly limit, its ports).
    assert changed_environ(before) == {}

    expected = csv_points(minidump, 2023, [1, 2, 3, 4, 5])
    leader = max(expected, key=expected.__getitem__)
    standings = outcome["standings"]
    assert standings["driver_id"].iloc[0] == leader
    assert dict(zip(standings["driver_id"], standings["points"], strict=True)) == pytest.approx(
        expected
    )
    text = "\n".join(lines)
    assert "replaying the Ergast CSV dump" in text
    assert leader in text and "wall time" in text and "API requests" in text
    assert "constructor standings" in text
    by_endpoint = outcome["summary"]["requests_by_endpoint"]
    assert set(by_endpoint) >= {"plan", "results", "sprint", "qualifying", "drivers"}
    total = next(line for line in text.splitlines() if line.strip().startswith("total"))
    assert total.split() == ["total", str(sum(by_endpoint.values()))]
    assert outcome["checks"]["passed"] is True
    assert all(f"PASS  {r['name']}" in text for r in outcome["checks"]["results"])
    board = outcome["dashboard"]
    assert board.is_file() and board.is_relative_to(state_dir) and str(board) in text
    with (minidump / "drivers.csv").open(newline="") as f:
        row = next(r for r in csv.DictReader(f) if r["driverRef"] == leader)
    # the season's data is embedded in the page, names as the dashboard shows them
    assert f'"{row["forename"]} {row["surname"]}"' in board.read_text()


def test_main_job_on_the_real_2023_season(clean_env, state_dir):
    csv_dir = shared_path("ergast-csv")
    settings = Settings(state_dir=state_dir, **unique_names())

    outcome, _ = run(settings, 2023, csv_dir)

    top3 = list(outcome["standings"]["driver_id"][:3])
    assert top3 == ["max_verstappen", "perez", "hamilton"]
    written = outcome["summary"]["written"]
    assert (written["races"], written["results"], written["sprint"]) == (22, 22, 6)
    assert outcome["checks"]["passed"] is True
    constructors = outcome["constructor_standings"]
    assert constructors["constructor_id"].iloc[0] == "red_bull"
