"""The local crawler's run history: what Glue's crawler history and its state-change events
tell the AWS dashboard (runs, succeeded and failed), kept in ``<state_dir>/crawl-runs.json``.

Bounded: all-time counts, the last :data:`RUNS_KEPT` runs and the last failure (whose reason
outlives the runs after it). The history is pure (:class:`CrawlRuns`); reading and writing it
are the thin adapter below, and a failed write never fails the crawl it records.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from f1lake.atomic import write_text

log = logging.getLogger(__name__)

RUNS_FILE = "crawl-runs.json"
RUNS_KEPT = 200
"""Runs kept for the windowed counts: a day of hourly loads many times over."""
REASON_CHARS = 300


@dataclass(frozen=True)
class CrawlRun:
    """One crawl's outcome."""

    started: datetime
    finished: datetime
    succeeded: bool
    reason: str = ""
    """Why it failed, one line (empty when it succeeded)."""
    tables_created: int = 0
    tables_updated: int = 0
    objects_read: int = 0
    """Parquet objects read for their footers (the others were known at their ETag)."""

    def to_json(self) -> dict[str, Any]:
        return {
            **asdict(self),
            "started": self.started.isoformat(),
            "finished": self.finished.isoformat(),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CrawlRun:
        return cls(
            **{
                **data,
                "started": datetime.fromisoformat(data["started"]),
                "finished": datetime.fromisoformat(data["finished"]),
            }
        )


def one_line(exc: BaseException) -> str:
    """Pure: an exception as a one-line reason, as short as a status line wants it."""
    text = " ".join(str(exc).split())
    line = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    return line if len(line) <= REASON_CHARS else line[: REASON_CHARS - 3] + "..."


@dataclass(frozen=True)
class CrawlRuns:
    """Every crawl counted, the last ones kept (oldest first)."""

    succeeded: int = 0
    failed: int = 0
    runs: tuple[CrawlRun, ...] = field(default_factory=tuple)
    last_failure: CrawlRun | None = None

    def add(self, run: CrawlRun, keep: int = RUNS_KEPT) -> CrawlRuns:
        """Pure: the history with ``run`` counted and kept (the oldest dropped past ``keep``)."""
        return replace(
            self,
            succeeded=self.succeeded + int(run.succeeded),
            failed=self.failed + int(not run.succeeded),
            runs=(*self.runs, run)[-keep:],
            last_failure=self.last_failure if run.succeeded else run,
        )

    def within(self, start: datetime, end: datetime) -> tuple[int, int]:
        """(succeeded, failed) of the kept runs that finished from ``start`` to ``end``."""
        recent = [r for r in self.runs if start <= r.finished <= end]
        ok = sum(r.succeeded for r in recent)
        return ok, len(recent) - ok

    def to_json(self) -> dict[str, Any]:
        return {
            "succeeded": self.succeeded,
            "failed": self.failed,
            "runs": [r.to_json() for r in self.runs],
            "last_failure": self.last_failure.to_json() if self.last_failure else None,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CrawlRuns:
        failure = data.get("last_failure")
        return cls(
            succeeded=int(data["succeeded"]),
            failed=int(data["failed"]),
            runs=tuple(CrawlRun.from_json(r) for r in data["runs"]),
            last_failure=CrawlRun.from_json(failure) if failure else None,
        )


def runs_path(state_dir: Path) -> Path:
    return state_dir / RUNS_FILE


def read_runs(state_dir: Path) -> CrawlRuns:
    """The history kept in ``state_dir`` (empty when none is, or it cannot be read)."""
    path = runs_path(state_dir)
    try:
        return CrawlRuns.from_json(json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        return CrawlRuns()
    except (OSError, ValueError, KeyError, TypeError) as exc:
        log.warning("ignoring the crawler's run history %s: %s", path, exc)
        return CrawlRuns()


def record_run(state_dir: Path, run: CrawlRun) -> None:
    """Add ``run`` to the history in ``state_dir`` (atomic replace). Never raises: a status
    figure is not worth failing a crawl for. Concurrent crawls of one state folder (the CLI
    while a DAG crawls) may lose one record, not corrupt the file."""
    path = runs_path(state_dir)
    try:
        write_text(path, json.dumps(read_runs(state_dir).add(run).to_json()))
    except Exception as exc:
        log.warning("cannot record the crawl in %s: %s", path, exc)
