"""Season dashboards: dashboards/season.json drawn as one offline HTML file from the lake.

``spec`` reads the definition (shared with the QuickSight dashboard of the CDK app), ``data``
runs its named queries on the local engine (in the stack's warm query service, in one request,
when it runs one), ``charts`` shapes the answers, ``render`` writes the page, ``serve`` serves it on loopback.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from f1lake.dashboard.data import DashboardData, DashboardError
from f1lake.dashboard.spec import Dashboard, SpecError, load_spec
from f1lake.resources import DASHBOARD_SPEC
from f1lake.settings import Settings

if TYPE_CHECKING:
    from f1lake.query.remote import QueryClient

__all__ = ["DashboardError", "SpecError", "Written", "default_output", "write_dashboard"]


@dataclass(frozen=True)
class Written:
    path: Path
    seasons: tuple[int, ...]
    default_season: int


def default_output(settings: Settings) -> Path:
    """Where the page goes unless told: under the state dir, so it outlives the stack."""
    return (settings.state_dir / "dashboard" / "season.html").expanduser().resolve()


def write_dashboard(
    settings: Settings,
    out: Path | None = None,
    seasons: Iterable[int] | None = None,
    spec_path: Path = DASHBOARD_SPEC,
    *,
    missing_ok: bool = False,
) -> Written:
    """Run the definition's queries over the lake ``settings`` points at and write the page.

    ``missing_ok``: leave out chosen seasons the lake does not hold (fail only if none is).
    """
    from f1lake.dashboard.render import write_html
    from f1lake.query.remote import service_client

    spec = load_spec(spec_path)
    wanted = sorted(set(seasons)) if seasons else None
    client = service_client(settings, "local")
    if client is not None and client.serves():
        data = _served(client, spec, spec_path, wanted, missing_ok)
    else:
        data = _collected(settings, spec, wanted, missing_ok)
    path = write_html(data, out or default_output(settings))
    return Written(path, data.seasons, data.default_season)


def _served(
    client: QueryClient,
    spec: Dashboard,
    spec_path: Path,
    seasons: list[int] | None,
    missing_ok: bool,
) -> DashboardData:
    """The data as the stack's warm query service builds it: one request, not one per query."""
    from f1lake.dashboard.data import from_json
    from f1lake.query.errors import QueryError

    try:
        answer = client.dashboard(seasons, missing_ok, str(Path(spec_path).resolve()))
    except QueryError as exc:
        raise DashboardError(str(exc)) from None
    finally:
        client.close()
    return from_json(spec, answer)


def _collected(
    settings: Settings, spec: Dashboard, seasons: list[int] | None, missing_ok: bool
) -> DashboardData:
    """The data built in this process (no query service runs for this lake)."""
    from f1lake.dashboard.data import collect
    from f1lake.query.engines import open_engine

    engine = open_engine(settings, "local")
    try:
        return collect(engine, spec, seasons, missing_ok=missing_ok)
    finally:
        engine.close()
