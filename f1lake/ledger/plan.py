"""Pure planning over the ledger's answers: which fetched payloads to write.

Which races to fetch is decided in :mod:`f1lake.pipeline.plan_rules` (from the API's own notion
of completed rounds). After a fetch, :func:`plan_writes` judges each race's payload: new,
changed (hash differs from the current ingestion), unchanged (skip; logged with
``record_unchanged``) or forced (unchanged but written anyway). Every fetched race is judged,
not only the planned ones: a season fetched for one missing race also reveals revisions of the
others.
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


@dataclass(frozen=True, order=True)
class PayloadDecision:
    season: int
    round: int
    payload_sha256: str
    change: Change
    previous_sha256: str | None

    @property
    def write(self) -> bool:
        """Write a new raw object and ``record_ingestion``; otherwise ``record_unchanged``."""
        return self.change is not Change.UNCHANGED


@dataclass(frozen=True)
class WritePlan:
    endpoint: str
    decisions: tuple[PayloadDecision, ...]

    @property
    def to_write(self) -> tuple[PayloadDecision, ...]:
        return tuple(d for d in self.decisions if d.write)

    @property
    def unchanged(self) -> tuple[PayloadDecision, ...]:
        return tuple(d for d in self.decisions if not d.write)

    def get(self, season: int, round_: int) -> PayloadDecision | None:
        return next((d for d in self.decisions if (d.season, d.round) == (season, round_)), None)


def plan_writes(
    fetched: Mapping[tuple[int, int], str],
    current: Iterable[Ingestion],
    *,
    endpoint: str,
    force: bool = False,
) -> WritePlan:
    """Judge each fetched payload (``{(season, round): payload_sha256}``) against the ledger."""
    endpoint = check_endpoint(endpoint)
    previous = {(i.season, i.round): i.payload_sha256 for i in current if i.endpoint == endpoint}
    decisions = []
    for (season, round_), sha in fetched.items():
        check_sha256(sha)
        before = previous.get((season, round_))
        if before is None:
            change = Change.NEW
        elif before != sha:
            change = Change.CHANGED
        else:
            change = Change.FORCED if force else Change.UNCHANGED
        decisions.append(PayloadDecision(season, round_, sha, change, before))
    return WritePlan(endpoint, tuple(sorted(decisions)))
