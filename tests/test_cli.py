"""The command line as a user meets it: exit codes and messages."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from f1lake.cli import main
from f1lake.local.provision import provision
from tests.support.minidump import write_minidump


@pytest.fixture
def lake_env(settings, monkeypatch):
    provision(settings)
    for name, value in {
        "F1LAKE_AWS_ENDPOINT_URL": settings.aws_endpoint_url,
        "F1LAKE_GLUE_DATABASE": settings.glue_database,
        "F1LAKE_PROCESSED_BUCKET": settings.processed_bucket,
    }.items():
        monkeypatch.setenv(name, value)
    return settings


def test_sql_names_an_unknown_table(lake_env):
    result = CliRunner().invoke(main, ["sql", "SELECT * FROM no_such_table"])
    assert result.exit_code == 2
    assert "no_such_table" in result.output and lake_env.glue_database in result.output


def test_sql_without_a_lake_says_how_to_get_one(monkeypatch):
    monkeypatch.delenv("F1LAKE_AWS_ENDPOINT_URL", raising=False)
    result = CliRunner().invoke(main, ["sql", "SELECT 1"])
    assert result.exit_code == 2
    assert "F1LAKE_AWS_ENDPOINT_URL" in result.output


def test_sql_rejects_a_malformed_param(lake_env):
    result = CliRunner().invoke(main, ["sql", "SELECT 1", "-p", "season"])
    assert result.exit_code != 0
    assert "NAME=VALUE" in result.output


def test_run_rejects_a_bad_date():
    result = CliRunner().invoke(main, ["run", "--today", "2023-13-01"])
    assert result.exit_code != 0
    assert "YYYY-MM-DD" in result.output


def test_run_with_no_source_stops_at_once_naming_the_options(state_dir, monkeypatch, tmp_path):
    from f1lake import source

    monkeypatch.setattr(source, "SHARED_CSV", tmp_path / "absent")
    result = CliRunner().invoke(main, ["run", "--api-url", "http://127.0.0.1:9/ergast/f1"])
    assert result.exit_code == 2
    assert "--csv-dir" in result.output and "F1LAKE_ERGAST_CSV" in result.output


def test_an_api_that_does_not_answer_is_one_short_line_without_warnings(tmp_path):
    """What a user sees in a terminal (the CLI's own logging, so in a process of its own):
    the probe's retries print nothing, and the error names the failure in a few words."""
    import subprocess
    import sys

    from tests.test_source import closed_port_url

    env = {k: v for k, v in os.environ.items() if not k.startswith("F1LAKE_")}
    env.update(F1LAKE_STATE_DIR=str(tmp_path / "state"), F1LAKE_HTTP_BACKOFF_SECONDS="0.05")
    url = closed_port_url()
    done = subprocess.run(
        [sys.executable, "-m", "f1lake.cli", "run", "--season", "2031", "--api-url", url],
        capture_output=True, text=True, env=env, timeout=60,
    )  # fmt: skip
    seen = done.stdout + done.stderr
    assert done.returncode == 2, seen
    assert seen.startswith(f"error: no Ergast source: {url}") and seen.count("\n") == 1, seen
    assert "nothing listening?); 3 attempt(s))" in seen and "HTTPConnectionPool" not in seen


# -- a request checked before anything starts ----------------------------------------------------


@pytest.fixture(scope="module")
def dump(tmp_path_factory) -> str:
    return str(write_minidump(tmp_path_factory.mktemp("dump")))  # seasons 2022 and 2023


@pytest.fixture
def state_dir(tmp_path, monkeypatch) -> Path:
    for name in [k for k in os.environ if k.startswith("F1LAKE_")]:
        monkeypatch.delenv(name)
    state = tmp_path / "state"
    monkeypatch.setenv("F1LAKE_STATE_DIR", str(state))
    return state


def refused(args: list[str]) -> str:
    """Run the command; it must end in one ``error:`` line, exit 2, within 3 seconds."""
    started = time.monotonic()
    result = CliRunner().invoke(main, args)
    took = time.monotonic() - started
    assert result.exit_code == 2, result.output
    assert result.output.startswith("error: ") and result.output.count("\n") == 1, result.output
    assert took < 3.0, f"{args}: refused after {took:.1f}s"
    return result.output


BAD_REQUESTS = {
    "before the championship": (["--season", "1949"], "the championship began in 1950"),
    "beyond the source": (["--season", "2031"], "runs from 1950 to 2023, the latest season"),
    "a round the season lacks": (
        ["--season", "2023", "--round", "99"],
        "season 2023 has no round 99 (it has rounds 1 to 7)",
    ),
    "a round not run yet": (["--season", "2023", "--round", "7"], "it has not been run yet"),
    "a season not started": (
        ["--season", "2023", "--today", "2023-02-01"],  # the dump as of before round 1
        "season 2023 has not started: its first race is on 2023-03-05",
    ),
    "a range backwards": (
        ["--season", "2023", "--season-to", "2021"],
        "runs backwards: it ends with 2021",
    ),
    "a round with a range": (["--season", "2022", "--season-to", "2023", "--round", "2"], "round"),
    "not a number": (["--season", "twenty"], "'twenty' is not a valid integer"),
}


@pytest.mark.parametrize("command", ["run", "backfill"])
@pytest.mark.parametrize("bad", list(BAD_REQUESTS))
def test_a_bad_request_is_one_error_line_in_seconds_and_writes_nothing(
    state_dir, dump, command, bad
):
    args, message = BAD_REQUESTS[bad]

    output = refused([command, *args, "--csv-dir", dump])

    assert message in output
    assert not state_dir.exists()  # no ledger, no lake, not even the state folder


@pytest.mark.parametrize(
    ("seasons", "message"),
    [
        (["1949"], "the championship began in 1950"),
        (["2022", "2031"], "runs from 1950 to 2023, the latest season"),
    ],
)
def test_up_refuses_a_season_the_source_cannot_serve_before_the_stack_starts(
    state_dir, dump, seasons, message
):
    args = [x for season in seasons for x in ("--season", season)]

    output = refused(["up", *args, "--csv-dir", dump])

    assert message in output
    assert not state_dir.exists()


def test_a_bad_request_against_an_api_is_refused_before_the_stack_starts(state_dir, dump):
    from f1lake.replay import replay_api

    with replay_api(Path(dump)) as url:
        beyond = refused(["run", "--season", "2031", "--api-url", url])
        no_round = refused(["run", "--season", "2023", "--round", "99", "--api-url", url])

    assert "1950 to 2023" in beyond and "no round 99" in no_round
    # one request each for the season list (and the schedule), paced by the shared limiter:
    # its log is all the state folder holds
    assert sorted(p.name for p in state_dir.iterdir()) == [
        "ratelimit.sqlite",
        "ratelimit.sqlite.lock",
    ]


@pytest.mark.parametrize("command", ["provision", "crawl", "check"])
def test_commands_that_need_a_running_stack_say_so_in_one_line(state_dir, monkeypatch, command):
    monkeypatch.setenv("F1LAKE_AWS_ENDPOINT_URL", "http://127.0.0.1:9")  # nothing listens

    output = refused([command])

    assert "no local stack answers at http://127.0.0.1:9" in output and "f1lake up" in output
