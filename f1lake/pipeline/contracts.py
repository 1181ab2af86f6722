"""What the pipeline's stages hand each other: typed, versioned contracts.

Inside the stages a plan or a report is one of these objects. Between Airflow tasks it travels
as XCom (plain JSON): :func:`to_xcom` and the ``*_from_xcom`` functions below are its one wire
form, and only the TaskFlow layer (:mod:`f1lake.pipeline.tasks`) calls them. They live here, not
there, because importing that layer imports Airflow, which reads its configuration once, at
first import. A change to a contract's fields bumps its ``VERSION``, so a task that reads an
XCom an older deploy wrote fails with a clear message, not a ``KeyError`` halfway through a run.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, ClassVar

from f1lake.pipeline.progress import Written


@dataclass(frozen=True)
class Schedule:
    """A season's schedule as the plan fetched it: the races endpoint reuses it instead of
    asking the API again."""

    records: list[dict[str, Any]]
    """The API's race records, as it sent them."""
    source_urls: list[str]
    pages: int
    header: dict[str, Any]


@dataclass
class Plan:
    """What one season's run covers, and per endpoint what it still has to fetch."""

    VERSION: ClassVar[int] = 1

    season: int
    current_season: int
    targets: list[int]
    """Completed rounds this run covers."""
    force: bool = False
    up_to_date: bool = False
    """True when the ledger already holds everything the endpoints need: nothing to fetch."""
    recheck: list[int] = field(default_factory=list)
    """Rounds to re-fetch because results may still be revised."""
    requests: int = 0
    last_round: int | None = None
    """The season's last completed round: standings are taken after it."""
    work: dict[str, list[int | None]] = field(default_factory=dict)
    """Per endpoint, what to fetch: rounds, or ``[None]`` for a season-scoped object."""
    schedule: Schedule | None = None


@dataclass
class IngestReport:
    """What the ingestion of one endpoint of one season did.

    Its :class:`~f1lake.pipeline.progress.Written` entries travel inside it, so its
    ``VERSION`` covers their fields too.
    """

    VERSION: ClassVar[int] = 1

    endpoint: str
    season: int
    fetched_rounds: list[int | None] = field(default_factory=list)
    written: list[Written] = field(default_factory=list)
    """The raw objects this run wrote (a retried task reports its earlier try's again)."""
    unchanged: list[int | None] = field(default_factory=list)
    absent: list[int] = field(default_factory=list)
    """Completed rounds the API has no data for (no sprint that weekend), now recorded."""
    skipped: list[int | None] = field(default_factory=list)
    requests: int = 0
    pages: int = 0


XCom = dict[str, Any]


def to_xcom(contract: Plan | IngestReport) -> XCom:
    """A contract as plain JSON, stamped with its version."""
    return {"version": contract.VERSION, **asdict(contract)}


def _fields(contract: type[Plan | IngestReport], data: Mapping[str, Any]) -> dict[str, Any]:
    version = data.get("version")
    if version != contract.VERSION:
        raise ValueError(
            f"{contract.__name__} XCom has version {version!r}, this code reads version "
            f"{contract.VERSION}: clear the run and start it again"
        )
    return {k: v for k, v in data.items() if k != "version"}


def plan_from_xcom(data: Mapping[str, Any]) -> Plan:
    fields = _fields(Plan, data)
    schedule = fields.pop("schedule")
    return Plan(**fields, schedule=None if schedule is None else Schedule(**schedule))


def report_from_xcom(data: Mapping[str, Any]) -> IngestReport:
    fields = _fields(IngestReport, data)
    written = [Written(**w) for w in fields.pop("written")]
    return IngestReport(**fields, written=written)
