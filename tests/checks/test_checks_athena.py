"""The data-quality checks on Athena, the engine of a deployment on AWS (F1LAKE_SQL_ENGINE).

Athena here is moto's: it records what it is asked but has no SQL engine. So the requests are
checked as sent (query text, parameters, workgroup, database, output location), and the
verdicts on rows Athena returns are checked with the rows injected through moto's Athena
results API: the local engine's rows over the same lake, so both engines must judge alike.
"""

from __future__ import annotations

import copy
import json
import os
import urllib.request
from collections.abc import Iterator

import pandas as pd
import pytest
import sqlglot
from click.testing import CliRunner
from sqlglot import exp

from f1lake.aws import client
from f1lake.catalog import crawl
from f1lake.checks import ChecksFailed, check_files, run_checks_in
from f1lake.cli import main
from f1lake.local.lambda_runner import settings_env
from f1lake.pipeline import load
from f1lake.query.dialect import to_athena
from f1lake.query.engines import athena_request
from f1lake.query.local import LocalEngine
from f1lake.settings import Settings
from tests.checks.lakedata import build, modern_season
from tests.checks.test_checks import BREAKS

SEASON = 2021


@pytest.fixture(autouse=True)
def _quick_polls() -> Iterator[None]:
    """moto walks each query through QUEUED and RUNNING: poll it every 50 ms, not every second."""
    import awswrangler as wr

    wr.config.athena_query_wait_polling_delay = 0.05
    yield
    wr.config.reset("athena_query_wait_polling_delay")


def workgroup(settings: Settings, **configuration: object) -> Settings:
    """A fresh Athena workgroup on moto; the settings pointed at it and at Athena."""
    name = f"wg-{os.urandom(4).hex()}"
    client("athena", settings).create_work_group(Name=name, Configuration=configuration)
    return settings.model_copy(update={"athena_workgroup": name, "sql_engine": "athena"})


def ledgerless_checks() -> list:
    """The checks that run without a ledger (one needing the ledger's manifest is skipped)."""
    return [p for p in check_files() if "@manifest" not in p.read_text()]


def executions(settings: Settings) -> list[dict]:
    athena = client("athena", settings)
    ids = athena.list_query_executions(WorkGroup=settings.athena_workgroup)["QueryExecutionIds"]
    return [athena.get_query_execution(QueryExecutionId=i)["QueryExecution"] for i in ids]


def test_f1lake_check_on_athena_sends_each_checks_native_form_to_the_workgroup(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As the CDK app deploys it: results in S3 under the workgroup's output location (which
    moto never writes, so no result can be read here, and an unread check must not pass)."""
    bucket = f"athena-results-{os.urandom(4).hex()}"
    client("s3", settings).create_bucket(Bucket=bucket)
    output = f"s3://{bucket}/results/"
    deployed = workgroup(settings, ResultConfiguration={"OutputLocation": output})
    for name, value in settings_env(deployed).items():
        monkeypatch.setenv(name, value)

    result = CliRunner().invoke(main, ["check", "--season", str(SEASON), "--engine", "athena"])

    checks = ledgerless_checks()
    assert result.exit_code == 1, result.output
    assert result.output.count("could not run: athena: ") == len(checks)  # none passes
    sent = executions(deployed)
    assert sorted(e["Query"] for e in sent) == sorted(to_athena(p.read_text()).sql for p in checks)
    for execution in sent:
        assert execution["WorkGroup"] == deployed.athena_workgroup
        assert execution["QueryExecutionContext"]["Database"] == deployed.glue_database
        assert execution["ExecutionParameters"] == [str(SEASON)]
        assert execution["ResultConfiguration"]["OutputLocation"].startswith(output.rstrip("/"))


def athena_result(df: pd.DataFrame) -> dict:
    """A GetQueryResults answer holding ``df``'s rows (header row first, as Athena sends)."""
    header = {"Data": [{"VarCharValue": str(c)} for c in df.columns]}
    rows = [
        {"Data": [{} if pd.isna(v) else {"VarCharValue": str(v)} for v in row]}
        for row in df.itertuples(index=False)
    ]
    info = [{"Name": str(c), "Type": "varchar", "Label": str(c)} for c in df.columns]
    return {"rows": [header, *rows], "column_info": info}


def inject(settings: Settings, results: list[dict]) -> None:
    """Queue results for Athena's next executions (moto's results API), in order."""
    body = json.dumps({"region": settings.aws_region, "results": results}).encode()
    request = urllib.request.Request(
        f"{settings.aws_endpoint_url}/moto-api/static/athena/query-results",
        data=body,
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    assert urllib.request.urlopen(request).status == 201


def test_a_check_gives_the_same_verdict_on_athena_as_locally(settings: Settings) -> None:
    """The DAG's check step on a deployment configured for Athena, over the rows the local
    engine finds in a season with two violations: the same checks fail, as many times."""
    season = copy.deepcopy(modern_season(SEASON))
    for name in ("one_winner_per_race", "grid_and_laps_non_negative"):
        BREAKS[name][0](season)
    build(settings, [season])
    crawl(settings)
    with LocalEngine(settings) as engine:  # each table read once for both passes
        local = run_checks_in(engine, SEASON)
        rows = [engine.run(p.read_text(), {"season": SEASON}) for p in ledgerless_checks()]
    # Athena's managed results (read through GetQueryResults, where moto's canned rows are).
    on_aws = workgroup(settings, ManagedQueryResultsConfiguration={"Enabled": True})
    inject(on_aws, [athena_result(df) for df in rows])

    with pytest.raises(ChecksFailed) as failed:
        load.run_checks(on_aws, [SEASON])

    verdicts = {(r.name, r.passed, r.violations) for r in failed.value.results}
    assert verdicts == {(r.name, r.passed, r.violations) for r in local}
    assert {r.name for r in failed.value.failed} == {
        "one_winner_per_race",
        "unique_positions",
        "grid_and_laps_non_negative",
    }
    assert len(executions(on_aws)) == len(ledgerless_checks())  # every check ran on Athena


@pytest.mark.parametrize("path", check_files(), ids=lambda p: p.stem)
def test_each_checks_athena_request_parses_as_trino(path) -> None:
    for season in (SEASON, None):
        request = athena_request(Settings(), path.read_text(), {"season": season})
        statement = sqlglot.parse_one(request["sql"], read="trino")
        assert len(list(statement.find_all(exp.Placeholder))) == len(request["params"])
