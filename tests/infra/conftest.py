"""Synthesize the CDK stack once per session (bundling skipped: no Docker, no pip at synth)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest

from f1lake.settings import PROJECT_ROOT

CDK_DIR = PROJECT_ROOT / "infra" / "cdk"
if str(CDK_DIR) not in sys.path:
    sys.path.insert(0, str(CDK_DIR))
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "1")
os.environ.setdefault("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")


def cdk_json_context() -> dict[str, Any]:
    """The context `cdk synth` uses, so the tests synthesize what a user deploys."""
    return json.loads((CDK_DIR / "cdk.json").read_text(encoding="utf-8"))["context"]


@pytest.fixture(scope="session")
def synthesized() -> Any:
    cdk = pytest.importorskip(
        "aws_cdk", reason="aws-cdk-lib is not installed (uv sync --group cdk)"
    )
    from aws_cdk.assertions import Template
    from f1lake_infra.config import config_from_context
    from f1lake_infra.stack import F1LakeStack

    context = cdk_json_context()
    app = cdk.App(context={**context, "aws:cdk:bundling-stacks": []})
    stack = F1LakeStack(app, "F1LakeTest", config=config_from_context(context))
    return stack, Template.from_stack(stack)


@pytest.fixture(scope="session")
def stack(synthesized: Any) -> Any:
    return synthesized[0]


@pytest.fixture(scope="session")
def template(synthesized: Any) -> Any:
    return synthesized[1]


@pytest.fixture(scope="session")
def resources(template: Any) -> dict[str, dict[str, Any]]:
    return template.to_json()["Resources"]


def logical_id(stack: Any, construct: Any) -> str:
    """Logical id of a construct's CloudFormation resource (an L1, or an L2's default child)."""
    from aws_cdk import CfnElement

    element = construct if isinstance(construct, CfnElement) else construct.node.default_child
    return stack.get_logical_id(element)


def of_type(resources: dict[str, dict[str, Any]], type_: str) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in resources.items() if v["Type"] == type_}


def sql_paths() -> list[Path]:
    return sorted((PROJECT_ROOT / "sql" / "athena").rglob("*.sql"))
