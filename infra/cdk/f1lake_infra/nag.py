"""cdk-nag's AwsSolutions pack over every stack, and every accepted finding with its reason.

This table is the one place suppressions live; infra/cdk/README.md summarises it (a test keeps
the two in step). A suppression names the rule, the stacks, and, where it can, the exact
resource path and the finding (``applies_to``, a regex over cdk-nag's finding id), so a new
finding of the same rule elsewhere still fails the tests.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from aws_cdk import Aspects, Stack
from cdk_nag import AwsSolutionsChecks, NagPackSuppression, NagSuppressions, RegexAppliesTo
from constructs import Construct

from f1lake_infra.stacks import F1LakeStacks

_BUCKET_ARN = r"(<({buckets})\.Arn>|{storage}:ExportsOutputFnGetAtt({buckets})Arn[0-9A-F]+)"
"""A lake bucket's ARN as cdk-nag renders it: a reference to one of this app's storage-stack
buckets (``{buckets}``: their logical ids), or that stack's (``{storage}``) export of it."""


@dataclass(frozen=True)
class Suppression:
    rule: str
    reason: str
    stacks: tuple[str, ...]
    """Fields of ``F1LakeStacks`` it applies to (an absent opt-in stack is skipped)."""
    path: str | None = None
    """Construct path under the stack; None: anywhere in the stack."""
    applies_to: tuple[str, ...] = ()
    """Regexes over the finding (e.g. ``Resource::<BucketsRaw.Arn>/*``); empty: the rule.
    ``{storage}``, ``{buckets}`` and ``{database}`` stand for this app's storage stack, lake
    buckets and Glue database, so a pattern matches this deployment's resources only."""


SUPPRESSIONS: tuple[Suppression, ...] = (
    Suppression(
        "AwsSolutions-S1",
        "Athena query results are a 30-day cache written and read only through the workgroup; "
        "access logs would mostly record Athena's own reads. The data buckets are logged.",
        ("storage",),
        path="Buckets/AthenaResults/Resource",
    ),
    Suppression(
        "AwsSolutions-L1",
        "The processor runs Python 3.12, not the newest Lambda Python: it runs on the AWS SDK "
        "for pandas layer AWSSDKPandas-Python312 (release 3.16.1; the 3.17.0 layers crash on "
        "datetimes, see sdk_pandas_layer.py), and the test suite rehearses the handler at that "
        "layer's exact versions on Python 3.12. Runtime, layer, bundle platform and rehearsal "
        "move together.",
        ("processing",),
        path="Processor/Function/Resource",
    ),
    Suppression(
        "AwsSolutions-IAM4",
        "AWSLambdaBasicExecutionRole allows logs:CreateLogGroup, logs:CreateLogStream and "
        "logs:PutLogEvents on every log group of the account (Resource '*'), not only the "
        "function's own: write-only (no read, delete or retention change), so a compromised "
        "function could add log lines or groups but read or erase nothing. It is the policy "
        "CDK attaches to every function role, including CDK's own custom-resource handlers "
        "(bucket notifications, auto-delete, the views provider), which the app cannot scope.",
        ("processing", "analytics", "storage"),
        applies_to=(
            r"^Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
            r"AWSLambdaBasicExecutionRole$",
        ),
    ),
    Suppression(
        "AwsSolutions-IAM5",
        "Object-level S3 actions need object ARNs: each grant is a whole bucket dedicated to "
        "one kind of data (processed, quarantine), a fixed prefix of one (Athena's results/), "
        "or one of the raw key prefixes '<endpoint>/season=' (Airflow's writes). The actions "
        "are listed one by one, with no wildcard.",
        ("processing", "catalog", "analytics", "access", "quicksight"),
        applies_to=(rf"^Resource::{_BUCKET_ARN}/([\w=/-]*)\*$",),
    ),
    Suppression(
        "AwsSolutions-IAM5",
        "The tables of the one Glue database: the crawler creates them by name at run time "
        "(one per processed table), and the views, checks and dashboards read them all.",
        ("catalog", "analytics", "access", "quicksight"),
        applies_to=(
            r"^Resource::arn:<AWS::Partition>:glue:<AWS::Region>:<AWS::AccountId>:"
            r"table/{database}/\*$",
        ),
    ),
    Suppression(
        "AwsSolutions-IAM5",
        "Glue writes a crawler's logs to streams it names at run time, in the fixed log group "
        "/aws-glue/crawlers.",
        ("catalog",),
        path="Catalog/CrawlerRole/DefaultPolicy/Resource",
        applies_to=(
            r"^Resource::arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:"
            r"log-group:/aws-glue/crawlers:\*$",
        ),
    ),
    Suppression(
        "AwsSolutions-IAM5",
        "CDK's custom-resource Provider framework invokes any version of the views function "
        "(<function ARN>:*); the function is the only resource.",
        ("analytics",),
        path="Analytics/ViewsProvider/framework-onEvent/ServiceRole/DefaultPolicy/Resource",
        applies_to=(r"^Resource::<AnalyticsViewsFunction\w+\.Arn>:\*$",),
    ),
    Suppression(
        "AwsSolutions-IAM5",
        "cloudwatch:PutMetricData takes no resource ARN; the statement is held to the f1lake "
        "namespace by the cloudwatch:namespace condition (the DAGs' run metrics).",
        ("access",),
        path="Airflow/Policy/Resource",
        applies_to=(r"^Resource::\*$",),
    ),
    Suppression(
        "AwsSolutions-GL1",
        "The crawler's CloudWatch logs hold table and partition names, no data; encrypting "
        "them needs a security configuration with a customer-managed KMS key (about $1 a "
        "month) that would protect nothing sensitive.",
        ("catalog",),
        path="Catalog/Crawler",
    ),
    Suppression(
        "AwsSolutions-IAM5",
        "QuickSight's Athena role: Athena's list calls (ListDataCatalogs, ListWorkGroups) and "
        "QuickSight's lookup of the workgroup's catalog take no resource ARN.",
        ("quicksight",),
        path="QuickSightAthenaRole/DefaultPolicy/Resource",
        applies_to=(r"^Resource::\*$",),
    ),
)


def nag_suppression(s: Suppression, names: dict[str, str]) -> NagPackSuppression:
    patterns = []
    for pattern in s.applies_to:
        for name, value in names.items():
            pattern = pattern.replace(f"{{{name}}}", value)
        patterns.append(RegexAppliesTo(regex=f"/{pattern}/"))
    return NagPackSuppression(id=s.rule, reason=s.reason, applies_to=patterns or None)


def deployment_names(stacks: F1LakeStacks) -> dict[str, str]:
    """Regexes of the deployment's names the patterns stand for (none when a stack is absent)."""
    names = {}
    if stacks.storage is not None:
        b = stacks.storage.buckets
        ids = [
            stacks.storage.get_logical_id(bucket.node.default_child)
            for bucket in (b.raw, b.processed, b.quarantine, b.athena_results)
        ]
        names["buckets"] = "|".join(re.escape(i) for i in ids)
        names["storage"] = re.escape(stacks.storage.stack_name)
    if stacks.catalog is not None:
        names["database"] = re.escape(stacks.catalog.catalog.database_name)
    return names


def apply_suppressions(stacks: F1LakeStacks) -> None:
    names = deployment_names(stacks)
    for s in SUPPRESSIONS:
        for field in s.stacks:
            stack: Stack | None = getattr(stacks, field)
            if stack is None:
                continue
            if s.path is None:
                NagSuppressions.add_stack_suppressions(stack, [nag_suppression(s, names)])
            else:
                NagSuppressions.add_resource_suppressions_by_path(
                    stack, f"/{stack.node.path}/{s.path}", [nag_suppression(s, names)]
                )


def apply_nag(scope: Construct, stacks: F1LakeStacks) -> None:
    """Suppress the accepted findings, then check every stack (errors fail ``cdk synth``)."""
    apply_suppressions(stacks)
    Aspects.of(scope).add(AwsSolutionsChecks(verbose=True))
