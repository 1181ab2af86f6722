"""The backfill under each fault the API shows, injected by the replay API (seeded, small):
the lake and the ledger end as after a fault-free run, and every fault costs one retry."""

from __future__ import annotations

import pytest

from f1lake.replay.faults import JOLPICA_RATE_LIMIT, FaultConfig, parse_rule
from tests.faults.conftest import assert_converged


def rules(*specs: str) -> tuple:
    return tuple(parse_rule(s) for s in specs)


FAULTS = {
    "throttled with Retry-After": FaultConfig(
        rules=rules("throttle:path=2023/results*,first=2,retry_after=1", "throttle:first=1")
    ),
    "proxy errors 500/502/503": FaultConfig(
        rules=rules(
            "server_error:status=500,path=2023/results*,first=2",
            "server_error:status=502,path=2023/qualifying*,first=1",
            "server_error:status=503,path=2023.json,first=1",
            "server_error:status=503,path=current/last*,first=1",
        )
    ),
    "answers slower than the client's timeout": FaultConfig(
        rules=rules(
            "slow:delay=1.6,path=2023/results*,first=1", "slow:delay=1.6,path=*/status*,first=1"
        )
    ),
    "truncated bodies": FaultConfig(seed=3, rules=rules("truncated:probability=0.3")),
    "malformed bodies": FaultConfig(seed=11, rules=rules("malformed:probability=0.3")),
}


@pytest.mark.parametrize("fault", list(FAULTS))
def test_backfill_converges_under_api_fault(rig, baseline, fault):
    rig.faults.configure(FAULTS[fault])

    summary = rig.backfill()

    injected = sum(rig.faults.injected.values())
    assert injected >= 2, f"the fault never fired: {rig.faults.injected}"
    assert_converged(rig, baseline.outcome)
    assert len(rig.raw_keys()) == baseline.raw_objects
    # each fault cost exactly one retried request: nothing lost, nothing hammered
    assert summary["api_requests"] == baseline.summary["api_requests"] + injected
    assert rig.faults.requests == summary["api_requests"]


def test_backfill_converges_under_jolpica_rate_limits_with_an_eager_client(rig, baseline):
    rig.faults.configure(FaultConfig(rate_limit=JOLPICA_RATE_LIMIT))  # 4/s, 500/h
    # the rig's client allows itself 50 requests/s: the server must push back

    summary = rig.backfill()

    refused = rig.faults.injected["rate_limit"]
    assert refused >= 1
    assert_converged(rig, baseline.outcome)
    assert summary["api_requests"] == baseline.summary["api_requests"] + refused
