"""Season dashboards: dashboards/season.json drawn as one offline HTML file from the lake.

``spec`` reads the definition (shared with the QuickSight dashboard of the CDK app), ``data``
runs its named queries on the local engine (the stack's warm query service when it runs one),
``charts`` shapes the answers, ``render`` writes the page, ``serve`` serves it on loopback.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from f1lake.dashboard.data import DashboardError
from f1lake.dashboard.spec import SpecError, load_spec
from f1lake.resources import DASHBOARD_SPEC
from f1lake.settings import Settings

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
    from f1lake.dashboard.data import collect
    from f1lake.dashboard.render import write_html
    from f1lake.query.engines import session_engine

    spec = load_spec(spec_path)
    session = session_engine(settings, "local")  # the stack's warm service when it runs one
    try:
        data = collect(session, spec, seasons, missing_ok=missing_ok)
    finally:
        session.close()
    path = write_html(data, out or default_output(settings))
    return Written(path, data.seasons, data.default_season)
