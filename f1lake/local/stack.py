"""The local stack: every service the pipeline needs, on one machine, durable in one state dir.

moto (S3, SQS, Glue) on 127.0.0.1 with its buckets and catalog written through to
``<state_dir>/lake.sqlite``; an embedded PostgreSQL in ``<state_dir>/postgres`` holding the
ledger (database ``f1lake``) and Airflow's metadata (database ``airflow``), unless a ledger DSN
is given; the offline replay API when a CSV dump is given; the Lambda runner polling the
raw-events queue; and, for ``f1lake up``, Airflow's four components and the warm query
service. moto, the replay API, the runner and the query service are child processes, so they
run beside Airflow's tasks instead of sharing a GIL.

One process owns a state dir's stack at a time (:mod:`f1lake.local.stack_state`). At start
it cleans up after an owner that died, and reconciles the ledger with the lake; a guardian
child stops the services if the owner dies without stopping them.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from f1lake.ledger import migrate
from f1lake.local.airflow_services import (
    AirflowServices,
    admin_password,
    airflow_environment,
    await_dags,
    start_services,
)
from f1lake.local.child import Child
from f1lake.local.guardian import Guardian
from f1lake.local.moto_server import start_moto, use_local_aws_credentials
from f1lake.local.postgres import AIRFLOW_DATABASE, LEDGER_DATABASE, Cluster, start_cluster
from f1lake.local.provision import provision
from f1lake.local.query_service import start_query_service
from f1lake.local.replay_service import start_replay
from f1lake.local.runner_service import RunnerService
from f1lake.local.stack_state import (
    AIRFLOW_DIR,
    LAKE_FILE,
    POSTGRES_DIR,
    OwnerLock,
    StackInfo,
    reap_leftovers,
    remove_info,
    stop_postgres,
    write_info,
)
from f1lake.pipeline.reconcile import ReconcileReport, reconcile
from f1lake.settings import Settings

log = logging.getLogger(__name__)


@dataclass
class LocalStack:
    settings: Settings
    ledger_dsn: str
    runner: RunnerService
    airflow_env: dict[str, str] = field(default_factory=dict)
    reconciled: ReconcileReport | None = None
    airflow: AirflowServices | None = None
    airflow_user: str | None = None
    airflow_password: str | None = None
    notes: list[str] = field(default_factory=list)
    """What the start did that a user should hear about (leftovers stopped, ports moved)."""


def free_port_or_any(port: int, explicit: bool, what: str, notes: list[str]) -> int:
    """``port`` if it can be bound on 127.0.0.1; else 0 (any) unless the user chose it."""
    if port == 0:
        return 0
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            if explicit:
                raise OSError(f"port {port} for {what} is in use") from None
            notes.append(f"port {port} is in use: {what} takes a free port instead")
            return 0
    return port


@contextmanager
def local_stack(
    settings: Settings,
    *,
    csv_dir: Path | None = None,
    today: date | None = None,
    airflow_home: Path | None = None,
    runner_poll_seconds: int = 1,
    runner_workers: int | None = None,
    runner_batch_size: int = 10,
    services: bool = False,
    query_service: bool = False,
    say: Callable[[str], None] | None = None,
) -> Iterator[LocalStack]:
    """Bring the stack up for the duration of the block, and everything down after it.

    ``runner_workers`` Lambda runner processes (default: ``settings.runner_processes``, one
    per core) poll the queue (Lambda's concurrency), each
    invoking the handler with up to ``runner_batch_size`` messages (the mapping's batch size).
    ``services`` also starts Airflow's components (``f1lake up``); without it, DAGs run in
    this process through ``dag.test()``. ``airflow_home`` given: the caller's Airflow home,
    whose metadata database stays the caller's (the tests); else the stack's own, in its
    PostgreSQL. ``query_service`` also keeps the warm query service (``f1lake up``: ``f1lake
    sql`` and the dashboard answer from it). StackBusyError when another live process owns the
    state dir.
    """
    tell = say or (lambda _line: None)
    use_local_aws_credentials()
    state = settings.state_dir.resolve()
    lock = OwnerLock(state)
    lock.acquire()
    notes: list[str] = []
    try:
        with ExitStack() as stack:
            stack.callback(remove_info, state)
            notes.extend(reap_leftovers(state))
            guardian = Guardian()
            stack.callback(guardian.dismiss)
            fields = settings.model_fields_set
            moto_port = free_port_or_any(
                settings.moto_port, "moto_port" in fields, "moto (S3, SQS, Glue)", notes
            )
            # moto and the replay API start side by side (each loads for a few seconds).
            moto = start_moto(moto_port, state / LAKE_FILE)
            _guard(stack, guardian, moto)
            replay = None
            if csv_dir is not None:
                replay_port = free_port_or_any(
                    settings.replay_port, "replay_port" in fields, "the replay API", notes
                )
                replay = start_replay(csv_dir, today=today, port=replay_port)
                _guard(stack, guardian, replay)
            cluster: Cluster | None = None
            if settings.ledger_dsn:
                dsn = settings.ledger_dsn
            else:
                pg_dir = state / POSTGRES_DIR
                cluster = start_cluster(pg_dir, (LEDGER_DATABASE, AIRFLOW_DATABASE))
                guardian.watch_postgres(cluster.data_dir, cluster.pid)
                stack.callback(stop_postgres, cluster.data_dir)
                dsn = cluster.dsn(LEDGER_DATABASE)
            overrides: dict[str, object] = {
                "aws_endpoint_url": moto.ready(),
                "state_dir": state,
                "ledger_dsn": dsn,
            }
            if replay is not None:
                overrides["api_base_url"] = replay.ready()
            live = settings.model_copy(update=overrides)
            tell(f"lake: {state / LAKE_FILE} (moto {live.aws_endpoint_url})")
            migrate(dsn)
            provision(live)
            report = reconcile(live, dsn)
            runner = RunnerService(
                live,
                workers=runner_workers or live.runner_processes,
                wait_seconds=runner_poll_seconds,
                batch_size=runner_batch_size,
            )
            query = None
            if query_service:  # loads beside the runner's start
                query = start_query_service(live, state / LAKE_FILE)
                _guard(stack, guardian, query)
            runner.start()
            stack.callback(runner.stop)
            query_url = query.ready() if query else None
            own_home = airflow_home is None
            home = airflow_home or state / AIRFLOW_DIR
            metadata = cluster.sqlalchemy_url(AIRFLOW_DATABASE) if own_home and cluster else None
            api_port = None
            if services:
                api_port = (
                    free_port_or_any(
                        settings.airflow_port, "airflow_port" in fields, "Airflow", notes
                    )
                    or _any_port()
                )
            env = airflow_environment(live, dsn, home, metadata_url=metadata, api_port=api_port)
            up = LocalStack(live, dsn, runner, env, reconciled=report, notes=notes)
            info = StackInfo(
                pid=_pid(),
                state_dir=str(state),
                aws_endpoint_url=str(live.aws_endpoint_url),
                ledger_dsn=dsn,
                api_base_url=live.api_base_url,
                process_groups=[runner_pid for runner_pid in runner.process_ids()]
                + [moto.proc.pid]
                + ([replay.proc.pid] if replay else [])
                + ([query.proc.pid] if query else []),
                postgres_pid=cluster.pid if cluster else None,
                rate_limits=(live.rate_limit_per_second, live.rate_limit_per_hour),
                today=today.isoformat() if today else None,
                query_url=query_url,
            )
            write_info(info)  # a second shell can use the lake while Airflow starts
            if services:
                from f1lake.local.airflow_services import migrate_airflow_db

                assert api_port is not None
                tell("Airflow: migrating its metadata database and starting its components ...")
                migrate_airflow_db(env)
                up.airflow_password = admin_password(home)
                up.airflow_user = "admin"
                airflow = start_services(env, api_port)
                for group in airflow.process_groups:
                    guardian.watch_group(group)
                stack.callback(airflow.stop)
                await_dags(airflow.url, up.airflow_user, up.airflow_password)
                up.airflow = airflow
                info.airflow_url = airflow.url
                info.airflow_user = up.airflow_user
                info.process_groups += airflow.process_groups
                write_info(info)
            # Registered last, run first: every service but moto is asked to stop at once, and
            # the callbacks above then wait for each, so a stop takes the slowest, not the sum.
            # moto, the store the others talk to, is asked last (its own callback, after the
            # runner's): a worker finishing its batch never meets a closing S3 or SQS.
            stack.callback(_terminate_all, info, moto.proc.pid)
            yield up
    finally:
        lock.release()


def _terminate_all(info: StackInfo, last: int) -> None:
    import signal

    from f1lake.local.stack_state import signal_groups

    signal_groups([group for group in info.process_groups if group != last], signal.SIGTERM)


def _guard(stack: ExitStack, guardian: Guardian, child: Child) -> None:
    guardian.watch_group(child.proc.pid)  # started in a session of its own: pid == pgid
    stack.callback(child.stop)


def _any_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _pid() -> int:
    import os

    return os.getpid()
