"""Athena: a workgroup with a scan limit, one saved query per file of sql/athena, and the views
created from those saved queries on deploy and after every successful crawl."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from aws_cdk import CfnOutput, CustomResource, Duration, Stack
from aws_cdk import aws_athena as athena
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import custom_resources as cr
from constructs import Construct

from f1lake_infra.catalog import glue_catalog_arns
from f1lake_infra.config import DeployConfig
from f1lake_infra.monitoring import crawler_state_change, log_retention
from f1lake_infra.sql_files import sql_files, view_plans

ENGINE_VERSION = "Athena engine version 3"
RESULTS_PREFIX = "results/"
VIEWS_RUNTIME = lambda_.Runtime.PYTHON_3_14
"""The views function needs boto3 only, so it follows the newest runtime cdk-nag knows."""
VIEWS_FUNCTION_DIR = Path(__file__).resolve().parent / "views_function"


def construct_id(query_name: str) -> str:
    return "Query-" + query_name.replace("/", "-")


def crawl_rule_name(config: DeployConfig) -> str:
    """The rule that fires on each successful crawl, named so the processing stack's dashboard
    can count its runs (``AWS/Events`` ``TriggeredRules``) without a cross-stack reference."""
    return f"{config.stack_prefix}-views-after-crawl"


class Analytics(Construct):
    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        config: DeployConfig,
        database_name: str,
        results_bucket: s3.IBucket,
        crawler_name: str,
    ) -> None:
        super().__init__(scope, id_)
        stack = Stack.of(self)
        self.workgroup_name = config.athena_workgroup
        self.workgroup = athena.CfnWorkGroup(
            self,
            "WorkGroup",
            name=config.athena_workgroup,
            description="f1lake: season analysis over the Glue catalog (scan-limited)",
            state="ENABLED",
            recursive_delete_option=True,
            work_group_configuration=athena.CfnWorkGroup.WorkGroupConfigurationProperty(
                bytes_scanned_cutoff_per_query=config.bytes_scanned_cutoff_per_query,
                enforce_work_group_configuration=True,
                publish_cloud_watch_metrics_enabled=True,
                engine_version=athena.CfnWorkGroup.EngineVersionProperty(
                    selected_engine_version=ENGINE_VERSION
                ),
                result_configuration=athena.CfnWorkGroup.ResultConfigurationProperty(
                    output_location=results_bucket.s3_url_for_object(RESULTS_PREFIX),
                    encryption_configuration=athena.CfnWorkGroup.EncryptionConfigurationProperty(
                        encryption_option="SSE_S3"
                    ),
                ),
            ),
        )
        self.workgroup_arn = stack.format_arn(
            service="athena", resource="workgroup", resource_name=config.athena_workgroup
        )

        # One saved query per SQL file: the files are read at synth time, the one source.
        files = sql_files()
        self.queries: dict[str, athena.CfnNamedQuery] = {}
        for f in files:
            self.queries[f.name] = athena.CfnNamedQuery(
                self,
                construct_id(f.name),
                name=f.name,
                description=f.description,
                database=database_name,
                query_string=f.text,
                work_group=self.workgroup.ref,
            )

        plans = view_plans()
        views_env = [
            {
                "name": p.name,
                "query_id": self.queries[p.query_name].attr_named_query_id,
                "tables": list(p.tables),
                "views": list(p.views),
            }
            for p in plans
        ]
        self.views_function = lambda_.Function(
            self,
            "ViewsFunction",
            description="f1lake: create the Athena views of sql/athena/views",
            runtime=VIEWS_RUNTIME,
            handler="index.handler",
            code=lambda_.Code.from_asset(str(VIEWS_FUNCTION_DIR), exclude=["__pycache__", "*.pyc"]),
            timeout=Duration.minutes(10),
            environment={
                "F1LAKE_GLUE_DATABASE": database_name,
                "F1LAKE_ATHENA_WORKGROUP": config.athena_workgroup,
                "F1LAKE_VIEWS": stack.to_json_string(views_env),
            },
            log_group=logs.LogGroup(self, "ViewsLogs", retention=log_retention(config)),
        )
        self._grant_view_creation(stack, database_name, results_bucket)

        provider = cr.Provider(
            self,
            "ViewsProvider",
            on_event_handler=self.views_function,
            log_group=logs.LogGroup(self, "ViewsProviderLogs", retention=log_retention(config)),
        )
        view_text = "\n".join(f.text for f in files if f.name.startswith("views/"))
        self.views = CustomResource(
            self,
            "Views",
            service_token=provider.service_token,
            resource_type="Custom::F1LakeAthenaViews",
            properties={
                "Database": database_name,
                "WorkGroup": config.athena_workgroup,
                "ViewsSha256": hashlib.sha256(view_text.encode()).hexdigest(),
                "Views": json.dumps([p.name for p in plans]),
            },
        )
        self.views.node.add_dependency(self.workgroup)
        for query in self.queries.values():
            self.views.node.add_dependency(query)

        # A first deploy on an empty lake has no tables yet: create the views after each
        # successful crawl (idempotent CREATE OR REPLACE; cheap DDL).
        events.Rule(
            self,
            "ViewsAfterCrawl",
            rule_name=crawl_rule_name(config),
            description="f1lake: (re)create the Athena views after the crawler succeeds",
            event_pattern=crawler_state_change(crawler_name, "Succeeded"),
            targets=[targets.LambdaFunction(self.views_function, retry_attempts=2)],
        )

    def _grant_view_creation(
        self, stack: Stack, database_name: str, results_bucket: s3.IBucket
    ) -> None:
        fn = self.views_function
        fn.add_to_role_policy(
            iam.PolicyStatement(
                actions=[
                    "athena:StartQueryExecution",
                    "athena:GetQueryExecution",
                    "athena:GetNamedQuery",
                ],
                resources=[self.workgroup_arn],
            )
        )
        fn.add_to_role_policy(
            iam.PolicyStatement(
                actions=[
                    "glue:GetDatabase",
                    "glue:GetTable",
                    "glue:GetTables",
                    "glue:CreateTable",
                    "glue:UpdateTable",
                ],
                resources=glue_catalog_arns(stack, database_name),
            )
        )
        for statement in results_statements(results_bucket):
            fn.add_to_role_policy(statement)


def results_statements(results_bucket: s3.IBucket) -> list[iam.PolicyStatement]:
    """Athena writes a query's result and metadata with the caller's permissions."""
    return [
        iam.PolicyStatement(
            sid="AthenaResultsBucket",
            actions=["s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"],
            resources=[results_bucket.bucket_arn],
        ),
        iam.PolicyStatement(
            sid="AthenaResults",
            actions=[
                "s3:GetObject",
                "s3:PutObject",
                "s3:AbortMultipartUpload",
                "s3:ListMultipartUploadParts",
            ],
            resources=[results_bucket.arn_for_objects(f"{RESULTS_PREFIX}*")],
        ),
    ]


class AnalyticsStack(Stack):
    """The Athena workgroup, the saved queries of sql/athena and the views."""

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        config: DeployConfig,
        results_bucket: s3.IBucket,
        crawler_name: str,
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, id_, **kwargs)
        self.analytics = Analytics(
            self,
            "Analytics",
            config=config,
            database_name=config.glue_database,
            results_bucket=results_bucket,
            crawler_name=crawler_name,
        )
        CfnOutput(
            self,
            "AthenaWorkgroup",
            value=config.athena_workgroup,
            description="F1LAKE_ATHENA_WORKGROUP",
        )
