"""Choosing where Ergast data comes from: a live API, or the offline replay of a CSV dump.

An API is probed with one request for its season list, through the host's shared rate
limiter and with the client's retries (a 429 at start-up is the budget talking, not an
outage). The season list is kept: the latest season it names bounds what a run may ask for.
The CSV dump of ``../shared`` stands in only when no API URL was given at all (neither
``--api-url`` nor ``F1LAKE_API_BASE_URL``) and the default one does not answer.
"""

from __future__ import annotations

import csv
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import IO

from f1lake.settings import PROJECT_ROOT, Settings

SHARED_CSV = PROJECT_ROOT.parent / "shared" / "data" / "ergast-csv"
PROBE_ATTEMPTS = 3
PROBE_TIMEOUT_SECONDS = 5.0
PROBE_BACKOFF_SECONDS = 0.25
"""First pause between attempts (then doubled): offline, the three attempts cost about a
second, so a refused request still answers within the 3 s a user's mistake is allowed."""


class NoSourceError(RuntimeError):
    """Neither an API nor a CSV dump is available; the message names the options."""


@dataclass(frozen=True)
class Source:
    kind: str
    """'api' or 'replay'."""
    api_base_url: str | None = None
    csv_dir: Path | None = None
    note: str = ""
    seasons: tuple[int, ...] = field(default=(), compare=False)
    """The seasons the source has published (its season list, or the dump's races)."""


def probe_api(settings: Settings, base_url: str) -> tuple[list[int], str | None]:
    """(the API's seasons, None) when it answers; ([], why not, in a few words) otherwise.

    One request for the season list, through the shared limiter, retried as every request is
    (a throttled probe waits; a refused connection is tried :data:`PROBE_ATTEMPTS` times).
    """
    from f1lake.ergast import ErgastClient, ErgastError
    from f1lake.ergast.errors import ApiUnavailableError
    from f1lake.ergast.ratelimit import rate_limiter_from_settings

    limiter = rate_limiter_from_settings(settings)
    with (
        limiter,
        ErgastClient(
            base_url,
            limiter=limiter,
            timeout=min(settings.http_timeout_seconds, PROBE_TIMEOUT_SECONDS),
            max_attempts=min(settings.http_max_attempts, PROBE_ATTEMPTS),
            backoff_base=min(settings.http_backoff_seconds, PROBE_BACKOFF_SECONDS),
            backoff_max=settings.http_backoff_max_seconds,
            retry_log_level=logging.INFO,  # the answer says why; -v shows each attempt
        ) as client,
    ):
        try:
            return client.seasons(), None
        except ApiUnavailableError as exc:
            return [], exc.problem
        except (ErgastError, ValueError) as exc:
            return [], str(exc)


def check_csv_dir(path: Path) -> Path:
    if not (path / "races.csv").is_file() or not (path / "results.csv").is_file():
        raise NoSourceError(
            f"{path} is not an Ergast CSV dump (expected races.csv, results.csv, ... inside it)"
        )
    return path


def dump_schedule(csv_dir: Path) -> dict[int, dict[int, date]]:
    """season -> round -> race date, read from the dump's races.csv alone (fast)."""
    out: dict[int, dict[int, date]] = {}
    with (csv_dir / "races.csv").open(newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            out.setdefault(int(row["year"]), {})[int(row["round"])] = date.fromisoformat(
                row["date"]
            )
    return out


def dump_today(csv_dir: Path) -> date | None:
    """The day the replay serves the dump as of by default: the day after its latest race with
    results (as :func:`f1lake.replay.dump.default_today`, from two CSV columns alone)."""
    with (csv_dir / "results.csv").open(newline="", encoding="utf-8") as f:
        with_results = {row[0] for row in _column(f, "raceId")}
    with (csv_dir / "races.csv").open(newline="", encoding="utf-8") as f:
        rows = csv.DictReader(f)
        days = [date.fromisoformat(r["date"]) for r in rows if r["raceId"] in with_results]
    return max(days) + timedelta(days=1) if days else None


def _column(f: IO[str], name: str) -> Iterator[list[str]]:
    reader = csv.reader(f)
    at = next(reader).index(name)
    return ([row[at]] for row in reader if row)


def _replay(path: Path, note: str) -> Source:
    path = check_csv_dir(path)
    return Source("replay", csv_dir=path, note=note, seasons=tuple(sorted(dump_schedule(path))))


def api_url_given(settings: Settings, api_url: str | None) -> bool:
    """Whether the user named an API (``--api-url`` or ``F1LAKE_API_BASE_URL``)."""
    return api_url is not None or "api_base_url" in settings.model_fields_set


def resolve_source(
    settings: Settings, csv_dir: Path | None = None, api_url: str | None = None
) -> Source:
    """An explicit dump wins, then an explicit or configured API if it answers; ../shared's
    dump only when no API was named at all. The note says which one is in use."""
    dump = csv_dir or settings.ergast_csv
    if dump is not None:
        path = Path(dump).resolve()
        return _replay(path, f"replaying the Ergast CSV dump at {path}")
    url = api_url or settings.api_base_url
    seasons, problem = probe_api(settings, url)
    if problem is None:
        return Source(
            "api", api_base_url=url, note=f"using the Ergast API at {url}", seasons=tuple(seasons)
        )
    if not api_url_given(settings, api_url) and SHARED_CSV.is_dir():
        return _replay(
            SHARED_CSV,
            f"replaying the CSV dump at {SHARED_CSV}: {url} is not reachable ({problem})",
        )
    named = "" if not api_url_given(settings, api_url) else " (named, so no dump stands in)"
    raise NoSourceError(
        f"no Ergast source: {url}{named} is not reachable ({problem}) and no CSV dump was "
        "given. Options: --csv-dir DIR (or F1LAKE_ERGAST_CSV=DIR) to replay an Ergast CSV dump "
        "offline; --api-url URL (or F1LAKE_API_BASE_URL) for a reachable Ergast-compatible "
        f"API; or place a dump at {SHARED_CSV}."
    )
