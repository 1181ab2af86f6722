"""Pure planning rules: which rounds are complete, which to fetch, and how."""

from __future__ import annotations

from datetime import date

import pytest

from f1lake.endpoints import RACES, RESULTS
from f1lake.pipeline import plan_rules


def test_completed_rounds_follow_the_apis_current_and_last():
    rounds = range(1, 8)
    assert plan_rules.SeasonState(2022, 2023, None).completed_rounds(rounds) == list(rounds)
    assert plan_rules.SeasonState(2023, 2023, 5).completed_rounds(rounds) == [1, 2, 3, 4, 5]
    assert plan_rules.SeasonState(2023, 2023, None).completed_rounds(rounds) == []


@pytest.mark.parametrize("season", [1949, 2026])
def test_seasons_outside_the_championship_are_refused(season):
    with pytest.raises(plan_rules.PlanError, match=r"1950 to the current season 2025"):
        plan_rules.check_season(season, 2025)


def test_a_round_the_season_lacks_is_named():
    with pytest.raises(
        plan_rules.PlanError, match=r"season 2023 has no round 99 \(it has rounds 1 to 22\)"
    ):
        plan_rules.check_round(2023, 99, range(1, 23))


def test_rounds_to_fetch_skips_what_the_ledger_holds_unless_forced_or_rechecked():
    held = {1: "a", 2: "b"}
    assert plan_rules.rounds_to_fetch([1, 2, 3], held) == [3]
    assert plan_rules.rounds_to_fetch([1, 2, 3], held, force=True) == [1, 2, 3]
    assert plan_rules.rounds_to_fetch([1, 2, 3], held, recheck=[2]) == [2, 3]
    assert plan_rules.rounds_to_fetch([1, 2], held) == []


def test_few_missing_races_are_fetched_one_by_one_many_by_season_pages():
    # 22 completed races of ~24 rows: a season is ~6 pages of 100.
    assert plan_rules.fetch_per_race(RESULTS, needed=1, completed=22) is True
    assert plan_rules.fetch_per_race(RESULTS, needed=10, completed=22) is False
    assert plan_rules.fetch_per_race(RACES, needed=1, completed=22) is False  # one page anyway


def test_revision_window_takes_only_recent_races():
    dates = {1: date(2025, 3, 1), 2: date(2025, 3, 20), 3: date(2025, 3, 23)}
    assert plan_rules.revision_window(dates, date(2025, 3, 24), 3) == [3]
    assert plan_rules.revision_window(dates, date(2025, 3, 24), 4) == [2, 3]
    assert plan_rules.revision_window(dates, date(2025, 4, 30), 3) == []


def _work(**kw):
    base = dict(season=2023, completed=[1, 2, 3, 4, 5], last_round=5)
    return plan_rules.SeasonWork(**{**base, **kw})


def test_a_fresh_season_needs_every_endpoint_with_its_selection():
    from f1lake.endpoints import ENDPOINTS

    work = plan_rules.plan_work(ENDPOINTS.values(), _work(), {})
    assert work["results"] == work["sprint"] == work["qualifying"] == [1, 2, 3, 4, 5]
    assert work["driver_standings"] == work["constructor_standings"] == [5]
    assert work["drivers"] == work["status"] == [None]


def test_known_absences_and_ingestions_are_not_asked_again():
    from f1lake.endpoints import SPRINT

    held = plan_rules.Held(rounds=frozenset({2}), absent=frozenset({1, 3, 4, 5}))
    assert plan_rules.endpoint_work(SPRINT, _work(), held) == []
    assert plan_rules.endpoint_work(SPRINT, _work(force=True), held) == [1, 2, 3, 4, 5]
    assert plan_rules.endpoint_work(SPRINT, _work(season=2019), plan_rules.Held()) == []


def test_standings_and_dimensions_follow_the_last_completed_round():
    from f1lake.endpoints import DRIVER_STANDINGS, DRIVERS

    after_4 = plan_rules.Held(rounds=frozenset({4}))
    assert plan_rules.endpoint_work(DRIVER_STANDINGS, _work(), after_4) == [5]
    assert plan_rules.endpoint_work(DRIVER_STANDINGS, _work(whole_season=False), after_4) == []
    dims = plan_rules.Held(season_ingested=True, through_round=4)
    assert plan_rules.endpoint_work(DRIVERS, _work(), dims) == [None]
    confirmed = plan_rules.Held(season_ingested=True, through_round=5)
    assert plan_rules.endpoint_work(DRIVERS, _work(), confirmed) == []


def test_a_season_range_is_validated():
    assert plan_rules.season_range(2021, 2023, 2025) == [2021, 2022, 2023]
    assert plan_rules.season_range(2021, None, 2025) == [2021]
    with pytest.raises(plan_rules.PlanError, match="before season"):
        plan_rules.season_range(2023, 2021, 2025)
    with pytest.raises(plan_rules.PlanError, match="out of range"):
        plan_rules.season_range(2023, 2026, 2025)
