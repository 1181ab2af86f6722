"""Every race of the full CSV history (1950 on), served by the replay as the API would answer
it, wrapped as raw objects and transformed: no real record may be rejected.

Skipped when ../shared/data is absent; prints how many objects it transformed and how long
it took (a figure, not a goal)."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

from f1lake.endpoints import ENDPOINTS, Endpoint
from f1lake.raw.envelope import build_envelope
from f1lake.replay.dump import default_today, load_dump
from f1lake.replay.responses import ReplayView, respond
from f1lake.transform import ValidationError, transform_object
from tests.conftest import shared_path

pytestmark = pytest.mark.shared

BASE = "http://127.0.0.1/ergast/f1"


def _pages(view: ReplayView, path: str) -> Iterator[dict[str, Any]]:
    """Every page of one request, as the client pages it (limit 100)."""
    offset = 0
    while True:
        answer = respond(view, path, {"limit": "100", "offset": str(offset)}, f"{BASE}/{path}")
        assert answer.status == 200, (path, answer.body)
        mrdata = answer.body["MRData"]
        yield mrdata
        offset += 100
        if offset >= int(mrdata["total"]):
            return


def _race_record(view: ReplayView, ep: Endpoint, path: str) -> dict[str, Any] | None:
    """One race (or standings item) assembled over its pages; None when the API has none."""
    record: dict[str, Any] | None = None
    for mrdata in _pages(view, path):
        for item in mrdata[ep.table_key][ep.items_key]:
            if record is None:
                record = item
            else:
                record[ep.row_key].extend(item[ep.row_key])
    return record


def _season_record(view: ReplayView, ep: Endpoint, path: str) -> dict[str, Any]:
    items: list[dict[str, Any]] = []
    season = None
    for mrdata in _pages(view, path):
        season = mrdata[ep.table_key]["season"]
        items.extend(mrdata[ep.table_key][ep.items_key])
    return {"season": season, ep.items_key: items}


def _raw_objects(view: ReplayView) -> Iterator[tuple[str, dict[str, Any]]]:
    """(label, raw object) for every (race-scoped endpoint, race) and (dimension, season)."""
    header = {"xmlns": "", "series": "f1"}
    for season, races in sorted(view.dump.races_by_season.items()):
        for ep in ENDPOINTS.values():
            if ep.scope == "season":
                record = _season_record(view, ep, ep.season_path(season))
                yield f"{ep.name} {season}", _wrap(ep, record, header)
                continue
            for race in races:
                if not view.happened(race):
                    continue
                record = _race_record(view, ep, ep.race_path(season, race.round))
                if record is not None:
                    yield f"{ep.name} {season}/{race.round}", _wrap(ep, record, header)


def _wrap(ep: Endpoint, record: dict[str, Any], header: dict[str, Any]) -> dict[str, Any]:
    return build_envelope(ep, record, base_url=BASE, header=header, source_urls=[], pages=1)


def test_every_race_of_the_history_transforms():
    dump = load_dump(shared_path("ergast-csv"))
    view = ReplayView(dump, default_today(dump))
    started = time.perf_counter()
    rows: Counter[str] = Counter()
    objects: Counter[str] = Counter()
    failures: dict[str, list[str]] = {}
    pit_stops_2023 = 0
    for label, body in _raw_objects(view):
        try:
            out = transform_object(body)
        except ValidationError as exc:
            failures[label] = exc.problems[:3]
            continue
        for table, data in out.tables.items():
            rows[table] += data.num_rows
            if (table, out.season) == ("pit_stops", 2023):
                pit_stops_2023 += data.num_rows
            objects[table] += 1
    elapsed = time.perf_counter() - started
    print(
        f"\nfull history: {sum(objects.values())} raw objects transformed in {elapsed:.1f}s "
        f"({sum(rows.values())} rows); per table objects/rows: "
        + ", ".join(f"{t} {objects[t]}/{rows[t]}" for t in sorted(objects))
    )
    assert not failures, f"{len(failures)} objects rejected, e.g. {list(failures.items())[:5]}"
    assert objects["results"] == len([r for r in dump.races.values() if r.race_id in dump.results])
    assert rows["results"] == sum(len(v) for v in dump.results.values())
    assert rows["sprint_results"] == sum(len(v) for v in dump.sprint_results.values())
    assert rows["qualifying"] == sum(len(v) for v in dump.qualifying.values())
    # every pit stop since 2011, red-flag waits included (2023: the source's 912)
    assert rows["pit_stops"] == sum(len(v) for v in dump.pit_stops.values())
    stops_2023 = sum(len(dump.pit_stops.get(r.race_id, ())) for r in dump.races_by_season[2023])
    assert pit_stops_2023 == stops_2023 > 0
    assert objects["drivers"] == len(dump.races_by_season)
