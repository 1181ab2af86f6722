"""The warm query service of the local stack (:mod:`f1lake.query.service`), in a child process.

Started by ``f1lake up`` beside the Lambda runner, with the stack's settings and its lake file
(the freshness signal); its URL goes into ``stack.json`` so ``f1lake sql`` and ``f1lake
dashboard`` find it. It stops with the stack, and by itself when the stack's owner dies (its
stdin closes), like every child of the stack.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
from pathlib import Path

from f1lake.local.child import Child, announce, fail, wait_until_told
from f1lake.local.lambda_runner import settings_env
from f1lake.settings import Settings

HOST = "127.0.0.1"


def start_query_service(settings: Settings, lake_file: Path | None = None, port: int = 0) -> Child:
    """Start the service over the lake ``settings`` point at; ``ready()`` is its URL."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("F1LAKE_")}
    env.update(settings_env(settings))
    args = ["--port", str(port)]
    if lake_file is not None:
        args += ["--lake-file", str(lake_file)]
    return Child(
        "f1lake.local.query_service", args, env=env, inherit_env=False, name="query service"
    )


def main() -> None:
    import logging

    from f1lake.query.service import QueryService, serve

    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--lake-file", type=Path)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    service = QueryService(Settings(), args.lake_file)
    try:
        server = serve(service, HOST, args.port)
    except OSError as exc:
        fail(f"cannot listen on {HOST}:{args.port}: {exc.strerror or exc}")
    threading.Thread(target=server.serve_forever, name="query-http", daemon=True).start()
    announce(f"http://{HOST}:{server.server_address[1]}")
    threading.Thread(target=service.warm, name="query-warm", daemon=True).start()
    try:
        wait_until_told()
    finally:
        server.shutdown()
        server.server_close()
        # The engine goes with the process, without waiting for a load in hand; skipping the
        # interpreter's teardown also keeps DuckDB's binding from printing leak reports.
        sys.stdout.flush()
        os._exit(0)


if __name__ == "__main__":
    main()
