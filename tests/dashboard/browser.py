"""Debian's Chromium, headless and offline, driven by Playwright: for the tests and screenshots.

Never ``playwright install``: the browser is the system's ``/usr/bin/chromium``. Every request
that is not ``file://`` is refused and recorded, so a page that tried to reach a CDN shows up.

As a tool (a screenshot of any written dashboard, e.g. for a report)::

    .venv/bin/python -m tests.dashboard.browser PAGE.html SHOT.png [--season 2023]
    .venv/bin/python -m tests.dashboard.browser PAGE.html SHOT.jpg --view "sheet=race&season=2021&race=22"
"""

from __future__ import annotations

import argparse
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1400, "height": 900}


class Browser:
    """One page in a fresh profile; ``requests`` and ``errors`` collect what went wrong."""

    def __init__(self, context: Any) -> None:
        self.context = context
        self.requests: list[str] = []
        self.errors: list[str] = []
        context.route("**/*", self._route)
        self.page = context.new_page()
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.page.on(
            "console", lambda msg: self.errors.append(msg.text) if msg.type == "error" else None
        )

    def _route(self, route: Any) -> None:
        if route.request.url.startswith("file://"):
            route.continue_()
        else:
            self.requests.append(route.request.url)
            route.abort()

    def open(self, path: Path, fragment: str = "") -> Any:
        """Load a dashboard file and wait until it has drawn a season."""
        self.page.goto(Path(path).resolve().as_uri() + fragment)
        self.page.wait_for_selector("body[data-season]")
        return self.page


@contextmanager
def chromium(profile: Path | None = None) -> Iterator[Browser]:
    """A headless Chromium with a fresh user-data-dir (a temporary one unless given)."""
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="f1lake-chromium-") as tmp, sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(profile or tmp),
            executable_path=str(CHROMIUM),
            args=CHROMIUM_ARGS,
            headless=True,
            viewport=VIEWPORT,
        )
        try:
            yield Browser(context)
        finally:
            context.close()


def screenshot(
    page: Path, out: Path, season: int | None = None, view: str = "", *, full_page: bool = True
) -> Browser:
    """A screenshot (PNG, or JPEG by the suffix) of a written dashboard, on ``season`` or the
    URL state ``view`` (``sheet=race&season=2021&race=22``) if given."""
    with chromium() as browser:
        fragment = f"#{view}" if view else (f"#season={season}" if season else "")
        tab = browser.open(page, fragment)
        if season and tab.get_attribute("body", "data-season") != str(season):
            raise SystemExit(f"season {season} is not in {page}")
        out.parent.mkdir(parents=True, exist_ok=True)
        jpeg = out.suffix.lower() in (".jpg", ".jpeg")
        options = {"type": "jpeg", "quality": 70} if jpeg else {}
        tab.screenshot(path=str(out), full_page=full_page, **options)
        return browser


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("page", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--season", type=int)
    parser.add_argument("--view", default="", help="URL state, e.g. sheet=race&season=2021")
    parser.add_argument("--viewport-only", action="store_true", help="not the full page")
    args = parser.parse_args()
    used = screenshot(args.page, args.out, args.season, args.view, full_page=not args.viewport_only)
    print(f"wrote {args.out.resolve()}")
    for problem in [*used.requests, *used.errors]:
        print(f"warning: {problem}")
