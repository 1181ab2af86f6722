"""Athena SQL on the local engine: moto Glue catalog + Parquet in moto S3 + DuckDB."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable

import pandas as pd
import pytest

from f1lake.catalog import crawl
from f1lake.query.errors import ParameterError, QueryError, QuerySyntaxError, UnknownTableError
from f1lake.query.local import run_file, run_query
from f1lake.query.output import format_table
from f1lake.resources import SQL_ROOT
from f1lake.settings import Settings
from tests.catalog.lakedata import SEASON_2022, SEASON_2023, build_lake, put, put_results

DRIVER_STANDINGS = SQL_ROOT / "driver_standings_from_results.sql"
CONSTRUCTOR_STANDINGS = SQL_ROOT / "constructor_standings_from_results.sql"


@pytest.fixture
def lake(settings: Settings) -> Settings:
    build_lake(settings)
    crawl(settings)
    return settings


def _expected_standings(rows: Iterable[tuple], who: int) -> list[tuple[str, float, int, int]]:
    """(entrant, points, wins, podiums) ordered by points, then the count-back of places."""
    points: dict[str, float] = defaultdict(float)
    places: dict[str, Counter[int]] = defaultdict(Counter)
    for row in rows:
        _rnd, _driver, _constructor, _position, text, pts = row
        entrant = row[who]
        points[entrant] += pts
        if text.isdigit():
            places[entrant][int(text)] += 1
    deepest = max(p for c in places.values() for p in c)

    def rank_key(e: str) -> tuple:
        return (-points[e], tuple(-places[e][p] for p in range(1, deepest + 1)), e)

    return [
        (e, points[e], places[e][1], places[e][1] + places[e][2] + places[e][3])
        for e in sorted(points, key=rank_key)
    ]


def _as_tuples(df: pd.DataFrame, entrant: str) -> list[tuple[str, float, int, int]]:
    return [
        (r[entrant], float(r["points"]), int(r["wins"]), int(r["podiums"]))
        for r in df.to_dict("records")
    ]


def test_driver_standings_follow_points_then_count_back(lake: Settings) -> None:
    expected = _expected_standings(SEASON_2023, who=1)
    # The data holds a points tie that only wins separate (guards what this test proves).
    tied = [e for e in expected if e[1] == 37.5]
    assert len(tied) == 2 and tied[0][2] != tied[1][2]

    df = run_file(lake, DRIVER_STANDINGS, {"season": 2023})

    assert _as_tuples(df, "driver_id") == expected
    assert df["position"].tolist() == list(range(1, len(expected) + 1))
    assert set(df["season"]) == {2023}
    races = dict(zip(df["driver_id"], df["races"], strict=True))
    assert races == {d: 3 for d in races}  # the DNF still counts as a start


def test_standings_respect_the_season_parameter(lake: Settings) -> None:
    df = run_file(lake, DRIVER_STANDINGS, {"season": "2022"})
    assert _as_tuples(df, "driver_id") == _expected_standings(SEASON_2022, who=1)


def test_constructor_standings_sum_both_cars(lake: Settings) -> None:
    df = run_file(lake, CONSTRUCTOR_STANDINGS, {"season": 2023})
    assert _as_tuples(df, "constructor_id") == _expected_standings(SEASON_2023, who=2)


def test_view_driver_season_points_is_queryable(lake: Settings) -> None:
    df = run_query(
        lake,
        "-- @param season integer  Year.\n"
        "SELECT driver_id, points, wins, podiums FROM driver_season_points "
        "WHERE season = :season ORDER BY driver_id",
        {"season": 2023},
    )
    expected = sorted(_expected_standings(SEASON_2023, who=1))
    assert _as_tuples(df, "driver_id") == expected
    # Running the view file itself runs the view's query: every season.
    whole = run_file(lake, SQL_ROOT / "views" / "driver_season_points.sql")
    assert sorted(set(whole["season"])) == [2022, 2023]


def test_database_qualified_names_resolve(lake: Settings) -> None:
    db = lake.glue_database
    df = run_query(lake, f'SELECT count(*) AS n FROM "{db}"."races" WHERE season = \'2023\'')
    assert df["n"].tolist() == [3]


def test_uncrawled_season_is_invisible_until_the_crawler_runs(lake: Settings) -> None:
    put_results(lake, 2024, SEASON_2023[:4])
    sql = "SELECT count(*) AS n FROM results WHERE season = '2024'"
    assert run_query(lake, sql)["n"].tolist() == [0]
    crawl(lake)
    assert run_query(lake, sql)["n"].tolist() == [4]


def test_unknown_table_names_the_catalog_tables(lake: Settings) -> None:
    with pytest.raises(UnknownTableError) as info:
        run_query(lake, "SELECT * FROM pit_stop_times")
    message = str(info.value)
    assert (
        f"table 'pit_stop_times' is not in the catalog database '{lake.glue_database}'" in message
    )
    assert "tables: drivers, races, results" in message


def test_a_processed_table_without_data_yet_is_empty_not_unknown(lake: Settings) -> None:
    # No qualifying/ folder, so no catalog table: the schema module still defines its columns.
    df = run_query(lake, "SELECT driver_id, q3_millis, season FROM qualifying")
    assert df.empty and list(df.columns) == ["driver_id", "q3_millis", "season"]


def test_other_database_is_unknown(lake: Settings) -> None:
    with pytest.raises(UnknownTableError, match=r"'elsewhere\.results'"):
        run_query(lake, "SELECT * FROM elsewhere.results")


def test_only_referenced_tables_are_read(lake: Settings) -> None:
    # Break the results data: queries on other tables must not touch it.
    put(lake, "results/season=2023/2023-99.parquet", b"not parquet at all")
    assert run_query(lake, "SELECT count(*) AS n FROM races")["n"].tolist() == [4]
    with pytest.raises(QueryError, match="table 'results': cannot read"):
        run_query(lake, "SELECT count(*) FROM results")


def test_bad_sql_and_bad_parameters_give_clear_errors(lake: Settings) -> None:
    with pytest.raises(QuerySyntaxError, match="syntax error"):
        run_query(lake, "SELECT driver_id FROM results WHERE")
    with pytest.raises(QueryError, match=r"query failed: .*no_such_column"):
        run_query(lake, "SELECT no_such_column FROM results")
    with pytest.raises(ParameterError, match="'season' must be an integer"):
        run_file(lake, DRIVER_STANDINGS, {"season": "2023 OR 1=1"})
    with pytest.raises(ParameterError, match=r"missing parameter\(s\): season"):
        run_file(lake, DRIVER_STANDINGS)


def test_a_string_column_compared_with_a_number_fails_as_on_athena(lake: Settings) -> None:
    # Athena refuses `season = 2023` on the string partition key; so does the local engine.
    for sql in (
        "SELECT count(*) FROM results WHERE season = 2023",
        "SELECT count(*) FROM results r JOIN races USING (season, round) WHERE 2022 < r.season",
    ):
        with pytest.raises(QueryError, match=r"TYPE_MISMATCH: Cannot apply operator: .*varchar"):
            run_query(lake, sql)
    # The string literal, an integer column, or a view's integer season all run.
    sql = "SELECT count(*) AS n FROM results WHERE season = '2023' AND round = 1"
    assert run_query(lake, sql)["n"].tolist() == [4]
    sql = "SELECT count(*) AS n FROM (SELECT CAST(season AS integer) AS season FROM races) WHERE season = 2023"
    assert run_query(lake, sql)["n"].tolist() == [3]


def test_columns_keep_catalog_types(lake: Settings) -> None:
    df = run_query(
        lake,
        "SELECT round, race_date, points, time_millis, season FROM results "
        "WHERE season = '2023' AND driver_id = 'delta' ORDER BY round",
    )
    assert str(df["round"].dtype) == "Int32"
    assert str(df["time_millis"].dtype) == "Int64"
    assert df["time_millis"].isna().tolist() == [True, False, False]  # DNF has no time
    assert df["points"].tolist() == [0.0, 25.0, 12.5]
    assert df["season"].tolist() == ["2023"] * 3  # a Glue partition key is a string
    assert df["race_date"].iloc[0].isoformat() == "2023-03-15"


def test_format_table_is_readable() -> None:
    df = pd.DataFrame({"driver_id": ["alpha", "delta"], "points": [52.0, 37.5], "time": [1, None]})
    text = format_table(df)
    lines = text.splitlines()
    assert "driver_id" in lines[1] and "points" in lines[1]
    assert any("alpha" in line and "52" in line for line in lines)
    assert "NULL" in text
    assert text.endswith("(2 rows)")


def test_a_parameter_cte_is_inlined_as_a_constant() -> None:
    """The local engine turns ``(SELECT season FROM params)`` into the bound literal, so the
    filter reaches the views (DuckDB pushes constants down, not scalar subqueries)."""
    from f1lake.query.dialect import parse_statement
    from f1lake.query.rewrite import inline_constants

    query = parse_statement(
        "WITH params AS (SELECT CAST(2023 AS integer) AS season), t AS (SELECT season FROM races) "
        "SELECT (SELECT season FROM params) AS s, (SELECT max(season) FROM params) AS m, "
        "(SELECT season FROM t) AS other FROM results WHERE season = (SELECT season FROM params)"
    )
    sql = inline_constants(query).sql(dialect="duckdb")
    assert "(CAST(2023 AS INT)) AS s" in sql and "season = (CAST(2023 AS INT))" in sql
    assert "(SELECT MAX(season) FROM params)" in sql and "(SELECT season FROM t)" in sql
