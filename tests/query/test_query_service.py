"""The warm query service: ``f1lake sql`` answers through it exactly as in process, with none
of the heavy imports, and the service never answers from a lake that changed under it."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from f1lake.catalog import crawl
from f1lake.cli import main
from f1lake.local.moto_server import moto_server
from f1lake.query.errors import ParameterError
from f1lake.query.remote import QueryClient, RemoteEngine, lake_identity
from f1lake.query.service import QueryService
from f1lake.settings import Settings
from tests.catalog.lakedata import SEASON_2023, make_bucket, put_results
from tests.conftest import unique_names
from tests.support.query_service import running

HEAVY = ("pandas", "pyarrow", "duckdb", "sqlglot", "awswrangler")
STANDINGS = ("sql", "standings", "--season", "2023")


@pytest.fixture(scope="module")
def service_url(season_lake: Settings) -> Iterator[str]:
    """A service over the query tests' lake (no lake file: it looks at the lake every query)."""
    with running(QueryService(season_lake)) as url:
        yield url


def lake_env(settings: Settings, **extra: str) -> dict[str, str]:
    return {
        "F1LAKE_AWS_ENDPOINT_URL": settings.aws_endpoint_url or "",
        "F1LAKE_GLUE_DATABASE": settings.glue_database,
        "F1LAKE_PROCESSED_BUCKET": settings.processed_bucket,
        "F1LAKE_STATE_DIR": str(settings.state_dir),
        **extra,
    }


def sql(env: dict[str, str], *args: str):
    return CliRunner().invoke(main, ["sql", *args], env=env)


def test_the_cli_answers_through_the_service_as_in_process_without_heavy_imports(
    season_lake: Settings, service_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("F1LAKE_SQL_ENGINE", "F1LAKE_QUERY_URL"):
        monkeypatch.delenv(name, raising=False)
    plain = lake_env(season_lake)
    served = lake_env(season_lake, F1LAKE_QUERY_URL=service_url)
    for fmt in ("table", "csv", "json"):
        args = ("standings", "--season", "2023", "--format", fmt)
        here, there = sql(plain, *args), sql(served, *args)
        assert here.exit_code == there.exit_code == 0, here.output + there.output
        assert there.output == here.output

    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "f1lake.cli", *STANDINGS],
        env={**lake_env(season_lake, F1LAKE_QUERY_URL=service_url), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout == sql(plain, "standings", "--season", "2023").output
    imported = {line.split("|")[-1].strip() for line in done.stderr.splitlines()}
    assert not {m for m in imported if m.split(".")[0] in HEAVY}
    assert "json" in imported  # the scan read the import report


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["standings", "--season", "twenty"], "parameter 'season' must be an integer"),
        (["standings", "--season", "2023", "--round", "3"], "unknown parameter(s) round"),
        (["SELECT no_such_column FROM results"], 'column "no_such_column" not found'),
        (["SELECT FROM WHERE"], "syntax error"),
        (["standings", "--season", "2031"], "the lake holds no season 2031 (it holds "),
    ],
)
def test_errors_through_the_service_are_the_same_one_line(
    season_lake: Settings, service_url: str, args: list[str], message: str
) -> None:
    plain = sql(lake_env(season_lake), *args)
    served = sql(lake_env(season_lake, F1LAKE_QUERY_URL=service_url), *args)
    assert served.exit_code == plain.exit_code == 2
    assert served.output == plain.output
    assert message in served.output and served.output.startswith("error: ")


def test_a_season_the_lake_does_not_hold_is_named_by_the_service_itself(
    season_lake: Settings, service_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The named query's empty answer and the lake's seasons both come from the warm service
    (no silent fall-back to the in-process engine), and the user reads what the lake holds."""
    asked: list[str] = []
    answer = QueryService.query

    def counted(self: QueryService, request: dict) -> tuple[str, bytes]:
        asked.append(str(request.get("sql")))
        return answer(self, request)

    monkeypatch.setattr(QueryService, "query", counted)
    served = sql(
        lake_env(season_lake, F1LAKE_QUERY_URL=service_url), "standings", "--season", "2031"
    )

    assert served.exit_code == 2
    assert served.output == (
        "error: the lake holds no season 2031 (it holds seasons 2022-2024); "
        "load it with `f1lake backfill --season 2031`\n"
    )
    assert len(asked) == 2  # the standings (no rows), then the lake's seasons


def test_the_remote_engine_returns_the_local_engines_frames(
    season_lake: Settings, service_url: str
) -> None:
    from f1lake.query.library import find_query
    from f1lake.query.local import LocalEngine

    remote = RemoteEngine(QueryClient(service_url, lake_identity(season_lake)))
    text = find_query("standings").text
    with LocalEngine(season_lake) as local:
        assert remote.run(text, {"season": 2023}).equals(local.run(text, {"season": 2023}))
        assert remote.describe("results").equals(local.describe("results"))
    assert remote.tables()["results"] == "table"
    with pytest.raises(ParameterError, match="must be an integer"):
        remote.run(text, {"season": "x"})
    other = QueryClient(service_url, {**lake_identity(season_lake), "database": "elsewhere"})
    assert not other.serves()  # a request about another lake is refused, not answered


@pytest.fixture(scope="module")
def durable_lake(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Settings, Path]]:
    """A moto server writing through to a lake file, as the local stack runs it."""
    lake_file = tmp_path_factory.mktemp("lake") / "lake.sqlite"
    with moto_server(lake_file=lake_file) as endpoint:
        state = tmp_path_factory.mktemp("state")
        yield Settings(aws_endpoint_url=endpoint, state_dir=state, **unique_names()), lake_file


def test_the_service_never_answers_from_a_lake_that_changed(durable_lake) -> None:
    settings, lake_file = durable_lake
    make_bucket(settings)
    put_results(settings, 2000, SEASON_2023)
    crawl(settings)
    service = QueryService(settings, lake_file)
    calls: Counter[str] = Counter()
    for aws in (service.engine.mirror().s3, service.engine._glue):
        aws.meta.events.register("before-call", lambda model, **_: calls.update([model.name]))
    sql = "SELECT season, sum(points) AS points FROM results GROUP BY season ORDER BY season"
    total = sum(r[5] for r in SEASON_2023)
    with running(service) as url:
        client = QueryClient(url, lake_identity(settings))

        def answer() -> list[list[object]]:
            return [[r["season"], r["points"]] for r in json.loads(client.text(sql, {}, "json")[0])]

        assert answer() == [["2000", total]]
        calls.clear()
        assert answer() == [["2000", total]]
        assert not calls  # nothing written since: no catalog read, no listing

        rewritten = [r for r in SEASON_2023 if r[0] != 1] + [(1, "alpha", "red", 1, "1", 99.0)]
        put_results(settings, 2000, rewritten)  # a processed object replaced
        round_one = sum(r[5] for r in SEASON_2023 if r[0] == 1)
        assert answer() == [["2000", total - round_one + 99.0]]

        put_results(settings, 2001, SEASON_2023)  # written, not crawled: invisible, as in Athena
        assert answer() == [["2000", total - round_one + 99.0]]
        seasons = "SELECT season, count(*) AS teams FROM constructor_seasons GROUP BY season"
        assert client.text(seasons, {}, "csv")[0].split() == ["season,teams", "2000,2"]
        crawl(settings)  # a new partition cataloged
        assert answer() == [["2000", total - round_one + 99.0], ["2001", total]]
        # a view the service computed once (a table of its own) is computed again
        teams = client.text(seasons + " ORDER BY 1", {}, "csv")[0].split()
        assert teams == ["season,teams", "2000,2", "2001,2"]


def test_the_services_dashboard_is_kept_while_the_lake_holds_and_built_again_when_it_changes(
    durable_lake, tmp_path: Path
) -> None:
    from f1lake.aws import client
    from f1lake.dashboard.data import collect, from_json
    from f1lake.dashboard.spec import load_spec
    from f1lake.query.local import LocalEngine
    from f1lake.resources import DASHBOARD_SPEC
    from tests.dashboard import lakedata

    endpoint = durable_lake[0].aws_endpoint_url
    settings = Settings(aws_endpoint_url=endpoint, state_dir=tmp_path, **unique_names())
    lakedata.build(settings, (2023,))
    spec = load_spec()
    service = QueryService(settings, durable_lake[1])
    queries: list[str] = []
    run_arrow = service.engine.run_arrow
    service.engine.run_arrow = lambda sql, params=None: (
        queries.append(sql),
        run_arrow(sql, params),
    )[1]
    with running(service) as url:
        remote = QueryClient(url, lake_identity(settings))

        def board():
            return from_json(spec, remote.dashboard(None, False, str(DASHBOARD_SPEC)))

        first = board()
        assert first.seasons == (2023,) and queries
        queries.clear()
        assert board() == first
        assert not queries  # kept: not one query run again
        s3 = client("s3", settings)
        s3.put_object(Bucket=settings.processed_bucket, Key="notes/readme.txt", Body=b"x")
        assert board() == first
        assert not queries  # a write that no table reads: the tables hold, still kept

        lakedata.write_season(settings, 2022)
        crawl(settings)
        changed = board()
        assert changed.seasons == (2022, 2023)
        with LocalEngine(settings) as local:
            assert changed == collect(local, spec)
