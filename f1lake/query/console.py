"""The interactive SQL console of ``f1lake sql``: Athena SQL statements and backslash commands.

``Console`` holds the line logic (multi-line statements end with ``;``, commands start with
``\\``) and writes through a callback, so tests drive it line by line; ``run_console`` puts it
behind a prompt_toolkit prompt with a history file.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable, Iterable
from pathlib import Path

import pandas as pd

from f1lake.query.dialect import parse_params, placeholders
from f1lake.query.engines import Engine
from f1lake.query.errors import QueryError
from f1lake.query.library import find_query, load_library, parse_invocation, typed_params
from f1lake.query.output import FORMATS, render
from f1lake.resources import SQL_ROOT

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
    ) -> None:
        self.engine = engine
        self.write = write
        self.fmt = fmt
        self.root = root
        self.buffer: list[str] = []
        self.params: dict[str, str] = {}

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
        self.write(render(df, self.fmt))

    def _statement(self, sql: str) -> None:
        used = {p.name for p in placeholders(sql)}
        values = {k: v for k, v in self.params.items() if k in used}
        self._show(self.engine.run(sql, typed_params(values, parse_params(sql))))

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
        self._show(self.engine.run(query.text, typed_params(raw, query.params)))

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
    from prompt_toolkit.history import FileHistory

    history.parent.mkdir(parents=True, exist_ok=True)
    session: PromptSession[str] = PromptSession(
        history=FileHistory(str(history)),
        **prompt_options,  # type: ignore[arg-type]
    )
    console = Console(engine, write, fmt)
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
