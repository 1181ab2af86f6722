"""The replay API as a real HTTP server on 127.0.0.1."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests

from f1lake.replay.server import Faults, replay_api
from tests.support.minidump import MINIDUMP_TODAY


def test_serves_the_dump_over_http_and_stops(minidump_dir: Path) -> None:
    with replay_api(minidump_dir, today=MINIDUMP_TODAY) as base:
        assert base.startswith("http://127.0.0.1:") and base.endswith("/ergast/f1")
        answer = requests.get(f"{base}/current/last/results.json?limit=5", timeout=10)
        assert answer.status_code == 200
        assert answer.headers["content-type"].startswith("application/json")
        body = answer.json()["MRData"]
        assert body["url"] == f"{base}/current/last/results.json"
        assert (body["limit"], body["RaceTable"]["round"]) == ("5", "5")
        assert len(body["RaceTable"]["Races"][0]["Results"]) == 5
        assert list(answer.json()["MRData"]) == [
            "xmlns", "series", "url", "limit", "offset", "total", "RaceTable"
        ]  # fmt: skip
        missing = requests.get(f"{base}/2023/lapz.json", timeout=10)
        assert missing.status_code == 404 and "detail" in missing.json()
        outside = requests.get(base.replace("/ergast/f1", "/nothing"), timeout=10)
        assert outside.status_code == 404 and "detail" in outside.json()
        bad = requests.get(f"{base}/2023/results.json?limit=x", timeout=10)
        assert bad.status_code == 400 and "limit" in bad.json()["detail"]
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{base}/2023.json", timeout=2)


def test_injected_faults_answer_the_next_requests_then_data_again(minidump_dir: Path) -> None:
    faults = Faults()
    with replay_api(minidump_dir, today=MINIDUMP_TODAY, faults=faults) as base:
        faults.fail_next(1, status=429)
        faults.fail_next(1, status=429, retry_after=7)
        faults.fail_next(1, status=503)
        url = f"{base}/2023.json"
        throttled = requests.get(url, timeout=10)
        assert throttled.status_code == 429
        assert throttled.json() == {"detail": "Request was throttled."}
        assert "Retry-After" not in throttled.headers
        with_header = requests.get(url, timeout=10)
        assert (with_header.status_code, with_header.headers["Retry-After"]) == (429, "7")
        proxy = requests.get(url, timeout=10)
        assert proxy.status_code == 503 and proxy.text.lstrip().startswith("<html>")
        assert requests.get(url, timeout=10).json()["MRData"]["total"] == "7"

        armed = requests.post(
            f"{base.removesuffix('/ergast/f1')}/_replay/faults?count=2&status=502", timeout=10
        )
        assert armed.json()["pending"] == 2
        assert [requests.get(url, timeout=10).status_code for _ in range(3)] == [502, 502, 200]


def test_faults_are_off_by_default(minidump_dir: Path) -> None:
    with replay_api(minidump_dir, today=MINIDUMP_TODAY) as base:
        admin = requests.post(
            f"{base.removesuffix('/ergast/f1')}/_replay/faults?count=1", timeout=10
        )
        assert admin.status_code in (404, 405)
        assert requests.get(f"{base}/2023.json", timeout=10).status_code == 200
