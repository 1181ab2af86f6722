"""`f1lake dashboard` as a user meets it: where it writes, what it includes, how it fails."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner

from f1lake.cli import main
from f1lake.settings import PROJECT_ROOT, Settings
from tests.dashboard.conftest import embedded


@pytest.fixture
def lake_env(lake: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> dict[str, str]:
    env = {
        "F1LAKE_AWS_ENDPOINT_URL": lake.aws_endpoint_url or "",
        "F1LAKE_GLUE_DATABASE": lake.glue_database,
        "F1LAKE_PROCESSED_BUCKET": lake.processed_bucket,
        "F1LAKE_STATE_DIR": str(tmp_path / "state"),
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return env


def test_writes_the_chosen_season_and_prints_where(lake_env: dict, tmp_path: Path) -> None:
    out = tmp_path / "board" / "2022.html"
    result = CliRunner().invoke(main, ["dashboard", "--season", "2022", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert str(out) in result.output and out.as_uri() in result.output
    data = embedded(out)
    assert data["seasons"] == [2022] and list(data["visuals"]) == ["2022"]


def test_by_default_every_season_goes_under_the_state_dir(lake_env: dict) -> None:
    result = CliRunner().invoke(main, ["dashboard"])
    assert result.exit_code == 0, result.output
    path = Path(lake_env["F1LAKE_STATE_DIR"]) / "dashboard" / "season.html"
    assert str(path) in result.output
    assert embedded(path)["seasons"] == [2022, 2023]


def test_an_unknown_season_is_named_without_a_traceback(lake_env: dict, tmp_path: Path) -> None:
    out = tmp_path / "x.html"
    result = CliRunner().invoke(main, ["dashboard", "--season", "1999", "--out", str(out)])
    assert result.exit_code == 2
    assert "season(s) 1999 not in the lake" in result.output and "2022, 2023" in result.output
    assert "Traceback" not in result.output and not out.exists()


def test_without_a_lake_it_says_how_to_get_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("F1LAKE_AWS_ENDPOINT_URL", raising=False)
    result = CliRunner().invoke(main, ["dashboard"])
    assert result.exit_code == 2 and "F1LAKE_AWS_ENDPOINT_URL" in result.output


def test_serve_serves_the_page_until_interrupted(lake_env: dict, tmp_path: Path) -> None:
    out = tmp_path / "served.html"
    args = [
        *(sys.executable, "-m", "f1lake.cli", "dashboard", "--season", "2023"),
        *("--out", str(out), "--serve", "--port", "0"),
    ]
    with _started(args, env={**os.environ, **lake_env}) as proc:
        url = None
        lines = []
        for line in proc.stdout:  # type: ignore[union-attr]
            lines.append(line)
            m = re.search(r"serving (http://127\.0\.0\.1:\d+/served\.html)", line)
            if m:
                url = m.group(1)
                break
        assert url, "".join(lines)
        with urllib.request.urlopen(url, timeout=10) as response:
            assert response.read() == out.read_bytes()
        _assert_stops_on_ctrl_c(proc, timeout=30)


def test_serve_stops_on_ctrl_c_even_when_a_library_took_the_signal(tmp_path: Path) -> None:
    """A library that left its own SIGINT handler behind (here: one that ignores it) does not
    keep the server from stopping on Ctrl-C."""
    page = tmp_path / "page.html"
    page.write_text("<p>ok</p>", encoding="utf-8")
    script = (
        "import signal, sys; from pathlib import Path\n"
        "signal.signal(signal.SIGINT, signal.SIG_IGN)\n"
        "from f1lake.dashboard.serve import serve_page\n"
        "serve_page(Path(sys.argv[1]), 0, lambda line: print(line, flush=True))\n"
    )
    with _started([sys.executable, "-c", script, str(page)]) as proc:
        assert "serving http://127.0.0.1:" in proc.stdout.readline()  # type: ignore[union-attr]
        _assert_stops_on_ctrl_c(proc, timeout=10)


@contextmanager
def _started(args: list[str], env: dict | None = None) -> Iterator[subprocess.Popen[str]]:
    """A serving process, its output on one pipe; killed at the end if it still runs."""
    proc = subprocess.Popen(
        args, cwd=PROJECT_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()


def _assert_stops_on_ctrl_c(proc: subprocess.Popen[str], timeout: float) -> None:
    proc.send_signal(signal.SIGINT)
    rest, _ = proc.communicate(timeout=timeout)
    assert proc.returncode == 0 and "stopped" in rest
