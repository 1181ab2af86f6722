from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
import time

import pytest

from f1lake.ergast import (
    InMemoryRateLimiter,
    Limit,
    RateLimitTimeoutError,
    SharedRateLimiter,
    jolpica_limits,
    rate_limiter_from_settings,
)
from f1lake.settings import Settings

# A caller's own clock reading after acquire() returns lags the limiter's admission stamp,
# by more on a loaded machine; the limiter's own record is exact (whole milliseconds).
CALLER_SLACK = 0.2


def busiest_window(stamps: list[float], seconds: float, slack: float = 0.0) -> int:
    """Most stamps in any closed window [t, t + seconds - slack]."""
    stamps = sorted(stamps)
    end = seconds - slack + 1e-9
    return max(sum(1 for s in stamps[i:] if s - start < end) for i, start in enumerate(stamps))


def acquire_times(limiter, n: int) -> list[float]:
    stamps = []
    for _ in range(n):
        limiter.acquire()
        stamps.append(time.time())
    return stamps


def test_in_memory_limiter_spaces_a_burst():
    with InMemoryRateLimiter([Limit(4, 1.0), Limit(500, 3600.0)]) as limiter:
        started = time.monotonic()
        stamps = acquire_times(limiter, 10)
        elapsed = time.monotonic() - started
        admitted = limiter.admissions()
    assert len(admitted) == 10
    assert busiest_window(admitted, 1.0) == 4
    assert busiest_window(stamps, 1.0, CALLER_SLACK) == 4
    # 10 requests at 4/s: the 9th cannot go before 2 s.
    assert elapsed >= 2.0


def test_every_limit_holds_not_just_the_shortest():
    limits = [Limit(3, 0.5), Limit(5, 2.0)]
    with InMemoryRateLimiter(limits) as limiter:
        stamps = acquire_times(limiter, 7)
        admitted = limiter.admissions()
    assert busiest_window(admitted, 0.5) <= 3
    assert busiest_window(admitted, 2.0) == 5
    assert busiest_window(stamps, 2.0, CALLER_SLACK) == 5
    assert max(stamps) - min(stamps) >= 2.0


def test_acquire_gives_up_after_its_timeout():
    with InMemoryRateLimiter([Limit(1, 30.0)]) as limiter:
        limiter.acquire()
        started = time.monotonic()
        with pytest.raises(RateLimitTimeoutError, match="1/30s"):
            limiter.acquire(timeout=0.2)
        assert time.monotonic() - started < 5


def test_limits_that_cannot_work_are_refused():
    with pytest.raises(ValueError, match="requests >= 1"):
        Limit(0, 1.0)
    with pytest.raises(ValueError, match="must allow more requests"):
        InMemoryRateLimiter([Limit(10, 1.0), Limit(5, 60.0)])
    with pytest.raises(ValueError, match="can never bind"):
        InMemoryRateLimiter([Limit(1, 1.0), Limit(7200, 3600.0)])


WORKER = textwrap.dedent(
    """
    import json, sys, time
    from f1lake.ergast import Limit, SharedRateLimiter

    path, start_at, count = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
    limits = [Limit(int(n), float(s)) for n, s in json.loads(sys.argv[4])]
    with SharedRateLimiter(path, limits) as limiter:
        time.sleep(max(start_at - time.time(), 0))
        stamps = []
        for _ in range(count):
            limiter.acquire()
            stamps.append(time.time())
    print(json.dumps(stamps))
    """
)


def run_workers(path, limits: list[tuple[int, float]], per_worker: int, workers: int = 2):
    start_at = time.time() + 1.5  # both processes up and waiting before the first request
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                WORKER,
                str(path),
                str(start_at),
                str(per_worker),
                json.dumps(limits),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(workers)
    ]
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
        results.append(json.loads(out))
    return results


def test_two_processes_sharing_the_file_respect_the_limits_together(tmp_path):
    path = tmp_path / "not-yet" / "ratelimit.sqlite"
    # The hourly limit does not bind here; it keeps the whole log (nothing older leaks).
    limits = [(4, 1.0), (6, 3.0), (1000, 3600.0)]
    first, second = run_workers(path, limits, per_worker=5)

    stamps = first + second
    assert len(stamps) == 10
    with SharedRateLimiter(path, [Limit(n, s) for n, s in limits]) as reader:
        admitted = reader.admissions()
    assert len(admitted) == 10
    # Each process alone would allow 4 at once; together they still get 4 per second ...
    assert busiest_window(admitted, 1.0) == 4
    # ... and 6 per 3 seconds, so 10 requests take past the second 3-second window.
    assert busiest_window(admitted, 3.0) == 6
    # What the callers saw agrees, up to their own clock readings' lag.
    assert busiest_window(stamps, 1.0, CALLER_SLACK) <= 4
    assert busiest_window(stamps, 3.0, CALLER_SLACK) <= 6
    assert max(stamps) - min(stamps) >= 3.0 - CALLER_SLACK
    assert path.exists()


def test_settings_point_every_process_at_one_file(tmp_path):
    settings = Settings(
        state_dir=tmp_path / "state",
        rate_limit_per_second=2,
        rate_limit_per_hour=100,
        rate_limit_margin=0,
    )
    with rate_limiter_from_settings(settings) as limiter:
        assert isinstance(limiter, SharedRateLimiter)
        assert limiter.path == tmp_path / "state" / "ratelimit.sqlite"
        assert [str(limit) for limit in limiter.limits] == ["2/1s", "100/3600s"]
        acquire_times(limiter, 3)
    # A second limiter on the same file (another task) sees the three requests just made.
    with rate_limiter_from_settings(settings) as other:
        waited = other.acquire()
        admitted = other.admissions()
    assert len(admitted) == 4
    assert busiest_window(admitted, 1.0) == 2
    assert waited > 0


def test_the_pipeline_paces_itself_a_margin_below_the_published_limits(tmp_path):
    assert [str(x) for x in jolpica_limits(4, 500, margin=0.1)] == ["3/1s", "450/3600s"]
    assert [str(x) for x in jolpica_limits(4, 60, margin=0, window=3)] == ["4/1s", "12/3s"]
    settings = Settings(state_dir=tmp_path / "state")  # the defaults: Jolpica's, less 10%
    with rate_limiter_from_settings(settings) as limiter:
        assert [str(limit) for limit in limiter.limits] == ["3/1s", "450/3600s"]


def test_a_spent_window_is_waited_for_and_said_so(tmp_path, caplog):
    limits = [Limit(3, 1.0), Limit(4, 3.0)]  # a 3-second "hour" of 4 requests
    with SharedRateLimiter(tmp_path / "rl.sqlite", limits) as limiter:
        stamps = acquire_times(limiter, 4)
        status = limiter.status()
        assert (status.used, status.budget) == (4, 4)
        assert 1.0 < status.waiting() <= 3.0
        assert "4 of 4 requests used in the last 3s" in status.describe()
        with caplog.at_level("WARNING", logger="f1lake.ergast.ratelimit"):
            limiter.acquire()
        assert time.time() - stamps[0] >= 3.0 - CALLER_SLACK
        assert "waiting" in caplog.text and "4 of 4 requests" in caplog.text


def test_a_pause_holds_every_limiter_sharing_the_file(tmp_path):
    with (
        SharedRateLimiter(tmp_path / "rl.sqlite") as one,
        SharedRateLimiter(tmp_path / "rl.sqlite") as other,
    ):
        one.pause(0.6)
        assert other.paused_until() > time.time()
        assert "429" in other.status().describe()
        waited = other.acquire()
    assert waited >= 0.5


def test_the_progress_output_says_what_the_run_waits_for(tmp_path):
    from f1lake.local.run_progress import budget_wait

    settings = Settings(
        state_dir=tmp_path / "state",
        rate_limit_per_second=2,
        rate_limit_per_hour=3,
        rate_limit_margin=0,
        rate_limit_window_seconds=30,
    )
    assert budget_wait(settings) is None
    with rate_limiter_from_settings(settings) as limiter:
        acquire_times(limiter, 3)

    told = budget_wait(settings)  # what a second process (the progress thread) reads

    assert told is not None and "3 of 3 requests used in the last 30s" in told
    assert re.search(r"waiting (2\d|30)s for the API's window \(until \d\d:\d\d:\d\d\)", told)
