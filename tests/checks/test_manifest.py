"""The ledger's manifest of what the lake must hold, and how a check receives it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from f1lake.checks.manifest import expected_rows, values_sql
from f1lake.ledger import Ingestion, State

T = datetime(2023, 3, 1, tzinfo=UTC)


def ingestion(endpoint: str, round_: int | None, state: State = State.PROCESSED) -> Ingestion:
    return Ingestion(
        2023, round_, endpoint, f"{endpoint}/{round_}", "0" * 64, state, None,
        T, T, None, None, None, None, None, T, T,
    )  # fmt: skip


def test_a_completed_race_needs_results_even_when_none_were_ever_ingested():
    """The between-seasons case: round 1 planned as run, its schedule ingested, no results."""
    rows = expected_rows([ingestion("races", 1), ingestion("drivers", None)])
    assert rows == [(2023, 0, "drivers"), (2023, 1, "races"), (2023, 1, "results")]


def test_only_processed_objects_are_expected_and_dimensions_wait_for_a_race():
    pending = [ingestion("results", 2, State.INGESTED), ingestion("qualifying", 2, State.FAILED)]
    assert expected_rows([*pending, ingestion("sprint", 2)]) == [(2023, 2, "sprint_results")]
    assert expected_rows([ingestion("drivers", None), ingestion("circuits", None)]) == []


def test_values_are_built_from_numbers_and_table_names_only():
    assert values_sql([(2023, 1, "results")]) == "VALUES (2023, 1, 'results')"
    assert values_sql([]) == "VALUES (0, 0, '')"
    with pytest.raises(ValueError, match="not a manifest row"):
        values_sql([(2023, 1, "results'); DROP TABLE x; --")])
