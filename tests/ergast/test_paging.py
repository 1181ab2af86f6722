from __future__ import annotations

import copy
import json

import pytest

from f1lake.endpoints import RACES, RESULTS
from f1lake.ergast.errors import InconsistentPagesError, MalformedResponseError
from f1lake.ergast.paging import assemble, page_offsets, parse_page, remaining_offsets
from tests.conftest import shared_path
from tests.ergast.fake_api import make_races, page_body


def pages_of(endpoint, items, limit, table=None, url="http://api/2023/results.json"):
    """Parsed pages as the API would cut ``items`` with ``limit`` per page."""
    table = table or {"season": "2023"}
    first = parse_page(
        page_body(endpoint, items, url=url, limit=limit, offset=0, table=table), endpoint, url
    )
    pages = [first]
    for offset in remaining_offsets(first):
        page_url = f"{url}?offset={offset}"
        body = page_body(endpoint, items, url=url, limit=limit, offset=offset, table=table)
        pages.append(parse_page(body, endpoint, page_url))
    return pages


def test_offsets_cover_every_row_once():
    assert page_offsets(440, 30) == list(range(0, 440, 30))
    assert page_offsets(440, 30)[-1] == 420
    assert page_offsets(100, 100) == [0]
    assert page_offsets(101, 100) == [0, 100]
    assert page_offsets(0, 100) == [0]
    with pytest.raises(ValueError, match="limit"):
        page_offsets(10, 0)


def test_race_split_across_pages_is_assembled_with_rows_in_order():
    races = make_races(2023, [7, 7, 7])
    original = copy.deepcopy(races)
    pages = pages_of(RESULTS, races, limit=5)

    assert [page.offset for page in pages] == [0, 5, 10, 15, 20]
    # Round 1 is cut between the first two pages: both carry part of its rows.
    assert [r["round"] for r in pages[0].items] == ["1"]
    assert [r["round"] for r in pages[1].items] == ["1", "2"]

    merged = assemble(RESULTS, pages)

    assert merged == original
    assert [r["round"] for r in merged] == ["1", "2", "3"]
    for race in merged:
        ids = [row["Driver"]["driverId"] for row in race["Results"]]
        assert len(ids) == len(set(ids)) == 7
        assert [row["position"] for row in race["Results"]] == [str(n) for n in range(1, 8)]
    # The pages themselves are left as they came.
    assert [len(r["Results"]) for r in pages[1].items] == [2, 3]


def test_race_spanning_three_pages_is_one_race():
    races = make_races(2023, [2, 12, 1])
    merged = assemble(RESULTS, pages_of(RESULTS, races, limit=4))
    assert merged == races


def test_schedule_pages_count_races():
    races = make_races(2023, [0] * 5, row_key=None)
    pages = pages_of(RACES, races, limit=2)
    assert [p.total for p in pages] == [5, 5, 5]
    assert assemble(RACES, pages) == races


def test_races_come_back_in_round_order():
    races = make_races(2023, [1, 1, 1])
    shuffled = [races[2], races[0], races[1]]
    page = parse_page(
        page_body(RESULTS, shuffled, url="u", limit=100, offset=0, table={}), RESULTS, "u"
    )
    assert [r["round"] for r in assemble(RESULTS, [page])] == ["1", "2", "3"]


def test_changed_total_between_pages_is_refused():
    races = make_races(2023, [6, 6])
    pages = pages_of(RESULTS, races, limit=5)
    grown = make_races(2023, [6, 6, 3])
    late = page_body(RESULTS, grown, url="u", limit=5, offset=5, table={"season": "2023"})
    pages[1] = parse_page(late, RESULTS, "http://api/late-page")
    with pytest.raises(InconsistentPagesError, match="total changed from 12 to 15") as info:
        assemble(RESULTS, pages)
    assert "http://api/late-page" in str(info.value)


def test_missing_page_is_refused():
    pages = pages_of(RESULTS, make_races(2023, [6, 6, 6]), limit=5)
    with pytest.raises(InconsistentPagesError, match="offset 10, expected 5"):
        assemble(RESULTS, [pages[0], *pages[2:]])
    with pytest.raises(InconsistentPagesError, match="before total"):
        assemble(RESULTS, pages[:-1])


def test_page_with_shifted_rows_is_refused():
    races = make_races(2023, [6, 6])
    pages = pages_of(RESULTS, races, limit=5)
    # A row revised away between the two requests: the second page comes back one row short.
    body = page_body(RESULTS, races, url="u", limit=5, offset=5, table={"season": "2023"})
    body["MRData"]["RaceTable"]["Races"][-1]["Results"].pop()
    pages[1] = parse_page(body, RESULTS, "http://api/p2")
    with pytest.raises(InconsistentPagesError, match="holds 4 rows, expected 5"):
        assemble(RESULTS, pages)


def test_race_repeated_out_of_place_is_refused():
    races = make_races(2023, [2, 2])
    body = page_body(
        RESULTS, [races[0], races[1], races[0]], url="u", limit=100, offset=0, table={}
    )
    with pytest.raises(InconsistentPagesError, match="race 2023/1 appears twice"):
        assemble(RESULTS, [parse_page(body, RESULTS, "u")])


def test_duplicate_schedule_item_is_refused():
    races = make_races(2023, [0, 0], row_key=None)
    body = page_body(RACES, [races[0], races[1], races[1]], url="u", limit=100, offset=0, table={})
    with pytest.raises(InconsistentPagesError, match="race 2023/2 appears twice"):
        assemble(RACES, [parse_page(body, RACES, "u")])


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("not a dict", "no MRData"),
        ({"detail": "Not found."}, "no MRData"),
        ({"MRData": {"limit": "30", "offset": "0"}}, "no 'total'"),
        ({"MRData": {"limit": "30", "offset": "0", "total": "many"}}, "'many' is not a number"),
        ({"MRData": {"limit": "30", "offset": "0", "total": "1"}}, "no RaceTable"),
        (
            {"MRData": {"limit": "30", "offset": "0", "total": "1", "RaceTable": {"Races": {}}}},
            "RaceTable.Races is not a list",
        ),
        (
            {
                "MRData": {
                    "limit": "30",
                    "offset": "0",
                    "total": "1",
                    "RaceTable": {"Races": [{"season": "2023", "round": "1", "Results": "x"}]},
                }
            },
            "Results of race 2023/1 is not a list",
        ),
    ],
)
def test_malformed_bodies_name_the_url_and_the_problem(body, reason):
    with pytest.raises(MalformedResponseError, match=reason) as info:
        parse_page(body, RESULTS, "http://api/2023/results.json?offset=0")
    assert "http://api/2023/results.json?offset=0" in str(info.value)


# -- the real recorded responses ----------------------------------------------------------------


def load(*parts):
    return json.loads(shared_path("ergast-responses", *parts).read_text())


@pytest.mark.shared
def test_real_first_page_plans_the_remaining_pages_and_is_cut_mid_race():
    page = parse_page(load("results", "2023@results.json"), RESULTS, "2023/results.json")
    assert (page.limit, page.offset, page.total) == (30, 0, 440)
    offsets = remaining_offsets(page)
    assert offsets[0] == 30 and offsets[-1] == 420 and len(offsets) == 14
    # 30 rows: all of round 1 and the head of round 2, which the next page continues.
    assert sum(len(r["Results"]) for r in page.items) == 30
    assert page.header["series"] == "f1"


@pytest.mark.shared
def test_real_rows_recut_at_a_page_boundary_assemble_back_to_the_recorded_races():
    recorded = parse_page(load("results", "2023@results.json"), RESULTS, "recorded").items
    rows_per_race = [len(r["Results"]) for r in recorded]
    assert rows_per_race[0] > 15  # the boundary below falls inside round 1
    pages = pages_of(RESULTS, recorded, limit=15, url="http://api/2023/results.json")
    assert [r["round"] for r in pages[1].items] == ["1", "2"]

    merged = assemble(RESULTS, pages)

    assert merged == recorded
    assert [len(r["Results"]) for r in merged] == rows_per_race


@pytest.mark.shared
def test_real_position_filter_page_is_not_taken_for_page_two():
    # results/2023@results@2.json is GET /2023/results/2.json (finishers in 2nd place), a
    # different request from another server: it is not offset 30 of 2023/results.json, and
    # merging it would duplicate round 2's second place. The merge refuses it.
    first = parse_page(load("results", "2023@results.json"), RESULTS, "2023/results.json")
    other = parse_page(load("results", "2023@results@2.json"), RESULTS, "2023/results/2.json")
    assert (other.offset, other.total) == (0, 22)
    with pytest.raises(InconsistentPagesError, match="total changed from 440 to 22"):
        assemble(RESULTS, [first, other])


@pytest.mark.shared
def test_real_unknown_round_answer_is_an_empty_page():
    page = parse_page(load("races", "2023@99@races.json"), RACES, "2023/99/races.json")
    assert page.items == [] and page.total == 0
    assert page.table == {"season": "2023", "round": "99"}
    assert assemble(RACES, [page]) == []


def test_a_seasons_dimension_is_kept_whole_across_pages_in_api_order():
    from f1lake.endpoints import DRIVERS

    drivers = [{"driverId": f"d{i:03d}", "familyName": f"F{i}"} for i in range(130)]
    pages = pages_of(
        DRIVERS, drivers, 100, table={"season": "1953"}, url="http://api/1953/drivers.json"
    )
    assert len(pages) == 2
    assert assemble(DRIVERS, pages) == drivers
    with pytest.raises(InconsistentPagesError):
        assemble(DRIVERS, pages[:1])
