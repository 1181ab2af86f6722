"""The local engine reads the lake in bulk: S3 requests per table do not grow with the races.

A lake of twenty seasons (one Parquet object per race, as the processor writes them) is read
by one engine after another, as `f1lake sql` processes would: the first pays one GET per
object, once; every later one lists each table once and fetches nothing, whatever the lake's
size; a rewritten object is fetched again, alone, and its new rows are what queries see.
"""

from __future__ import annotations

from collections import Counter

import pytest

from f1lake.catalog import crawl
from f1lake.query.local import LocalEngine
from f1lake.settings import Settings
from tests.catalog.lakedata import SEASON_2023, make_bucket, put_races, put_results

SEASONS = range(1990, 2010)
ROUNDS = sorted({row[0] for row in SEASON_2023})


@pytest.fixture
def lake(settings: Settings) -> Settings:
    make_bucket(settings)
    for season in SEASONS:
        put_results(settings, season, SEASON_2023)
        put_races(settings, season, ROUNDS)
    crawl(settings)
    return settings


def counting(engine: LocalEngine) -> Counter[str]:
    """S3 requests the engine's reads make, by operation (counted at botocore's send)."""
    calls: Counter[str] = Counter()

    def count(model: object, **_: object) -> None:
        calls[model.name] += 1  # type: ignore[attr-defined]

    engine.mirror().s3.meta.events.register("before-call.s3", count)
    return calls


def read(settings: Settings, sql: str) -> tuple[list[tuple], Counter[str]]:
    with LocalEngine(settings) as engine:
        calls = counting(engine)
        rows = [tuple(r) for r in engine.run(sql).itertuples(index=False)]
    return rows, calls


COUNTS = (
    "SELECT (SELECT count(*) FROM results) AS results, (SELECT count(*) FROM races) AS races, "
    "(SELECT count(DISTINCT season) FROM results) AS seasons"
)


def test_a_warm_read_lists_each_table_once_and_fetches_nothing(lake: Settings) -> None:
    races = len(SEASONS) * len(ROUNDS)
    expected = [(len(SEASONS) * len(SEASON_2023), races, len(SEASONS))]

    rows, cold = read(lake, COUNTS)
    assert rows == expected
    # The first reader fetches each object once: no per-partition listing, no HEAD per object.
    assert cold == {"ListObjectsV2": 2, "GetObject": 2 * races}

    rows, warm = read(lake, COUNTS)
    assert rows == expected
    assert warm == {"ListObjectsV2": 2}  # one listing per table, however many races


def test_a_changed_lake_is_fetched_again_only_where_it_changed(settings: Settings) -> None:
    make_bucket(settings)
    for season in (2000, 2001):
        put_results(settings, season, SEASON_2023)
    crawl(settings)
    sql = "SELECT season, sum(points) FROM results GROUP BY season ORDER BY season"
    before, _ = read(settings, sql)
    round_one = sum(r[5] for r in SEASON_2023 if r[0] == 1)
    rewritten = [r for r in SEASON_2023 if r[0] != 1] + [(1, "alpha", "red", 1, "1", 99.0)]
    put_results(settings, 2000, rewritten)  # every round rewritten, only round 1 changed
    put_results(settings, 2002, SEASON_2023)  # written, not crawled yet: invisible

    after, calls = read(settings, sql)
    assert calls == {"ListObjectsV2": 1, "GetObject": 1}
    assert after == [("2000", before[0][1] - round_one + 99.0), before[1]]

    crawl(settings)
    after, calls = read(settings, sql)
    assert calls == {"ListObjectsV2": 1, "GetObject": len(ROUNDS)}
    assert after[2] == ("2002", before[1][1])
