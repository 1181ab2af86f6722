"""Benchmark: backfill a range of seasons (default the full 1950-2025 history) on the local stack.

Prints the figures a closing note needs: wall time, API requests (per endpoint), raw objects,
processed rows per table, and the data-quality check lines over the whole lake.

    uv run python benchmarks/full_history.py [--from 1950] [--to 2025] [--csv-dir DIR]
"""

from __future__ import annotations

import argparse
import signal
import sys
import tempfile
import time
from pathlib import Path

from f1lake.mainjob import run_main_job
from f1lake.settings import Settings
from f1lake.source import SHARED_CSV


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--from", dest="first", type=int, default=1950)
    parser.add_argument("--to", dest="last", type=int, default=2025)
    parser.add_argument("--csv-dir", type=Path, default=SHARED_CSV)
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # unwind: stop the local stack

    state = Path(tempfile.mkdtemp(prefix="f1lake-bench-"))
    settings = Settings(state_dir=state)
    started = time.monotonic()
    outcome = run_main_job(
        settings,
        args.first,
        season_to=args.last if args.last != args.first else None,
        csv_dir=args.csv_dir,
        say=lambda line: print(line, flush=True),
    )
    summary = outcome["summary"]
    print("\n== figures ==")
    print(f"seasons: {args.first}-{args.last}")
    print(f"wall time: {time.monotonic() - started:.1f} s")
    print(f"API requests: {summary.get('api_requests')}")
    print(f"raw objects written: {summary.get('written')}")
    checks = outcome.get("checks") or {}
    print(f"checks: {checks.get('report', 'not run')}")


if __name__ == "__main__":
    main()
