from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from f1lake.keys import (
    object_prefix,
    parse_raw_key,
    race_prefix,
    raw_key,
    season_prefix,
)

SHA = "0123456789abcdef" * 4
WHEN = datetime(2023, 7, 9, 15, 4, 5, 123456, tzinfo=UTC)


def test_race_key_keeps_the_hive_layout_of_the_contract():
    key = raw_key("results", 2023, 9, WHEN, SHA)
    assert key == (
        "results/season=2023/round=09/results-2023-09-20230709T150405123456Z-0123456789ab.json"
    )
    assert key.startswith(race_prefix("results", 2023, 9))


def test_season_key_has_no_round_segment():
    key = raw_key("drivers", 2023, None, WHEN, SHA)
    assert key == "drivers/season=2023/drivers-2023-20230709T150405123456Z-0123456789ab.json"
    assert key.startswith(season_prefix("drivers", 2023))
    assert "round=" not in key


@pytest.mark.parametrize(
    ("endpoint", "round_"), [("results", 9), ("driver_standings", 22), ("circuits", None)]
)
def test_parse_is_the_inverse_of_raw_key(endpoint, round_):
    key = raw_key(endpoint, 2021, round_, WHEN, SHA)
    parsed = parse_raw_key(key)
    assert (parsed.endpoint, parsed.season, parsed.round) == (endpoint, 2021, round_)
    assert parsed.ingested_at == WHEN
    assert parsed.sha12 == SHA[:12]
    assert parsed.key == key
    assert parsed.scope == ("season" if round_ is None else "race")
    assert key.startswith(parsed.prefix) and parsed.prefix == object_prefix(endpoint, 2021, round_)


@pytest.mark.parametrize(
    "key",
    [
        "drivers/season=2023/drivers-2023-20230709T150405123456Z-0123456789ab.parquet",
        "drivers/season=2023/results-2023-20230709T150405123456Z-0123456789ab.json",
        "drivers/season=2023/drivers-2022-20230709T150405123456Z-0123456789ab.json",
        "results/season=2023/round=09/results-2023-10-20230709T150405123456Z-0123456789ab.json",
        "results/season=2023/round=09/results-2023-20230709T150405123456Z-0123456789ab.json",
        "results/season=2023/round=009/results-2023-009-20230709T150405123456Z-0123456789ab.json",
        "other/thing.json",
    ],
)
def test_keys_outside_the_layout_are_refused_by_name(key):
    with pytest.raises(ValueError, match="not a raw object key"):
        parse_raw_key(key)


def test_the_newest_is_the_greatest_raw_key_in_both_scopes():
    for round_ in (3, None):
        keys = [
            raw_key("status", 2020, round_, WHEN + timedelta(seconds=s), SHA) for s in (5, 9, 1)
        ]
        assert max(parse_raw_key(k) for k in keys).key == keys[1]


def test_the_payload_hash_breaks_a_tie_of_ingestion_instants():
    low, high = (raw_key("results", 2023, 9, WHEN, c * 64) for c in "3a")
    assert parse_raw_key(high) > parse_raw_key(low)
    assert sorted([parse_raw_key(high), parse_raw_key(low)]) == [
        parse_raw_key(low),
        parse_raw_key(high),
    ]
