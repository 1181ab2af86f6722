"""The warm query service in a thread of the test's process (no child process to start)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from f1lake.query.service import QueryService, serve


@contextmanager
def running(service: QueryService) -> Iterator[str]:
    """The service on a free port of 127.0.0.1, in a thread of this process; its URL."""
    server = serve(service)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        service.close()
