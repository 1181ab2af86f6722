"""The command line as a user meets it: exit codes and messages."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from f1lake.cli import main
from f1lake.local.provision import provision


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


def test_run_with_no_source_stops_at_once_naming_the_options(monkeypatch, tmp_path):
    from f1lake import source

    monkeypatch.setattr(source, "SHARED_CSV", tmp_path / "absent")
    result = CliRunner().invoke(main, ["run", "--api-url", "http://127.0.0.1:9/ergast/f1"])
    assert result.exit_code == 2
    assert "--csv-dir" in result.output and "F1LAKE_ERGAST_CSV" in result.output
