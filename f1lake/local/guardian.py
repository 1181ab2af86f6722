"""The guardian: a small child that stops the stack's services when their owner dies.

A SIGKILL (or a crash, or a closed terminal) gives the owner no chance to stop what it
started. The embedded PostgreSQL daemonises, and Airflow's components run in process groups of
their own, so neither would notice. The guardian is told, on its stdin, each process group the
owner starts (``GROUP <pgid>``) and the PostgreSQL cluster (``POSTGRES <data_dir> <pid>``); when
its stdin closes, which the kernel does when the owner dies however it dies, it stops exactly
those, and nothing a later stack started.
"""

from __future__ import annotations

import contextlib
import signal
import subprocess
import sys
from pathlib import Path

from f1lake.local.child import Child, announce
from f1lake.local.stack_state import postmaster_pid, stop_postgres, stop_process_groups


class Guardian:
    """The owner's handle on its guardian child."""

    def __init__(self) -> None:
        self._child = Child("f1lake.local.guardian", [], name="guardian")
        self._child.ready()

    def _tell(self, line: str) -> None:
        stdin = self._child.proc.stdin
        assert stdin is not None
        stdin.write(line + "\n")
        stdin.flush()

    def watch_group(self, pgid: int) -> None:
        self._tell(f"GROUP {pgid}")

    def watch_postgres(self, data_dir: Path, pid: int) -> None:
        self._tell(f"POSTGRES {pid} {data_dir}")

    def dismiss(self) -> None:
        """A clean stop: the owner stopped everything itself."""
        with contextlib.suppress(OSError, ValueError):
            self._tell("DISMISS")
        self._child.stop()


def main() -> None:
    """The child: collect what to guard until stdin closes, then stop it."""
    # The owner's Ctrl-C or SIGTERM is not ours: we act when the owner is gone.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    announce("guarding")
    groups: list[int] = []
    clusters: list[tuple[int, Path]] = []
    with contextlib.suppress(OSError, ValueError):
        for line in sys.stdin:
            kind, _, rest = line.strip().partition(" ")
            if kind == "DISMISS":
                return
            if kind == "GROUP":
                groups.append(int(rest))
            elif kind == "POSTGRES":
                pid, _, data_dir = rest.partition(" ")
                clusters.append((int(pid), Path(data_dir)))
    stop_process_groups(groups)
    for pid, data_dir in clusters:
        if postmaster_pid(data_dir) == pid:  # still ours, not a later stack's
            stop_postgres(data_dir)


if __name__ == "__main__":
    with contextlib.suppress(subprocess.SubprocessError):
        main()
