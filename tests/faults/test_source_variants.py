"""Jolpica's forms of the data, served by the replay, load and pass the checks as the Ergast
dump's do (docs/source_variants.md)."""

from __future__ import annotations

import os

from f1lake.checks import run_checks
from f1lake.query.local import LocalEngine
from tests.faults.conftest import SEASON, make_rig

ROUND = 3


def results(rig) -> list[tuple]:
    with LocalEngine(rig.settings) as session:
        frame = session.run(
            f"SELECT driver_id, position_text, status, laps, time_millis FROM results "
            f"WHERE season = '{SEASON}' AND round = {ROUND} ORDER BY position_order"
        )
    return [tuple(row) for row in frame.itertuples(index=False)]


def test_lapped_cars_with_race_times_load_and_pass_the_checks(
    moto_endpoint, pg_dsn, minidump, tmp_path, monkeypatch
):
    for name in [k for k in os.environ if k.startswith("F1LAKE_")]:
        monkeypatch.delenv(name)
    with make_rig(
        moto_endpoint, pg_dsn, minidump, tmp_path / "state", variants=("lapped_times",)
    ) as rig:
        rig.backfill(round_=ROUND)
        rows = results(rig)
        checks = run_checks(rig.settings, SEASON)

    winner_laps = rows[0][3]
    lapped = [r for r in rows if r[2].startswith("+") and r[3] < winner_laps]
    assert lapped, "the dump's race has no lapped finisher"
    assert all(r[4] is not None and r[4] > rows[0][4] for r in lapped)  # timed, after the win
    assert [c.name for c in checks if not c.passed or c.skipped] == []
