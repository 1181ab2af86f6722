"""Synthesize the CDK app once per session, every stack including the opt-in QuickSight one and
cdk-nag's checks (bundling skipped: no Docker, no pip at synth)."""

from __future__ import annotations

import fnmatch
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from f1lake.resources import SQL_ROOT
from f1lake.settings import PROJECT_ROOT

CDK_DIR = PROJECT_ROOT / "infra" / "cdk"
if str(CDK_DIR) not in sys.path:
    sys.path.insert(0, str(CDK_DIR))
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "1")
os.environ.setdefault("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")

QUICKSIGHT_PRINCIPAL = "arn:aws:quicksight:us-east-1:123456789012:user/default/f1-analyst"
QUICKSIGHT_CONTEXT = {"quicksight": "true", "quicksightPrincipalArn": QUICKSIGHT_PRINCIPAL}
"""As a user passes them: ``cdk deploy -c quicksight=true -c quicksightPrincipalArn=...``."""
AIRFLOW_PRINCIPAL = "arn:aws:iam::123456789012:role/mwaa-execution"
"""Who may assume the Airflow role: required (``-c airflowPrincipalArn=...``)."""
ACCOUNT, REGION, PARTITION = "123456789012", "us-east-1", "aws"


def cdk_json_context() -> dict[str, Any]:
    """The context `cdk synth` uses, so the tests synthesize what a user deploys."""
    return json.loads((CDK_DIR / "cdk.json").read_text(encoding="utf-8"))["context"]


def bare_app() -> Any:
    """An empty app with cdk.json's context (feature flags), for one-stack checks."""
    import aws_cdk as cdk

    return cdk.App(context={**cdk_json_context(), "aws:cdk:bundling-stacks": []})


def build_app(extra: dict[str, Any] | None = None, *, nag: bool = False) -> tuple[Any, Any]:
    """(stacks, config) of a fresh app with cdk.json's context plus ``extra``."""
    import aws_cdk as cdk
    from f1lake_infra.config import config_from_context
    from f1lake_infra.nag import apply_nag
    from f1lake_infra.stacks import build_stacks

    context = {**cdk_json_context(), "airflowPrincipalArn": AIRFLOW_PRINCIPAL, **(extra or {})}
    app = cdk.App(context={**context, "aws:cdk:bundling-stacks": []})
    config = config_from_context(context)
    stacks = build_stacks(app, config)
    if nag:
        apply_nag(app, stacks)
    return stacks, config


@dataclass
class Synth:
    stacks: Any
    config: Any
    templates: dict[str, dict[str, Any]]
    """Stack field (storage, processing, ...) -> CloudFormation template."""

    def resources(self, field: str) -> dict[str, dict[str, Any]]:
        return self.templates[field]["Resources"]

    def stack(self, field: str) -> Any:
        return getattr(self.stacks, field)

    def all_resources(self) -> dict[str, dict[str, Any]]:
        return {
            f"{field}/{k}": v
            for field, t in self.templates.items()
            for k, v in t["Resources"].items()
        }

    def resolver(self) -> Resolver:
        return Resolver(self.templates)


FIELDS = ("storage", "processing", "catalog", "analytics", "access", "quicksight")


@pytest.fixture(scope="session")
def synth() -> Synth:
    pytest.importorskip("aws_cdk", reason="aws-cdk-lib is not installed (uv sync --group cdk)")
    from aws_cdk.assertions import Template

    stacks, config = build_app(QUICKSIGHT_CONTEXT, nag=True)
    templates = {f: Template.from_stack(getattr(stacks, f)).to_json() for f in FIELDS}
    return Synth(stacks, config, templates)


def logical_id(stack: Any, construct: Any) -> str:
    """Logical id of a construct's CloudFormation resource (an L1, or an L2's default child)."""
    from aws_cdk import CfnElement

    element = construct if isinstance(construct, CfnElement) else construct.node.default_child
    return stack.get_logical_id(element)


def of_type(resources: dict[str, dict[str, Any]], type_: str) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in resources.items() if v["Type"] == type_}


def only(resources: dict[str, dict[str, Any]], type_: str) -> dict[str, Any]:
    found = of_type(resources, type_)
    assert len(found) == 1, f"expected one {type_}, found {sorted(found)}"
    return next(iter(found.values()))["Properties"]


def sql_paths() -> list[Path]:
    return sorted(SQL_ROOT.rglob("*.sql"))


class Resolver:
    """Renders CloudFormation intrinsics of the synthesized templates into plain strings, so
    policies can be evaluated against concrete ARNs: a resource's Ref is its logical id, a
    bucket is ``arn:aws:s3:::<logical id>``, an import is the exporting stack's value."""

    def __init__(self, templates: dict[str, dict[str, Any]]) -> None:
        self.by_id: dict[str, dict[str, Any]] = {}
        self.exports: dict[str, Any] = {}
        for template in templates.values():
            self.by_id.update(template["Resources"])
            for output in template.get("Outputs", {}).values():
                name = output.get("Export", {}).get("Name")
                if name:
                    self.exports[name] = output["Value"]

    def __call__(self, value: Any) -> Any:
        if isinstance(value, str | int | float | bool) or value is None:
            return value
        if isinstance(value, list):
            return [self(v) for v in value]
        (key, arg), *rest = value.items()
        if rest or not key.startswith(("Fn::", "Ref")):
            return {k: self(v) for k, v in value.items()}
        if key == "Ref":
            return {
                "AWS::Partition": PARTITION,
                "AWS::Region": REGION,
                "AWS::AccountId": ACCOUNT,
                "AWS::URLSuffix": "amazonaws.com",
            }.get(arg, arg)
        if key == "Fn::Join":
            return arg[0].join(str(self(p)) for p in arg[1])
        if key == "Fn::ImportValue":
            return self(self.exports[arg])
        if key == "Fn::GetAtt":
            rid, attr = arg
            type_ = self.by_id.get(rid, {}).get("Type", "")
            if type_ == "AWS::S3::Bucket" and attr == "Arn":
                return f"arn:aws:s3:::{rid}"
            if type_ == "AWS::SQS::Queue" and attr == "Arn":
                return f"arn:aws:sqs:{REGION}:{ACCOUNT}:{rid}"
            return f"{rid}.{attr}"
        raise AssertionError(f"unresolved intrinsic {key}")


def policy_statements(
    resources: dict[str, dict[str, Any]], role_id: str, resolve: Resolver
) -> list[dict[str, Any]]:
    """Every Allow statement that applies to a role: inline policies and managed policies."""
    docs = []
    role = resources[role_id]["Properties"]
    for policy in role.get("Policies", []):
        docs.append(policy["PolicyDocument"])
    for policy in of_type(resources, "AWS::IAM::Policy").values():
        if {"Ref": role_id} in policy["Properties"].get("Roles", []):
            docs.append(policy["Properties"]["PolicyDocument"])
    for arn in role.get("ManagedPolicyArns", []):
        if isinstance(arn, dict) and "Ref" in arn and arn["Ref"] in resources:
            docs.append(resources[arn["Ref"]]["Properties"]["PolicyDocument"])
    return [resolve(s) for d in docs for s in d["Statement"] if s["Effect"] == "Allow"]


def allows(statements: list[dict[str, Any]], action: str, resource: str) -> bool:
    """IAM's matching for Allow statements: wildcards in actions (case-insensitive) and ARNs."""
    for st in statements:
        actions = st["Action"] if isinstance(st["Action"], list) else [st["Action"]]
        arns = st["Resource"] if isinstance(st["Resource"], list) else [st["Resource"]]
        if any(fnmatch.fnmatchcase(action.lower(), a.lower()) for a in actions) and any(
            fnmatch.fnmatchcase(resource, r) for r in arns
        ):
            return True
    return False
