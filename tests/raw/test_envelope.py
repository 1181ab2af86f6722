from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from f1lake.endpoints import DRIVER_STANDINGS, DRIVERS, RESULTS, STATUS
from f1lake.raw.envelope import (
    build_envelope,
    canonical_json,
    payload_sha256,
    read_envelope,
)

WHEN = datetime(2023, 7, 9, 15, 4, 5, tzinfo=UTC)
HEADER = {"xmlns": "", "series": "f1"}


def _race(rows=2):
    return {
        "season": "2023",
        "round": "9",
        "raceName": "Austrian Grand Prix",
        "Results": [{"position": str(i + 1), "Driver": {"driverId": f"d{i}"}} for i in range(rows)],
    }


def _wrap(endpoint, record, **kw):
    return build_envelope(
        endpoint,
        record,
        base_url="http://api.test/ergast/f1/",
        header=HEADER,
        source_urls=["http://api.test/a", "http://api.test/b"],
        pages=2,
        ingested_at=WHEN,
        **kw,
    )


def test_race_envelope_is_the_per_race_answer_with_metadata():
    race = _race(3)
    body = _wrap(RESULTS, race, dag_id="d", dag_run_id="r")
    mrdata = body["MRData"]
    assert mrdata["url"] == "http://api.test/ergast/f1/2023/9/results.json"
    assert (mrdata["limit"], mrdata["offset"], mrdata["total"]) == ("3", "0", "3")
    assert mrdata["RaceTable"] == {"season": "2023", "round": "9", "Races": [race]}
    meta = body["f1lake"]
    assert (meta["endpoint"], meta["season"], meta["round"]) == ("results", 2023, 9)
    assert meta["ingested_at"] == "2023-07-09T15:04:05.000Z"
    assert meta["pages"] == 2 and meta["dag_run_id"] == "r"
    got_meta, got_race = read_envelope(json.loads(canonical_json(body)))
    assert got_race == race
    assert got_meta.payload_sha256 == payload_sha256(race)
    assert got_meta.round == 9


def test_standings_are_race_scoped_items_with_season_and_round():
    item = {"season": "2023", "round": "22", "DriverStandings": [{"position": "1"}]}
    meta, record = read_envelope(_wrap(DRIVER_STANDINGS, item))
    assert record == item and (meta.season, meta.round) == (2023, 22)


def test_season_envelope_keeps_the_whole_table_wrapper():
    record = {"season": "2023", "Drivers": [{"driverId": "alonso"}, {"driverId": "albon"}]}
    body = _wrap(DRIVERS, record)
    mrdata = body["MRData"]
    assert mrdata["url"] == "http://api.test/ergast/f1/2023/drivers.json"
    assert mrdata["total"] == "2"
    assert mrdata["DriverTable"] == record
    assert body["f1lake"]["round"] is None
    meta, got = read_envelope(json.loads(canonical_json(body)))
    assert got == record
    assert meta.round is None and meta.season == 2023
    assert meta.payload_sha256 == payload_sha256(record)


def test_hash_ignores_key_order_but_not_content():
    a = {"season": "2023", "Status": [{"statusId": "1", "count": "5", "status": "Finished"}]}
    b = {"Status": [{"status": "Finished", "count": "5", "statusId": "1"}], "season": "2023"}
    assert payload_sha256(a) == payload_sha256(b)
    c = {"season": "2023", "Status": [{"statusId": "1", "count": "6", "status": "Finished"}]}
    assert payload_sha256(a) != payload_sha256(c)


def test_season_record_without_a_season_or_list_is_refused():
    with pytest.raises(ValueError, match="season"):
        _wrap(STATUS, {"Status": []})
    with pytest.raises(ValueError, match="list of objects"):
        _wrap(STATUS, {"season": "2023", "Status": "none"})


def test_read_envelope_names_what_is_wrong():
    good = _wrap(DRIVERS, {"season": "2023", "Drivers": []})
    with pytest.raises(ValueError, match="no 'f1lake' envelope"):
        read_envelope({"MRData": {}})
    wrong_round = json.loads(canonical_json(good))
    wrong_round["f1lake"]["round"] = 3
    with pytest.raises(ValueError, match="season-scoped"):
        read_envelope(wrong_round)
    wrong_season = json.loads(canonical_json(good))
    wrong_season["MRData"]["DriverTable"]["season"] = "1999"
    with pytest.raises(ValueError, match="envelope says season 2023"):
        read_envelope(wrong_season)
    race = json.loads(canonical_json(_wrap(RESULTS, _race())))
    race["MRData"]["RaceTable"]["Races"].append(_race())
    with pytest.raises(ValueError, match="exactly one race"):
        read_envelope(race)
    no_round = json.loads(canonical_json(_wrap(RESULTS, _race())))
    no_round["f1lake"]["round"] = None
    with pytest.raises(ValueError, match="race-scoped"):
        read_envelope(no_round)
    old = json.loads(canonical_json(good))
    old["f1lake"]["format_version"] = 99
    with pytest.raises(ValueError, match="format_version"):
        read_envelope(old)


def test_a_lone_surrogate_from_the_source_is_kept_not_a_crash():
    # json.loads('"Pe\\ud800rez"') is what a broken escape in an API answer becomes
    race = _race()
    race["Results"][0]["Driver"]["familyName"] = json.loads('"Pe\\ud800rez"')
    body = canonical_json(_wrap(RESULTS, race))
    body.decode("utf-8")  # valid UTF-8, so S3, the processor and any reader can open it
    _, got = read_envelope(json.loads(body))
    assert got["Results"][0]["Driver"]["familyName"] == "Pe\ud800rez"
    assert payload_sha256(race) == payload_sha256(json.loads(json.dumps(race)))
