"""Pure planning over the ledger's answers: which fetched payloads to write.

Which races to fetch is decided in :mod:`f1lake.pipeline.plan_rules` (from the API's own notion
of completed rounds). After a fetch, :func:`plan_writes` judges each race's payload: new,
changed (hash differs from the current ingestion), unchanged (skip; logged with
``record_unchanged``), forced (unchanged but written anyway) or already written by an earlier
try of the same DAG run (report it again; neither write it twice nor call it unchanged).
Every fetched race is judged, not only the planned ones: a season fetched for one missing race
also reveals revisions of the others.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from f1lake.ledger.models import Ingestion, check_endpoint, check_sha256


class Change(StrEnum):
    NEW = "new"
    CHANGED = "changed"
    UNCHANGED = "unchanged"
    FORCED = "forced"
    """Same payload as the current ingestion, written again because of ``force``."""
    WRITTEN_THIS_RUN = "written_this_run"
    """Same payload as the current ingestion, which an earlier try of this DAG run wrote: the
    retried task reports it again (so the run awaits its processing), writes nothing and
    records nothing. Wins over ``force``: a retry must not write its own object twice."""


@dataclass(frozen=True, order=True)
class PayloadDecision:
    season: int
    round: int
    payload_sha256: str
    change: Change
    previous_sha256: str | None
    raw_key: str | None = None
    """``WRITTEN_THIS_RUN``: the raw object the earlier try wrote."""

    @property
    def write(self) -> bool:
        """Write a new raw object and ``record_ingestion``."""
        return self.change in (Change.NEW, Change.CHANGED, Change.FORCED)


@dataclass(frozen=True)
class WritePlan:
    endpoint: str
    decisions: tuple[PayloadDecision, ...]

    @property
    def to_write(self) -> tuple[PayloadDecision, ...]:
        return tuple(d for d in self.decisions if d.write)

    @property
    def unchanged(self) -> tuple[PayloadDecision, ...]:
        """To ``record_unchanged``."""
        return tuple(d for d in self.decisions if d.change is Change.UNCHANGED)

    @property
    def written_this_run(self) -> tuple[PayloadDecision, ...]:
        """To report again, as the earlier try of this run wrote them."""
        return tuple(d for d in self.decisions if d.change is Change.WRITTEN_THIS_RUN)

    def get(self, season: int, round_: int) -> PayloadDecision | None:
        return next((d for d in self.decisions if (d.season, d.round) == (season, round_)), None)


def plan_writes(
    fetched: Mapping[tuple[int, int], str],
    current: Iterable[Ingestion],
    *,
    endpoint: str,
    force: bool = False,
    dag_id: str | None = None,
    dag_run_id: str | None = None,
) -> WritePlan:
    """Judge each fetched payload (``{(season, round): payload_sha256}``) against the ledger.

    ``dag_id``/``dag_run_id`` name the run asking: a payload its earlier try wrote is
    ``WRITTEN_THIS_RUN`` (a run without an id has no earlier try).
    """
    endpoint = check_endpoint(endpoint)
    previous = {(i.season, i.round): i for i in current if i.endpoint == endpoint}
    decisions = []
    for (season, round_), sha in fetched.items():
        check_sha256(sha)
        before = previous.get((season, round_))
        raw_key = None
        if before is None:
            change = Change.NEW
        elif before.payload_sha256 != sha:
            change = Change.CHANGED
        elif dag_run_id is not None and (before.dag_id, before.dag_run_id) == (dag_id, dag_run_id):
            change, raw_key = Change.WRITTEN_THIS_RUN, before.raw_key
        else:
            change = Change.FORCED if force else Change.UNCHANGED
        sha_before = None if before is None else before.payload_sha256
        decisions.append(PayloadDecision(season, round_, sha, change, sha_before, raw_key))
    return WritePlan(endpoint, tuple(sorted(decisions)))
