"""The interactive SQL console of ``f1lake sql``: Athena SQL statements and backslash commands.

``Console`` holds the line logic (multi-line statements end with ``;``, commands start with
``\\``) and writes through a callback, so tests drive it line by line; ``run_console`` puts it
behind a prompt_toolkit prompt: one history entry per whole statement (Enter runs a complete
statement, else starts a new line), completion of tables, columns, named queries and commands.
"""

from __future__ import annotations

import shlex
import shutil
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd

from f1lake.query.dialect import placeholders
from f1lake.query.engines import Engine
from f1lake.query.errors import QueryError
from f1lake.query.library import find_query, load_library, parse_invocation, typed_params
from f1lake.query.output import FORMATS, fits, format_expanded, render
from f1lake.query.params import parse_params
from f1lake.resources import SQL_ROOT
from f1lake.schema import TABLES

PROMPT = "f1lake> "
CONTINUATION = "   ...> "
HELP = """\
Statements: Athena SQL ending with ';' (several lines are fine); :name parameters take the
  values set with \\set.
Commands:
  \\tables                 tables and views of the database
  \\describe TABLE         columns of a table or view (also \\d)
  \\queries                the named queries of sql/athena, with their parameters
  \\run QUERY [--p v ...]  run a named query, e.g. \\run standings --season 2023
  \\set [NAME VALUE]       set a parameter for :NAME (no arguments: list them)
  \\unset NAME             forget a parameter
  \\format table|csv|json  output format
  \\x [on|off|auto]       expanded rows (a block per row); auto: when a table is too wide
  \\timing [on|off]        print how long each statement takes
  \\help                   this text
  \\q                      quit (also Ctrl-D)"""


class Console:
    """Feeds lines to the engine; returns False from ``feed`` when the user quits."""

    def __init__(
        self,
        engine: Engine,
        write: Callable[[str], None],
        fmt: str = "table",
        root: Path = SQL_ROOT,
        width: Callable[[], int] = lambda: shutil.get_terminal_size().columns,
    ) -> None:
        self.engine = engine
        self.write = write
        self.fmt = fmt
        self.root = root
        self.width = width
        self.buffer: list[str] = []
        self.params: dict[str, str] = {}
        self.expanded = "auto"
        self.timing = False

    @property
    def prompt(self) -> str:
        return CONTINUATION if self.buffer else PROMPT

    def reset(self) -> None:
        self.buffer.clear()

    def flush(self) -> None:
        """Run a last statement left without its ``;`` (the end of a script)."""
        if self.buffer:
            self.feed(self.buffer.pop() + ";")

    def feed(self, line: str) -> bool:
        stripped = line.strip()
        if not self.buffer and stripped.startswith("\\"):
            return self.command(stripped)
        if not self.buffer and stripped.lower() in ("exit", "quit"):
            return False
        if not stripped and not self.buffer:
            return True
        self.buffer.append(line)
        if stripped.endswith(";"):
            sql = "\n".join(self.buffer).strip().rstrip(";").strip()
            self.reset()
            if sql:
                self._guard(lambda: self._statement(sql))
        return True

    def command(self, line: str) -> bool:
        head, _, rest = line.partition(" ")
        try:
            args = shlex.split(rest)
        except ValueError as exc:
            self.write(f"error: {exc}")
            return True
        name = head.lower()
        if name in ("\\q", "\\quit"):
            return False
        handlers: dict[str, Callable[[list[str]], None]] = {
            "\\tables": self._tables,
            "\\describe": self._describe,
            "\\d": self._describe,
            "\\queries": self._queries,
            "\\run": self._run,
            "\\set": self._set,
            "\\unset": self._unset,
            "\\format": self._format,
            "\\x": self._expanded,
            "\\timing": self._timing,
            "\\help": lambda _args: self.write(HELP),
            "\\?": lambda _args: self.write(HELP),
        }
        handler = handlers.get(name)
        if handler is None:
            self.write(f"error: unknown command {name}; \\help lists the commands")
            return True
        self._guard(lambda: handler(args))
        return True

    def _guard(self, action: Callable[[], None]) -> None:
        """A failed statement or command is reported in one line; the console goes on."""
        try:
            action()
        except QueryError as exc:
            self.write(f"error: {exc}")

    def _show(self, df: pd.DataFrame) -> None:
        text = render(df, self.fmt)
        if self.fmt == "table" and (
            self.expanded == "on" or (self.expanded == "auto" and not fits(text, self.width()))
        ):
            text = format_expanded(df)
        self.write(text)

    def _timed(self, sql: str, params: dict[str, object]) -> None:
        started = time.perf_counter()
        df = self.engine.run(sql, params)
        elapsed = time.perf_counter() - started
        self._show(df)
        if self.timing:
            self.write(f"Time: {elapsed * 1e3:.1f} ms")

    def _statement(self, sql: str) -> None:
        used = {p.name for p in placeholders(sql)}
        values = {k: v for k, v in self.params.items() if k in used}
        self._timed(sql, typed_params(values, parse_params(sql)))

    def _tables(self, args: list[str]) -> None:
        tables = self.engine.tables()
        self._show(pd.DataFrame(list(tables.items()), columns=["name", "kind"]))

    def _describe(self, args: list[str]) -> None:
        if len(args) != 1:
            raise QueryError("usage: \\describe TABLE")
        self._show(self.engine.describe(args[0]))

    def _queries(self, args: list[str]) -> None:
        rows = [(q.usage, q.description) for q in load_library(self.root).values()]
        self._show(pd.DataFrame(rows, columns=["query", "description"]))

    def _run(self, args: list[str]) -> None:
        name, raw = parse_invocation(args)
        if name is None:
            raise QueryError("usage: \\run QUERY [--NAME VALUE ...]")
        query = find_query(name, self.root)
        self._timed(query.text, typed_params(raw, query.params))

    def _set(self, args: list[str]) -> None:
        if not args:
            rows = sorted(self.params.items())
            self._show(pd.DataFrame(rows, columns=["parameter", "value"]))
            return
        if len(args) != 2:
            raise QueryError("usage: \\set NAME VALUE")
        self.params[args[0]] = args[1]

    def _unset(self, args: list[str]) -> None:
        for name in args:
            self.params.pop(name, None)

    def _format(self, args: list[str]) -> None:
        if len(args) != 1 or args[0] not in FORMATS:
            raise QueryError(f"usage: \\format {'|'.join(FORMATS)}")
        self.fmt = args[0]

    def _expanded(self, args: list[str]) -> None:
        if len(args) > 1 or (args and args[0] not in ("on", "off", "auto")):
            raise QueryError("usage: \\x [on|off|auto]")
        self.expanded = args[0] if args else ("off" if self.expanded == "on" else "on")
        self.write(f"Expanded display is {self.expanded}.")

    def _timing(self, args: list[str]) -> None:
        if len(args) > 1 or (args and args[0] not in ("on", "off")):
            raise QueryError("usage: \\timing [on|off]")
        self.timing = args[0] == "on" if args else not self.timing
        self.write(f"Timing is {'on' if self.timing else 'off'}.")

    def words(self) -> dict[str, list[str]]:
        """What the prompt completes: tables and views, columns, named queries, commands."""
        try:
            tables = list(self.engine.tables())
        except QueryError:
            tables = []
        columns = sorted({c.name for t in TABLES.values() for c in t.columns})
        return {
            "tables": tables,
            "columns": columns,
            "queries": list(load_library(self.root)),
            "commands": sorted(c for c in _COMMANDS if c != "\\?"),
        }


_COMMANDS = (
    "\\tables", "\\describe", "\\d", "\\queries", "\\run", "\\set", "\\unset", "\\format",
    "\\x", "\\timing", "\\help", "\\q",
)  # fmt: skip
_KEYWORDS = (
    "SELECT", "FROM", "WHERE", "GROUP BY", "ORDER BY", "HAVING", "LIMIT", "JOIN", "LEFT JOIN",
    "ON", "AS", "AND", "OR", "NOT", "IN", "IS NULL", "DISTINCT", "COUNT", "SUM", "AVG", "MIN",
    "MAX", "CAST", "CASE", "WHEN", "THEN", "ELSE", "END", "WITH", "UNION ALL", "DESC", "ASC",
)  # fmt: skip


_KINDS = {"tables": "table", "columns": "column", "keywords": "keyword", "queries": "query"}
_KINDS["commands"] = "command"


def statement_complete(text: str) -> bool:
    """Whether Enter runs what was typed: a command, exit/quit, nothing, or SQL ending in ``;``."""
    stripped = text.strip()
    return (
        not stripped
        or stripped.startswith("\\")
        or stripped.lower() in ("exit", "quit")
        or stripped.endswith(";")
    )


def word_before(before: str) -> str:
    """The word the cursor ends (a name, a dotted name or a command), "" after a space."""
    tail = before.rsplit("\n", 1)[-1]
    if not tail or tail[-1].isspace():
        return ""
    word = tail.split()[-1]
    for sep in "(,=<>":
        word = word.rsplit(sep, 1)[-1]
    return word


def completions(words: dict[str, list[str]], before: str) -> Iterator[tuple[str, str]]:
    """(candidate, kind) for the word before the cursor: after ``\\run`` a named query, after
    ``\\d``/``\\describe`` a table, a command at a line's start, else tables, columns and
    keywords."""
    line = before.rsplit("\n", 1)[-1]
    word = word_before(before)
    head = line.split()[0].lower() if line.split() else ""
    if head.startswith("\\") and word != line.strip():
        kinds = {"\\run": ["queries"], "\\describe": ["tables"], "\\d": ["tables"]}
        pools = kinds.get(head, [])
    elif word.startswith("\\"):
        pools = ["commands"]
    else:
        pools = ["tables", "columns", "keywords"]
    lowered = word.lower()
    for kind in pools:
        pool = _KEYWORDS if kind == "keywords" else words[kind]
        for candidate in pool:
            if candidate.lower().startswith(lowered) and candidate.lower() != lowered:
                yield candidate, _KINDS[kind]


def run_script(
    engine: Engine, lines: Iterable[str], write: Callable[[str], None], fmt: str = "table"
) -> None:
    """Statements and commands read from a pipe or file (``f1lake sql < script.sql``): no
    prompt, no history; a last statement may omit its ``;``."""
    console = Console(engine, write, fmt)
    for line in lines:
        if not console.feed(line.rstrip("\n")):
            return
    console.flush()


def run_console(
    engine: Engine,
    history: Path,
    write: Callable[[str], None],
    fmt: str = "table",
    **prompt_options: object,
) -> None:
    """Prompt until ``\\q`` or Ctrl-D; Ctrl-C drops the statement being typed.

    ``prompt_options`` reach prompt_toolkit's PromptSession (tests pass a pipe input and a
    dummy output).
    """
    from prompt_toolkit import PromptSession
    from prompt_toolkit.completion import Completer, Completion
    from prompt_toolkit.history import FileHistory
    from prompt_toolkit.key_binding import KeyBindings

    console = Console(engine, write, fmt)
    words: dict[str, list[str]] = {}

    class _Completer(Completer):
        def get_completions(self, document: Any, _event: Any) -> Iterator[Completion]:
            if not words:
                words.update(console.words())  # on first use: the catalog is asked once
            before = document.text_before_cursor
            back = -len(word_before(before))
            for candidate, kind in completions(words, before):
                yield Completion(candidate, start_position=back, display_meta=kind)

    keys = KeyBindings()

    @keys.add("enter")
    def _enter(event: Any) -> None:
        buffer = event.current_buffer
        if statement_complete(buffer.text):
            buffer.validate_and_handle()
        else:
            buffer.insert_text("\n")

    history.parent.mkdir(parents=True, exist_ok=True)
    options: dict[str, Any] = {
        "history": FileHistory(str(history)),
        "multiline": True,
        "key_bindings": keys,
        "completer": _Completer(),
        "prompt_continuation": CONTINUATION,
        **prompt_options,
    }
    session: PromptSession[str] = PromptSession(**options)
    write(
        f"f1lake SQL console, {engine.name} engine. End statements with ';'; "
        "\\help for commands, \\q to quit."
    )
    while True:
        try:
            line = session.prompt(console.prompt)
        except KeyboardInterrupt:
            console.reset()
            continue
        except EOFError:
            break
        if not console.feed(line):
            break
