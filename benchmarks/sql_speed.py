"""Benchmark: the local engine over a lake in S3 against the plain way, measured in one run.

Builds the processed lake of the Ergast CSV dump (seasons ``--from``..``--to``, all by default)
at the processor's key layout (one Parquet object per race and table, one per season for the
season-scoped tables) in a moto server, crawls it, and copies the same files to a local folder.
Then prints each goal of issue 14 with its figure, the plain way's figure (DuckDB's Python
module over the local copy, in the same run) and their ratio, with the machine's load:

- loading ``results`` alone: cold (empty mirror), warm (mirror filled), plain;
- ``f1lake sql standings --season S`` as a whole process, cold and warm, against
  ``python -c 'import duckdb; ...'`` running the same SQL over the local copy;
- the first query of a session (engine made, views parsed, tables loaded), warm mirror;
- every named query, warm: its median, and the p50 over the queries;
- ``f1lake dashboard`` as a whole process, warm;
- S3 requests per table, cold and warm.

    uv run python benchmarks/sql_speed.py [--csv-dir DIR] [--from 1950 --to 2025]
        [--season 2021] [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
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
from f1lake.query.dialect import (  # noqa: E402
    bind,
    parse_statement,
    query_body,
    to_duckdb,
)
from f1lake.query.library import find_query, load_library  # noqa: E402
from f1lake.query.local import LocalEngine, _resolve  # noqa: E402
from f1lake.query.params import parse_params  # noqa: E402
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
    say(f"{what:<48} {ours * 1e3:9.0f} {plain_text} {ratio}  {goal}")


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
        with moto_server() as endpoint:
            run(args, endpoint, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    say(f"end: {load()}")


def run(args: argparse.Namespace, endpoint: str, work: Path) -> None:
    folder = work / "plain"
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

    def process(cmd: list[str]) -> Callable[[], None]:
        def once() -> None:
            done = subprocess.run(cmd, env=env, capture_output=True, text=True)
            if done.returncode:
                raise SystemExit(f"{cmd[:4]} failed: {done.stderr[-2000:]}")

        return once

    say(f"{'figure (ms)':<48} {'f1lake':>9} {'plain':>9} {'ratio':>7}  goal")
    say("-" * 92)
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
    row("`f1lake sql standings` process, cold", time.perf_counter() - t0, plain_standings)
    row(
        "`f1lake sql standings` process, warm",
        median_of(args.runs, process(standings)),
        plain_standings,
        "<= 1.5 s and <= x5",
    )

    def first_query() -> None:
        with LocalEngine(settings) as engine:
            engine.run(find_query("standings").text, params)

    row("first query of a session, warm mirror", median_of(args.runs, first_query), None, "<= 2 s")

    import duckdb

    plain_con = duckdb.connect()
    for statement in plain_setup(folder, list(TABLES), "TABLE"):
        plain_con.execute(statement)
    ours, plains = [], []
    with LocalEngine(settings) as engine:
        for query in load_library().values():
            values = {p.name: args.season for p in query.params}
            engine.run(query.text, values)  # loads its tables and views
            ddl, body, _ = duckdb_sql(query.name, values)
            for statement in ddl:
                plain_con.execute(statement.replace("CREATE VIEW", "CREATE OR REPLACE VIEW", 1))
            mine = median_of(args.runs, lambda q=query, v=values: engine.run(q.text, v))
            theirs = median_of(args.runs, lambda b=body: plain_con.execute(b).fetchall())
            ours.append(mine)
            plains.append(theirs)
            row(f"  {query.name}, warm", mine, theirs)
    row(
        f"named queries, warm: p50 over {len(ours)}",
        statistics.median(ours),
        statistics.median(plains),
        "<= 50 ms",
    )
    row("named queries, warm: slowest median", max(ours), None)

    out = work / "dashboard.html"
    dashboard = [*f1lake, "dashboard", "--out", str(out)]
    row(
        "`f1lake dashboard` process, warm", median_of(args.runs, process(dashboard)), None, "<= 5 s"
    )

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
