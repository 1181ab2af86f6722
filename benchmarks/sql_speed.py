"""Benchmark: the local engine over a lake in S3 against the plain way, measured in one run.

Builds the processed lake of the Ergast CSV dump (seasons ``--from``..``--to``, all by default)
at the processor's key layout (one Parquet object per race and table, one per season for the
season-scoped tables) in a moto server, crawls it, and copies the same files to a local folder.
Then prints each goal of issue 14 with its figure, the plain way's figure (DuckDB's Python
module over the local copy, in the same run) and their ratio, with the machine's load:

- loading ``results`` alone: cold (empty mirror), warm (mirror filled), plain;
- ``f1lake sql standings --season S`` as a whole process in process (no service), cold and warm,
  and through the query service ``f1lake up`` keeps, against ``python -c 'import duckdb; ...'``
  running the same SQL over the local copy;
- the first query of a session: in process (engine made, views parsed, tables loaded), and
  through the service;
- every named query, warm: on the engine alone, through the service computed (a new text each
  run), through the service repeated (its kept answer), plain; the p50 over the queries and how
  many are over 50 ms;
- ``f1lake dashboard`` as a whole process: in process, through the service first after a change
  (one results object rewritten, as a load does: the service reloads and recomputes) and again
  over the unchanged lake;
- S3 requests per table, cold and warm.

The moto server writes through to a lake file, as the local stack's does (the service's
freshness signal). Each figure's line ends with the load average when it was taken.

    uv run python benchmarks/sql_speed.py [--csv-dir DIR] [--from 1950 --to 2025]
        [--season 2021] [--runs 5]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the history loader lives beside the tests that use it

from f1lake.aws import client  # noqa: E402
from f1lake.catalog import crawl  # noqa: E402
from f1lake.keys import processed_key  # noqa: E402
from f1lake.local.moto_server import LOCAL_AWS_ENV, moto_server  # noqa: E402
from f1lake.local.query_service import start_query_service  # noqa: E402
from f1lake.query.dialect import (  # noqa: E402
    bind,
    parse_statement,
    query_body,
    to_duckdb,
)
from f1lake.query.library import NamedQuery, find_query, load_library  # noqa: E402
from f1lake.query.local import LocalEngine, _resolve  # noqa: E402
from f1lake.query.params import INTEGER_TYPES, parse_params  # noqa: E402
from f1lake.query.remote import QueryClient, RemoteEngine, lake_identity  # noqa: E402
from f1lake.query.rewrite import inline_constants, unqualified  # noqa: E402
from f1lake.schema import TABLES  # noqa: E402
from f1lake.settings import Settings  # noqa: E402
from f1lake.source import SHARED_CSV  # noqa: E402
from tests.checks.history import load_history  # noqa: E402


def say(line: str = "") -> None:
    print(line, flush=True)


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load {one:.2f} (1 min), {five:.2f} (5 min) on {os.cpu_count()} cores"


def median_of(runs: int, once: Callable[[], object]) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        once()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def row(what: str, ours: float, plain: float | None, goal: str = "") -> None:
    ratio = f"x{ours / plain:6.1f}" if plain else " " * 7
    plain_text = f"{plain * 1e3:9.0f}" if plain is not None else " " * 9
    say(f"{what:<52} {ours * 1e3:9.0f} {plain_text} {ratio}  {goal}  [{load()}]")


# -- the lake: processed tables of the dump, at the processor's layout ----------------------


def write_folder(csv_dir: Path, first: int, last: int, folder: Path) -> dict[str, int]:
    """The processed tables of seasons first..last as Parquet files under ``folder``."""
    con = load_history(csv_dir)
    counts: dict[str, int] = {}
    for table in TABLES.values():
        present = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        if table.name not in present:
            continue
        data = con.sql(
            f"SELECT * FROM {table.name} WHERE CAST(season AS INTEGER) BETWEEN {first} AND {last}"
        ).to_arrow_table()
        schema = table.parquet_schema()
        by_file: dict[str, list[int]] = {}
        seasons = data.column("season").to_pylist()
        rounds = data.column("round").to_pylist() if table.scope == "race" else None
        for i, season in enumerate(seasons):
            key = processed_key(table.name, int(season), rounds[i] if rounds else None)
            by_file.setdefault(key, []).append(i)
        for key, rows in by_file.items():
            part = data.take(pa.array(rows)).select(schema.names).cast(schema)
            path = folder / key
            path.parent.mkdir(parents=True, exist_ok=True)
            pq.write_table(part, path)
        counts[table.name] = len(by_file)
    return counts


def upload(settings: Settings, folder: Path) -> None:
    s3 = client("s3", settings)
    s3.create_bucket(Bucket=settings.processed_bucket)
    files = [p for p in folder.rglob("*.parquet")]

    def put(path: Path) -> None:
        key = path.relative_to(folder).as_posix()
        s3.put_object(Bucket=settings.processed_bucket, Key=key, Body=path.read_bytes())

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(put, files))


def rewrite_results(settings: Settings, folder: Path) -> None:
    """Change the lake as a load does: one results object written again with new bytes (same
    rows, a new ETag), so the service must reload results and recompute what reads it."""
    path = max((folder / "results").rglob("*.parquet"))
    table = pq.read_table(path)
    stamp = {b"rewritten": str(time.time_ns()).encode()}
    sink = pa.BufferOutputStream()
    pq.write_table(table.replace_schema_metadata({**(table.schema.metadata or {}), **stamp}), sink)
    key = path.relative_to(folder).as_posix()
    client("s3", settings).put_object(
        Bucket=settings.processed_bucket, Key=key, Body=sink.getvalue().to_pybytes()
    )


# -- the plain way: DuckDB over the local copy ------------------------------------------------


def plain_setup(folder: Path, tables: list[str], kind: str = "VIEW") -> list[str]:
    """The tables with files in the local copy, as DuckDB views (or tables) over them."""
    return [
        f"CREATE {kind} {t} AS SELECT * FROM read_parquet('{folder}/{t}/*/*.parquet', "
        "hive_partitioning = true, hive_types_autocast = false)"
        for t in tables
        if (folder / t).is_dir()
    ]


def duckdb_sql(name: str, params: dict[str, object]) -> tuple[list[str], str, list[str]]:
    """A named query as DuckDB SQL: the views it needs (in order), its body, its tables."""
    text = find_query(name).text
    query = inline_constants(query_body(parse_statement(bind(text, params, parse_params(text)))))
    views = LocalEngine()._views
    present = set(TABLES)
    _, ordered = _resolve(None, "", query, views, present)
    ddl = [f"CREATE VIEW {v.name} AS {to_duckdb(unqualified(v.body, ''))}" for v in ordered]
    return ddl, to_duckdb(unqualified(query, "")), sorted(present)


def plain_process(folder: Path, name: str, params: dict[str, object]) -> list[str]:
    ddl, body, tables = duckdb_sql(name, params)
    script = "\n".join(
        [
            "import duckdb",
            "con = duckdb.connect()",
            *(f"con.execute({s!r})" for s in [*plain_setup(folder, tables), *ddl]),
            f"print(len(con.execute({body!r}).fetchall()))",
        ]
    )
    return [sys.executable, "-c", script]


def sample_params(query: NamedQuery, season: int) -> dict[str, object]:
    """A sensible value for each parameter a named query declares, by its name and type."""
    by_name: dict[str, object] = {
        "season": season,
        "round": 5,
        "driver": "hamilton",
        "constructor": "mercedes",
    }
    return {
        p.name: by_name.get(p.name, season if p.type in INTEGER_TYPES else "hamilton")
        for p in query.params
    }


def named_queries(
    args: argparse.Namespace,
    settings: Settings,
    folder: Path,
    client: QueryClient,
    fresh: Iterator[int],
) -> None:
    """Every named query warm: in process (the engine alone), via the service computed (a new
    text each run, so no kept answer), via the service repeated (its kept answer), and plain."""
    import duckdb

    plain_con = duckdb.connect()
    for statement in plain_setup(folder, list(TABLES), "TABLE"):
        plain_con.execute(statement)
    figures: dict[str, list[float]] = {"engine": [], "computed": [], "kept": [], "plain": []}
    say(f"  {'named query (ms)':<40} {'engine':>8} {'service':>8} {'kept':>8} {'plain':>8}")
    with LocalEngine(settings) as engine:
        for query in load_library().values():
            values = sample_params(query, args.season)
            engine.run(query.text, values)  # loads its tables and views
            client.text(query.text, values, "csv")
            ddl, body, _ = duckdb_sql(query.name, values)
            for statement in ddl:
                plain_con.execute(statement.replace("CREATE VIEW", "CREATE OR REPLACE VIEW", 1))
            times = {
                "engine": median_of(args.runs, lambda q=query, v=values: engine.run(q.text, v)),
                "computed": median_of(
                    args.runs,
                    lambda q=query, v=values: client.arrow(f"{q.text}\n-- run {next(fresh)}", v),
                ),
                "kept": median_of(args.runs, lambda q=query, v=values: client.arrow(q.text, v)),
            }
            with contextlib.suppress(duckdb.Error):  # no file of the table (laps): no plain
                times["plain"] = median_of(
                    args.runs, lambda b=body: plain_con.execute(b).fetchall()
                )
            for k, v in times.items():
                figures[k].append(v)
            say(
                f"  {query.name:<40} "
                + " ".join(
                    f"{times[k] * 1e3:8.0f}" if k in times else f"{'-':>8}"
                    for k in ("engine", "computed", "kept", "plain")
                )
            )
    plain = statistics.median(figures["plain"])
    for what, key in (("engine", "engine"), ("service", "computed"), ("service, kept", "kept")):
        medians = figures[key]
        over = sum(1 for m in medians if m > 0.05)
        row(
            f"named queries p50 over {len(medians)}, {what}",
            statistics.median(medians),
            plain,
            "<= 50 ms",
        )
        row(f"  slowest; {over} of {len(medians)} over 50 ms", max(medians), None)


def timed(once: Callable[[], None]) -> float:
    t0 = time.perf_counter()
    once()
    return time.perf_counter() - t0


# -- main ---------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--csv-dir", type=Path, default=SHARED_CSV, help="Ergast CSV dump.")
    parser.add_argument("--from", dest="first", type=int, default=1950)
    parser.add_argument("--to", dest="last", type=int, default=2025)
    parser.add_argument("--season", type=int, default=2021, help="Season for :season queries.")
    parser.add_argument("--runs", type=int, default=5, help="Timed runs per figure (median).")
    args = parser.parse_args()
    if not (args.csv_dir / "results.csv").is_file():
        sys.exit(f"no Ergast CSV dump at {args.csv_dir} (give --csv-dir)")
    os.environ.update(LOCAL_AWS_ENV)
    say(f"start: {load()}")
    work = Path(tempfile.mkdtemp(prefix="f1lake-bench-"))
    try:
        with moto_server(lake_file=work / "lake.sqlite") as endpoint:  # as the stack runs it
            run(args, endpoint, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    say(f"end: {load()}")


def run(args: argparse.Namespace, endpoint: str, work: Path) -> None:
    folder = work / "plain"
    lake_file = work / "lake.sqlite"
    t0 = time.perf_counter()
    objects = write_folder(args.csv_dir, args.first, args.last, folder)
    suffix = os.urandom(3).hex()
    settings = Settings(
        aws_endpoint_url=endpoint,
        state_dir=work / "state",
        processed_bucket=f"processed-{suffix}",
        glue_database=f"f1lake_{suffix}",
    )
    upload(settings, folder)
    crawl(settings)
    say(
        f"lake of {args.first}-{args.last}: {sum(objects.values())} objects "
        f"({objects.get('results', 0)} of results), built and crawled in "
        f"{time.perf_counter() - t0:.1f} s\n"
    )
    env = {
        **os.environ,
        "F1LAKE_AWS_ENDPOINT_URL": endpoint,
        "F1LAKE_STATE_DIR": str(settings.state_dir),
        "F1LAKE_PROCESSED_BUCKET": settings.processed_bucket,
        "F1LAKE_GLUE_DATABASE": settings.glue_database,
        "F1LAKE_SQL_ENGINE": "local",
    }
    mirror = settings.state_dir / "lake-mirror"
    f1lake = [str(Path(sys.executable).parent / "f1lake")]
    params = {"season": args.season}

    def cold() -> None:
        shutil.rmtree(mirror, ignore_errors=True)

    def results_local() -> None:
        with LocalEngine(settings) as engine:
            engine.run("SELECT count(*) FROM results")

    def results_plain() -> None:
        import duckdb

        con = duckdb.connect()
        con.execute(plain_setup(folder, ["results"], "TABLE")[0])
        con.close()

    def process(cmd: list[str], with_env: dict[str, str] = env) -> Callable[[], None]:
        def once() -> None:
            done = subprocess.run(cmd, env=with_env, capture_output=True, text=True)
            if done.returncode:
                raise SystemExit(f"{cmd[:4]} failed: {done.stderr[-2000:]}")

        return once

    say(f"{'figure (ms)':<52} {'f1lake':>9} {'plain':>9} {'ratio':>7}  goal")
    say("-" * 96)
    plain_results = median_of(args.runs, results_plain)
    row(
        "load results, cold mirror",
        median_of(max(1, args.runs // 2), lambda: (cold(), results_local())),
        plain_results,
    )
    row("load results, warm mirror", median_of(args.runs, results_local), plain_results)

    standings = [*f1lake, "sql", "standings", "--season", str(args.season)]
    plain_standings = median_of(args.runs, process(plain_process(folder, "standings", params)))
    cold()
    t0 = time.perf_counter()
    process(standings)()
    row("`f1lake sql standings` in process, cold", time.perf_counter() - t0, plain_standings)
    row(
        "`f1lake sql standings` in process, warm mirror",
        median_of(args.runs, process(standings)),
        plain_standings,
    )

    def first_query() -> None:
        with LocalEngine(settings) as engine:
            engine.run(find_query("standings").text, params)

    row("first query of a session in process, warm mirror", median_of(args.runs, first_query), None)

    say("\nthe query service (as `f1lake up` keeps it; started now, tables loaded at start):")
    t0 = time.perf_counter()
    service = start_query_service(settings, lake_file)
    url = service.ready()
    client = QueryClient(url, lake_identity(settings))
    client.text("SELECT 1 AS ready", {}, "csv")  # waits for the start's loading
    row("service start until it answers (tables loaded)", time.perf_counter() - t0, None)
    try:
        served = {**env, "F1LAKE_QUERY_URL": url}
        row(
            "`f1lake sql standings` process via the service",
            median_of(args.runs, process(standings, served)),
            plain_standings,
            "<= 1.5 s and <= x5",
        )
        text = find_query("standings").text
        fresh = iter(range(10**6))  # a new text each run: no kept answer, the query computed

        def first_served() -> None:
            engine = RemoteEngine(QueryClient(url, lake_identity(settings)))
            engine.run(f"{text}\n-- run {next(fresh)}", params)
            engine.close()

        row(
            "first query of a session via the service",
            median_of(args.runs, first_served),
            None,
            "<= 2 s",
        )
        named_queries(args, settings, folder, client, fresh)
        out = work / "dashboard.html"
        dashboard = [*f1lake, "dashboard", "--out", str(out)]
        row("`f1lake dashboard` process in process (once)", timed(process(dashboard)), None)
        rewrite_results(settings, folder)  # as a load does: every answer over results is stale
        row(
            "`f1lake dashboard` via the service, after a change",
            timed(process(dashboard, served)),
            None,
        )
        row(
            "`f1lake dashboard` via the service, lake unchanged",
            median_of(args.runs, process(dashboard, served)),
            None,
            "<= 5 s",
        )
    finally:
        client.close()
        service.stop()

    say("\nS3 requests per table (cold mirror, then warm):")
    for table in ("results", "races", "drivers"):
        counts = []
        cold()
        for _ in range(2):
            with LocalEngine(settings) as engine:
                calls: Counter[str] = Counter()
                engine.mirror().s3.meta.events.register(
                    "before-call.s3",
                    lambda model, calls=calls, **_: calls.update([model.name]),
                )
                engine.run(f"SELECT count(*) FROM {table}")
                counts.append(dict(calls))
        say(f"  {table:<10} {objects.get(table, 0):>5} objects: cold {counts[0]}, warm {counts[1]}")


if __name__ == "__main__":
    main()
