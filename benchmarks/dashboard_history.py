"""Benchmark: the dashboard of the full 1950-2025 history as one offline HTML file.

Loads the Ergast CSV dump into the local engine's DuckDB (as tests/checks/history.py builds the
processed tables), runs every query of dashboards/season.json (per season, or once for the
all-season ones), writes the page, then opens it in headless Chromium (offline) and prints:
the time to collect and to render, the page's size (and gzipped), the time to the first drawn
view, to switch season, to open the History sheet, and to reload.

    uv run python benchmarks/dashboard_history.py [--csv-dir DIR] [--from 1950] [--to 2025]
        [--out PAGE.html]
"""

from __future__ import annotations

import argparse
import gzip
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the loaders live beside the tests that use them

from f1lake.dashboard.data import collect  # noqa: E402
from f1lake.dashboard.render import write_html  # noqa: E402
from f1lake.dashboard.spec import load_spec  # noqa: E402
from f1lake.query.local import LocalEngine  # noqa: E402
from f1lake.source import SHARED_CSV  # noqa: E402
from tests.checks.history import load_history  # noqa: E402
from tests.dashboard.browser import chromium  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--csv-dir", type=Path, default=SHARED_CSV, help="Ergast CSV dump.")
    parser.add_argument("--from", dest="first", type=int, default=1950)
    parser.add_argument("--to", dest="last", type=int, default=2025)
    parser.add_argument("--out", type=Path, help="where to keep the page (default: a tmp dir)")
    args = parser.parse_args()
    if not (args.csv_dir / "results.csv").is_file():
        sys.exit(f"no Ergast CSV dump at {args.csv_dir} (give --csv-dir)")
    seasons = range(args.first, args.last + 1)
    out = args.out or Path(tempfile.mkdtemp(prefix="f1lake-dashboard-")) / "history.html"

    started = time.perf_counter()
    with LocalEngine(con=load_history(args.csv_dir)) as engine:
        loaded = time.perf_counter()
        data = collect(engine, load_spec(), seasons, missing_ok=True)
    collected = time.perf_counter()
    write_html(data, out)
    rendered = time.perf_counter()
    size = out.stat().st_size
    packed = len(gzip.compress(out.read_bytes()))
    print(f"seasons {data.seasons[0]}-{data.seasons[-1]} ({len(data.seasons)})")
    print(f"load dump {loaded - started:.1f} s, collect {collected - loaded:.1f} s, "
          f"render {rendered - collected:.1f} s")  # fmt: skip
    print(f"page {size / 1e6:.1f} MB ({packed / 1e6:.2f} MB gzipped): {out}")

    with chromium() as browser:
        t = time.perf_counter()
        tab = browser.open(out)
        first = time.perf_counter() - t
        t = time.perf_counter()
        old = str(data.seasons[0])
        tab.select_option("#season", old)
        tab.wait_for_selector(f'body[data-season="{old}"]')
        switch = time.perf_counter() - t
        t = time.perf_counter()
        tab.click("#tab-history")
        tab.wait_for_selector('body[data-state^="#sheet=history"]')
        history = time.perf_counter() - t
        t = time.perf_counter()
        tab.reload()
        tab.wait_for_selector('body[data-state^="#sheet=history"]')
        reload = time.perf_counter() - t
        print(f"first view {first:.2f} s, season switch {switch:.2f} s, "
              f"History sheet {history:.2f} s, reload {reload:.2f} s")  # fmt: skip
        for problem in [*browser.requests, *browser.errors]:
            print(f"warning: {problem}")


if __name__ == "__main__":
    main()
