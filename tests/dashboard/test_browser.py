"""The dashboard in a real browser: Debian's headless Chromium opens the file, offline.

It checks what a user sees: the charts drew the chosen season's data, the standings table
lists the standings, and picking another season redraws everything with that season's data.
A screenshot of 2023 is saved in the test's tmp folder; set F1LAKE_DASHBOARD_SCREENSHOT to a
path to keep a copy (e.g. docs/dashboard-2023.png).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from f1lake.dashboard import Written
from f1lake.dashboard.data import DashboardData, Rows
from f1lake.dashboard.render import write_html
from f1lake.dashboard.spec import load_spec
from tests.dashboard import lakedata
from tests.dashboard.browser import CHROMIUM, Browser, chromium

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason=f"{CHROMIUM} is absent: install Debian's chromium (apt-get install -y chromium)",
)


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    with chromium(tmp_path_factory.mktemp("chromium-profile")) as b:
        yield b


def _chart(page: Any, visual: str) -> dict[str, Any]:
    """What Chart.js holds for a visual's canvas, and whether anything was painted on it."""
    return page.evaluate(
        """(id) => {
            const canvas = document.querySelector('#visual-' + id + ' canvas');
            const chart = Chart.getChart(canvas);
            if (!chart) return null;
            const blank = document.createElement('canvas');
            blank.width = canvas.width; blank.height = canvas.height;
            return {
                type: chart.config.type,
                labels: chart.data.labels,
                datasets: chart.data.datasets.map(d => ({label: d.label, data: d.data})),
                painted: canvas.width > 0 && canvas.toDataURL() !== blank.toDataURL(),
            };
        }""",
        visual,
    )


def _table(page: Any, visual: str) -> list[list[str]]:
    return page.evaluate(
        """(id) => Array.from(document.querySelectorAll('#visual-' + id + ' tbody tr'))
            .map(tr => Array.from(tr.cells).map(td => td.textContent))""",
        visual,
    )


def _cell(value: object) -> str:
    """How a table cell reads: 72.0 points as 72, 12.5 as 12.5."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _assert_season(page: Any, season: int) -> None:
    assert page.input_value("#season") == str(season)
    progression = _chart(page, "driver_progression")
    assert progression is not None and progression["type"] == "line" and progression["painted"]
    expected = lakedata.progression(season)
    assert progression["labels"] == [r.round for r in lakedata.SEASONS[season]]
    assert {d["label"]: d["data"] for d in progression["datasets"]} == expected
    # Lines are listed (legend order) by points after the last round.
    assert [d["label"] for d in progression["datasets"]] == [
        s["name"] for s in lakedata.standings(season)
    ]
    teams = _chart(page, "constructor_points")
    want = lakedata.standings(season, by="team")
    assert teams["painted"] and teams["labels"] == [s["name"] for s in want]
    assert teams["datasets"][0]["data"] == [s["points"] for s in want]
    dnfs = _chart(page, "dnfs")
    assert dict(zip(dnfs["labels"], dnfs["datasets"][0]["data"], strict=True)) == (
        lakedata.dnfs_by_cause(season)
    )
    cells = ("position", "name", "team", "points", "wins", "podiums")
    assert _table(page, "driver_standings") == [
        [_cell(s[c]) for c in cells] for s in lakedata.standings(season)
    ]
    laps = _table(page, "fastest_laps")
    assert [(row[0], row[2]) for row in laps] == [
        (str(f["round"]), f["driver_name"]) for f in lakedata.fastest_laps(season)
    ]


def test_charts_show_the_chosen_season_and_follow_the_selector(
    browser: Browser, page: Written, tmp_path: Path
) -> None:
    tab = browser.open(page.path)
    assert tab.eval_on_selector_all("#season option", "os => os.map(o => o.value)") == [
        "2023",
        "2022",
    ]
    _assert_season(tab, 2023)
    shot = tmp_path / "dashboard-2023.png"
    tab.screenshot(path=str(shot), full_page=True)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000
    keep = os.environ.get("F1LAKE_DASHBOARD_SCREENSHOT")
    if keep:
        Path(keep).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shot, keep)

    tab.select_option("#season", "2022")
    tab.wait_for_selector('body[data-season="2022"]')
    _assert_season(tab, 2022)
    assert tab.evaluate("location.hash") == "#sheet=season&season=2022&race=2"
    assert tab.title().endswith("2022 - f1lake")

    assert browser.requests == [] and browser.errors == []


def test_a_link_with_a_season_opens_on_that_season(browser: Browser, page: Written) -> None:
    tab = browser.open(page.path, "#season=2022")
    _assert_season(tab, 2022)
    assert browser.requests == [] and browser.errors == []


def test_a_visual_without_rows_says_so_instead_of_an_empty_chart(
    browser: Browser, tmp_path: Path
) -> None:
    # A 1950s season has no fastest-lap times and no sprint; its visuals must not look broken.
    spec = load_spec()
    empty = {q: Rows(spec.columns_of(q), ()) for q in spec.queries()}
    # ... and a season in progress shows its rounds to come; a decision is a footnote
    ada = {"position_text": "1", "driver_name": "Ada Alpha", "constructor_name": "Red Racing"}
    ada |= {"points": 9.0, "wins": 1, "podiums": 1, "driver_id": "ada", "constructor_id": "red"}
    bob = {**ada, "position_text": "D", "driver_name": "Bob Beta", "driver_id": "bob"}
    decision = "Disqualified from the 1950 drivers' championship (a test decision)"
    columns = spec.columns_of("standings")
    rows = ({**ada, "adjustment": None}, {**bob, "adjustment": decision})
    empty["standings"] = Rows(columns, tuple(tuple(r[c] for c in columns) for r in rows))
    calendar = spec.columns_of("season_schedule")
    rounds = [
        {"round": 1, "race_name": "Alpha GP", "run": True, "winner_name": "Ada Alpha"},
        {"round": 2, "race_name": "Beta GP", "run": False, "winner_name": None},
    ]
    empty["season_schedule"] = Rows(
        calendar, tuple(tuple(r.get(c) for c in calendar) for r in rounds)
    )
    path = tmp_path / "sparse.html"
    write_html(DashboardData(spec, (1950,), 1950, {1950: empty}), path)

    tab = browser.open(path)
    assert _table(tab, "driver_standings") == [
        ["1", "Ada Alpha", "Red Racing", "9", "1", "1"],
        ["D", "Bob Beta", "Red Racing", "9", "1", "1"],
    ]
    assert tab.is_visible("#visual-driver_standings .notes")
    assert tab.text_content("#visual-driver_standings .notes") == decision
    assert [(r[0], r[1], r[4]) for r in _table(tab, "season_calendar")] == [
        ("1", "Alpha GP", "true"), ("2", "Beta GP", "false")
    ]  # fmt: skip
    assert not tab.is_visible("#visual-constructor_standings .notes")
    assert tab.is_visible("#visual-fastest_laps .empty")
    assert tab.text_content("#visual-fastest_laps .empty") == "No data for 1950."
    assert not tab.is_visible("#visual-driver_progression canvas")
    assert not tab.is_visible("#visual-driver_standings .empty")
    assert browser.errors == []


def test_the_race_with_lap_times_and_the_team_and_driver_views_draw_their_queries(
    browser: Browser, page: Written
) -> None:
    (season, rnd), times = next(iter(lakedata.LAP_TIMES.items()))
    state = f"#sheet=race&season={season}&race={rnd}"
    tab = browser.open(page.path, state)
    tab.wait_for_selector(f'body[data-state="{state}"]')
    laps = list(range(1, max(len(t) for t in times.values()) + 1))
    places = lakedata.lap_positions(season, rnd)
    chart = _chart(tab, "race_lap_chart")
    assert chart["painted"] and chart["labels"] == laps
    assert {d["label"]: d["data"] for d in chart["datasets"]} == {
        lakedata.name(d): p + [None] * (len(laps) - len(p)) for d, p in places.items()
    }
    gaps = _chart(tab, "race_gaps")
    assert gaps["painted"] and gaps["labels"] == laps
    leader = [min(sum(t[:lap]) for t in times.values() if len(t) >= lap) for lap in laps]
    assert {d["label"]: d["data"] for d in gaps["datasets"]} == {
        lakedata.name(d): [(sum(t[:lap]) - leader[lap - 1]) / 1000 if lap <= len(t) else None
                           for lap in laps]
        for d, t in times.items()
    }  # fmt: skip
    pace = _chart(tab, "race_pace")
    assert pace["painted"] and pace["type"] == "bar"
    want = lakedata.pace_gaps(season, rnd)
    assert dict(zip(pace["labels"], pace["datasets"][0]["data"], strict=True)) == want
    assert pace["labels"] == sorted(want, key=lambda d: (want[d] is None, want[d] or 0))
    assert len(_table(tab, "race_pit_stops")) == len(lakedata.PIT_STOPS[(season, rnd)])

    # The team selector picks one team's drivers; the season's pit stops are drawn.
    tab.click("#tab-season")
    tab.select_option("#team", "blue")
    tab.wait_for_selector(f'body[data-state="#sheet=season&season={season}&race={rnd}&team=blue"]')
    drivers = {
        r.driver for race in lakedata.SEASONS[season] for r in race.results if r.team == "blue"
    }
    assert sorted(r[1] for r in _table(tab, "team_drivers")) == sorted(map(lakedata.name, drivers))
    assert {r[0] for r in _table(tab, "team_drivers")} == {lakedata.TEAMS["blue"]}
    assert _chart(tab, "pit_stops_by_team")["painted"]
    stops = sorted(lakedata.PIT_STOPS[(season, rnd)], key=lambda s: s[3])
    assert [r[3] for r in _table(tab, "fastest_pit_stops")] == [lakedata.name(s[0]) for s in stops]
    assert len(_table(tab, "pit_stops_by_driver")) == len(stops)

    # A driver's teams, spell by spell: Ada drove for Green GP, then Red Racing.
    tab.click("#tab-driver")
    tab.select_option("#driver", "ada")
    tab.wait_for_selector('body[data-state*="&driver=ada"]')
    assert [(r[0], r[1], r[2]) for r in _table(tab, "driver_teams")] == [
        ("1", "Green GP", "2022"),
        ("2", "Red Racing", "2023"),
    ]
    assert browser.requests == [] and browser.errors == []
