"""Benchmark: the full 1950-2025 history through the local stack, and the naive way beside it.

Backfills a range of seasons (default all of them) from the replay of an Ergast CSV dump with
the ``f1_historical_backfill`` DAG (real Airflow, moto, PostgreSQL, the Lambda runner), then
prints: API requests against the minimum possible, ingestion wall time, processing throughput
through the Lambda runner, crawl time, the named queries' latency, the handler's peak memory,
and the same pipeline done the naive way (one request per race and endpoint, one raw object
per invocation) on a sample of seasons, extrapolated per race, as ratios.

    uv run python benchmarks/full_history.py [--from 1950] [--to 2025] [--csv-dir DIR]
        [--workers N] [--rate 4] [--naive-from 2019 --naive-to 2021 | --no-naive] [--load-only]

The after-ingestion goals (processing races/s, crawl, checks, everything after ingestion) are
printed with their ratio to the goal and the machine's load. ``--rate 1000`` leaves out the
API's own pacing (the replay is ours, on loopback); ``--load-only`` times only the DAG and the
processing drain (no named queries, memory probe or batch-size comparison).

Run by hand (it takes a while); it is not part of the test command.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any
from unittest import mock
from urllib.parse import quote_plus

from f1lake import aws
from f1lake.endpoints import ENDPOINTS
from f1lake.resources import SQL_ROOT
from f1lake.settings import Settings
from f1lake.source import SHARED_CSV

BACKFILL = "f1_historical_backfill"
PAGE = 100


def say(line: str = "") -> None:
    print(line, flush=True)


# -- the minimum: what the API itself says there is -------------------------------------------


def minimum_requests(csv_dir: Path, first: int, last: int) -> tuple[dict[str, int], int]:
    """Per endpoint, the sum over seasons of ceil(rows/100), with rows as the API counts them
    (``total`` of the season-level request), and the number of races with results."""
    from f1lake.replay.dump import default_today, load_dump
    from f1lake.replay.responses import ReplayView, respond

    dump = load_dump(csv_dir)
    view = ReplayView(dump, default_today(dump))
    by_endpoint: Counter[str] = Counter()
    races = 0
    for season in range(first, last + 1):
        completed = view.happened_races(season, None)
        races += len(completed)
        for endpoint in ENDPOINTS.values():
            if endpoint.opt_in:  # not fetched by a default run
                continue
            if endpoint.selection == "last_race":
                paths = [endpoint.race_path(season, r.round) for r in completed[-1:]]
            elif endpoint.rounds_only:  # the API serves it race by race
                paths = [endpoint.race_path(season, r.round) for r in completed]
            else:
                paths = [endpoint.season_path(season)]
            for path in paths:
                answer = respond(view, path, {"limit": "1"}, f"http://replay/{path}")
                total = int(answer.body["MRData"]["total"])  # type: ignore[index]
                by_endpoint[endpoint.name] += math.ceil(total / PAGE)
    return dict(by_endpoint), races


# -- running the DAG on a stack -------------------------------------------------------------


def base_settings(state: Path, rate: int) -> Settings:
    # The replay is ours, on loopback: the hourly budget that protects Jolpica is lifted, the
    # burst limit (Jolpica's 4/s unless --rate says otherwise) stays.
    return Settings(state_dir=state, rate_limit_per_second=rate, rate_limit_per_hour=rate * 3600)


@contextmanager
def stack_up(settings: Settings, csv_dir: Path, airflow_home: Path, **runner: Any):
    from f1lake.local.airflow_runner import apply_environment, restored_environ
    from f1lake.local.stack import local_stack

    with (
        restored_environ(),  # the naive pass's stack gets its own settings
        local_stack(settings, csv_dir=csv_dir, airflow_home=airflow_home, **runner) as stack,
    ):
        apply_environment({**stack.airflow_env, "AIRFLOW__LOGGING__LOGGING_LEVEL": "ERROR"})
        yield stack


def run_backfill(first: int, last: int) -> tuple[Any, float]:
    from f1lake.local.airflow_runner import run_dag

    conf: dict[str, Any] = {"season": first}
    if last != first:
        conf["season_to"] = last
    started = time.monotonic()
    result = run_dag(BACKFILL, conf)
    wall = time.monotonic() - started
    if not result.succeeded:
        raise SystemExit(f"DAG {BACKFILL} {first}-{last} ended {result.state}")
    return result, wall


def span_seconds(spans: dict[str, tuple[datetime, datetime]], *tasks: str) -> float:
    got = [spans[t] for t in tasks if t in spans]
    if not got:
        return float("nan")
    return (max(e for _, e in got) - min(s for s, _ in got)).total_seconds()


# -- processing throughput: the runner over every raw object, nothing else running ----------


def raw_objects(settings: Settings) -> list[tuple[str, int]]:
    s3 = aws.client("s3", settings)
    found = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=settings.raw_bucket):
        found += [(o["Key"], o["Size"]) for o in page.get("Contents", [])]
    return found


def s3_event(bucket: str, key: str, size: int) -> str:
    """The S3 ObjectCreated notification S3 sends to the queue for a new raw object."""
    return json.dumps(
        {
            "Records": [
                {
                    "eventVersion": "2.1",
                    "eventSource": "aws:s3",
                    "eventName": "ObjectCreated:Put",
                    "s3": {
                        "bucket": {"name": bucket, "arn": f"arn:aws:s3:::{bucket}"},
                        "object": {"key": quote_plus(key), "size": size},
                    },
                }
            ]
        }
    )


def scratch(settings: Settings, tag: str) -> Settings:
    """Settings with fresh processed/quarantine buckets and queue, over the same raw bucket."""
    from f1lake.local.provision import provision

    s = settings.model_copy(
        update={
            "processed_bucket": f"bench-{tag}-processed",
            "quarantine_bucket": f"bench-{tag}-quarantine",
            "queue_name": f"bench-{tag}-events",
        }
    )
    provision(s)  # also points the raw bucket's notification at the new queue: ingest is done
    return s


def drain(
    settings: Settings, objects: list[tuple[str, int]], workers: int, batch: int
) -> tuple[float, Any, float]:
    """Seconds for ``workers`` runner processes (batch size ``batch``) to process ``objects``,
    the runner's totals, and the machine's load average over the measure."""
    from f1lake.local.provision import queue_url
    from f1lake.local.runner_service import RunnerService

    sqs = aws.client("sqs", settings)
    url = queue_url(settings, sqs)
    sqs.purge_queue(QueueUrl=url)  # the s3:TestEvent of provisioning
    with RunnerService(settings, workers=workers, batch_size=batch, wait_seconds=1) as runner:
        started = time.monotonic()
        for i in range(0, len(objects), 10):
            entries = [
                {"Id": str(n), "MessageBody": s3_event(settings.raw_bucket, key, size)}
                for n, (key, size) in enumerate(objects[i : i + 10])
            ]
            sqs.send_message_batch(QueueUrl=url, Entries=entries)
        deadline = started + 3600
        while runner.totals.succeeded + runner.totals.failed < len(objects):
            if time.monotonic() > deadline:
                raise SystemExit(f"runner still busy after an hour: {runner.totals}")
            time.sleep(0.2)
        seconds = time.monotonic() - started
    if runner.totals.failed:
        say(f"  warning: {runner.totals.failed} invocations reported failed items")
    load = os.getloadavg()[0 if seconds < 300 else 1]  # the 1- or 5-minute average
    return seconds, runner.totals, load


def races_in(objects: list[tuple[str, int]]) -> int:
    return sum(1 for key, _ in objects if key.startswith("results/"))


# -- the handler's memory, in a fresh process as a Lambda has -------------------------------


def memory_probe(settings: Settings, keys: list[tuple[str, int]]) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("F1LAKE_")}
    from f1lake.local.lambda_runner import settings_env

    env.update(settings_env(settings))
    out = subprocess.run(
        [sys.executable, __file__, "--memory-probe"],
        input=json.dumps(keys),
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def _proc_mb(field: str) -> float:
    """A memory figure of this process from /proc (kB there), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise KeyError(field)


def _memory_probe_child() -> None:
    import tracemalloc

    from lambda_processor.handler import handler

    settings = Settings()
    keys = json.loads(sys.stdin.read())
    imports = _proc_mb("VmRSS")

    def invoke(batch: list[tuple[str, int]]) -> dict[str, float]:
        event = {
            "Records": [
                {
                    "messageId": str(i),
                    "eventSource": "aws:sqs",
                    "body": s3_event(settings.raw_bucket, k, s),
                }
                for i, (k, s) in enumerate(batch)
            ]
        }
        before = _proc_mb("VmRSS")
        Path("/proc/self/clear_refs").write_text("5")  # reset the peak RSS (VmHWM) to now
        tracemalloc.start()
        response = handler(event)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        if response.get("batchItemFailures"):
            raise SystemExit(f"handler failed items: {response}")
        return {
            "python_peak_mb": peak / 2**20,
            "rss_before_mb": before,
            "rss_peak_mb": _proc_mb("VmHWM"),
        }

    invoke(keys[-1:])  # warm up: first-call imports and caches are not the invocation's
    one = invoke(keys[:1])
    ten = invoke(keys[1:11])
    print(json.dumps({"import_rss_mb": imports, "one": one, "ten": ten}))


# -- named queries ----------------------------------------------------------------------------


def named_queries() -> list[tuple[str, Path, list[Any]]]:
    """(name, path, params) of each named query: the library's catalog when it exists."""
    try:
        from f1lake.query.library import load_library

        return [(q.name, q.path, list(q.params)) for q in load_library().values()]
    except ImportError:
        from f1lake.query.params import parse_params

        return [
            (p.stem, p, list(parse_params(p.read_text()))) for p in sorted(SQL_ROOT.glob("*.sql"))
        ]


def query_latency(settings: Settings, season: int, repeat: int) -> dict[str, float]:
    """Median seconds per named query over ``repeat`` runs on one warm local session (the
    tables read from S3 once, as Athena reads a warm catalog), plus the load itself."""
    from f1lake.query.local import LocalEngine

    medians: dict[str, float] = {}
    with LocalEngine(settings) as session:
        started = time.monotonic()
        session.run("SELECT count(*) FROM results")
        medians["(first query: loads results from S3)"] = time.monotonic() - started
        for name, path, params in named_queries():
            values = {}
            for p in params:
                if p.name == "season":
                    values["season"] = season
                elif p.name in ("season_from", "from_season", "first_season"):
                    values[p.name] = season - 10
                elif p.name in ("season_to", "to_season", "last_season"):
                    values[p.name] = season
            times = []
            try:
                for _ in range(repeat):
                    t = time.monotonic()
                    session.run_file(path, values)
                    times.append(time.monotonic() - t)
            except Exception as exc:  # a query the library is still writing: say so, go on
                say(f"  {name}: not timed ({type(exc).__name__}: {str(exc)[:100]})")
                continue
            medians[name] = statistics.median(times)
    return medians


def table_rows(settings: Settings) -> dict[str, int]:
    from f1lake.query.local import LocalEngine
    from f1lake.schema import TABLES

    rows = {}
    with LocalEngine(settings) as session:
        for name in TABLES:
            rows[name] = int(session.run(f"SELECT count(*) AS n FROM {name}")["n"][0])
    return rows


# -- main -------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--from", dest="first", type=int, default=1950)
    parser.add_argument("--to", dest="last", type=int, default=2025)
    parser.add_argument("--csv-dir", type=Path, default=SHARED_CSV)
    parser.add_argument(
        "--workers", type=int, default=None, help="Lambda runner processes (default: one per core)"
    )
    parser.add_argument("--rate", type=int, default=4, help="API requests per second (burst)")
    parser.add_argument("--naive-from", type=int, default=2019)
    parser.add_argument("--naive-to", type=int, default=2021)
    parser.add_argument("--no-naive", action="store_true")
    parser.add_argument("--repeat", type=int, default=5, help="runs per named query")
    parser.add_argument(
        "--load-only",
        action="store_true",
        help="only the DAG and the processing drain: the after-ingestion goals",
    )
    args = parser.parse_args()
    args.workers = args.workers or Settings().runner_processes
    args.no_naive = args.no_naive or args.load_only
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # unwind: stop the local stack
    if not (args.csv_dir / "races.csv").is_file():
        raise SystemExit(f"{args.csv_dir} is not an Ergast CSV dump (no races.csv)")

    state = Path(tempfile.mkdtemp(prefix="f1lake-bench-"))
    try:
        run(args, state)
    finally:
        shutil.rmtree(state, ignore_errors=True)


def run(args: argparse.Namespace, state: Path) -> None:
    airflow_home = state / "airflow"
    fig: dict[str, Any] = {}
    say(f"state in {state}; seasons {args.first}-{args.last}; {args.workers} runner processes")

    minimum, races = minimum_requests(args.csv_dir, args.first, args.last)
    fig["minimum"], fig["races"] = minimum, races

    settings = base_settings(state / "full", args.rate)
    with stack_up(settings, args.csv_dir, airflow_home, runner_workers=args.workers) as stack:
        live = stack.settings
        say(f"full pass: backfilling {args.first}-{args.last} ...")
        result, wall = run_backfill(args.first, args.last)
        fig["wall"], fig["spans"] = wall, result.spans
        fig["summary"] = result.returns["summary"]
        fig["checks"] = (result.returns.get("checks") or {}).get("report", "not run")
        fig["runner"] = stack.runner.totals
        fig["dag_load"] = os.getloadavg()
        say(f"  done in {wall:.0f} s; counting rows ...")
        fig["rows"] = table_rows(live)
        objects = raw_objects(live)
        fig["objects"] = len(objects)
        if not args.load_only:
            say("  timing the named queries ...")
            fig["queries"] = query_latency(live, min(args.last, 2024), args.repeat)
            by_size = sorted(objects, key=lambda o: -o[1])
            largest = [*by_size[:11], by_size[-1]]  # the smallest last: the warm-up
            say("  measuring the handler's memory on the largest raw objects ...")
            fig["memory"] = memory_probe(scratch(live, "mem"), largest)
            fig["largest_kb"] = [size / 1024 for _, size in largest[:1]]
        say(f"  processing every raw object again ({len(objects)}), nothing else running ...")
        fig["drain"] = drain(scratch(live, "drain"), objects, args.workers, 10)
        fig["drain_races"] = races_in(objects)
        if not args.load_only:
            sample = objects[:: max(len(objects) // 300, 1)]
            say(f"  ... and a sample of {len(sample)} with batch size 1 ...")
            fig["drain1"] = (drain(scratch(live, "drain1"), sample, args.workers, 1), len(sample))
            fig["drain10"] = (
                drain(scratch(live, "drain10"), sample, args.workers, 10),
                len(sample),
            )

    if not args.no_naive:
        say(f"naive pass: {args.naive_from}-{args.naive_to}, per race, batch size 1 ...")
        naive_settings = base_settings(state / "naive", args.rate)
        with (
            stack_up(
                naive_settings,
                args.csv_dir,
                airflow_home,
                runner_workers=args.workers,
                runner_batch_size=1,
            ),
            mock.patch("f1lake.pipeline.plan_rules.fetch_per_race", lambda *_: True),
        ):
            naive, naive_wall = run_backfill(args.naive_from, args.naive_to)
        fig["naive"] = (naive.returns["summary"], naive_wall, naive.spans)
    report(args, fig)


def report(args: argparse.Namespace, fig: dict[str, Any]) -> None:
    summary, spans, minimum = fig["summary"], fig["spans"], fig["minimum"]
    used = summary["requests_by_endpoint"]
    races = fig["races"]
    objects = fig["objects"]
    say("\n== figures ==")
    say(f"seasons {args.first}-{args.last}: {races} races with results, {objects} raw objects")
    say(f"rows per table: {fig['rows']} (total {sum(fig['rows'].values())})")
    say("\nAPI requests (used vs minimum = sum over season-endpoints of ceil(rows/100)):")
    for ep in ["plan", *ENDPOINTS]:
        say(f"  {ep:<22} {used.get(ep, 0):>6} {minimum.get(ep, 0):>6}")
    total_min = sum(minimum.values())
    say(
        f"  {'total':<22} {summary['api_requests']:>6} {total_min:>6}  "
        f"(x{summary['api_requests'] / total_min:.2f} of the minimum)"
    )
    say(
        "  (plan: one current/last request and one schedule per season, which the races "
        "endpoint reuses; an empty season-endpoint, e.g. qualifying before 1994, costs one "
        "request where the minimum counts none)"
    )
    ingest = span_seconds(spans, "plan", "ingest_season")
    say(f"\nDAG wall time: {fig['wall']:.1f} s")
    say(
        f"  ingestion (plan + ingest tasks): {ingest:.1f} s "
        f"({summary['api_requests'] / ingest:.2f} requests/s; the limiter allows {args.rate}/s; "
        f"on Jolpica at 500 requests/h the same requests take "
        f"{summary['api_requests'] / 500:.1f} h)"
    )
    for task in ("await_processing", "crawl", "summary", "checks"):
        say(f"  {task}: {span_seconds(spans, task):.1f} s")
    say("  data-quality checks over the whole lake:")
    say("    " + fig["checks"].replace("\n", "\n    "))
    runner = fig["runner"]
    say(
        f"  Lambda runner during the run: {runner.received} messages in {runner.batches} "
        f"invocations, {runner.failed} failed"
    )
    drain_s, totals, load = fig["drain"]
    say(
        f"\nprocessing throughput ({args.workers} runner processes, batch size 10, every raw "
        f"object re-sent to a fresh queue, nothing else of the pipeline running): {objects} "
        f"objects in {drain_s:.1f} s = {objects / drain_s:.1f} raw objects/s, "
        f"{fig['drain_races'] / drain_s:.2f} races/s (machine load average {load:.1f} on "
        f"{os.cpu_count()} cores)"
    )
    say(
        f"  per raw object: {totals.handler_seconds / objects * 1000:.0f} ms in the handler, "
        f"{totals.cpu_seconds / objects * 1000:.0f} ms of the runner's CPU "
        f"({totals.batches} invocations); the rest of the cost is moto's"
    )
    say(f"crawl time: {span_seconds(spans, 'crawl'):.1f} s")
    report_goals(args, fig)
    if args.load_only:
        return
    say(f"\nnamed queries, median of {args.repeat} runs on a warm local session (DuckDB):")
    for name, seconds in fig["queries"].items():
        say(f"  {name:<40} {seconds * 1000:8.1f} ms")
    queries = [s for n, s in fig["queries"].items() if not n.startswith("(")]
    if queries:
        say(f"  median over the named queries: {statistics.median(queries) * 1000:.1f} ms")
    mem = fig["memory"]
    say(
        f"\nhandler memory (a fresh process, as a Lambda; largest raw object "
        f"{fig['largest_kb'][0]:.0f} KB): {mem['import_rss_mb']:.0f} MB RSS after imports"
    )
    for label, key in (("1 object (the largest)", "one"), ("batch of the next 10", "ten")):
        m = mem[key]
        say(
            f"  {label}: peak RSS {m['rss_peak_mb']:.0f} MB during the invocation "
            f"(+{m['rss_peak_mb'] - m['rss_before_mb']:.1f} MB over its start), Python heap "
            f"peak {m['python_peak_mb']:.1f} MB (tracemalloc)"
        )
    if "naive" in fig:
        report_naive(args, fig)


GOALS = (
    # (figure, goal, True: at least the goal, False: at most)
    ("processing (races/s, runner alone)", 15.0, True),
    ("crawl (s)", 10.0, False),
    ("checks (s)", 10.0, False),
    ("everything after ingestion (s)", 60.0, False),
)


def after_ingestion(spans: dict[str, tuple[datetime, datetime]]) -> float:
    """From the end of the last ingest task to the end of the checks: what the DAG spends
    after the API (awaiting the processor's tail, crawl, summary, checks)."""
    ingest = [spans[t][1] for t in spans if t in ("plan", "ingest_season")]
    if not ingest or "checks" not in spans:
        return float("nan")
    return (spans["checks"][1] - max(ingest)).total_seconds()


def report_goals(args: argparse.Namespace, fig: dict[str, Any]) -> None:
    """Each after-ingestion goal of issue 14, its figure and the ratio figure/goal (at most 1
    is met for times, at least 1 for throughput), with the machine's load beside it."""
    spans = fig["spans"]
    drain_s, _, drain_load = fig["drain"]
    dag_load = fig["dag_load"]
    figures = {
        "processing (races/s, runner alone)": (fig["drain_races"] / drain_s, drain_load),
        "crawl (s)": (span_seconds(spans, "crawl"), dag_load[0]),
        "checks (s)": (span_seconds(spans, "checks"), dag_load[0]),
        "everything after ingestion (s)": (after_ingestion(spans), dag_load[0]),
    }
    say(
        f"\nafter-ingestion goals ({args.first}-{args.last}, {args.workers} runner processes, "
        f"{os.cpu_count()} cores; load = 1-minute load average when measured):"
    )
    for name, goal, at_least in GOALS:
        value, load = figures[name]
        ratio = value / goal
        met = ratio >= 1 if at_least else ratio <= 1
        bound = ">=" if at_least else "<="
        say(
            f"  {name:<36} {value:8.1f}  goal {bound} {goal:g}  ratio {ratio:5.2f}  "
            f"{'met' if met else 'NOT met'}  (load {load:.1f})"
        )


def report_naive(args: argparse.Namespace, fig: dict[str, Any]) -> None:
    n_summary, n_wall, _ = fig["naive"]
    n_races = n_summary["rounds"]
    per_race_req = n_summary["api_requests"] / n_races
    per_race_wall = n_wall / n_races
    races = fig["races"]
    naive_req, naive_wall = per_race_req * races, per_race_wall * races
    opt_req, opt_wall = fig["summary"]["api_requests"], fig["wall"]
    (t1, _, _), n1 = fig["drain1"]
    (t10, _, _), _ = fig["drain10"]
    say(
        f"\nnaive way (one request per race and endpoint, batch size 1), measured on "
        f"{args.naive_from}-{args.naive_to} ({n_races} races): {n_summary['api_requests']} "
        f"requests, {n_wall:.1f} s; extrapolated per race to {races} races: "
        f"{naive_req:.0f} requests, {naive_wall:.0f} s"
    )
    say(
        f"  ratio naive/this pipeline: requests x{naive_req / opt_req:.1f}, "
        f"wall time x{naive_wall / opt_wall:.1f}"
    )
    say(
        f"  processing alone, same {n1} objects: batch size 1 {t1:.1f} s, batch size 10 "
        f"{t10:.1f} s (x{t1 / t10:.1f})"
    )


if __name__ == "__main__":
    if sys.argv[1:] == ["--memory-probe"]:
        _memory_probe_child()
    else:
        main()
