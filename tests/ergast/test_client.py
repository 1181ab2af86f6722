from __future__ import annotations

import logging
import socket
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from f1lake.endpoints import RACES, RESULTS
from f1lake.ergast import (
    ApiRequestError,
    ApiUnavailableError,
    ErgastClient,
    InMemoryRateLimiter,
    Limit,
    MalformedResponseError,
    UnknownRoundError,
    UnknownSeasonError,
)
from f1lake.ergast.client import SEASONS
from f1lake.settings import Settings
from tests.ergast.fake_api import XMLNS, json_response, make_races, page_body, paged_handler

BASE = "/ergast/f1"


def ok_body(table=None):
    return page_body(
        RACES,
        make_races(2023, [0], row_key=None),
        url="u",
        limit=100,
        offset=0,
        table=table or {"season": "2023"},
    )


def serve_results(api, season, races, max_limit=100):
    api.expect_request(f"{BASE}/{season}/results.json").respond_with_handler(
        paged_handler(RESULTS, races, {"season": str(season)}, max_limit=max_limit)
    )


def serve_schedule(api, season, n_races):
    api.expect_request(f"{BASE}/{season}/races.json").respond_with_handler(
        paged_handler(
            RACES, make_races(season, [0] * n_races, row_key=None), {"season": str(season)}
        )
    )


def served_queries(api):
    return [(request.path, dict(request.args)) for request, _ in api.log]


# -- paging -------------------------------------------------------------------------------------


def test_season_fetch_assembles_a_race_split_across_pages(api, client):
    races = make_races(2023, [22, 21, 24, 20, 23])  # 110 rows: round 5 is cut at row 100
    serve_results(api, 2023, races)

    fetched = client.fetch(RESULTS, 2023)

    assert fetched.races == races
    last = fetched.races[-1]["Results"]
    assert [row["position"] for row in last] == [str(n) for n in range(1, 24)]
    assert len({row["Driver"]["driverId"] for row in last}) == 23
    assert (fetched.season, fetched.round, fetched.pages) == (2023, None, 2)
    assert fetched.header == {"xmlns": XMLNS, "series": "f1"}
    assert client.requests_made == 2
    assert served_queries(api) == [
        (f"{BASE}/2023/results.json", {"limit": "100", "offset": "0"}),
        (f"{BASE}/2023/results.json", {"limit": "100", "offset": "100"}),
    ]
    assert fetched.source_urls == [
        api.url_for(f"{BASE}/2023/results.json?limit=100&offset=0"),
        api.url_for(f"{BASE}/2023/results.json?limit=100&offset=100"),
    ]


def test_paging_follows_the_limit_the_server_echoes(api, client):
    races = make_races(2023, [20, 20, 20, 5])
    serve_results(api, 2023, races, max_limit=30)  # a server capping limit at 30

    fetched = client.fetch(RESULTS, 2023)

    assert fetched.races == races
    assert [args["offset"] for _, args in served_queries(api)] == ["0", "30", "60"]
    assert fetched.pages == client.requests_made == 3


def test_race_level_fetch_resolves_words_to_numbers(api, client):
    api.expect_request(f"{BASE}/current/last/results.json").respond_with_handler(
        paged_handler(RESULTS, make_races(2025, [20])[:1], {"season": "2025", "round": "1"})
    )
    fetched = client.fetch(RESULTS, "current", "last")
    assert (fetched.season, fetched.round) == (2025, 1)
    assert len(fetched.races[0]["Results"]) == 20


def test_pages_changed_mid_fetch_are_fetched_again_from_the_start(api, client):
    before, after = make_races(2023, [60, 60]), make_races(2023, [60, 60, 10])
    served = []

    def handler(request):
        # The first pass sees a race added between its two pages; the second is consistent.
        offset = int(request.args["offset"])
        races = after if served else before
        served.append(offset)
        body = page_body(
            RESULTS, races, url="u", limit=100, offset=offset, table={"season": "2023"}
        )
        return json_response(body)

    api.expect_request(f"{BASE}/2023/results.json").respond_with_handler(handler)
    fetched = client.fetch(RESULTS, 2023)
    assert fetched.races == after
    assert served == [0, 100, 0, 100]
    assert client.requests_made == 4


# -- retries ------------------------------------------------------------------------------------


def test_429_with_retry_after_seconds_waits_that_long(api, client):
    api.expect_ordered_request(f"{BASE}/2023/races.json").respond_with_response(
        json_response({"detail": "Request was throttled."}, 429, {"Retry-After": "1"})
    )
    api.expect_ordered_request(f"{BASE}/2023/races.json").respond_with_json(ok_body())

    started = time.monotonic()
    assert client.get("2023/races.json")["MRData"]["total"] == "1"
    assert time.monotonic() - started >= 1.0
    assert client.requests_made == 2


def test_429_with_retry_after_date_waits_until_then(api, client):
    when = datetime.now(UTC) + timedelta(seconds=2)
    api.expect_ordered_request(f"{BASE}/2023/races.json").respond_with_response(
        json_response(
            {"detail": "Request was throttled."},
            429,
            {"Retry-After": format_datetime(when, usegmt=True)},
        )
    )
    api.expect_ordered_request(f"{BASE}/2023/races.json").respond_with_json(ok_body())

    started = time.monotonic()
    client.get("2023/races.json")
    # The date has whole seconds, so the wait is between 1 and 2 seconds.
    assert time.monotonic() - started >= 1.0
    assert client.requests_made == 2


def test_429_without_retry_after_still_backs_off(api, limiter):
    api.expect_ordered_request(f"{BASE}/2023/races.json").respond_with_response(
        json_response({"detail": "Request was throttled."}, 429)
    )
    api.expect_ordered_request(f"{BASE}/2023/races.json").respond_with_json(ok_body())
    client = ErgastClient(api.url_for(BASE), limiter=limiter, backoff_base=0.3, backoff_max=1)

    started = time.monotonic()
    client.get("2023/races.json")
    assert time.monotonic() - started >= 0.3
    assert client.requests_made == 2


def test_429s_without_retry_after_outlast_the_attempts_and_hold_every_request(api, limiter):
    throttled = json_response({"detail": "Request was throttled."}, 429)
    for _ in range(5):
        api.expect_ordered_request(f"{BASE}/2023/races.json").respond_with_response(throttled)
    api.expect_ordered_request(f"{BASE}/2023/races.json").respond_with_json(ok_body())
    client = ErgastClient(api.url_for(BASE), limiter=limiter, max_attempts=2, backoff_base=0.02)

    assert client.get("2023/races.json")["MRData"]["total"] == "1"

    # the budget talking is not a fault: five 429s did not use up two attempts
    assert client.requests_made == 6
    assert limiter.paused_until() > 0  # and every process sharing the limiter was held


def test_429s_without_retry_after_back_off_further_each_time_then_give_up(api, limiter):
    api.expect_request(f"{BASE}/2023/races.json").respond_with_response(
        json_response({"detail": "Request was throttled."}, 429)
    )
    client = ErgastClient(
        api.url_for(BASE), limiter=limiter, backoff_base=0.05, throttle_patience=1.0
    )

    started = time.monotonic()
    with pytest.raises(ApiUnavailableError, match="429 \\(no Retry-After\\)"):
        client.get("2023/races.json")

    # waits 0.05, 0.1, 0.2, 0.2 (a fifth of the patience), ...: a handful, never a storm. It gives
    # up once its waits pass the patience, the last one (at most 0.25 s) counted but not slept.
    assert 0.75 <= time.monotonic() - started < 3.0
    assert 5 <= client.requests_made <= 8


def test_503_with_an_html_body_is_retried(api, client):
    api.expect_ordered_request(f"{BASE}/2023/races.json").respond_with_data(
        "<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>",
        status=503,
        content_type="text/html",
    )
    api.expect_ordered_request(f"{BASE}/2023/races.json").respond_with_json(ok_body())
    assert client.get("2023/races.json")["MRData"]["RaceTable"]["season"] == "2023"
    assert client.requests_made == 2


def test_persistent_500_gives_up_naming_the_url(api, client):
    api.expect_request(f"{BASE}/2023/results.json").respond_with_data("boom", status=500)

    with pytest.raises(ApiUnavailableError) as info:
        client.get("2023/results.json", {"limit": 100, "offset": 0})

    error = info.value
    assert error.url == api.url_for(f"{BASE}/2023/results.json?limit=100&offset=0")
    assert error.url in str(error)
    assert error.attempts == client.max_attempts == 4
    assert "HTTP 500" in str(error)
    assert client.requests_made == len(api.log) == 4


def test_connection_refused_gives_up_quickly(limiter):
    with socket.socket() as sock:  # a port that was free a moment ago and has no listener
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    client = ErgastClient(
        f"http://127.0.0.1:{port}/ergast/f1",
        limiter=limiter,
        max_attempts=3,
        backoff_base=0.01,
        backoff_max=0.02,
    )
    with pytest.raises(ApiUnavailableError, match="ConnectionError") as info:
        client.get("2023/races.json")
    assert info.value.attempts == 3
    assert f"127.0.0.1:{port}/ergast/f1/2023/races.json" in str(info.value)
    # the cause in a few words, not urllib3's pool text repeating the URL
    assert f"connection refused by 127.0.0.1:{port}" in str(info.value)
    assert "HTTPConnectionPool" not in str(info.value)
    assert client.requests_made == 3


def test_read_timeout_is_retried(api, limiter):
    def slow(_request):
        time.sleep(1.0)
        return json_response(ok_body())

    api.expect_ordered_request(f"{BASE}/2023/races.json").respond_with_handler(slow)
    api.expect_ordered_request(f"{BASE}/2023/races.json").respond_with_json(ok_body())
    client = ErgastClient(api.url_for(BASE), limiter=limiter, timeout=0.3, backoff_base=0.01)
    assert client.get("2023/races.json")["MRData"]["total"] == "1"
    assert client.requests_made == 2


def test_non_json_200_is_retried_then_succeeds(api, client):
    api.expect_ordered_request(f"{BASE}/2023/races.json").respond_with_data(
        "<html>maintenance</html>", status=200, content_type="text/html"
    )
    api.expect_ordered_request(f"{BASE}/2023/races.json").respond_with_json(ok_body())
    assert client.get("2023/races.json")["MRData"]["total"] == "1"
    assert client.requests_made == 2


def test_non_json_200_every_time_is_a_malformed_response(api, client):
    api.expect_request(f"{BASE}/2023/races.json").respond_with_data(
        "<html>maintenance</html>", status=200, content_type="text/html"
    )
    with pytest.raises(MalformedResponseError, match="not JSON") as info:
        client.get("2023/races.json")
    assert info.value.url == api.url_for(f"{BASE}/2023/races.json")
    assert info.value.attempts == 4
    assert client.requests_made == 4


def test_json_that_is_not_mrdata_is_retried_then_the_pages_assemble(api, client):
    races = make_races(2023, [3, 2])
    api.expect_ordered_request(f"{BASE}/2023/results.json").respond_with_json({"hello": "world"})
    api.expect_ordered_request(f"{BASE}/2023/results.json").respond_with_handler(
        paged_handler(RESULTS, races, {"season": "2023"})
    )
    fetched = client.fetch(RESULTS, 2023)
    assert [len(r["Results"]) for r in fetched.races] == [3, 2]
    assert client.requests_made == 2


def test_json_that_is_never_mrdata_fails_naming_url_reason_and_attempts(api, client):
    api.expect_request(f"{BASE}/2023/results.json").respond_with_json({"hello": "world"})
    with pytest.raises(MalformedResponseError, match="no MRData") as info:
        client.fetch(RESULTS, 2023)
    assert "/2023/results.json?limit=100&offset=0" in str(info.value)
    assert info.value.attempts == 4
    assert "after 4 attempt(s)" in str(info.value)
    assert client.requests_made == 4


def test_503_with_retry_after_waits_that_long(api, client):
    api.expect_ordered_request(f"{BASE}/2023/races.json").respond_with_data(
        "down for maintenance", status=503, headers={"Retry-After": "1"}
    )
    api.expect_ordered_request(f"{BASE}/2023/races.json").respond_with_json(ok_body())
    started = time.monotonic()
    client.get("2023/races.json")
    assert time.monotonic() - started >= 1.0  # the client's own backoff is 0.01 s
    assert client.requests_made == 2


@pytest.mark.parametrize("status", [404, 400])
def test_client_errors_fail_at_once_with_the_api_detail(api, client, status):
    api.expect_request(f"{BASE}/2023/nonsense.json").respond_with_response(
        json_response({"detail": "Not found."}, status)
    )
    with pytest.raises(ApiRequestError, match=r"Not found\.") as info:
        client.get("2023/nonsense.json")
    assert info.value.status == status
    assert f"{BASE}/2023/nonsense.json" in str(info.value)
    assert client.requests_made == 1


def test_every_attempt_waits_for_the_rate_limiter(api):
    api.expect_request(f"{BASE}/2023/races.json").respond_with_data("boom", status=502)
    with InMemoryRateLimiter([Limit(2, 1.0)]) as slow_limiter:
        client = ErgastClient(
            api.url_for(BASE), limiter=slow_limiter, max_attempts=3, backoff_base=0.01
        )
        started = time.monotonic()
        with pytest.raises(ApiUnavailableError):
            client.get("2023/races.json")
    # The third attempt is a third request within a second: the limiter holds it back.
    assert time.monotonic() - started >= 1.0
    assert client.requests_made == 3


def test_each_request_is_logged_with_url_status_time_and_count(api, client, caplog):
    api.expect_ordered_request(f"{BASE}/2023/races.json").respond_with_data("x", status=503)
    api.expect_ordered_request(f"{BASE}/2023/races.json").respond_with_json(ok_body())
    with caplog.at_level(logging.INFO, logger="f1lake.ergast.client"):
        client.get("2023/races.json")
    lines = [r.getMessage() for r in caplog.records if r.levelno == logging.INFO]
    url = api.url_for(f"{BASE}/2023/races.json")
    assert any(url in line and "503" in line and "request #1" in line for line in lines)
    assert any(url in line and "200" in line and "request #2" in line for line in lines)


# -- unknown seasons and rounds, words ----------------------------------------------------------


def test_unknown_season_names_the_season_and_the_valid_range(api, client):
    serve_results(api, 1900, [])
    serve_schedule(api, 1900, 0)
    api.expect_request(f"{BASE}/seasons.json").respond_with_handler(
        paged_handler(
            SEASONS,
            [{"season": str(year), "url": ""} for year in range(1950, 2026)],
            {},
        )
    )
    with pytest.raises(UnknownSeasonError) as info:
        client.fetch(RESULTS, 1900)
    assert info.value.season == 1900
    assert info.value.valid_range == (1950, 2025)
    assert "unknown season 1900" in str(info.value) and "1950 to 2025" in str(info.value)


def test_unknown_season_without_a_season_list_still_names_the_season(api, client):
    serve_schedule(api, 1900, 0)
    api.expect_request(f"{BASE}/seasons.json").respond_with_data("down", status=404)
    with pytest.raises(UnknownSeasonError, match="unknown season 1900") as info:
        client.schedule(1900)
    assert info.value.valid_range is None


@pytest.mark.parametrize("endpoint", [RESULTS, RACES])
def test_unknown_round_names_season_round_and_round_count(api, client, endpoint):
    api.expect_request(f"{BASE}/2023/99/{endpoint.name}.json").respond_with_handler(
        paged_handler(endpoint, [], {"season": "2023", "round": "99"})
    )
    serve_schedule(api, 2023, 22)
    with pytest.raises(UnknownRoundError) as info:
        client.fetch(endpoint, 2023, 99)
    assert (info.value.season, info.value.round, info.value.rounds) == (2023, 99, 22)
    assert "round 99 of season 2023" in str(info.value) and "22 round" in str(info.value)


def test_known_round_without_data_yet_is_an_empty_fetch(api, client):
    api.expect_request(f"{BASE}/2025/22/results.json").respond_with_handler(
        paged_handler(RESULTS, [], {"season": "2025", "round": "22"})
    )
    serve_schedule(api, 2025, 24)
    fetched = client.fetch(RESULTS, 2025, 22)
    assert fetched.races == [] and (fetched.season, fetched.round) == (2025, 22)


def test_schedule_comes_back_in_round_order(api, client):
    serve_schedule(api, 2023, 22)
    assert [int(r["round"]) for r in client.schedule(2023)] == list(range(1, 23))


def test_resolve_current_and_last(api, client):
    api.expect_request(f"{BASE}/current.json", query_string={"limit": "1"}).respond_with_json(
        ok_body({"season": "2025"})
    )
    api.expect_request(f"{BASE}/current/last.json").respond_with_json(
        page_body(
            RACES,
            [{**make_races(2025, [0] * 18, row_key=None)[-1]}],
            url="u",
            limit=1,
            offset=0,
            table={"season": "2025", "round": "18"},
        )
    )
    assert client.resolve() == (2025, None)
    assert client.resolve("current", "last") == (2025, 18)
    made = client.requests_made
    assert client.resolve(2023, "7") == (2023, 7)
    assert client.requests_made == made  # numbers need no request


def test_bad_season_or_round_is_refused_before_any_request(client):
    with pytest.raises(ValueError, match="season must be a year or 'current'"):
        client.fetch(RESULTS, "latest")
    with pytest.raises(ValueError, match="round must be a positive number"):
        client.fetch(RESULTS, 2023, 0)
    assert client.requests_made == 0


def test_seasons_pages_through_every_season(api, client):
    api.expect_request(f"{BASE}/seasons.json").respond_with_handler(
        paged_handler(SEASONS, [{"season": str(y)} for y in range(1950, 2026)], {}, max_limit=30)
    )
    assert client.seasons() == list(range(1950, 2026))
    assert client.requests_made == 3


def test_from_settings_uses_the_configured_api_and_shared_limiter(api, tmp_path):
    serve_schedule(api, 2023, 3)
    settings = Settings(
        api_base_url=api.url_for(BASE), state_dir=tmp_path / "state", http_max_attempts=2
    )
    with ErgastClient.from_settings(settings) as client:
        assert len(client.schedule(2023)) == 3
        assert client.max_attempts == 2
    assert (tmp_path / "state" / "ratelimit.sqlite").exists()


def test_from_settings_takes_the_backoff(api, tmp_path):
    api.expect_ordered_request(f"{BASE}/2023/races.json").respond_with_data("x", status=502)
    api.expect_ordered_request(f"{BASE}/2023/races.json").respond_with_data("x", status=502)
    api.expect_ordered_request(f"{BASE}/2023/races.json").respond_with_json(ok_body())
    settings = Settings(
        api_base_url=api.url_for(BASE),
        state_dir=tmp_path / "state",
        http_backoff_seconds=0.01,
        http_backoff_max_seconds=0.02,
    )
    with ErgastClient.from_settings(settings) as client:
        assert client.get("2023/races.json")["MRData"]["total"] == "1"
        assert (client.backoff_base, client.backoff_max) == (0.01, 0.02)
    assert client.requests_made == 3
