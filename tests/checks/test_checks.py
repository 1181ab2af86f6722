"""The data-quality checks over small lakes on the moto server, cataloged by the local crawler."""

from __future__ import annotations

import copy
from collections.abc import Callable

import pytest
from click.testing import CliRunner

from f1lake.catalog import crawl
from f1lake.checks import (
    CheckResult,
    ChecksFailed,
    check_files,
    format_results,
    raise_on_failure,
    run_checks_in,
)
from f1lake.checks.manifest import LEDGER_MANIFEST
from f1lake.cli import main
from f1lake.query.local import LocalEngine
from f1lake.settings import Settings
from tests.checks.lakedata import Entry, Season, build, manifest, modern_season, totals

CHECK_NAMES = {p.stem for p in check_files()}


_MANIFESTS: dict[str, list[tuple[int, int, str]]] = {}


def _lake(settings: Settings, *seasons: Season) -> Settings:
    build(settings, seasons)
    crawl(settings)
    _MANIFESTS[settings.processed_bucket] = manifest(seasons)
    return settings


def run_checks(settings: Settings, season: int | None = None) -> list[CheckResult]:
    """Every check, with the manifest a ledger that ingested the lake's seasons would give."""
    rows = _MANIFESTS.get(settings.processed_bucket, [])
    with LocalEngine(settings) as engine:
        return run_checks_in(engine, season, manifests={LEDGER_MANIFEST: rows})


def _failed(results) -> dict[str, int]:
    return {r.name: r.violations for r in results if not r.passed}


def test_the_required_checks_exist() -> None:
    assert {
        "one_winner_per_race",
        "unique_positions",
        "results_in_dimensions",
        "grid_and_laps_non_negative",
        "points_within_era_maximum",
        "driver_points_reconcile",
        "constructor_points_reconcile",
        "ledger_races_in_lake",
    } <= CHECK_NAMES


def test_a_clean_season_with_half_points_and_a_sprint_passes_every_check(
    settings: Settings,
) -> None:
    _lake(settings, modern_season(2021))
    results = run_checks(settings)
    assert {r.name for r in results} == CHECK_NAMES
    assert _failed(results) == {}
    assert all(r.violations == 0 and r.sample == [] for r in results)
    text = format_results(results)
    assert text.count("PASS") == len(CHECK_NAMES) and "FAIL" not in text
    assert raise_on_failure(results) == results


def _two_winners(s: Season) -> None:
    s.races[1][1] = Entry("bravo", "blue", 1, 18.0)


def _repeated_place(s: Season) -> None:
    s.races[2][3] = Entry("charlie", "red", 3, 6.0)  # two 3rd places in round 2


def _unknown_driver(s: Season) -> None:
    s.missing_drivers = {"delta"}


def _negative_grid(s: Season) -> None:
    s.races[3][0].grid = -1


def _too_many_points(s: Season) -> None:
    s.races[1][0].points = 250.0  # a unit slip
    s.driver_official = totals(s, "driver")
    s.constructor_official = totals(s, "team")


def _official_driver_differs(s: Season) -> None:
    s.driver_official["alpha"] += 10


def _official_constructor_differs(s: Season) -> None:
    s.constructor_official["blue"] -= 3


def _results_lost(s: Season) -> None:
    del s.races[2]  # the ledger holds round 2 as completed; the lake has no results for it
    s.driver_official = totals(s, "driver")
    s.constructor_official = totals(s, "team")


BREAKS: dict[str, tuple[Callable[[Season], None], dict[str, int]]] = {
    # two winners are also two entries on position 1
    "one_winner_per_race": (_two_winners, {"one_winner_per_race": 1, "unique_positions": 1}),
    "unique_positions": (_repeated_place, {"unique_positions": 1}),
    # delta raced four times and one sprint: every result of his is reported, by race
    "results_in_dimensions": (_unknown_driver, {"results_in_dimensions": 4}),
    "grid_and_laps_non_negative": (_negative_grid, {"grid_and_laps_non_negative": 1}),
    "points_within_era_maximum": (_too_many_points, {"points_within_era_maximum": 1}),
    "driver_points_reconcile": (_official_driver_differs, {"driver_points_reconcile": 1}),
    "constructor_points_reconcile": (
        _official_constructor_differs,
        {"constructor_points_reconcile": 1},
    ),
    # its results and its schedule row: two rows the ledger expects and the lake lacks
    "ledger_races_in_lake": (_results_lost, {"ledger_races_in_lake": 2}),
}


@pytest.mark.parametrize("name", sorted(BREAKS))
def test_each_check_catches_its_violation(settings: Settings, name: str) -> None:
    breaker, expected = BREAKS[name]
    season = copy.deepcopy(modern_season(2021))
    ledger_says = manifest([season])
    breaker(season)
    _lake(settings, season)
    _MANIFESTS[settings.processed_bucket] = ledger_says

    results = run_checks(settings, season=2021)

    assert _failed(results) == expected
    failed = next(r for r in results if r.name == name)
    assert failed.sample and all(row["season"] == 2021 for row in failed.sample)
    assert "e.g." in failed.detail and "problem=" in failed.detail
    line = next(ln for ln in format_results(results).splitlines() if name in ln)
    assert line.startswith("FAIL") and f"{expected[name]} violation(s)" in line
    with pytest.raises(ChecksFailed, match=name) as info:
        raise_on_failure(results)
    assert {r.name for r in info.value.failed} == set(expected)


def _dropped_scores_season() -> Season:
    """1965: best 6 of 10 results counted, 9-6-4-3-2-1, only a team's best car scored for it.

    Seven rounds: red's two cars finish 1-2 every time. Alpha scores 63 and counts 54; red
    scores 9 per race for the constructors (its second car adds nothing), 6 best of 7 = 54.
    """
    s = Season(1965)
    for rnd in range(1, 8):
        s.races[rnd] = [
            Entry("alpha", "red", 1, 9.0),
            Entry("bravo", "red", 2, 6.0),
            Entry("charlie", "blue", 3, 4.0),
        ]
    s.driver_official = {"alpha": 54.0, "bravo": 36.0, "charlie": 24.0}
    s.constructor_official = {"red": 54.0, "blue": 24.0}
    return s


def test_an_era_rule_is_honoured_and_a_real_difference_still_fails(settings: Settings) -> None:
    season = _dropped_scores_season()
    _lake(settings, season)
    assert _failed(run_checks(settings, season=1965)) == {}


def test_summing_every_result_where_the_era_dropped_scores_is_caught(settings: Settings) -> None:
    season = _dropped_scores_season()
    season.driver_official["alpha"] = 63.0  # what a naive sum gives: not the 1965 table
    _lake(settings, season)
    results = run_checks(settings, season=1965)
    assert _failed(results) == {"driver_points_reconcile": 1}
    sample = next(r for r in results if r.name == "driver_points_reconcile").sample[0]
    assert (sample["driver_id"], sample["derived_points"], sample["official_points"]) == (
        "alpha",
        54.0,
        63.0,
    )


def test_season_filter_only_judges_that_season(settings: Settings) -> None:
    broken = modern_season(2022)
    broken.sprints.clear()
    broken.driver_official = totals(broken, "driver")
    broken.constructor_official = totals(broken, "team")
    _negative_grid(broken)
    _lake(settings, modern_season(2021), broken)
    assert _failed(run_checks(settings, season=2021)) == {}
    assert _failed(run_checks(settings, season=2022)) == {"grid_and_laps_non_negative": 1}
    assert _failed(run_checks(settings)) == {"grid_and_laps_non_negative": 1}


def test_an_excluded_constructor_reconciles_with_kept_or_zeroed_points(settings: Settings) -> None:
    """2007 McLaren: excluded (E) with 218 points in the Ergast data, 0 in Jolpica's. Both
    reconcile; an excluded row on any other total is still a breach."""
    zeroed, wrong = modern_season(2021), modern_season(2022)
    zeroed.sprints.clear()
    wrong.sprints.clear()
    for s, points in ((zeroed, 0.0), (wrong, 5.0)):
        s.driver_official = totals(s, "driver")
        s.constructor_official = totals(s, "team") | {"blue": points}
        s.official_text = {"blue": "E"}
    _lake(settings, zeroed, wrong)

    results = run_checks(settings)

    assert _failed(results) == {"constructor_points_reconcile": 1}
    sample = next(r for r in results if r.name == "constructor_points_reconcile").sample[0]
    assert (sample["season"], sample["constructor_id"]) == (2022, "blue")


def _env(settings: Settings) -> dict[str, str]:
    return {
        "F1LAKE_AWS_ENDPOINT_URL": settings.aws_endpoint_url or "",
        "F1LAKE_PROCESSED_BUCKET": settings.processed_bucket,
        "F1LAKE_GLUE_DATABASE": settings.glue_database,
    }


def test_cli_check_prints_a_line_per_check_and_exits_1_on_a_failure(settings: Settings) -> None:
    season = modern_season(2021)
    _official_driver_differs(season)
    _lake(settings, season)
    runner = CliRunner()
    result = runner.invoke(main, ["check", "--season", "2021"], env=_env(settings))
    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    assert sum(ln.startswith(("PASS", "FAIL", "SKIP")) for ln in lines) == len(CHECK_NAMES)
    # no ledger configured: the completeness check says it was not run
    assert any(ln.startswith("SKIP") and "ledger_races_in_lake" in ln for ln in lines)
    assert any(ln.startswith("FAIL") and "driver_points_reconcile" in ln for ln in lines)


def test_cli_check_exits_0_when_every_check_passes(settings: Settings) -> None:
    _lake(settings, modern_season(2021))
    result = CliRunner().invoke(main, ["check"], env=_env(settings))
    assert result.exit_code == 0, result.output
    assert "FAIL" not in result.output


def test_cli_check_needs_a_local_stack() -> None:
    result = CliRunner().invoke(main, ["check"], env={"F1LAKE_AWS_ENDPOINT_URL": ""})
    assert result.exit_code == 2
    assert "F1LAKE_AWS_ENDPOINT_URL" in result.output
