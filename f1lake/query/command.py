"""``f1lake sql``: a named query, ad-hoc SQL, a SQL file, or the console, on either engine.

The query and its parameters are checked before any engine starts, so a typo in a name or a
bad value is reported at once, without a lake or AWS credentials. With the local stack's query
service running, a query goes there and only its rendered answer comes back: this module's
start-up path then imports neither pandas, pyarrow, DuckDB nor sqlglot (the service checks the
parameters' values against their types, with the same messages).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TextIO

from f1lake.query.errors import ParameterError, QueryError
from f1lake.query.library import find_query, is_query_name, parse_invocation, typed_params
from f1lake.query.params import parse_params
from f1lake.query.remote import QueryClient, ServiceUnavailable, service_client
from f1lake.settings import Settings

HISTORY_FILE = "sql_history"


def resolve(
    query: str | None, sql_file: Path | None, raw: Mapping[str, str]
) -> tuple[str, dict[str, object]] | None:
    """The SQL text to run and its typed parameters (None: open the console); their names and
    values are checked against the SQL by ``check`` (in process) or by the query service."""
    if sql_file is not None and query is not None:
        raise QueryError("give a query or --file, not both")
    if sql_file is not None:
        try:
            text = sql_file.read_text(encoding="utf-8")
        except OSError as exc:
            raise QueryError(f"cannot read {sql_file}: {exc.strerror or exc}") from None
    elif query is None:
        if raw:
            raise ParameterError(
                f"parameter(s) {', '.join(raw)} given without a query; the console takes "
                "them with \\set"
            )
        return None
    elif is_query_name(query):
        text = find_query(query).text
    else:
        text = query
    return text, typed_params(raw, parse_params(text))


def check(text: str, values: Mapping[str, object]) -> None:
    """Missing, unknown or ill-typed parameters fail here, before an engine starts."""
    from f1lake.query.dialect import literals

    literals(text, values, parse_params(text))


def sql_command(
    settings: Settings,
    args: Sequence[str],
    params: Sequence[str] = (),
    sql_file: Path | None = None,
    fmt: str = "table",
    engine: str | None = None,
    write: Callable[[str], None] = print,
    stdin: TextIO | None = None,
    **console_options: object,
) -> None:
    """Run what the command line asks; user errors raise QueryError with a one-line message."""
    query, raw = parse_invocation([*args, *(x for p in params for x in ("--param", p))])
    job = resolve(query, sql_file, raw)
    named = query is not None and is_query_name(query)
    client = service_client(settings, engine) if job is not None else None
    if client is not None and job is not None:
        try:
            write(_ask(client, *job, fmt, named))
            return
        except ServiceUnavailable:
            pass  # no service answers for this lake: run in process, as without one
        finally:
            client.close()
    from f1lake.query.console import run_console, run_script
    from f1lake.query.engines import open_engine, session_engine
    from f1lake.query.output import render

    if job is not None:
        check(*job)
    runner = open_engine(settings, engine) if job else session_engine(settings, engine)
    try:
        if job is None and stdin is not None and not stdin.isatty():
            run_script(runner, stdin, write, fmt)
        elif job is None:
            run_console(runner, settings.state_dir / HISTORY_FILE, write, fmt, **console_options)
        else:
            frame = runner.run(*job)
            if named and frame.empty:
                held = runner.run(find_query("seasons").text)
                _check_season_held(job[1], [int(s) for s in held["season"]])
            write(render(frame, fmt))
    finally:
        runner.close()


def _ask(
    client: QueryClient, text: str, values: Mapping[str, object], fmt: str, named: bool
) -> str:
    """The service's rendered answer (the text the in-process path would write)."""
    answer, rows = client.text(text, values, fmt)
    if named and rows == 0:
        held, _ = client.text(find_query("seasons").text, {}, "json")
        _check_season_held(values, [int(r["season"]) for r in json.loads(held)])
    return answer


def _check_season_held(values: Mapping[str, object], held: Sequence[int]) -> None:
    """An empty answer of a named query about a season the lake does not hold (``held``) is a
    mistake worth naming (a typo in the year, a season never loaded), not an empty table."""
    try:
        season = int(str(values["season"]))
    except (KeyError, ValueError):
        return
    seasons = sorted(held)
    if season in seasons:
        return
    holds = f"it holds {_span(seasons)}" if seasons else "it holds no season yet"
    raise QueryError(
        f"the lake holds no season {season} ({holds}); load it with "
        f"`f1lake backfill --season {season}`"
    )


def _span(seasons: Sequence[int]) -> str:
    if len(seasons) == 1:
        return f"season {seasons[0]}"
    if seasons == list(range(seasons[0], seasons[-1] + 1)):
        return f"seasons {seasons[0]}-{seasons[-1]}"
    return "seasons " + ", ".join(map(str, seasons))
