"""Services of the local stack in child processes, each with its own interpreter (and GIL).

In one process, moto, the replay API, the Lambda runner and Airflow's tasks took turns on one
GIL; as separate processes they use every core. The protocol is small: the child prints
``READY <value>`` on stdout once it serves, keeps stdout for short status lines after that,
and exits on SIGTERM or when its stdin closes (so it cannot outlive a parent that died).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import IO

READY = "READY "
FAILED = "ERROR "
START_TIMEOUT_SECONDS = 120.0
STOP_TIMEOUT_SECONDS = 30.0
"""A Lambda runner finishes the batch in hand before it exits."""


class ChildError(RuntimeError):
    """A child service did not come up."""


class Child:
    """``python -m module args`` started at once; :meth:`ready` waits for its READY line, so
    several children can start side by side."""

    def __init__(
        self,
        module: str,
        args: list[str],
        *,
        env: dict[str, str] | None = None,
        inherit_env: bool = True,
        on_line: Callable[[str], None] | None = None,
        name: str | None = None,
    ) -> None:
        self.name = name or module
        self.on_line = on_line
        self.proc = subprocess.Popen(
            [sys.executable, "-m", module, *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env={**(os.environ if inherit_env else {}), **(env or {})},
            text=True,
            bufsize=1,
            start_new_session=True,  # Ctrl-C reaches the parent only: it stops its children
        )
        self._value: str | None = None

    def ready(self) -> str:
        """The value of the READY line; ChildError when the child fails to start."""
        if self._value is None:
            assert self.proc.stdout is not None
            self._value = _await_ready(self.proc, self.proc.stdout, self.name)
            threading.Thread(
                target=_drain,
                args=(self.proc.stdout, self.on_line),
                name=f"{self.name}-stdout",
                daemon=True,
            ).start()
        return self._value

    def terminate(self) -> None:
        """Ask the child to stop (SIGTERM) without waiting: stop several at once."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)

    def stop(self, grace: float = STOP_TIMEOUT_SECONDS) -> None:
        """Ask, wait for it to exit (killing it after ``grace`` seconds), close its pipes."""
        _stop(self.proc, grace)


@contextmanager
def child_process(
    module: str,
    args: list[str],
    *,
    env: dict[str, str] | None = None,
    inherit_env: bool = True,
    on_line: Callable[[str], None] | None = None,
    name: str | None = None,
) -> Iterator[str]:
    """Run ``python -m module args`` until the block ends; yields the value of its READY line.

    ``env`` adds to this process's environment, or with ``inherit_env=False`` is the whole
    environment. ``on_line`` receives every later stdout line (in a reader thread). stderr is
    inherited, so the child's errors show where the parent's do.
    """
    child = Child(module, args, env=env, inherit_env=inherit_env, on_line=on_line, name=name)
    try:
        yield child.ready()
    finally:
        child.stop()


def _await_ready(proc: subprocess.Popen[str], stdout: IO[str], what: str) -> str:
    found: list[str] = []
    errors: list[str] = []

    def read() -> None:
        with contextlib.suppress(ValueError, OSError):  # closed: the child was given up on
            for line in stdout:
                if line.startswith(READY):
                    found.append(line[len(READY) :].strip())
                    return
                if line.startswith(FAILED):
                    errors.append(line[len(FAILED) :].strip())
                    return

    waiter = threading.Thread(target=read, daemon=True)
    waiter.start()
    waiter.join(START_TIMEOUT_SECONDS)
    if errors:
        raise ChildError(f"{what} could not start: {errors[0]}")
    if not found:
        code = proc.poll()
        state = "is not ready" if code is None else f"exited with code {code}"
        raise ChildError(f"{what} {state} after starting (see its errors above)")
    return found[0]


def _drain(stdout: IO[str], on_line: Callable[[str], None] | None) -> None:
    with contextlib.suppress(ValueError, OSError):  # closed while reading at shutdown
        for line in stdout:
            if on_line is not None:
                on_line(line.rstrip("\n"))


def _stop(proc: subprocess.Popen[str], grace: float = STOP_TIMEOUT_SECONDS) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(grace)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    for stream in (proc.stdin, proc.stdout):
        if stream is not None:
            with contextlib.suppress(OSError):
                stream.close()


# -- the child's side -----------------------------------------------------------------------


def announce(value: str) -> None:
    """Tell the parent the service is up (the child's READY line)."""
    print(f"{READY}{value}", flush=True)


def fail(message: str) -> None:
    """Tell the parent why the service cannot start, and exit."""
    print(f"{FAILED}{message}", flush=True)
    raise SystemExit(1)


def wait_until_told(watch_parent: bool = True) -> None:
    """Block until SIGTERM/SIGINT arrives or the parent closes stdin (it stopped or died).

    ``watch_parent=False``: a service with no parent to watch (a container's main process,
    whose stdin is closed from the start) stops on a signal only.
    """
    parent_gone = threading.Event()
    signalled: list[int] = []

    def request_stop(signum: int, _frame: object) -> None:
        # No lock here: the handler runs in the main thread between two bytecodes, possibly
        # while that thread holds the Event's internal lock inside ``wait``; an ``Event.set``
        # from the handler then waits for that lock forever (a child that "ignores" SIGTERM).
        signalled.append(signum)

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)

    def watch_parent_stdin() -> None:
        with contextlib.suppress(OSError, ValueError):
            while sys.stdin.readline():
                pass
        parent_gone.set()

    if watch_parent:
        threading.Thread(target=watch_parent_stdin, name="parent-watch", daemon=True).start()
    while not signalled and not parent_gone.wait(0.2):
        pass
