"""The dashboard over the real 1950-2025 history (../shared/data; skipped when absent), in
headless Chromium, offline: one page load serves every acceptance check.

The page embeds one season (2021, the season-scoped queries) and the all-season queries
(careers, champions, records), which is what these checks need and keeps the test short.
Screenshots of each sheet go to the test's tmp folder, or to F1LAKE_DASHBOARD_SHOTS if set.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from f1lake.dashboard.data import collect
from f1lake.dashboard.render import write_html
from f1lake.dashboard.spec import load_spec
from f1lake.query.local import LocalEngine
from tests.checks.history import load_history
from tests.conftest import shared_path
from tests.dashboard.browser import CHROMIUM, Browser, chromium

pytestmark = [
    pytest.mark.shared,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is absent"),
]


@pytest.fixture(scope="module")
def history_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    with LocalEngine(con=load_history(shared_path("ergast-csv"))) as engine:
        data = collect(engine, load_spec(), [2021])
    return write_html(data, tmp_path_factory.mktemp("history") / "history.html")


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    with chromium(tmp_path_factory.mktemp("chromium-profile")) as b:
        yield b


def _rows(tab: Any, visual: str) -> list[list[str]]:
    return tab.evaluate(
        """(id) => Array.from(document.querySelectorAll('#visual-' + id + ' tbody tr'))
            .map(tr => Array.from(tr.cells).map(td => td.textContent))""",
        visual,
    )


def _drawn(tab: Any, sheet: dict) -> dict[str, bool]:
    """Per visual of the shown sheet: a table with rows or a chart painted with data."""
    return tab.evaluate(
        """(ids) => Object.fromEntries(ids.map(id => {
            const card = document.getElementById('visual-' + id);
            const canvas = card.querySelector('canvas');
            if (!canvas) return [id, card.querySelectorAll('tbody tr').length > 0];
            const chart = Chart.getChart(canvas);
            const points = chart ? chart.data.datasets.reduce((n, d) => n + d.data.length, 0) : 0;
            return [id, Boolean(chart) && points > 0 && canvas.width > 0 && !canvas.hidden];
        }))""",
        [v["id"] for v in sheet["visuals"] if not v["unavailable"]],
    )


def _show(tab: Any, state: str) -> None:
    tab.wait_for_selector(f'body[data-state="{state}"]')


def test_every_sheet_draws_the_history_and_the_url_keeps_the_view(
    browser: Browser, history_page: Path, tmp_path: Path
) -> None:
    shots = Path(os.environ.get("F1LAKE_DASHBOARD_SHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    tab = browser.open(history_page)
    sheets = tab.evaluate("JSON.parse(document.getElementById('f1lake-dashboard-data')"
                          ".textContent).dashboard.sheets")  # fmt: skip
    assert [s["id"] for s in sheets] == ["season", "race", "driver", "history"]

    # Season 2021, then race 22: Abu Dhabi, Verstappen first and Hamilton second.
    tab.click("#tab-race")
    tab.select_option("#race", "22")
    _show(tab, "#sheet=race&season=2021&race=22")
    assert tab.title() == "F1 lake 2021 Abu Dhabi Grand Prix - f1lake"
    first, second = _rows(tab, "race_classification")[:2]
    assert (first[:3], second[:3]) == (
        ["1", "Max Verstappen", "Red Bull"],
        ["2", "Lewis Hamilton", "Mercedes"],
    )
    assert [r[1] for r in _rows(tab, "race_fastest_laps")][:1] == ["Max Verstappen"]
    drawn = {"race": _drawn(tab, sheets[1])}
    assert _rows(tab, "race_pit_stops")  # the history has pit stops (2011 on), not lap times
    assert tab.text_content("#visual-race_lap_chart .empty") == "The lake has no laps table yet."
    tab.screenshot(path=str(shots / "race.png"), full_page=True)

    # Hamilton: his titles in the career table, whatever the season shown.
    tab.click("#tab-driver")
    tab.select_option("#driver", "hamilton")
    _show(tab, "#sheet=driver&season=2021&race=22&driver=hamilton")
    career = _rows(tab, "driver_career")
    titles = [r[0] for r in career if r[-1] == "Champion"]
    assert titles == ["2008", "2014", "2015", "2017", "2018", "2019", "2020"]
    assert [r[1] for r in _rows(tab, "driver_teams")] == ["McLaren", "Mercedes", "Ferrari"]
    drawn["driver"] = _drawn(tab, sheets[2])
    tab.screenshot(path=str(shots / "driver.png"), full_page=True)

    # The driver filter follows onto the season's charts: his line only.
    tab.click("#tab-season")
    _show(tab, "#sheet=season&season=2021&race=22&driver=hamilton")
    lines = tab.evaluate(
        "Chart.getChart(document.querySelector('#visual-driver_progression canvas'))"
        ".data.datasets.map(d => d.label)"
    )
    assert lines == ["Lewis Hamilton"]
    tab.select_option("#driver", "")
    _show(tab, "#sheet=season&season=2021&race=22")
    drawn["season"] = _drawn(tab, sheets[0])
    tab.screenshot(path=str(shots / "season.png"), full_page=True)

    tab.click("#tab-history")
    _show(tab, "#sheet=history&season=2021&race=22")
    champions = {r[0]: r for r in _rows(tab, "champions")}
    assert (champions["2023"][1], champions["2023"][4]) == ("Max Verstappen", "Red Bull")
    drawn["history"] = _drawn(tab, sheets[3])
    tab.screenshot(path=str(shots / "history.png"), full_page=True)
    assert {s: [v for v, ok in d.items() if not ok] for s, d in drawn.items()} == {
        "race": [], "driver": [], "season": [], "history": [],
    }  # fmt: skip

    # Back steps through the selections; a reload restores the view from the URL.
    tab.go_back()
    _show(tab, "#sheet=season&season=2021&race=22")
    tab.go_back()
    _show(tab, "#sheet=season&season=2021&race=22&driver=hamilton")
    tab.goto(history_page.resolve().as_uri() + "#sheet=driver&season=2021&driver=hamilton")
    tab.reload()
    _show(tab, "#sheet=driver&season=2021&race=22&driver=hamilton")
    assert tab.input_value("#driver") == "hamilton"
    assert [r[0] for r in _rows(tab, "driver_career") if r[-1] == "Champion"] == titles
    # Sorting a table: click a header, most points first.
    tab.click("#visual-driver_career th:nth-child(4)")
    points = [float(r[3]) for r in _rows(tab, "driver_career")]
    assert points == sorted(points, reverse=True)
    # The team selector: one team's drivers of the season.
    tab.click("#tab-season")
    tab.select_option("#team", "mercedes")
    _show(tab, "#sheet=season&season=2021&race=22&driver=hamilton&team=mercedes")
    assert [r[1] for r in _rows(tab, "team_drivers")] == ["Lewis Hamilton", "Valtteri Bottas"]
    # Places held as text (position_text) sort as numbers: 2 before 10.
    assert tab.inner_text("#visual-driver_standings th:nth-child(1)").strip() == "Pos"
    tab.click("#visual-driver_standings th:nth-child(1)")
    places = [r[0] for r in _rows(tab, "driver_standings")]
    assert len(places) > 10 and places == sorted(places, key=int)
    assert browser.requests == [] and browser.errors == []
