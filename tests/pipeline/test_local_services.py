"""The local stack's services in child processes: moto, the replay API and the Lambda runner."""

from __future__ import annotations

import subprocess
import sys
import time

import boto3
import pytest
import requests

from f1lake.endpoints import RESULTS
from f1lake.local.child import ChildError
from f1lake.local.moto_server import LOCAL_AWS_ENV, moto_server
from f1lake.local.provision import provision
from f1lake.local.replay_service import replay_service
from f1lake.local.runner_service import RunnerService
from f1lake.processing import processed_source
from f1lake.settings import Settings
from tests.processing.factories import envelope, key_for, put_raw, put_results, race, simple_results
from tests.support.minidump import MINIDUMP_TODAY


def s3_at(url: str):
    return boto3.client(
        "s3",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id=LOCAL_AWS_ENV["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=LOCAL_AWS_ENV["AWS_SECRET_ACCESS_KEY"],
    )


def answers(url: str) -> bool:
    """True when a whole response came back; a server dying mid-answer counts as gone."""
    try:
        requests.get(url, timeout=2)
    except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError):
        return False
    return True


def wait_for(condition, timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def test_two_moto_servers_share_nothing_and_stop_with_their_block():
    with moto_server() as first, moto_server() as second:
        assert first != second
        s3_at(first).create_bucket(Bucket="only-in-the-first")
        assert [b["Name"] for b in s3_at(first).list_buckets()["Buckets"]] == ["only-in-the-first"]
        assert s3_at(second).list_buckets()["Buckets"] == []
    assert not answers(first) and not answers(second)


def test_a_service_whose_parent_dies_stops_too():
    parent = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import time\n"
            "from f1lake.local.moto_server import moto_server\n"
            "with moto_server() as url:\n"
            "    print(url, flush=True)\n"
            "    time.sleep(600)\n",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        url = parent.stdout.readline().strip()
        assert answers(url)
        parent.kill()  # no cleanup runs in the parent: the child must notice by itself
        parent.wait()
        assert wait_for(lambda: not answers(url), timeout=20)
    finally:
        parent.kill()
        parent.stdout.close()


def test_the_replay_service_serves_the_dump_and_names_a_bad_one(minidump, tmp_path):
    with replay_service(minidump, today=MINIDUMP_TODAY) as url:
        body = requests.get(f"{url}/2023/results.json", params={"limit": 5}, timeout=10).json()
        assert body["MRData"]["RaceTable"]["season"] == "2023"
        assert len(body["MRData"]["RaceTable"]["Races"][0]["Results"]) == 5
    assert not answers(url)

    with (
        pytest.raises(ChildError, match=f"{tmp_path}.*not an Ergast CSV dump"),
        replay_service(tmp_path),
    ):
        pass


def test_runner_processes_process_what_lands_with_their_own_settings(
    settings: Settings, monkeypatch
):
    provision(settings, visibility_timeout=1, max_receive_count=2)
    # The parent's environment names other buckets: the workers must not pick them up.
    monkeypatch.setenv("F1LAKE_PROCESSED_BUCKET", "someone-elses-bucket")
    monkeypatch.setenv("F1LAKE_RAW_BUCKET", "someone-elses-raw")

    with RunnerService(settings, workers=2) as runner:
        assert runner.running
        keys = {rnd: put_results(settings, 2023, rnd, simple_results()) for rnd in (1, 2, 3)}
        poison = key_for(envelope(RESULTS, race(2023, 4, simple_results())))
        put_raw(settings, b"not json", poison)

        def done() -> bool:
            return (
                all(
                    (processed_source(settings, "results", 2023, rnd) or ("",))[0] == key
                    for rnd, key in keys.items()
                )
                and runner.totals.failed >= 2
            )  # the poison, once per receive

        assert wait_for(done)
    assert not runner.running
    assert runner.totals.succeeded >= 3
    assert runner.totals.batches >= 1
    assert processed_source(settings, "results", 2023, 4) is None


def test_runner_service_needs_a_worker(settings: Settings):
    with pytest.raises(ValueError, match="at least 1"):
        RunnerService(settings, workers=0)


def test_a_runner_that_cannot_start_says_so(settings: Settings):
    # No queue was provisioned: the worker fails at start and the service reports it.
    with pytest.raises(ChildError, match="Lambda runner 1"):
        RunnerService(settings).start()
