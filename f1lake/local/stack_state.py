"""The running local stack, as other processes see it: an owner lock and a small state file.

One stack owns a state dir at a time. The owner holds an exclusive ``flock`` on
``<state_dir>/stack.lock`` for its whole life: the kernel releases it when the owner exits,
however it exits, so a lock that can be taken means nobody owns the stack, whatever files were
left behind. ``<state_dir>/stack.json`` tells a second shell where the running stack's
services are (``f1lake sql``, ``check``, ``dashboard``, ``status`` read it: no exports) and
lists the process groups it started, so a stack whose owner was killed is cleaned up by the
next start (:func:`reap_leftovers`) or by its guardian (:mod:`f1lake.local.guardian`).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import signal
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any

from f1lake.atomic import write_text

LOCK_FILE = "stack.lock"
STATE_FILE = "stack.json"
LAKE_FILE = "lake.sqlite"
POSTGRES_DIR = "postgres"
AIRFLOW_DIR = "airflow"
STOP_GRACE_SECONDS = 10.0


class StackBusyError(RuntimeError):
    """Another live process owns the stack of this state dir."""


@dataclass
class StackInfo:
    """What ``stack.json`` holds: enough for a second shell to use the running stack."""

    pid: int
    state_dir: str
    aws_endpoint_url: str
    ledger_dsn: str
    api_base_url: str
    airflow_url: str | None = None
    airflow_user: str | None = None
    process_groups: list[int] = field(default_factory=list)
    postgres_pid: int | None = None
    started_at: float = field(default_factory=time.time)
    rate_limits: tuple[int, int] = (4, 500)
    """The stack's API limits (per second, per hour): what its DAG runs are paced by."""
    today: str | None = None
    """The replay's "today" (ISO date) when the stack replays a dump as of a day."""
    query_url: str | None = None
    """The warm query service (:mod:`f1lake.query.service`) that ``f1lake sql`` talks to."""

    def settings_env(self) -> dict[str, str]:
        """The ``F1LAKE_*`` variables that point a command at this stack."""
        return {
            "F1LAKE_AWS_ENDPOINT_URL": self.aws_endpoint_url,
            "F1LAKE_LEDGER_DSN": self.ledger_dsn,
            "F1LAKE_STATE_DIR": self.state_dir,
        }


class OwnerLock:
    """The exclusive lock of a state dir's stack, held until :meth:`release` or exit."""

    def __init__(self, state_dir: Path) -> None:
        state_dir.mkdir(parents=True, exist_ok=True)
        self.path = state_dir / LOCK_FILE
        self._file: IO[str] | None = None

    def acquire(self) -> None:
        handle = self.path.open("a+")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            info = read_info(self.path.parent)
            who = f" (pid {info.pid})" if info else ""
            raise StackBusyError(
                f"a local stack is already running on {self.path.parent}{who}: use it "
                "(f1lake status), or stop it first (f1lake down)"
            ) from None
        os.set_inheritable(handle.fileno(), False)  # children must not keep the lock alive
        self._file = handle

    def release(self) -> None:
        if self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None


def owner_alive(state_dir: Path) -> bool:
    """True when a live process holds the state dir's owner lock."""
    path = state_dir / LOCK_FILE
    if not path.exists():
        return False
    with path.open("a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(handle, fcntl.LOCK_UN)
    return False


def write_info(info: StackInfo) -> None:
    """Write ``stack.json`` atomically (owner-only: it names the ledger's socket)."""
    write_text(Path(info.state_dir) / STATE_FILE, json.dumps(asdict(info), indent=2))


def read_info(state_dir: Path) -> StackInfo | None:
    path = state_dir / STATE_FILE
    try:
        data: dict[str, Any] = json.loads(path.read_text())
        data["rate_limits"] = tuple(data.get("rate_limits") or (4, 500))
        return StackInfo(**data)
    except (OSError, ValueError, TypeError):
        return None


def running_stack(state_dir: Path) -> StackInfo | None:
    """The stack running on ``state_dir``, or None (a leftover file of a dead owner is not one)."""
    if not owner_alive(state_dir):
        return None
    return read_info(state_dir)


def remove_info(state_dir: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        (state_dir / STATE_FILE).unlink()


# -- cleaning up after an owner that died ---------------------------------------------------


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def signal_groups(groups: list[int], sig: int) -> None:
    """Send ``sig`` to each process group that still exists."""
    for group in groups:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(group, sig)


def stop_process_groups(groups: list[int], grace: float = STOP_GRACE_SECONDS) -> None:
    """SIGTERM each group, then SIGKILL what is left after ``grace`` seconds."""
    live = [g for g in groups if _group_alive(g)]
    signal_groups(live, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while live and time.monotonic() < deadline:
        live = [g for g in live if _group_alive(g)]
        time.sleep(0.1)
    signal_groups(live, signal.SIGKILL)


def _group_alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie leader keeps the group "alive" for killpg: look for a live member.
    return any(_member_running(pid, group) for pid in _pids())


def _pids() -> list[int]:
    return [int(p) for p in os.listdir("/proc") if p.isdigit()]


def _member_running(pid: int, group: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    fields = stat.rsplit(")", 1)[1].split()
    return fields[0] != "Z" and int(fields[2]) == group


def postmaster_pid(data_dir: Path) -> int | None:
    """The PID in a cluster's ``postmaster.pid`` when that process is alive."""
    try:
        pid = int((data_dir / "postmaster.pid").read_text().splitlines()[0])
    except (OSError, ValueError, IndexError):
        return None
    return pid if _alive(pid) else None


def stop_postgres(data_dir: Path, grace: float = STOP_GRACE_SECONDS) -> bool:
    """Fast-shutdown the cluster running in ``data_dir`` (if any); True if one was stopped."""
    pid = postmaster_pid(data_dir)
    if pid is None:
        return False
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGINT)  # postgres: fast shutdown (roll back, checkpoint, exit)
    deadline = time.monotonic() + grace
    while _alive(pid) and time.monotonic() < deadline:
        if _zombie(pid):
            break
        time.sleep(0.1)
    if _alive(pid) and not _zombie(pid):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGQUIT)  # immediate shutdown; WAL replay on next start
    return True


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


def reap_leftovers(state_dir: Path) -> list[str]:
    """Stop what a dead owner left running; call with the owner lock held. Says what it did."""
    done: list[str] = []
    info = read_info(state_dir)
    if info is not None:
        live = [g for g in info.process_groups if _group_alive(g)]
        if live:
            stop_process_groups(live)
            done.append(f"stopped {len(live)} leftover process group(s) of pid {info.pid}")
        remove_info(state_dir)
    if stop_postgres(state_dir / POSTGRES_DIR):
        done.append("stopped a leftover embedded PostgreSQL")
    return done
