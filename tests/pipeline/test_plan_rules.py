"""Pure planning rules: which rounds are complete, which to fetch, and how."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from f1lake.endpoints import RACES, RESULTS
from f1lake.pipeline import plan_rules

SCHEDULE = {r: date(2023, 3, 5) + timedelta(weeks=r) for r in range(1, 8)}
"""Rounds 1-7, a week apart: round 5 on 2023-04-09, round 6 on 2023-04-16."""


def test_a_round_is_completed_when_its_date_has_passed_and_its_results_are_in():
    after_five = date(2023, 4, 12)
    assert plan_rules.completed_rounds(SCHEDULE, date(2024, 1, 1)) == list(range(1, 8))
    assert plan_rules.completed_rounds(SCHEDULE, after_five) == [1, 2, 3, 4, 5]
    # run but not yet published: only what has results
    assert plan_rules.completed_rounds(SCHEDULE, after_five, results_through=4) == [1, 2, 3, 4]
    # Jolpica between seasons: round 1 named "last" but not run, and no results
    assert plan_rules.completed_rounds(SCHEDULE, date(2023, 1, 10), results_through=0) == []
    assert plan_rules.completed_rounds(SCHEDULE, date(2023, 1, 10), results_through=1) == []


def test_the_current_season_is_the_latest_published_never_the_calendar():
    assert plan_rules.latest_season([2024, 2022, 2023]) == 2024
    with pytest.raises(plan_rules.PlanError, match="no season"):
        plan_rules.latest_season([])
    assert plan_rules.may_lack_results(2023, 2024) and plan_rules.may_lack_results(2024, 2024)
    assert not plan_rules.may_lack_results(2022, 2024)


@pytest.mark.parametrize("season", [1949, 2026])
def test_seasons_outside_the_championship_are_refused(season):
    with pytest.raises(plan_rules.PlanError, match=r"1950 to 2025, the latest season"):
        plan_rules.check_season(season, 2025)


@pytest.mark.parametrize(
    ("request_", "message"),
    [
        ((1949, None, None), "began in 1950"),
        ((2023, 2021, None), "season_to 2021 is before season 2023"),
        ((2023, None, 0), "rounds count from 1"),
        ((2021, 2023, 2), "cannot be combined with season_to"),
    ],
)
def test_requests_wrong_on_their_face_are_refused_without_a_source(request_, message):
    with pytest.raises(plan_rules.PlanError, match=message):
        plan_rules.check_request(*request_)


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
