"""Athena SQL files and parameter binding, without servers."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import sqlglot
from sqlglot import exp

from f1lake.query.athena import (
    SQL_ROOT,
    ParameterError,
    QueryError,
    QuerySyntaxError,
    bind,
    parse_params,
    parse_statement,
    query_body,
    to_duckdb,
)

SQL_FILES = sorted(SQL_ROOT.rglob("*.sql"))
SAMPLE = {
    "integer": 2023,
    "bigint": 2023,
    "double": 1.5,
    "varchar": "x",
    "date": dt.date(2023, 1, 1),
}


def test_the_required_queries_exist() -> None:
    names = {p.relative_to(SQL_ROOT).as_posix() for p in SQL_FILES}
    assert {
        "driver_standings_from_results.sql",
        "constructor_standings_from_results.sql",
        "views/driver_season_points.sql",
    } <= names


@pytest.mark.parametrize("path", SQL_FILES, ids=lambda p: p.relative_to(SQL_ROOT).as_posix())
def test_each_file_has_a_header_and_transpiles_to_duckdb(path: Path) -> None:
    sql = path.read_text()
    assert sql.startswith("-- "), "each file starts with a comment saying what it answers"
    specs = parse_params(sql)
    bound = bind(sql, {s.name: SAMPLE[s.type] for s in specs}, specs)
    duck = to_duckdb(query_body(parse_statement(bound)))
    assert not list(sqlglot.parse_one(duck, read="duckdb").find_all(exp.Placeholder))
    if path.parent.name == "views":
        assert not specs, "views take no parameters"
        statement = parse_statement(sql)
        assert isinstance(statement, exp.Create) and statement.this.name == path.stem
    else:
        assert specs, "season queries declare their parameters"


def test_integer_parameter_rejects_injection() -> None:
    sql = "-- @param season integer  Year.\nSELECT * FROM results WHERE season = ?"
    with pytest.raises(ParameterError, match=r"'season' must be an integer"):
        bind(sql, {"season": "2023; DROP TABLE results"}, parse_params(sql))
    with pytest.raises(ParameterError, match="must be an integer"):
        bind(sql, {"season": True}, parse_params(sql))
    assert bind(sql, {"season": "2023"}, parse_params(sql)).endswith("season = 2023")


def test_string_parameter_stays_one_literal() -> None:
    sql = "-- @param driver varchar  Driver id.\nSELECT * FROM results WHERE driver_id = ?"
    evil = "x' OR '1'='1"
    statement = parse_statement(bind(sql, {"driver": evil}, parse_params(sql)))
    where = statement.args["where"].this
    assert isinstance(where, exp.EQ)  # no OR smuggled in
    assert isinstance(where.expression, exp.Literal) and where.expression.this == evil


def test_placeholders_bind_in_text_order_and_ignore_question_marks_in_strings() -> None:
    sql = (
        "-- @param a integer  first\n-- @param b varchar  second\n"
        "WITH p AS (SELECT ? AS a) SELECT '?' AS q, a FROM p WHERE 'x' = ?"
    )
    bound = bind(sql, {"b": "bee", "a": 7}, parse_params(sql))
    assert "SELECT 7 AS a" in bound and "'x' = 'bee'" in bound and "'?' AS q" in bound


def test_missing_unknown_and_miscounted_parameters_are_named() -> None:
    sql = "-- @param season integer  Championship year.\nSELECT ? AS s"
    specs = parse_params(sql)
    with pytest.raises(ParameterError, match=r"missing parameter\(s\): season \(integer\)"):
        bind(sql, {}, specs)
    with pytest.raises(ParameterError, match=r"unknown parameter\(s\) year"):
        bind(sql, {"season": 1, "year": 2}, specs)
    with pytest.raises(ParameterError, match="2 '\\?' placeholder"):
        bind(sql + ", ? AS t", {"season": 1}, specs)


def test_undeclared_placeholders_bind_in_dict_order() -> None:
    assert bind("SELECT ? AS a, ? AS b", {"x": 1, "y": "two"}) == "SELECT 1 AS a, 'two' AS b"
    with pytest.raises(ParameterError, match="1 '\\?' placeholder"):
        bind("SELECT ? AS a", {})


def test_syntax_errors_say_where() -> None:
    with pytest.raises(QuerySyntaxError, match="line 2"):
        parse_statement("SELECT a\nFROM results WHERE (")
    with pytest.raises(QuerySyntaxError, match="one statement"):
        parse_statement("SELECT 1; DROP TABLE results")


def test_only_queries_run() -> None:
    with pytest.raises(QueryError, match="only queries"):
        query_body(parse_statement("DROP TABLE results"))


def test_none_binds_null_for_any_declared_type() -> None:
    sql = "-- @param season integer  Year, or NULL for all.\nSELECT CAST(? AS integer) AS season"
    assert bind(sql, {"season": None}, parse_params(sql)).endswith(
        "CAST(NULL AS integer) AS season"
    )
