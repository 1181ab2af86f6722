"""Athena SQL files and parameter binding, without servers."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import sqlglot
from sqlglot import exp

from f1lake.query.dialect import (
    bind,
    execution_parameters,
    parse_statement,
    query_body,
    to_athena,
    to_duckdb,
)
from f1lake.query.errors import ParameterError, QueryError, QuerySyntaxError
from f1lake.query.params import parse_params
from f1lake.resources import SQL_ROOT

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
        assert specs or "-- Parameters: none" in sql, "queries declare their parameters"


def test_integer_parameter_rejects_injection() -> None:
    sql = "-- @param season integer  Year.\nSELECT * FROM results WHERE season = :season"
    with pytest.raises(ParameterError, match=r"'season' must be an integer"):
        bind(sql, {"season": "2023; DROP TABLE results"}, parse_params(sql))
    with pytest.raises(ParameterError, match="must be an integer"):
        bind(sql, {"season": True}, parse_params(sql))
    assert bind(sql, {"season": "2023"}, parse_params(sql)).endswith("season = 2023")


def test_string_parameter_stays_one_literal() -> None:
    sql = "-- @param driver varchar  Driver id.\nSELECT * FROM results WHERE driver_id = :driver"
    evil = "x' OR '1'='1"
    statement = parse_statement(bind(sql, {"driver": evil}, parse_params(sql)))
    where = statement.args["where"].this
    assert isinstance(where, exp.EQ)  # no OR smuggled in
    assert isinstance(where.expression, exp.Literal) and where.expression.this == evil


def test_named_parameters_bind_everywhere_but_in_strings_and_comments() -> None:
    sql = (
        "-- @param a integer  first\n-- @param b varchar  second\n"
        "WITH p AS (SELECT :a AS a) SELECT ':b' AS q, a, :a + 1 AS n FROM p -- :b\n"
        "WHERE 'x' = :b"
    )
    bound = bind(sql, {"b": "bee", "a": 7}, parse_params(sql))
    assert "SELECT 7 AS a" in bound and "7 + 1 AS n" in bound
    assert "'x' = 'bee'" in bound and "':b' AS q" in bound and "-- :b" in bound


def test_missing_unknown_and_undeclared_parameters_are_named() -> None:
    sql = "-- @param season integer  Championship year.\nSELECT :season AS s"
    specs = parse_params(sql)
    with pytest.raises(ParameterError, match=r"missing parameter\(s\): season \(integer\)"):
        bind(sql, {}, specs)
    with pytest.raises(ParameterError, match=r"unknown parameter\(s\) year"):
        bind(sql, {"season": 1, "year": 2}, specs)
    with pytest.raises(ParameterError, match=r"uses :round but declares no such @param"):
        bind(sql + ", :round AS r", {"season": 1}, specs)
    unused = "-- @param season integer  Year.\n-- @param round integer  Round.\nSELECT :season"
    with pytest.raises(ParameterError, match=r"round declared by @param but not used"):
        bind(unused, {"season": 1, "round": 2}, parse_params(unused))


def test_positional_question_marks_are_refused_with_the_named_form() -> None:
    with pytest.raises(ParameterError, match=r"name them instead"):
        bind("SELECT * FROM results WHERE season = ?", {"season": 2023})


def test_undeclared_parameters_take_the_type_of_their_value() -> None:
    assert bind("SELECT :x AS a, :y AS b", {"x": 1, "y": "two"}) == "SELECT 1 AS a, 'two' AS b"
    with pytest.raises(ParameterError, match=r"missing parameter\(s\): x"):
        bind("SELECT :x AS a", {})
    with pytest.raises(ParameterError, match="takes no parameters"):
        bind("SELECT 1 AS a", {"season": 2023})


def test_athena_native_form_is_positional_with_names_in_order() -> None:
    sql = (
        "-- @param season integer  Year.\n-- @param driver varchar  Driver id.\n"
        "SELECT ':season' AS s FROM results\n"
        "WHERE driver_id = :driver AND season = CAST(:season AS varchar) OR :driver IS NULL"
    )
    native = to_athena(sql)
    assert native.names == ("driver", "season", "driver")
    assert native.sql.endswith(
        "SELECT ':season' AS s FROM results\n"
        "WHERE driver_id = ? AND season = CAST(? AS varchar) OR ? IS NULL"
    )
    text, values = execution_parameters(sql, {"season": "2023", "driver": "o'x"}, parse_params(sql))
    assert text == native.sql
    assert values == ["'o''x'", "2023", "'o''x'"]  # Athena splices each value in as SQL text
    assert execution_parameters(sql, {"season": None, "driver": None}, parse_params(sql))[1] == [
        "NULL",
        "NULL",
        "NULL",
    ]
    with pytest.raises(ParameterError, match="must be an integer"):
        execution_parameters(sql, {"season": "1 OR 1=1", "driver": "x"}, parse_params(sql))


@pytest.mark.parametrize("path", SQL_FILES, ids=lambda p: p.relative_to(SQL_ROOT).as_posix())
def test_each_file_in_athena_native_form_parses_as_trino(path: Path) -> None:
    native = to_athena(path.read_text())
    assert set(native.names) == {s.name for s in parse_params(path.read_text())}
    statement = sqlglot.parse_one(native.sql, read="trino")
    assert len(list(statement.find_all(exp.Placeholder))) == len(native.names)


def test_syntax_errors_say_where() -> None:
    with pytest.raises(QuerySyntaxError, match="line 2"):
        parse_statement("SELECT a\nFROM results WHERE (")
    with pytest.raises(QuerySyntaxError, match="one statement"):
        parse_statement("SELECT 1; DROP TABLE results")


def test_only_queries_run() -> None:
    with pytest.raises(QueryError, match="only queries"):
        query_body(parse_statement("DROP TABLE results"))


def test_none_binds_null_for_any_declared_type() -> None:
    sql = "-- @param season integer  Year, or NULL.\nSELECT CAST(:season AS integer) AS season"
    assert bind(sql, {"season": None}, parse_params(sql)).endswith(
        "CAST(NULL AS integer) AS season"
    )
