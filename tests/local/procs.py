"""Running ``f1lake`` commands as a user does, in processes of their own, and checking what
they leave running."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.minidump import MINIDUMP_TODAY

F1LAKE = str(Path(sys.executable).with_name("f1lake"))
"""The installed command, as a user runs it."""


def cli_env(state_dir: Path, **extra: str) -> dict[str, str]:
    """A shell's environment: no F1LAKE_* or AWS variables, only the state dir (as a user
    who never exported anything), ports left to the system."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("F1LAKE_", "AIRFLOW", "AWS_"))}
    env.update(
        {
            "F1LAKE_STATE_DIR": str(state_dir),
            "F1LAKE_MOTO_PORT": "0",
            "F1LAKE_REPLAY_PORT": "0",
            "F1LAKE_AIRFLOW_PORT": "0",
            "F1LAKE_RATE_LIMIT_PER_SECOND": "50",
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update(extra)
    return env


def f1lake(
    state_dir: Path, *args: str, timeout: float = 300, **extra: str
) -> subprocess.CompletedProcess[str]:
    """Run one command to its end (a second shell: nothing exported)."""
    return subprocess.run(
        [F1LAKE, *args],
        env=cli_env(state_dir, **extra),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def source_args(csv_dir: Path) -> list[str]:
    return ["--csv-dir", str(csv_dir), "--today", MINIDUMP_TODAY.isoformat()]


@dataclass
class Running:
    """A long-running command (``f1lake up``) with its output collected as it comes."""

    proc: subprocess.Popen[str]
    lines: list[str] = field(default_factory=list)

    @property
    def output(self) -> str:
        return "\n".join(self.lines)

    def wait_for(self, text: str, timeout: float = 240) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.output:
            if self.proc.poll() is not None:
                time.sleep(0.2)  # the reader thread catches up with the last lines
                raise AssertionError(
                    f"exited ({self.proc.returncode}) before {text!r}:\n{self.output}"
                )
            if time.monotonic() > deadline:
                raise AssertionError(f"no {text!r} after {timeout:.0f} s:\n{self.output}")
            time.sleep(0.1)

    def signal(self, sig: int) -> float:
        """Send ``sig`` and return how long the process took to exit."""
        started = time.monotonic()
        self.proc.send_signal(sig)
        self.proc.wait(60)
        return time.monotonic() - started


@contextmanager
def running(state_dir: Path, *args: str, **extra: str) -> Iterator[Running]:
    proc = subprocess.Popen(
        [F1LAKE, *args],
        env=cli_env(state_dir, **extra),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    run = Running(proc)

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            run.lines.append(line.rstrip("\n"))

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        yield run
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        reader.join(5)


def processes_of(state_dir: Path) -> list[str]:
    """Live processes whose command line or environment names ``state_dir`` (ours only)."""
    needle = str(state_dir).encode()
    found: list[str] = []
    for pid in (p for p in os.listdir("/proc") if p.isdigit()):
        if int(pid) == os.getpid():
            continue
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
            if stat.rsplit(")", 1)[1].split()[0] == "Z":
                continue
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
            environ = b""
            with contextlib.suppress(OSError):
                environ = Path(f"/proc/{pid}/environ").read_bytes()
        except OSError:
            continue
        if needle in cmdline or needle in environ:
            command = cmdline.replace(b"\0", b" ").decode(errors="replace")
            found.append(f"{pid}: {command[:160]}")
    return found


def await_no_processes(state_dir: Path, timeout: float = 15) -> list[str]:
    deadline = time.monotonic() + timeout
    while (left := processes_of(state_dir)) and time.monotonic() < deadline:
        time.sleep(0.2)
    return left
