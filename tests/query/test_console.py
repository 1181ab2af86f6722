"""The SQL console: its line logic over the local engine, and the prompt_toolkit loop."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from prompt_toolkit.history import FileHistory
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from f1lake.query.console import (
    CONTINUATION,
    PROMPT,
    Console,
    completions,
    run_console,
    statement_complete,
)
from f1lake.query.local import LocalEngine
from f1lake.schema import TABLES
from f1lake.settings import Settings
from tests.query import expected as ex
from tests.query.seasondata import season_2023

S23 = season_2023()


@pytest.fixture(scope="module")
def engine(season_lake: Settings) -> Iterator[LocalEngine]:
    engine = LocalEngine(season_lake)
    yield engine
    engine.close()


@pytest.fixture
def console(engine: LocalEngine) -> tuple[Console, list[str]]:
    out: list[str] = []
    return Console(engine, out.append, fmt="csv"), out


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_a_statement_runs_when_a_line_ends_with_a_semicolon(console) -> None:
    c, out = console
    assert c.feed("SELECT driver_id, count(*) AS races")
    assert c.prompt == CONTINUATION and out == []
    assert c.feed("FROM results WHERE season = '2023'")
    assert c.feed("GROUP BY driver_id ORDER BY driver_id;")
    assert c.prompt == PROMPT
    starts = {d: n for d, (_w, _p, n) in ex.wins_podiums(S23).items()}
    starts["delta"] += 1  # results hold his withdrawn entry too
    assert {r["driver_id"]: int(r["races"]) for r in rows(out[-1])} == starts


def test_tables_describe_and_queries(console) -> None:
    c, out = console
    c.feed("\\tables")
    kinds = {r["name"]: r["kind"] for r in rows(out[-1])}
    assert kinds["results"] == "table" and kinds["race_results"] == "view"
    c.feed("\\describe results")
    columns = [r["column"] for r in rows(out[-1])]
    assert columns[: len(TABLES["results"].data_columns)] == [
        col.name for col in TABLES["results"].data_columns
    ]
    assert "season" in columns
    c.feed("\\d driver_seasons")
    assert [r["column"] for r in rows(out[-1])] == [
        "season",
        "driver_id",
        "driver_name",
        "constructor_id",
        "constructor_name",
    ]
    c.feed("\\queries")
    usage = {r["query"]: r["description"] for r in rows(out[-1])}
    assert "standings --season INTEGER" in usage and "seasons" in usage


def test_named_queries_and_parameters(console) -> None:
    c, out = console
    c.feed("\\run standings --season 2023")
    order = sorted(ex.standings(S23).items(), key=lambda kv: kv[1]["position"])
    assert [r["driver_id"] for r in rows(out[-1])] == [d for d, _ in order]
    c.feed("\\set season 2023")
    c.feed("\\set driver alpha")
    c.feed("SELECT count(*) AS wins FROM results")
    c.feed("WHERE season = CAST(:season AS varchar) AND position = 1;")  # :driver unused
    assert rows(out[-1]) == [{"wins": str(sum(v[0] for v in ex.wins_podiums(S23).values()))}]
    c.feed("\\unset season")
    c.feed("SELECT :season AS s;")
    assert out[-1].startswith("error: missing parameter(s): season")


def test_errors_are_reported_and_the_console_goes_on(console) -> None:
    c, out = console
    assert c.feed("SELECT nope FROM results;")
    assert out[-1].startswith("error: query failed:") and "nope" in out[-1]
    assert c.feed("\\describe tyre_stints")
    assert out[-1].startswith("error: table 'tyre_stints' is not in the catalog")
    assert c.feed("\\run standings")
    assert out[-1].startswith("error: missing parameter(s): season")
    assert c.feed("\\run nope")
    assert out[-1].startswith("error: unknown query 'nope'")
    assert c.feed("\\frobnicate")
    assert "unknown command" in out[-1]
    assert c.feed("\\format yaml")
    assert out[-1].startswith("error: usage: \\format")
    assert c.feed("\\format table")
    c.feed("SELECT 1 AS one;")
    assert out[-1].endswith("(1 row)")
    assert not c.feed("\\q")


def test_the_prompt_loop_keeps_a_history(engine: LocalEngine, tmp_path: Path) -> None:
    out: list[str] = []
    history = tmp_path / "state" / "sql_history"
    with create_pipe_input() as pipe:
        pipe.send_text("SELECT count(*) AS n\r")
        pipe.send_text("FROM races WHERE season = '2023';\r")
        pipe.send_text("\\q\r")
        run_console(engine, history, out.append, "csv", input=pipe, output=DummyOutput())
    assert out[0].startswith("f1lake SQL console, local engine")
    assert rows(out[1]) == [{"n": str(len(S23.races))}]
    # One history entry per statement, both of its lines in it (newest first).
    assert list(FileHistory(str(history)).load_history_strings()) == [
        "\\q",
        "SELECT count(*) AS n\nFROM races WHERE season = '2023';",
    ]


def test_end_of_input_leaves_the_loop(engine: LocalEngine, tmp_path: Path) -> None:
    out: list[str] = []
    with create_pipe_input() as pipe:
        pipe.send_text("SELECT 1 AS one;\r")
        pipe.close()
        run_console(engine, tmp_path / "h", out.append, "csv", input=pipe, output=DummyOutput())
    assert rows(out[-1]) == [{"one": "1"}]


def test_timing_and_expanded_rows(engine: LocalEngine) -> None:
    out: list[str] = []
    c = Console(engine, out.append, fmt="table", width=lambda: 60)
    c.feed("SELECT driver_id, constructor_id, status FROM results WHERE season = '2023' "
           "AND round = 1 ORDER BY driver_id LIMIT 1;")  # fmt: skip
    assert out[-1].startswith("+-") and out[-1].endswith("(1 row)")  # fits in 60 columns
    c.feed("\\timing")
    c.feed("SELECT * FROM results WHERE season = '2023' ORDER BY round, driver_id LIMIT 2;")
    # Wider than the terminal: a block per row, a line per column; then the time it took.
    table, timing = out[-2], out[-1]
    assert table.splitlines()[0].startswith("-[ RECORD 1 ]")
    assert "driver_id" in table and all(len(line) <= 60 for line in table.splitlines()[:3])
    assert timing.startswith("Time: ") and timing.endswith(" ms")
    c.feed("\\x off")
    c.feed("SELECT * FROM results WHERE season = '2023' LIMIT 1;")
    assert out[-2].startswith("+-")  # the plain table, however wide
    c.feed("\\x on")
    c.feed("\\timing off")
    c.feed("SELECT 1 AS one;")
    assert out[-1] == "-[ RECORD 1 ]\none | 1\n(1 row)"


def test_completion_offers_tables_columns_queries_and_commands(console) -> None:
    c, _out = console
    words = c.words()

    def offered(before: str) -> set[str]:
        return {candidate for candidate, _kind in completions(words, before)}

    assert {"results", "race_results"} <= offered("SELECT * FROM r")
    assert "driver_id" in offered("SELECT dri") and "drivers" in offered("SELECT dri")
    assert offered("\\run team_s") == {"team_standings", "team_standings_progression"}
    assert offered("\\ti") == {"\\timing"}
    assert "results" in offered("\\d res")
    assert statement_complete("SELECT 1\nFROM x;") and not statement_complete("SELECT 1")
