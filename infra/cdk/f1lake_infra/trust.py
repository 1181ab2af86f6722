"""Who may act on our resources: service principals held to this account.

A service principal alone trusts the service on behalf of any AWS account (the confused-deputy
problem); ``aws:SourceAccount`` limits it to requests the service makes for this account.
"""

from __future__ import annotations

from aws_cdk import Stack
from aws_cdk import aws_iam as iam
from constructs import Construct


def source_account_condition(scope: Construct) -> dict[str, dict[str, str]]:
    """``aws:SourceAccount`` equal to the deploying account."""
    return {"StringEquals": {"aws:SourceAccount": Stack.of(scope).account}}


def account_service_principal(scope: Construct, service: str) -> iam.ServicePrincipal:
    """``service`` (e.g. ``glue.amazonaws.com``), acting for this account only."""
    return iam.ServicePrincipal(service, conditions=source_account_condition(scope))
