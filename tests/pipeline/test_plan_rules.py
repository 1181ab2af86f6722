"""Pure planning rules: which rounds are complete, which to fetch, and how."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from f1lake.endpoints import LAPS, RACES, RESULTS
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
        ((2023, 2021, None), "the season range runs backwards: it ends with 2021, before 2023"),
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
    assert work["pit_stops"] == [1, 2, 3, 4, 5]
    assert work["laps"] == []  # lap times: only when a run asks for them


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


def test_the_whole_published_calendar_is_written_and_a_moved_round_again():
    # rounds 1-5 run and held; 6 and 7 scheduled: written though not run, results never asked
    held = plan_rules.Held(rounds=frozenset({1, 2, 3, 4, 5}))
    fetched = {r: f"sha{r}" for r in range(1, 8)}
    lake = {r: f"sha{r}" for r in range(1, 6)}
    new = plan_rules.schedule_changes(fetched, lake)
    assert new == [6, 7]
    assert plan_rules.endpoint_work(RACES, _work(schedule_changed=new), held) == [6, 7]
    assert plan_rules.endpoint_work(RESULTS, _work(schedule_changed=new), held) == []
    # the same schedule again writes nothing; round 7 moved: only it
    assert plan_rules.schedule_changes(fetched, fetched) == []
    assert plan_rules.schedule_changes({**fetched, 7: "moved"}, fetched) == [7]
    assert plan_rules.schedule_changes(fetched, fetched, force=True) == list(range(1, 8))
    # a season with no round run yet still gets its calendar
    assert plan_rules.endpoint_work(RACES, _work(completed=[], schedule_changed=new), held) == [
        6, 7
    ]  # fmt: skip


def test_a_round_dropped_from_the_schedule_is_withdrawn_only_if_never_run():
    # round 6 cancelled: the API renumbers, so the lake's round 7 is the one it no longer lists
    assert plan_rules.withdrawn(fetched=range(1, 7), written=range(1, 8), run=range(1, 6)) == [7]
    assert plan_rules.withdrawn(fetched=range(1, 7), written=range(1, 8), run=range(1, 8)) == []


def test_a_season_range_is_validated():
    assert plan_rules.season_range(2021, 2023, 2025) == [2021, 2022, 2023]
    assert plan_rules.season_range(2021, None, 2025) == [2021]
    with pytest.raises(plan_rules.PlanError, match="runs backwards"):
        plan_rules.season_range(2023, 2021, 2025)
    with pytest.raises(plan_rules.PlanError, match="out of range"):
        plan_rules.season_range(2023, 2026, 2025)


def test_lap_times_are_planned_only_when_asked_for_and_pit_stops_from_2011():
    from f1lake.endpoints import ENDPOINTS, PIT_STOPS

    asked = plan_rules.opted_in(laps=True)
    assert plan_rules.opted_in(laps=False) == frozenset()
    assert plan_rules.endpoint_work(LAPS, _work(opted_in=asked), plan_rules.Held()) == [
        1,
        2,
        3,
        4,
        5,
    ]
    held = plan_rules.Held(rounds=frozenset({1, 2}))
    assert plan_rules.endpoint_work(LAPS, _work(opted_in=asked), held) == [3, 4, 5]
    assert plan_rules.endpoint_work(LAPS, _work(opted_in=asked, season=1995), held) == []
    assert plan_rules.endpoint_work(PIT_STOPS, _work(season=2010), plan_rules.Held()) == []
    assert plan_rules.endpoint_work(PIT_STOPS, _work(season=2011), plan_rules.Held()) == [
        1, 2, 3, 4, 5
    ]  # fmt: skip
    forced = plan_rules.plan_work(ENDPOINTS.values(), _work(force=True), {})
    assert forced["laps"] == []  # force re-ingests what the run covers, never adds lap times


def test_pit_stops_and_laps_are_fetched_race_by_race_as_the_api_serves_them():
    from f1lake.endpoints import PIT_STOPS

    # a whole season of pit stops would page in fewer requests, but the API has no such URL
    assert plan_rules.fetch_per_race(PIT_STOPS, needed=22, completed=22) is True
    assert plan_rules.fetch_per_race(LAPS, needed=22, completed=22) is True
    assert plan_rules.race_pages(PIT_STOPS) == 1
    assert 10 <= plan_rules.race_pages(LAPS) <= 15


def test_the_budget_counts_every_page_of_every_race():
    from f1lake.pipeline.budget import plan_budget

    season = {"results": list(range(1, 23)), "pit_stops": list(range(1, 23)), "drivers": [None]}
    budget = plan_budget({**season, "laps": []}, completed=22)
    assert budget == {"results": 6, "pit_stops": 22, "drivers": 1}  # laps off: not in it
    with_laps = plan_budget({**season, "laps": list(range(1, 23))}, completed=22)
    assert with_laps["laps"] == 22 * plan_rules.race_pages(LAPS) == 242
    assert sum(with_laps.values()) - sum(budget.values()) == with_laps["laps"]
