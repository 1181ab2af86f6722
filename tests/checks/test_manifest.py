"""The ledger's manifest of what the lake must hold, and how a check receives it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from f1lake.checks.manifest import expected_rows, values_sql
from f1lake.ledger import Absence, Ingestion, State

T = datetime(2023, 3, 1, tzinfo=UTC)


def ingestion(endpoint: str, round_: int | None, state: State = State.PROCESSED) -> Ingestion:
    return Ingestion(
        2023, round_, endpoint, f"{endpoint}/{round_}", "0" * 64, state, None,
        T, T, None, None, None, None, None, T, T,
    )  # fmt: skip


def test_a_completed_race_needs_results_even_when_none_were_ever_ingested():
    """The between-seasons case: round 1 planned as run (its qualifying found absent, no
    results), the whole calendar's schedule ingested."""
    absent = Absence(2023, 1, "qualifying", T, None, None)
    calendar = [ingestion("races", r) for r in (1, 2)]
    rows = expected_rows([*calendar, ingestion("drivers", None)], [absent])
    assert rows == [
        (2023, 0, "drivers"), (2023, 1, "races"), (2023, 1, "results"), (2023, 2, "races")
    ]  # fmt: skip


def test_a_scheduled_round_not_yet_run_needs_no_results():
    calendar = [ingestion("races", r) for r in (1, 2, 3)]
    rows = expected_rows([*calendar, ingestion("results", 1), ingestion("drivers", None)])
    assert (2023, 1, "results") in rows and (2023, 0, "drivers") in rows
    assert not {(2023, 2, "results"), (2023, 3, "results")} & set(rows)
    assert expected_rows(calendar) == [(2023, r, "races") for r in (1, 2, 3)]


def test_only_processed_objects_are_expected_and_dimensions_wait_for_a_race():
    pending = [ingestion("results", 2, State.INGESTED), ingestion("qualifying", 2, State.FAILED)]
    # round 2 was taken as run, so its results are due whatever their state
    assert expected_rows([*pending, ingestion("sprint", 2)]) == [
        (2023, 2, "results"), (2023, 2, "sprint_results")
    ]  # fmt: skip
    assert expected_rows([ingestion("drivers", None), ingestion("circuits", None)]) == []


def test_values_are_built_from_numbers_and_table_names_only():
    assert values_sql([(2023, 1, "results")]) == "VALUES (2023, 1, 'results')"
    assert values_sql([]) == "VALUES (0, 0, '')"
    with pytest.raises(ValueError, match="not a manifest row"):
        values_sql([(2023, 1, "results'); DROP TABLE x; --")])
