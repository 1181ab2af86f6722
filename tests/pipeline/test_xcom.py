"""The stages' contracts survive the trip through XCom (plain JSON), and an old version is refused."""

from __future__ import annotations

import json

import pytest

from f1lake.pipeline.contracts import (
    IngestReport,
    Plan,
    Schedule,
    plan_from_xcom,
    report_from_xcom,
    to_xcom,
)
from f1lake.pipeline.progress import Written


def through_json(data: dict) -> dict:
    return json.loads(json.dumps(data))


def test_a_plan_and_a_report_come_back_as_they_left():
    schedule = Schedule([{"season": "2023", "round": "1"}], ["http://api/2023/races.json"], 1, {})
    plan = Plan(2023, 2024, [1, 2], last_round=2, work={"results": [2], "drivers": [None]})
    plan.schedule = schedule
    report = IngestReport("results", 2023, fetched_rounds=[2], unchanged=[1], requests=1)
    report.written = [Written("results", 2023, 2, "results/season=2023/round=2/x.json", "0" * 64)]

    assert plan_from_xcom(through_json(to_xcom(plan))) == plan
    assert report_from_xcom(through_json(to_xcom(report))) == report
    assert to_xcom(plan)["version"] == Plan.VERSION


def test_an_xcom_of_another_version_is_refused_by_name():
    old = {**to_xcom(Plan(2023, 2024, [1])), "version": Plan.VERSION - 1}
    with pytest.raises(ValueError, match=r"Plan XCom has version 0"):
        plan_from_xcom(old)
    with pytest.raises(ValueError, match="IngestReport XCom has version None"):
        report_from_xcom({"endpoint": "results", "season": 2023})
