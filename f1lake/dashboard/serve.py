"""Serve a written dashboard on loopback (``f1lake dashboard --serve``).

The page needs no server; serving is for a browser on another machine's tunnel or a tool that
prefers http:// to file://. Only the page's own folder is served, on 127.0.0.1.
"""

from __future__ import annotations

import signal
from collections.abc import Callable
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def make_server(page: Path, port: int = 0, host: str = "127.0.0.1") -> ThreadingHTTPServer:
    """A server for ``page``'s folder (port 0: any free port); the caller runs and closes it."""
    handler = partial(_Quiet, directory=str(Path(page).resolve().parent))
    return ThreadingHTTPServer((host, port), handler)


def page_url(server: ThreadingHTTPServer, page: Path) -> str:
    host, port = server.server_address[:2]
    return f"http://{host}:{port}/{Path(page).name}"


def serve_page(page: Path, port: int, say: Callable[[str], None] = print) -> None:
    """Serve until Ctrl-C, then close the socket.

    Ctrl-C is made Python's again first: native libraries may install their own SIGINT handler
    around long calls (pyarrow does), and one left behind would swallow Ctrl-C. A CI run once
    hung here on a Ctrl-C that did nothing; its cause was not found, and this rules that one out.
    """
    signal.signal(signal.SIGINT, signal.default_int_handler)
    server = make_server(page, port)
    try:  # from the line on: a Ctrl-C just after it stops the server, not with a traceback
        say(f"serving {page_url(server, page)} (Ctrl-C stops)")
        server.serve_forever()
    except KeyboardInterrupt:
        say("stopped")
    finally:
        server.server_close()
