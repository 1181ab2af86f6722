"""Run the deployed Glue crawler and wait for it (AWS only; locally the local crawler runs)."""

from __future__ import annotations

import contextlib
import time
from typing import Any

from f1lake.aws import client
from f1lake.settings import Settings


def run_glue_crawler(
    settings: Settings, name: str, timeout_seconds: float = 1800, poll_seconds: float = 15
) -> dict[str, Any]:
    """Start the crawler (or join a running crawl) and return its last crawl's outcome."""
    glue = client("glue", settings)
    with contextlib.suppress(glue.exceptions.CrawlerRunningException):
        glue.start_crawler(Name=name)
    deadline = time.monotonic() + timeout_seconds
    while True:
        crawler = glue.get_crawler(Name=name)["Crawler"]
        if crawler["State"] == "READY":
            last = crawler.get("LastCrawl", {})
            if last.get("Status") == "FAILED":
                raise RuntimeError(f"Glue crawler {name} failed: {last.get('ErrorMessage')}")
            return {"crawler": name, "status": last.get("Status"), "log": last.get("LogStream")}
        if time.monotonic() > deadline:
            raise TimeoutError(
                f"Glue crawler {name} still {crawler['State']} after {timeout_seconds}s"
            )
        time.sleep(poll_seconds)
