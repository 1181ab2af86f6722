"""The fault-tolerance suite's rig: the real parts of the local stack, one set per test.

moto on 127.0.0.1 (the session's server, unique names per test), a fresh PostgreSQL database
(the session's cluster), the replay API over the small test dump with fault injection, the
queue with its dead-letter queue, and the Lambda runner invoking the real handler. A backfill
runs the pipeline's own steps (the functions the DAG tasks call) in order. Every test compares
what it ends with against a fault-free run of the same season: the lake's tables through the
local query engine, and the ledger.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import psycopg2
import pytest

from f1lake import aws
from f1lake.endpoints import ENDPOINTS
from f1lake.keys import parse_raw_key
from f1lake.ledger import Ledger, migrate
from f1lake.local.lambda_runner import Handler, LambdaRunner
from f1lake.local.provision import dlq_url, provision
from f1lake.pipeline.contracts import IngestReport, Plan
from f1lake.pipeline.ingest import RunInfo, ingest_endpoint
from f1lake.pipeline.load import await_processing, crawl
from f1lake.pipeline.plan import plan_backfill
from f1lake.pipeline.report import Summary, summarize
from f1lake.processing import S3Objects, tables_for_endpoint
from f1lake.query.local import LocalEngine
from f1lake.replay.faults import FaultConfig
from f1lake.replay.server import Faults, replay_api
from f1lake.schema import TABLES
from f1lake.settings import Settings
from tests.conftest import _with_dbname, unique_names
from tests.support.minidump import MINIDUMP_COMPLETED_ROUNDS, write_minidump

SEASON = 2023
ROUNDS = list(range(1, MINIDUMP_COMPLETED_ROUNDS[SEASON] + 1))
LAST_ROUND = ROUNDS[-1]
REPLAY_TODAY = date(2023, 8, 29)
"""Two days after the season's last completed round (27 August): inside the latest DAG's
revision window, with the same completed rounds as the dump's own day."""
BACKFILL = "f1_historical_backfill"

FAST = {
    "http_timeout_seconds": 1.0,
    "http_max_attempts": 6,
    "http_backoff_seconds": 0.05,
    "http_backoff_max_seconds": 0.4,
    "rate_limit_per_second": 50,
    "processing_timeout_seconds": 45,
}
"""Short timeouts and backoff, so a retried fault costs a fraction of a second."""


@dataclass
class Rig:
    settings: Settings
    dsn: str
    faults: Faults
    csv_dir: Path
    runners: list[LambdaRunner] = field(default_factory=list)

    def runner(self, handler: Handler | None = None, **kwargs: Any) -> LambdaRunner:
        runner = LambdaRunner(self.settings, handler, wait_seconds=1, **kwargs)
        self.runners.append(runner)
        return runner

    def plan(self, season: int = SEASON, **kwargs: Any) -> list[Plan]:
        return plan_backfill(self.settings, self.dsn, season, **kwargs)

    def ingest(
        self, plans: list[Plan], run: str = "run-1", dag: str = BACKFILL
    ) -> list[IngestReport]:
        info = RunInfo(dag, run)
        return [
            ingest_endpoint(self.settings, self.dsn, ep, plan, info)
            for plan in plans
            for ep in ENDPOINTS
        ]

    def finish(
        self, reports: list[IngestReport], runner: LambdaRunner | None = None
    ) -> dict[str, Any]:
        """Process what the reports wrote (until the queue is idle), record it, crawl."""
        runner = runner or self.runner()
        runner.stop()
        runner.run_until_idle(timeout=90)
        done = await_processing(self.settings, self.dsn, reports, poll_seconds=0.1)
        crawl(self.settings)
        return done

    def backfill(self, season: int = SEASON, run: str = "run-1", **plan: Any) -> Summary:
        """The backfill DAG's steps in order - plan, ingest every endpoint, await processing,
        crawl - with the Lambda runner polling meanwhile, as on the stack."""
        runner = self.runner()
        runner.start()
        plans = self.plan(season, **plan)
        reports = self.ingest(plans, run)
        self.finish(reports, runner)
        return summarize(plans, reports)

    def raw_keys(self) -> set[str]:
        return set(bucket_keys(self.settings, self.settings.raw_bucket))


def bucket_keys(settings: Settings, bucket: str) -> dict[str, str]:
    """Every object of a bucket with its ETag."""
    s3 = aws.client("s3", settings)
    found: dict[str, str] = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for obj in page.get("Contents", []):
            found[obj["Key"]] = obj["ETag"]
    return found


@contextmanager
def database(pg_cluster: str, name: str) -> Iterator[str]:
    """A fresh database on the session's PostgreSQL, dropped afterwards."""
    admin = psycopg2.connect(pg_cluster)
    admin.autocommit = True
    try:
        with admin.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            cur.execute(f'CREATE DATABASE "{name}"')
        yield _with_dbname(pg_cluster, name)
    finally:
        with admin.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@contextmanager
def make_rig(
    moto_endpoint: str,
    dsn: str,
    csv_dir: Path,
    state_dir: Path,
    faults: FaultConfig | None = None,
    variants: tuple[str, ...] = (),
    **overrides: Any,
) -> Iterator[Rig]:
    with ExitStack() as stack:
        injected = Faults(faults)
        api = stack.enter_context(
            replay_api(csv_dir, today=REPLAY_TODAY, faults=injected, variants=variants)
        )
        settings = Settings(
            aws_endpoint_url=moto_endpoint,
            api_base_url=api,
            ledger_dsn=dsn,
            state_dir=state_dir,
            **{**FAST, **overrides},
            **unique_names(),
        )
        migrate(dsn)
        provision(settings, visibility_timeout=1, max_receive_count=3)
        rig = Rig(settings, dsn, injected, csv_dir)
        try:
            yield rig
        finally:
            for runner in rig.runners:
                runner.stop()


@pytest.fixture(scope="session")
def minidump(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_minidump(tmp_path_factory.mktemp("minidump"))


@pytest.fixture
def rig(
    moto_endpoint: str, pg_dsn: str, minidump: Path, tmp_path: Path, monkeypatch
) -> Iterator[Rig]:
    for name in [k for k in os.environ if k.startswith("F1LAKE_")]:
        monkeypatch.delenv(name)
    with make_rig(moto_endpoint, pg_dsn, minidump, tmp_path / "state") as made:
        yield made


# -- what a run ends with ------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """What a run left behind, in the terms a user checks: table rows and ledger facts."""

    tables: dict[str, list[tuple]]
    ledger: set[tuple]
    """(endpoint, round, payload_sha256, state) of every current ingestion."""
    absences: set[tuple]
    schedule: list[tuple]


def _plain(value: Any) -> Any:
    if value is None:
        return None
    if hasattr(value, "tolist"):
        value = value.tolist()
    if isinstance(value, list):
        return tuple(_plain(v) for v in value)
    try:
        if value != value:  # NaN
            return None
    except (TypeError, ValueError):
        pass
    if str(value) == "<NA>":
        return None
    return value


def lake_tables(settings: Settings) -> dict[str, list[tuple]]:
    """Every processed table's rows (sorted), read through the local Athena engine; fails on
    a duplicate of a table's key."""
    out: dict[str, list[tuple]] = {}
    with LocalEngine(settings) as session:
        for name, table in TABLES.items():
            frame = session.run(f"SELECT * FROM {name}")
            rows = [tuple(_plain(v) for v in row) for row in frame.itertuples(index=False)]
            out[name] = sorted(rows, key=repr)
            at = [list(frame.columns).index(k) for k in table.key]
            keys = Counter(tuple(row[i] for i in at) for row in rows)
            dupes = [k for k, n in keys.items() if n > 1]
            assert not dupes, f"{name}: duplicate rows for keys {table.key} = {dupes[:3]}"
    return out


def outcome(rig: Rig, season: int = SEASON) -> Outcome:
    with Ledger(rig.dsn) as ledger:
        current = {
            (i.endpoint, i.round, i.payload_sha256, i.state.value)
            for i in ledger.ingestions(season)
        }
        absences = {(a.endpoint, a.round) for a in ledger.absences(season)}
        schedule = [(r.round, r.name, r.date) for r in ledger.races(season)]
    return Outcome(lake_tables(rig.settings), current, absences, schedule)


def assert_same_lake(got: Outcome, want: Outcome) -> None:
    """Same rows in every table as the fault-free run: nothing missing, nothing extra."""
    for name in TABLES:
        have, expected = Counter(got.tables[name]), Counter(want.tables[name])
        missing, extra = expected - have, have - expected
        assert not missing and not extra, (
            f"table {name}: {sum(missing.values())} rows missing, {sum(extra.values())} extra; "
            f"e.g. missing {list(missing)[:2]}, extra {list(extra)[:2]}"
        )


def assert_ledger_truthful(rig: Rig, season: int = SEASON, orphans_allowed: int = 0) -> None:
    """The ledger says what the buckets hold: each current ingestion processed, its raw object
    present with that payload hash and feeding the lake's table; no row or history entry naming
    an object that does not exist; every raw object of the season logged once."""
    store = S3Objects(rig.settings)
    s3 = store.s3
    raw = {k for k in rig.raw_keys() if parse_raw_key(k).season == season}
    with Ledger(rig.dsn) as ledger:
        current = ledger.ingestions(season)
        history = ledger.history(season)
    assert current, "the ledger holds no ingestion"
    for i in current:
        what = f"{i.endpoint} {season}/{i.round}"
        assert i.state.value == "processed", f"{what} is {i.state.value}: {i.error}"
        assert i.raw_key in raw, f"{what}: ledger names {i.raw_key}, which is not in the bucket"
        body = json.loads(
            s3.get_object(Bucket=rig.settings.raw_bucket, Key=i.raw_key)["Body"].read()
        )
        assert body["f1lake"]["payload_sha256"] == i.payload_sha256, what
        for table in tables_for_endpoint(i.endpoint):
            source = store.processed_source(table, season, i.round)
            assert source == (i.raw_key, i.payload_sha256), f"{table} {what} comes from {source}"
    ingested = Counter(e.raw_key for e in history if e.event.value == "ingested")
    assert all(n == 1 for n in ingested.values()), "a raw object logged as ingested twice"
    lost = {e.raw_key for e in history if e.event.value == "lost"}  # absence explained
    phantoms = set(ingested) - raw - lost
    assert not phantoms, f"history names raw objects that do not exist: {sorted(phantoms)[:3]}"
    orphans = raw - set(ingested)
    assert len(orphans) <= orphans_allowed, (
        f"raw objects the ledger never logged: {sorted(orphans)}"
    )


def assert_nothing_left_over(rig: Rig) -> None:
    """No message waiting or dead, nothing quarantined."""
    sqs = aws.client("sqs", rig.settings)
    attrs = sqs.get_queue_attributes(
        QueueUrl=dlq_url(rig.settings, sqs), AttributeNames=["ApproximateNumberOfMessages"]
    )["Attributes"]
    assert attrs["ApproximateNumberOfMessages"] == "0", "messages in the dead-letter queue"
    assert bucket_keys(rig.settings, rig.settings.quarantine_bucket) == {}


def assert_converged(rig: Rig, want: Outcome, season: int = SEASON, **truth: Any) -> Outcome:
    """The whole promise: the lake and the ledger as after a fault-free run, and the ledger
    truthful about the buckets."""
    got = outcome(rig, season)
    assert_same_lake(got, want)
    assert got.ledger == want.ledger
    assert got.absences == want.absences
    assert got.schedule == want.schedule
    assert_ledger_truthful(rig, season, **truth)
    assert_nothing_left_over(rig)
    return got


# -- the fault-free references -------------------------------------------------------------------


@dataclass(frozen=True)
class Reference:
    outcome: Outcome
    summary: dict[str, Any]
    raw_objects: int
    processed: set[str]
    """Keys of the processed bucket."""


def _reference(
    moto_endpoint: str, pg_cluster: str, csv_dir: Path, state: Path, name: str, faults: FaultConfig
) -> Reference:
    with (
        database(pg_cluster, name) as dsn,
        make_rig(moto_endpoint, dsn, csv_dir, state, faults) as made,
    ):
        summary = made.backfill()
        got = outcome(made)
        assert_ledger_truthful(made)
        processed = set(bucket_keys(made.settings, made.settings.processed_bucket))
        return Reference(got, summary, len(made.raw_keys()), processed)


@pytest.fixture(scope="session")
def baseline(moto_endpoint: str, pg_cluster: str, minidump: Path, tmp_path_factory) -> Reference:
    """A fault-free backfill of the season: what every test must end with."""
    return _reference(
        moto_endpoint, pg_cluster, minidump, tmp_path_factory.mktemp("baseline"),
        "faults_baseline", FaultConfig(),
    )  # fmt: skip


@pytest.fixture(scope="session")
def revised_baseline(
    moto_endpoint: str, pg_cluster: str, minidump: Path, tmp_path_factory
) -> Reference:
    """A fault-free backfill against the API after the last race's result was revised."""
    from f1lake.replay.faults import Revision

    return _reference(
        moto_endpoint, pg_cluster, minidump, tmp_path_factory.mktemp("revised"),
        "faults_revised", FaultConfig(revisions=(Revision(SEASON, LAST_ROUND),)),
    )  # fmt: skip
