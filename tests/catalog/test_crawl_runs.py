"""The local crawler's run history: each crawl's outcome kept, bounded, never in the way."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from f1lake.catalog import crawl
from f1lake.catalog.crawl_runs import CrawlRun, CrawlRuns, read_runs, record_run, runs_path
from f1lake.settings import Settings
from tests.catalog.lakedata import DRIVERS_SCHEMA, make_bucket, parquet_bytes, put

T = datetime(2024, 3, 10, 12, tzinfo=UTC)


def test_a_crawl_records_what_it_did_and_a_failed_write_does_not_fail_it(
    settings: Settings, tmp_path: Path
) -> None:
    make_bucket(settings)
    put(settings, "drivers/drivers.parquet", parquet_bytes([{"driver_id": "a"}], DRIVERS_SCHEMA))

    crawl(settings)

    history = read_runs(settings.state_dir)
    (run,) = history.runs
    assert (history.succeeded, history.failed, history.last_failure) == (1, 0, None)
    assert (run.succeeded, run.tables_created, run.tables_updated, run.objects_read) == (
        True,
        1,
        0,
        1,
    )
    assert run.started <= run.finished

    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    report = crawl(settings.model_copy(update={"state_dir": blocked / "state"}))
    assert report.errors == [] and not (blocked / "state").exists()


def test_the_history_keeps_counts_and_the_last_runs_only() -> None:
    runs = [CrawlRun(T, T, False, "Boom: first")] + [
        CrawlRun(T, T + timedelta(minutes=m), True) for m in (10, 20, 50, 70)
    ]
    history = CrawlRuns()
    for run in runs:
        history = history.add(run, keep=3)

    assert (history.succeeded, history.failed) == (4, 1)
    assert history.runs == tuple(runs[-3:])
    assert history.last_failure == runs[0]  # its reason outlives the runs kept
    assert history.within(T + timedelta(minutes=20), T + timedelta(minutes=60)) == (2, 0)
    assert CrawlRuns.from_json(history.to_json()) == history


def test_an_unreadable_history_starts_afresh(tmp_path: Path) -> None:
    runs_path(tmp_path).write_text("{not json", encoding="utf-8")
    assert read_runs(tmp_path) == CrawlRuns()

    record_run(tmp_path, CrawlRun(T, T, False, "Boom: again"))

    assert read_runs(tmp_path).failed == 1
    assert [p.name for p in tmp_path.iterdir()] == [runs_path(tmp_path).name]  # no temp left
