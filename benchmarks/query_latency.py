"""Benchmark: latency of every named query of sql/athena on the local engine, full history.

Loads the whole 1950-2025 Ergast CSV dump into the local engine's DuckDB (the processed tables'
columns, as tests/checks/history.py builds them, without going through S3), then runs each
named query several times with a representative season and prints the median, fastest and
slowest run. The first run of each query (which also creates the views it reads) is timed
apart as "first".

    uv run python benchmarks/query_latency.py [--csv-dir DIR] [--season 2021] [--runs 7]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the loader lives beside the tests that use it

from f1lake.query.library import load_library  # noqa: E402
from f1lake.query.local import LocalEngine  # noqa: E402
from f1lake.source import SHARED_CSV  # noqa: E402
from tests.checks.history import load_history  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--csv-dir", type=Path, default=SHARED_CSV, help="Ergast CSV dump.")
    parser.add_argument("--season", type=int, default=2021, help="Season for :season queries.")
    parser.add_argument("--runs", type=int, default=7, help="Timed runs per query.")
    args = parser.parse_args()
    if not (args.csv_dir / "results.csv").is_file():
        sys.exit(f"no Ergast CSV dump at {args.csv_dir} (give --csv-dir)")

    started = time.perf_counter()
    con = load_history(args.csv_dir)
    seasons, results = con.execute(
        "SELECT count(DISTINCT season), count(*) FROM results"
    ).fetchone()
    print(
        f"loaded {results} results of {seasons} seasons from {args.csv_dir} "
        f"in {time.perf_counter() - started:.2f} s"
    )
    print(f"season parameter: {args.season}; {args.runs} timed runs per query (after a first)\n")
    header = (
        f"{'query':<36} {'rows':>6} {'first ms':>9} {'median ms':>10} {'min ms':>8} {'max ms':>8}"
    )
    print(header)
    print("-" * len(header))
    medians = []
    with LocalEngine(con=con) as local:
        for query in load_library().values():
            params = {p.name: args.season for p in query.params}
            text = query.text
            t0 = time.perf_counter()
            rows = len(local.run(text, params))
            first = time.perf_counter() - t0
            times = []
            for _ in range(args.runs):
                t0 = time.perf_counter()
                local.run(text, params)
                times.append(time.perf_counter() - t0)
            median = statistics.median(times)
            medians.append(median)
            print(
                f"{query.name:<36} {rows:>6} {first * 1e3:>9.1f} {median * 1e3:>10.1f} "
                f"{min(times) * 1e3:>8.1f} {max(times) * 1e3:>8.1f}"
            )
    print(
        f"\n{len(medians)} queries; median of medians {statistics.median(medians) * 1e3:.1f} ms, "
        f"slowest median {max(medians) * 1e3:.1f} ms"
    )


if __name__ == "__main__":
    main()
