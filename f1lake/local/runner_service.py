"""The Lambda runner of the local stack, in child processes: Lambda's scale-out, played locally.

Each worker is a :class:`~f1lake.local.lambda_runner.LambdaRunner` in its own interpreter,
polling the same queue (SQS hands each message to one of them, as it does to concurrent Lambda
invocations). A worker reports every batch on its stdout; the parent adds them up in
``totals``, so callers see the same figures as with an in-process runner, and keeps them in
``<state_dir>/processor.json`` for ``f1lake status`` (what Lambda's invocation, error and
duration metrics say on AWS).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import threading
from dataclasses import asdict
from pathlib import Path

from f1lake.atomic import write_text
from f1lake.local.child import Child, announce, wait_until_told
from f1lake.local.lambda_runner import BatchOutcome, settings_env
from f1lake.settings import Settings

BATCH = "BATCH "
STOP_GRACE_SECONDS = 5.0
STATS_FILE = "processor.json"


def stats_path(settings: Settings) -> Path:
    return settings.state_dir / STATS_FILE


def read_stats(settings: Settings) -> BatchOutcome | None:
    """The runner's totals since the stack started, or None when it has written none."""
    try:
        data = json.loads(stats_path(settings).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return BatchOutcome(**data)


class RunnerService:
    """``workers`` runner processes for the lifetime of the service (``start``/``stop``)."""

    def __init__(
        self,
        settings: Settings,
        *,
        workers: int = 1,
        wait_seconds: int = 1,
        batch_size: int = 10,
    ) -> None:
        if workers < 1:
            raise ValueError(f"workers must be at least 1, got {workers}")
        self.settings = settings
        self.workers = workers
        self.wait_seconds = wait_seconds
        self.batch_size = batch_size
        self.totals = BatchOutcome()
        self._lock = threading.Lock()
        self._children: list[Child] = []

    def _env(self) -> dict[str, str]:
        # The runner's settings, and only them: no F1LAKE_* of the parent leaks in.
        env = {k: v for k, v in os.environ.items() if not k.startswith("F1LAKE_")}
        return {**env, **settings_env(self.settings)}

    def _on_line(self, line: str) -> None:
        if not line.startswith(BATCH):
            return
        received, succeeded, failed, seconds, cpu = line[len(BATCH) :].split()
        outcome = BatchOutcome(
            int(received), int(succeeded), int(failed), 1, False, float(seconds), float(cpu)
        )
        with self._lock:
            self.totals.add(outcome)
            self._write_stats()

    def _write_stats(self) -> None:
        with contextlib.suppress(OSError):  # a status figure: never worth failing the runner
            write_text(stats_path(self.settings), json.dumps(asdict(self.totals)), mode=0o644)

    def start(self) -> None:
        """Start every worker (side by side) and return once all poll the queue."""
        if self._children:
            return
        stats_path(self.settings).unlink(missing_ok=True)  # figures of this stack's run
        args = ["--wait-seconds", str(self.wait_seconds), "--batch-size", str(self.batch_size)]
        children = [
            Child(
                "f1lake.local.runner_service",
                args,
                env=self._env(),
                inherit_env=False,
                on_line=self._on_line,
                name=f"Lambda runner {n + 1}",
            )
            for n in range(self.workers)
        ]
        try:
            for child in children:
                child.ready()
        except BaseException:
            for child in children:
                child.stop()
            raise
        self._children = children

    def stop(self) -> None:
        """Stop every worker; one that has not exited within ``STOP_GRACE_SECONDS`` is killed.

        A worker holds nothing that a kill loses (as on Lambda, a batch it had not finished
        comes back to the queue and is processed again, idempotently), and a worker has been
        seen to ignore SIGTERM while polling a moto server already stopped: a short grace keeps
        a stack's stop within seconds."""
        children, self._children = self._children, []
        for child in children:
            child.terminate()
        for child in children:
            child.stop(grace=STOP_GRACE_SECONDS)

    def process_ids(self) -> list[int]:
        """The workers' PIDs (each leads a process group of its own)."""
        return [child.proc.pid for child in self._children]

    @property
    def running(self) -> bool:
        return bool(self._children)

    def __enter__(self) -> RunnerService:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def mirror_what_is_written(settings: Settings) -> None:
    """Hand every Parquet file the handler writes to the local engine's lake mirror (keyed by
    the ETag S3 gave it, so it is exactly the object's bytes): the crawl and the checks after
    a load then read the lake from the local disk, not object by object from moto."""
    from f1lake.processing.s3_objects import shared_store
    from f1lake.query.local import mirror_root
    from f1lake.query.s3load import LakeMirror

    store = shared_store(settings)
    store.on_written = LakeMirror(store.s3, mirror_root(settings)).keep


def main() -> None:
    """One worker: poll and invoke until the parent says stop; one line per batch."""
    import logging

    from f1lake.local.lambda_runner import LambdaRunner

    parser = argparse.ArgumentParser()
    parser.add_argument("--wait-seconds", type=int, default=1)
    parser.add_argument("--batch-size", type=int, default=10)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    def report(outcome: BatchOutcome) -> None:
        counts = f"{outcome.received} {outcome.succeeded} {outcome.failed}"
        times = f"{outcome.handler_seconds:.4f} {outcome.cpu_seconds:.4f}"
        print(f"{BATCH}{counts} {times}", flush=True)

    settings = Settings()
    runner = LambdaRunner(
        settings, wait_seconds=args.wait_seconds, batch_size=args.batch_size, on_batch=report
    )
    mirror_what_is_written(settings)
    runner.start()
    announce(runner.queue_url)
    try:
        wait_until_told()
    finally:
        runner.stop()


if __name__ == "__main__":
    main()
