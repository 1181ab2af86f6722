"""The offline replay API for the local stack, served from a child process.

The same app as ``f1lake replay-api`` (:func:`f1lake.replay.server.create_app`); in its own
process its JSON rendering does not take turns with the pipeline it feeds.
"""

from __future__ import annotations

import argparse
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from f1lake.local.child import Child, announce, fail, wait_until_told

HOST = "127.0.0.1"


def start_replay(csv_dir: Path, today: date | None = None, port: int = 0) -> Child:
    """Start serving ``csv_dir`` on ``port`` of 127.0.0.1 (0: a free one); ``ready()`` is the
    base URL."""
    args = ["--csv-dir", str(Path(csv_dir).resolve()), "--port", str(port)]
    if today is not None:
        args += ["--today", today.isoformat()]
    return Child("f1lake.local.replay_service", args, name="replay API")


@contextmanager
def replay_service(csv_dir: Path, today: date | None = None) -> Iterator[str]:
    """Serve ``csv_dir`` on a free port of 127.0.0.1; yields the API base URL."""
    child = start_replay(csv_dir, today)
    try:
        yield child.ready()
    finally:
        child.stop()


def main() -> None:
    import uvicorn

    from f1lake.replay.dump import DumpError
    from f1lake.replay.server import BASE_PATH, create_app

    parser = argparse.ArgumentParser()
    parser.add_argument("--csv-dir", type=Path, required=True)
    parser.add_argument("--today", type=date.fromisoformat)
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    try:
        app = create_app(args.csv_dir, args.today)
    except (DumpError, OSError) as exc:
        fail(str(exc))
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((HOST, args.port))
    except OSError as exc:
        fail(f"cannot listen on {HOST}:{args.port}: {exc.strerror or exc}")
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        if not thread.is_alive():
            raise SystemExit("the replay API stopped while starting")
        threading.Event().wait(0.01)
    announce(f"http://{HOST}:{port}{BASE_PATH}")
    try:
        wait_until_told()
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


if __name__ == "__main__":
    main()
