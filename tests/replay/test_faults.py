"""Fault injection of the replay API: the pure decisions, the revision of a dump, the specs of
the command line, and each fault as a client sees it over HTTP."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner

from f1lake.cli import main
from f1lake.endpoints import RESULTS
from f1lake.ergast import MalformedResponseError
from f1lake.ergast.paging import parse_page
from f1lake.replay.dump import Dump
from f1lake.replay.faults import (
    FaultConfig,
    FaultRule,
    FaultSpecError,
    RateLimit,
    Revision,
    config_from_specs,
    decide,
    parse_rate_limit,
    parse_revision,
    parse_rule,
    revise,
    throttle_wait,
)
from f1lake.replay.server import Faults, replay_api
from tests.support.minidump import MINIDUMP_TODAY


def run(config: FaultConfig, paths: list[str]) -> list[str | None]:
    """The fault kind each request in turn gets."""
    seen: tuple[int, ...] = ()
    kinds = []
    for path in paths:
        fault, seen = decide(config, path, seen)
        kinds.append(fault.kind if fault else None)
    return kinds


# -- decisions ----------------------------------------------------------------------------------


def test_first_n_then_data_and_rules_take_turns_in_order():
    config = FaultConfig(
        rules=(parse_rule("throttle:first=2"), parse_rule("server_error:status=502,first=1"))
    )
    assert run(config, ["2023.json"] * 5) == [
        "throttle", "throttle", "server_error", None, None
    ]  # fmt: skip


def test_rules_apply_only_to_paths_matching_their_glob():
    config = FaultConfig(rules=(parse_rule("truncated:path=2023/results*,first=5"),))
    paths = [
        "2023/results.json",
        "2023/qualifying.json",
        "2023/5/results.json",
        "2023/results.json",
    ]
    assert run(config, paths) == ["truncated", None, None, "truncated"]


def test_probability_is_seeded_reproducible_and_about_right():
    paths = ["2023/results.json"] * 2000
    config = FaultConfig(seed=7, rules=(parse_rule("server_error:probability=0.25"),))
    first, again = run(config, paths), run(config, paths)
    other = run(FaultConfig(seed=8, rules=config.rules), paths)
    assert first == again  # the same seed draws the same faults
    assert first != other
    assert 0.2 < first.count("server_error") / len(paths) < 0.3


def test_malformed_faults_draw_their_variant_from_the_seed():
    config = FaultConfig(seed=1, rules=(parse_rule("malformed"),))
    seen: tuple[int, ...] = ()
    variants = set()
    for _ in range(30):
        fault, seen = decide(config, "2023.json", seen)
        variants.add(fault.variant)
    assert variants == {"no_table", "bad_total", "html"}


def test_throttle_wait_enforces_the_burst_and_the_hourly_budget():
    limit = RateLimit(per_second=4, per_hour=6)
    assert throttle_wait(limit, [10.0, 10.1, 10.2], 10.3) is None
    assert throttle_wait(limit, [10.0, 10.1, 10.2, 10.3], 10.4) == pytest.approx(0.6)
    hour = [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]
    assert throttle_wait(limit, hour, 100.0) == pytest.approx(3500.0)
    assert throttle_wait(RateLimit(), [], 0.0) is None
    assert parse_rate_limit("jolpica") == RateLimit(4, 500)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("explode", "unknown kind 'explode'"),
        ("throttle:first=2,probability=0.5", "not both"),
        ("server_error:status=418", "status must be one of"),
        ("slow:delay=abc", "delay='abc' is not a number"),
        ("truncated:often=1", "unknown key 'often'"),
        ("throttle:first", "'first' is not key=value"),
        ("server_error:probability=2", "between 0 and 1"),
    ],
)
def test_bad_fault_specs_say_what_is_wrong(spec, message):
    with pytest.raises(FaultSpecError, match=message):
        parse_rule(spec)


def test_specs_build_a_config():
    config = config_from_specs(
        ["throttle:first=1,retry_after=2 slow:delay=3,path=*/qualifying*"],
        seed=5,
        rate_limit="2/100",
        revisions=["2023/5:swap=1-3,after=10"],
    )
    assert config.seed == 5
    assert config.rules == (
        FaultRule("throttle", first=1, retry_after=2.0),
        FaultRule("slow", path="*/qualifying*", delay=3.0),
    )
    assert config.rate_limit == RateLimit(2, 100)
    assert config.revisions == (Revision(2023, 5, (1, 3), after=10),)
    with pytest.raises(FaultSpecError, match="SEASON/ROUND"):
        parse_revision("2023")
    with pytest.raises(FaultSpecError, match="PER_SECOND/PER_HOUR"):
        parse_rate_limit("fast")
    assert parse_rate_limit("50/60/3") == RateLimit(50, 60, window=3.0)
    assert config_from_specs(jolpica=True).jolpica and not config_from_specs().jolpica


# -- revisions ----------------------------------------------------------------------------------


def _points(rows, key):
    return {r[key]: float(r["points"]) for r in rows}


def test_a_revision_swaps_two_finishers_and_moves_the_standings_with_them(minidump: Dump):
    race = minidump.race(2023, 4)
    later = minidump.race(2023, 5)
    revised = revise(minidump, [Revision(2023, 4)])

    before, after = minidump.results[race.race_id], revised.results[race.race_id]
    winner, second = before[0]["driverId"], before[1]["driverId"]
    assert [r["driverId"] for r in after[:2]] == [second, winner]
    assert [r["position"] for r in after[:2]] == ["1", "2"]
    assert (after[0]["points"], after[1]["points"]) == (before[0]["points"], before[1]["points"])
    assert [r["driverId"] for r in after[2:]] == [r["driverId"] for r in before[2:]]
    delta = float(before[0]["points"]) - float(before[1]["points"])
    for race_id in (race.race_id, later.race_id):  # this round's standings and every later one
        old = _points(minidump.driver_standings[race_id], "driverId")
        new = _points(revised.driver_standings[race_id], "driverId")
        assert new[second] == old[second] + delta and new[winner] == old[winner] - delta
        rows = revised.driver_standings[race_id]
        assert [int(r["position"]) for r in rows] == list(range(1, len(rows) + 1))
        assert [float(r["points"]) for r in rows] == sorted(
            (float(r["points"]) for r in rows), reverse=True
        )
        wins = {r["driverId"]: int(r["wins"]) for r in rows}
        old_wins = {r["driverId"]: int(r["wins"]) for r in minidump.driver_standings[race_id]}
        assert (wins[second], wins[winner]) == (old_wins[second] + 1, old_wins[winner] - 1)
    earlier = minidump.race(2023, 3).race_id
    assert revised.driver_standings[earlier] == minidump.driver_standings[earlier]
    assert minidump.results[race.race_id] == before  # the input is left as it was


def test_a_revision_of_a_race_the_dump_lacks_is_refused(minidump: Dump):
    with pytest.raises(FaultSpecError, match="no race 2023/9"):
        revise(minidump, [Revision(2023, 9)])
    with pytest.raises(FaultSpecError, match="no finishers at positions 1 and 40"):
        revise(minidump, [Revision(2023, 4, (1, 40))])


# -- over HTTP ----------------------------------------------------------------------------------


def test_each_fault_as_a_client_sees_it(minidump_dir: Path):
    faults = Faults(
        FaultConfig(
            rules=(
                parse_rule("throttle:path=2023.json,first=1,retry_after=2"),
                parse_rule("server_error:path=2023.json,status=500,first=1"),
                parse_rule("slow:path=2022.json,first=1,delay=1"),
                parse_rule("truncated:path=2023/results*,first=1"),
                parse_rule("malformed:path=2022/results*,first=1"),
            )
        )
    )
    with replay_api(minidump_dir, today=MINIDUMP_TODAY, faults=faults) as base:
        throttled = requests.get(f"{base}/2023.json", timeout=10)
        assert throttled.status_code == 429 and throttled.headers["Retry-After"] == "2"
        proxy = requests.get(f"{base}/2023.json", timeout=10)
        assert proxy.status_code == 500 and "<html>" in proxy.text
        assert requests.get(f"{base}/2023.json", timeout=10).json()["MRData"]["total"] == "7"

        with pytest.raises(requests.ReadTimeout):
            requests.get(f"{base}/2022.json", timeout=0.3)
        assert requests.get(f"{base}/2022.json", timeout=10).status_code == 200

        cut = requests.get(f"{base}/2023/results.json?limit=5", timeout=10)
        whole = requests.get(f"{base}/2023/results.json?limit=5", timeout=10)
        assert whole.status_code == cut.status_code == 200
        assert whole.content.startswith(cut.content) and len(cut.content) < len(whole.content)
        with pytest.raises(json.JSONDecodeError):
            json.loads(cut.content)

        odd = requests.get(f"{base}/2022/results.json", timeout=10)
        assert odd.status_code == 200
        try:
            body = odd.json()
        except ValueError:
            body = None  # the HTML variant
        with pytest.raises(MalformedResponseError):  # what the client checks every page for
            parse_page(body, RESULTS, odd.url)

        state = requests.get(base.replace("/ergast/f1", "/_replay/faults"), timeout=10).json()
    assert state["injected"] == {
        "throttle": 1, "server_error": 1, "slow": 1, "truncated": 1, "malformed": 1
    }  # fmt: skip
    assert faults.requests == state["requests"] == 8


def test_rate_limit_answers_429_with_the_wait_beyond_the_burst(minidump_dir: Path):
    now = [100.0]
    faults = Faults(
        FaultConfig(rate_limit=RateLimit(per_second=4, per_hour=500)), clock=lambda: now[0]
    )
    with replay_api(minidump_dir, today=MINIDUMP_TODAY, faults=faults) as base:
        codes = [requests.get(f"{base}/2023.json", timeout=10).status_code for _ in range(5)]
        assert codes == [200, 200, 200, 200, 429]
        refused = requests.get(f"{base}/2023.json", timeout=10)
        assert refused.status_code == 429 and refused.headers["Retry-After"] == "1"
        now[0] += 1.0  # a second later the window has room again
        assert requests.get(f"{base}/2023.json", timeout=10).status_code == 200
    assert faults.injected["rate_limit"] == 2


def test_like_jolpica_the_hourly_window_is_shared_and_its_429_says_no_retry_after(
    minidump_dir: Path,
):
    now = [100.0]
    limit = RateLimit(per_second=3, per_hour=3, window=5.0)
    faults = Faults(FaultConfig(rate_limit=limit, jolpica=True), clock=lambda: now[0])
    with replay_api(minidump_dir, today=MINIDUMP_TODAY, faults=faults) as base:
        one, other = requests.Session(), requests.Session()  # two clients, one budget
        codes = [s.get(f"{base}/2023.json", timeout=10).status_code for s in (one, other, one)]
        assert codes == [200, 200, 200]
        now[0] += 2.0  # past the burst's second: only the hourly budget can refuse
        refused = other.get(f"{base}/2023.json", timeout=10)
        assert refused.status_code == 429 and "Retry-After" not in refused.headers
        now[0] += 3.0  # the (scaled) hour has turned over
        assert one.get(f"{base}/2023.json", timeout=10).status_code == 200


def test_like_jolpica_current_follows_the_calendar_year(minidump_dir: Path):
    def table(base: str, path: str) -> tuple[int, dict]:
        answer = requests.get(f"{base}/{path}", timeout=10)
        return answer.status_code, answer.json().get("MRData", {}).get("RaceTable", {})

    faults = Faults(FaultConfig(jolpica=True))
    with replay_api(minidump_dir, today=date(2024, 1, 15), faults=faults) as base:
        # January: the year's season is not published yet
        assert table(base, "current/last.json")[0] == 404
        assert table(base, "current/last/results.json")[0] == 404
        # "last" goes by the date: round 7, though 6 and 7 have no results in the dump
        assert table(base, "2023/last.json")[1]["round"] == "7"
    with replay_api(minidump_dir, today=date(2023, 2, 1), faults=faults) as base:
        # published but not run: round 1 is "last", and it has no results
        status, last = table(base, "current/last.json")
        assert (status, last["season"], last["round"]) == (200, "2023", "1")
        assert table(base, "current/last/results.json")[1]["Races"] == []
    with replay_api(minidump_dir, today=date(2023, 2, 1)) as base:  # the plain replay
        status, last = table(base, "current/last.json")
        assert (status, last["season"], last["round"]) == (200, "2022", "3")


def test_a_revision_published_mid_run_changes_answers_from_then_on(minidump_dir: Path):
    faults = Faults()
    with replay_api(minidump_dir, today=MINIDUMP_TODAY, faults=faults) as base:
        url = f"{base}/2023/5/results.json"

        def podium() -> list[tuple[str, str, str]]:
            rows = requests.get(url, timeout=10).json()["MRData"]["RaceTable"]["Races"][0]
            return [
                (r["position"], r["Driver"]["driverId"], r["points"]) for r in rows["Results"][:2]
            ]

        first = podium()
        admin = base.replace("/ergast/f1", "/_replay/revisions")
        published = requests.post(f"{admin}?season=2023&round=5", timeout=10)
        assert published.status_code == 200
        assert podium() == [
            ("1", first[1][1], first[0][2]),
            ("2", first[0][1], first[1][2]),
        ]
        bad = requests.post(f"{admin}?season=2023&round=9", timeout=10)
        assert bad.status_code == 400 and "no race 2023/9" in bad.json()["detail"]


def test_replay_api_command_refuses_bad_fault_flags_clearly(minidump_dir: Path):
    result = CliRunner().invoke(
        main, ["replay-api", "--csv-dir", str(minidump_dir), "--fault", "throttle:first=x"]
    )
    assert result.exit_code == 2
    assert "error: fault 'throttle:first=x': first='x' is not a number" in result.output
    revised = CliRunner().invoke(
        main, ["replay-api", "--csv-dir", str(minidump_dir), "--revise", "2031/1"]
    )
    assert revised.exit_code == 2 and "no race 2031/1" in revised.output
    assert "Traceback" not in result.output + revised.output
