"""Planning which races to fetch and which payloads to write: pure, plus one run on the ledger."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from f1lake.ledger import Change, Ingestion, Ledger, RaceRef, State, plan_writes

from .conftest import T0, key, sha

SCHEDULE = [
    RaceRef(2023, 21, "Las Vegas Grand Prix", date(2023, 11, 18)),
    RaceRef(2023, 22, "Abu Dhabi Grand Prix", date(2023, 11, 26)),
    RaceRef(2024, 1, "Bahrain Grand Prix", date(2024, 3, 2)),
    RaceRef(2024, 2, "Saudi Arabian Grand Prix", date(2024, 3, 9)),
    RaceRef(2024, 3, "Australian Grand Prix", date(2024, 3, 24)),
]


def _ingestion(season: int, round_: int, payload: str, endpoint: str = "results") -> Ingestion:
    return Ingestion(
        season=season,
        round=round_,
        endpoint=endpoint,
        raw_key=key(endpoint, season, round_, payload),
        payload_sha256=sha(payload),
        state=State.PROCESSED,
        error=None,
        ingested_at=T0,
        processed_at=T0,
        failed_at=None,
        dag_id=None,
        dag_run_id=None,
        pages=1,
        requests=1,
        created_at=T0,
        updated_at=T0,
    )


def _rounds(races) -> list[tuple[int, int]]:
    return [(r.season, r.round) for r in races]


def test_fetched_payloads_are_new_changed_or_unchanged():
    current = [_ingestion(2024, 1, "r1"), _ingestion(2024, 2, "r2")]
    fetched = {(2024, 1): sha("r1"), (2024, 2): sha("r2-revised"), (2024, 3): sha("r3")}

    plan = plan_writes(fetched, current, endpoint="results")

    assert [(d.round, d.change) for d in plan.decisions] == [
        (1, Change.UNCHANGED),
        (2, Change.CHANGED),
        (3, Change.NEW),
    ]
    assert [d.round for d in plan.to_write] == [2, 3]
    assert [d.round for d in plan.unchanged] == [1]
    assert plan.get(2024, 2).previous_sha256 == sha("r2")
    assert plan.get(2024, 3).previous_sha256 is None
    assert plan.get(2024, 9) is None


def test_force_writes_unchanged_payloads_too():
    current = [_ingestion(2024, 1, "r1")]

    plan = plan_writes({(2024, 1): sha("r1")}, current, endpoint="results", force=True)

    assert [(d.change, d.write) for d in plan.decisions] == [(Change.FORCED, True)]


def test_a_retry_reports_what_its_earlier_try_wrote_instead_of_writing_it_again():
    mine = replace(_ingestion(2024, 1, "r1"), dag_id="backfill", dag_run_id="run-1")
    revised = replace(_ingestion(2024, 2, "r2"), dag_id="backfill", dag_run_id="run-1")
    current = [mine, revised, _ingestion(2024, 3, "r3")]
    fetched = {(2024, 1): sha("r1"), (2024, 2): sha("r2-revised"), (2024, 3): sha("r3")}

    retry = plan_writes(
        fetched, current, endpoint="results", force=True, dag_id="backfill", dag_run_id="run-1"
    )

    assert [(d.round, d.change, d.write) for d in retry.decisions] == [
        (1, Change.WRITTEN_THIS_RUN, False),  # even when forced: never its own object twice
        (2, Change.CHANGED, True),  # the API revised it since: a new object
        (3, Change.FORCED, True),  # another run's
    ]
    assert [(d.round, d.raw_key) for d in retry.written_this_run] == [(1, mine.raw_key)]
    assert retry.unchanged == ()
    other = plan_writes(fetched, current, endpoint="results", dag_id="backfill", dag_run_id="2")
    assert other.get(2024, 1).change is Change.UNCHANGED
    unnamed = plan_writes(fetched, [replace(mine, dag_run_id=None)], endpoint="results")
    assert unnamed.get(2024, 1).change is Change.UNCHANGED  # no run id: no earlier try


def test_a_bad_fetched_hash_is_refused():
    with pytest.raises(ValueError, match="payload_sha256"):
        plan_writes({(2024, 1): "nope"}, [], endpoint="results")


def _run(ledger: Ledger, source: dict[int, str], today: date, minutes: int, run: str) -> list[str]:
    """One pipeline pass over season 2024 against ``source`` (round -> payload); the actions."""
    # the season-wide fetch returns every race the source has results for
    fetched = {(2024, r): sha(p) for r, p in source.items()}
    writes = plan_writes(fetched, ledger.ingestions(2024, "results"), endpoint="results")
    actions = []
    for d in writes.decisions:
        payload = source[d.round]
        if d.write:
            ledger.record_ingestion(
                season=2024,
                round_=d.round,
                endpoint="results",
                raw_key=key("results", 2024, d.round, payload, minutes),
                payload_sha256=d.payload_sha256,
                dag_run_id=run,
            )
        else:
            ledger.record_unchanged(
                season=2024,
                round_=d.round,
                endpoint="results",
                payload_sha256=d.payload_sha256,
                dag_run_id=run,
            )
        actions.append(f"{d.round}:{d.change}")
    return actions


def test_planning_against_the_ledger_converges_and_catches_revisions(ledger):
    source = {1: "bahrain"}

    assert _run(ledger, source, date(2024, 3, 4), 0, "run-1") == ["1:new"]
    assert _run(ledger, source, date(2024, 3, 5), 10, "run-2") == ["1:unchanged"]

    source = {1: "bahrain-after-penalty", 2: "jeddah"}
    assert _run(ledger, source, date(2024, 3, 10), 20, "run-3") == ["1:changed", "2:new"]

    current = {i.round: i.payload_sha256 for i in ledger.ingestions(2024, "results")}
    assert current == {1: sha("bahrain-after-penalty"), 2: sha("jeddah")}
    assert [e.event.value for e in ledger.history(2024, 1)] == [
        "ingested",
        "skipped_unchanged",
        "ingested",
    ]
