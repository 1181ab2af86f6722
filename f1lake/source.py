"""Choosing where Ergast data comes from: a live API, or the offline replay of a CSV dump."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import requests

from f1lake.settings import PROJECT_ROOT, Settings

SHARED_CSV = PROJECT_ROOT.parent / "shared" / "data" / "ergast-csv"


class NoSourceError(RuntimeError):
    """Neither an API nor a CSV dump is available; the message names the options."""


@dataclass(frozen=True)
class Source:
    kind: str
    """'api' or 'replay'."""
    api_base_url: str | None = None
    csv_dir: Path | None = None
    note: str = ""


def api_reachable(base_url: str, timeout: float = 3.0) -> str | None:
    """None when the API answers; otherwise why not (one probe request, outside the limiter)."""
    try:
        response = requests.get(
            f"{base_url.rstrip('/')}/seasons.json", params={"limit": 1}, timeout=timeout
        )
    except requests.RequestException as exc:
        return type(exc).__name__
    if response.status_code >= 400:
        return f"HTTP {response.status_code}"
    return None


def check_csv_dir(path: Path) -> Path:
    if not (path / "races.csv").is_file() or not (path / "results.csv").is_file():
        raise NoSourceError(
            f"{path} is not an Ergast CSV dump (expected races.csv, results.csv, ... inside it)"
        )
    return path


def resolve_source(
    settings: Settings, csv_dir: Path | None = None, api_url: str | None = None
) -> Source:
    """An explicit dump wins, then an explicit or configured API if it answers, then ../shared."""
    dump = csv_dir or settings.ergast_csv
    if dump is not None:
        path = check_csv_dir(Path(dump).resolve())
        return Source("replay", csv_dir=path, note=f"replaying the Ergast CSV dump at {path}")
    url = api_url or settings.api_base_url
    problem = api_reachable(url)
    if problem is None:
        return Source("api", api_base_url=url, note=f"using the Ergast API at {url}")
    if api_url is None and SHARED_CSV.is_dir():
        return Source(
            "replay",
            csv_dir=check_csv_dir(SHARED_CSV),
            note=f"{url} is not reachable ({problem}); replaying the CSV dump at {SHARED_CSV}",
        )
    raise NoSourceError(
        f"no Ergast source: {url} is not reachable ({problem}) and no CSV dump was given. "
        "Options: --csv-dir DIR (or F1LAKE_ERGAST_CSV=DIR) to replay an Ergast CSV dump offline; "
        "--api-url URL (or F1LAKE_API_BASE_URL) for a reachable Ergast-compatible API; "
        f"or place a dump at {SHARED_CSV}."
    )
