"""Glue database + the crawler of ``glue/crawler.json`` (rendered by f1lake.catalog.definition,
the same definition the local crawler applies: no second copy of targets or policies here)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aws_cdk import ArnFormat, CfnOutput, Stack
from aws_cdk import aws_glue as glue
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from constructs import Construct

from f1lake.catalog.definition import create_crawler_kwargs
from f1lake.settings import Settings
from f1lake_infra.trust import account_service_principal

DATABASE_DESCRIPTION = "f1lake processed tables (Parquet, partitioned by season)."
CRAWLER_CATALOG_ACTIONS = (
    "glue:GetDatabase",
    "glue:GetTable",
    "glue:GetTables",
    "glue:CreateTable",
    "glue:UpdateTable",
    "glue:GetPartition",
    "glue:GetPartitions",
    "glue:BatchGetPartition",
    "glue:CreatePartition",
    "glue:BatchCreatePartition",
    "glue:UpdatePartition",
    "glue:BatchUpdatePartition",
)
"""What a crawler does to its one database: read, create and update tables and partitions. No
deletes: crawler.json logs deletions (DeleteBehavior LOG) rather than applying them."""


def crawler_properties(kwargs: Mapping[str, Any]) -> dict[str, Any]:
    """Pure: ``glue.create_crawler`` arguments -> ``CfnCrawler`` properties.

    Every key must be mapped: a key added to crawler.json that this function does not know
    fails the synth instead of being dropped silently.
    """
    rest = dict(kwargs)
    props: dict[str, Any] = {
        "name": rest.pop("Name"),
        "role": rest.pop("Role"),
        "database_name": rest.pop("DatabaseName"),
        "targets": glue.CfnCrawler.TargetsProperty(
            s3_targets=[
                glue.CfnCrawler.S3TargetProperty(
                    path=t["Path"],
                    exclusions=list(t.get("Exclusions", [])) or None,
                    sample_size=t.get("SampleSize"),
                )
                for t in rest.pop("Targets")["S3Targets"]
            ]
        ),
    }
    if "Description" in rest:
        props["description"] = rest.pop("Description")
    if "Schedule" in rest:
        props["schedule"] = glue.CfnCrawler.ScheduleProperty(
            schedule_expression=rest.pop("Schedule")
        )
    if "SchemaChangePolicy" in rest:
        policy = rest.pop("SchemaChangePolicy")
        props["schema_change_policy"] = glue.CfnCrawler.SchemaChangePolicyProperty(
            update_behavior=policy.get("UpdateBehavior"),
            delete_behavior=policy.get("DeleteBehavior"),
        )
    if "RecrawlPolicy" in rest:
        props["recrawl_policy"] = glue.CfnCrawler.RecrawlPolicyProperty(
            recrawl_behavior=rest.pop("RecrawlPolicy")["RecrawlBehavior"]
        )
    if "Configuration" in rest:
        props["configuration"] = rest.pop("Configuration")
    if "Tags" in rest:
        props["tags"] = rest.pop("Tags")
    if rest:
        raise ValueError(
            f"glue/crawler.json has field(s) the CDK app does not map yet: {', '.join(rest)}"
        )
    return props


def glue_catalog_arns(stack: Stack, database_name: str) -> list[str]:
    """The catalog, one database and its tables: the resources of Glue's table actions."""
    return [
        stack.format_arn(service="glue", resource="catalog"),
        stack.format_arn(service="glue", resource="database", resource_name=database_name),
        stack.format_arn(service="glue", resource="table", resource_name=f"{database_name}/*"),
    ]


def crawler_statements(
    stack: Stack, database_name: str, processed: s3.IBucket
) -> list[iam.PolicyStatement]:
    return [
        iam.PolicyStatement(
            sid="CatalogTables",
            actions=list(CRAWLER_CATALOG_ACTIONS),
            resources=glue_catalog_arns(stack, database_name),
        ),
        iam.PolicyStatement(
            sid="ReadProcessed",
            actions=["s3:GetObject"],
            resources=[processed.arn_for_objects("*")],
        ),
        iam.PolicyStatement(
            sid="ListProcessed",
            actions=["s3:ListBucket", "s3:GetBucketLocation"],
            resources=[processed.bucket_arn],
        ),
        iam.PolicyStatement(
            sid="CrawlerLogs",
            actions=["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
            resources=[
                stack.format_arn(
                    service="logs",
                    resource="log-group",
                    resource_name="/aws-glue/crawlers:*",
                    arn_format=ArnFormat.COLON_RESOURCE_NAME,
                )
            ],
        ),
    ]


class Catalog(Construct):
    def __init__(
        self, scope: Construct, id_: str, *, database_name: str, processed_bucket: s3.IBucket
    ) -> None:
        super().__init__(scope, id_)
        stack = Stack.of(self)
        self.database_name = database_name
        self.database = glue.CfnDatabase(
            self,
            "Database",
            catalog_id=stack.account,
            database_input=glue.CfnDatabase.DatabaseInputProperty(
                name=database_name, description=DATABASE_DESCRIPTION
            ),
        )
        # A scoped-down AWSGlueServiceRole (AWS's crawler guidance): this database's tables
        # and partitions, the crawler's own log group, and read on the processed bucket.
        self.crawler_role = iam.Role(
            self,
            "CrawlerRole",
            assumed_by=account_service_principal(self, "glue.amazonaws.com"),
            description="f1lake Glue crawler: read the processed bucket, write the catalog",
        )
        for statement in crawler_statements(stack, database_name, processed_bucket):
            self.crawler_role.add_to_policy(statement)
        # Placeholders resolve from settings; the bucket name is a CDK token, the database a
        # plain name (it also names the crawler).
        kwargs = create_crawler_kwargs(
            Settings(glue_database=database_name),
            self.crawler_role.role_arn,
            overrides={
                "processed_bucket": processed_bucket.bucket_name,
                "glue_database": database_name,
            },
        )
        self.crawler = glue.CfnCrawler(self, "Crawler", **crawler_properties(kwargs))
        self.crawler.node.add_dependency(self.database)
        self.crawler_name: str = kwargs["Name"]
        self.crawler_arn = stack.format_arn(
            service="glue", resource="crawler", resource_name=self.crawler_name
        )


class CatalogStack(Stack):
    """The Glue database and the crawler over the processed bucket."""

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        database_name: str,
        processed_bucket: s3.IBucket,
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, id_, **kwargs)
        self.catalog = Catalog(
            self, "Catalog", database_name=database_name, processed_bucket=processed_bucket
        )
        CfnOutput(self, "GlueDatabase", value=database_name, description="F1LAKE_GLUE_DATABASE")
        CfnOutput(
            self,
            "GlueCrawler",
            value=self.catalog.crawler_name,
            description="the crawler the DAGs start (named by glue/crawler.json)",
        )
