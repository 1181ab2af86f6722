"""``f1lake sql`` as a user runs it: named queries, ad-hoc SQL, files, formats, engines, errors."""

from __future__ import annotations

import csv
import io
import json
import os

import pytest
from click.testing import CliRunner

from f1lake.aws import client
from f1lake.cli import main
from f1lake.query.dialect import to_athena
from f1lake.query.engines import AthenaEngine, athena_request, open_engine
from f1lake.query.errors import QueryError
from f1lake.query.library import find_query
from f1lake.query.local import LocalEngine
from f1lake.settings import Settings
from tests.query import expected as ex
from tests.query.seasondata import season_2023, seasons

S23 = season_2023()


@pytest.fixture
def env(season_lake: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    for name, value in {
        "F1LAKE_AWS_ENDPOINT_URL": season_lake.aws_endpoint_url or "",
        "F1LAKE_GLUE_DATABASE": season_lake.glue_database,
        "F1LAKE_PROCESSED_BUCKET": season_lake.processed_bucket,
        "F1LAKE_STATE_DIR": str(season_lake.state_dir),
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("F1LAKE_SQL_ENGINE", raising=False)
    return season_lake


def sql(*args: str):
    return CliRunner().invoke(main, ["sql", *args])


def test_named_query_with_the_season_as_an_option(env: Settings) -> None:
    result = sql("standings", "--season", "2023")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    header = [c.strip() for c in lines[1].strip("|").split("|")]
    assert header[:5] == ["season", "position", "position_text", "driver_id", "driver_name"]
    order = sorted(ex.standings(S23).items(), key=lambda kv: kv[1]["position"])
    rows = [[c.strip() for c in line.strip("|").split("|")] for line in lines[3:-2]]
    assert [r[3] for r in rows] == [d for d, _ in order]
    assert lines[-1] == f"({len(order)} rows)"


def test_csv_and_json_outputs_carry_the_same_rows(env: Settings) -> None:
    want = {d: w["points"] for d, w in ex.standings(S23).items()}
    as_csv = sql("standings", "--season=2023", "--format", "csv")
    assert as_csv.exit_code == 0, as_csv.output
    rows = list(csv.DictReader(io.StringIO(as_csv.output)))
    assert {r["driver_id"]: float(r["points"]) for r in rows} == want
    as_json = sql("standings", "-p", "season=2023", "--format", "json")
    assert as_json.exit_code == 0, as_json.output
    records = json.loads(as_json.output)
    assert {r["driver_id"]: r["points"] for r in records} == want
    assert isinstance(records[0]["position"], int)


def test_json_nulls_and_dates(env: Settings) -> None:
    result = sql(
        "SELECT race_date, fastest_lap_lap FROM results "
        "WHERE season = '2023' AND round = 3 AND driver_id = 'golf'",
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == [{"race_date": "2023-04-12", "fastest_lap_lap": None}]


def test_ad_hoc_sql_with_named_parameters(env: Settings) -> None:
    result = sql(
        "SELECT count(*) AS n FROM results WHERE CAST(season AS integer) = :season "
        "AND driver_id = :driver",
        "--season",
        "2023",
        "--param",
        "driver=delta",
        "--format",
        "csv",
    )
    assert result.exit_code == 0, result.output
    assert result.output.split() == ["n", str(len(S23.races))]


def test_a_sql_file(env: Settings, tmp_path) -> None:
    path = tmp_path / "mine.sql"
    path.write_text(
        "-- Winners of a season.\n-- @param season integer  Year.\n"
        "SELECT driver_id FROM results WHERE CAST(season AS integer) = :season "
        "AND position = 1 ORDER BY round"
    )
    result = sql("--file", str(path), "--season", "2023", "--format", "csv")
    assert result.exit_code == 0, result.output
    winners = [next(e.driver for e in es if e.position == 1) for _, es in sorted(S23.races.items())]
    assert result.output.split() == ["driver_id", *winners]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["standing", "--season", "2023"], "unknown query 'standing'; did you mean standings"),
        (["standings"], "missing parameter(s): season (integer)"),
        (["standings", "--season", "twenty"], "parameter 'season' must be an integer"),
        (["standings", "--season", "2023", "--round", "3"], "unknown parameter(s) round"),
        (["SELECT no_such_column FROM results"], 'column "no_such_column" not found'),
        (["SELECT * FROM tyre_stints"], "table 'tyre_stints' is not in the catalog database"),
        (["SELECT FROM WHERE"], "syntax error"),
        (["--season", "2023"], "given without a query"),
    ],
)
def test_errors_are_one_clear_line(env: Settings, args: list[str], message: str) -> None:
    result = sql(*args)
    assert result.exit_code == 2
    assert message in result.output
    assert result.output.startswith("error: ") and result.output.count("\n") == 1
    assert "Traceback" not in result.output


def test_a_named_query_for_a_season_the_lake_does_not_hold_says_so(env: Settings) -> None:
    result = sql("standings", "--season", "2031")

    assert result.exit_code == 2
    assert result.output.startswith("error: the lake holds no season 2031 (it holds ")
    assert "f1lake backfill --season 2031" in result.output
    assert sql("standings", "--season", "2023").exit_code == 0


def test_query_and_parameter_errors_need_no_lake(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("F1LAKE_AWS_ENDPOINT_URL", raising=False)
    result = sql("standings", "--season", "abc")
    assert result.exit_code == 2 and "must be an integer" in result.output
    result = sql("standings", "--season", "2023")  # valid, but there is no lake
    assert result.exit_code == 2 and "F1LAKE_AWS_ENDPOINT_URL" in result.output


def test_a_bad_engine_setting_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("F1LAKE_SQL_ENGINE", "bigquery")
    result = sql("seasons")
    assert result.exit_code == 2
    assert result.output.startswith("error: F1LAKE_SQL_ENGINE:")


def test_the_engine_follows_the_setting_and_the_flag(season_lake: Settings) -> None:
    local = open_engine(season_lake)
    try:
        assert isinstance(local, LocalEngine)
    finally:
        local.close()
    athena = season_lake.model_copy(update={"sql_engine": "athena"})
    assert isinstance(open_engine(athena), AthenaEngine)
    assert isinstance(open_engine(season_lake, "athena"), AthenaEngine)
    with pytest.raises(QueryError, match="unknown SQL engine 'presto'"):
        open_engine(season_lake, "presto")


def test_athena_gets_the_native_form_and_execution_parameters() -> None:
    settings = Settings(glue_database="lake_db", athena_workgroup="analysts")
    text = find_query("standings").text
    request = athena_request(settings, text, {"season": "2021"})
    assert request["sql"] == to_athena(text).sql and "?" in request["sql"]
    assert request["params"] == ["2021"] and request["paramstyle"] == "qmark"
    assert (request["database"], request["workgroup"]) == ("lake_db", "analysts")
    string = athena_request(settings, "SELECT :who AS w, :who AS again", {"who": "o'neil"})
    assert string["sql"] == "SELECT ? AS w, ? AS again"
    assert string["params"] == ["'o''neil'", "'o''neil'"]  # Athena splices SQL literals in
    assert "params" not in athena_request(settings, "SELECT 1 AS one")
    with pytest.raises(QueryError, match="must be an integer"):
        athena_request(settings, text, {"season": "2021 OR 1=1"})


def test_the_athena_engine_sends_the_query_to_athena(
    env: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Athena here is moto's: it records the execution but has no SQL engine, so the result
    cannot be read; what reached Athena is what this test checks."""
    workgroup = f"wg-{os.urandom(4).hex()}"
    athena = client("athena", env)
    bucket = f"athena-results-{workgroup}"
    client("s3", env).create_bucket(Bucket=bucket)
    athena.create_work_group(
        Name=workgroup,
        Configuration={"ResultConfiguration": {"OutputLocation": f"s3://{bucket}/out/"}},
    )
    monkeypatch.setenv("F1LAKE_ATHENA_WORKGROUP", workgroup)
    monkeypatch.setenv("F1LAKE_SQL_ENGINE", "athena")

    result = sql("standings", "--season", "2023")

    assert result.exit_code == 2
    assert result.output.startswith("error: athena: ") and result.output.count("\n") == 1
    ids = athena.list_query_executions(WorkGroup=workgroup)["QueryExecutionIds"]
    assert len(ids) == 1
    sent = athena.get_query_execution(QueryExecutionId=ids[0])["QueryExecution"]
    assert sent["Query"] == to_athena(find_query("standings").text).sql
    assert sent["ExecutionParameters"] == ["2023"]
    assert sent["QueryExecutionContext"]["Database"] == env.glue_database


def test_statements_piped_in_run_as_a_script(env: Settings) -> None:
    script = (
        "\\format csv\n"
        "SELECT count(*) AS n\nFROM races WHERE season = '2023';\n"
        "SELECT nope FROM races;\n"
        "\\run seasons\n"
        "SELECT 1 AS last\n"  # the last statement may omit its ';'
    )
    result = CliRunner().invoke(main, ["sql"], input=script)
    assert result.exit_code == 0, result.output
    lines = result.output.split("\n")
    assert lines[:2] == ["n", str(len(S23.races))]
    assert lines[2].startswith("error: query failed:") and '"nope"' in lines[2]
    newest_first = sorted(seasons(), key=lambda s: -s.year)
    assert lines[3:-3] == ["season,races", *(f"{s.year},{len(s.races)}" for s in newest_first)]
    assert lines[-3:] == ["last", "1", ""]
