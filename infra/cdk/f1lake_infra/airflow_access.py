"""What the Airflow DAGs may do on AWS, and the one place that lists every name they need.

A managed policy (attach it to the MWAA execution role, or to the IAM user behind a
docker-compose ``aws_default``) and a role with that policy, assumable by a configured principal
(``airflowPrincipalArn``, required: never the whole account), for ``role_arn`` in
``aws_default``. Least privilege, from what ``f1lake.pipeline`` calls:

- ingest: ``PutObject`` under the raw key prefixes only (no read, no delete: raw is immutable
  and the ledger, not S3, says what was ingested);
- await processing: ``GetObject`` (GET/HEAD) on processed and quarantine objects, and
  ``ListBucket`` so a missing key answers 404, not 403;
- await processing: peek the dead-letter queue (found through the event queue's
  ``RedrivePolicy``), so a raw object that will never be processed stops the wait at once;
- crawl: start and watch the one crawler;
- checks (DuckDB over the catalog): read the database's tables and partitions;
- report: publish the run's metrics to the ``f1lake`` CloudWatch namespace (the dashboard).
"""

from __future__ import annotations

from typing import Any

from aws_cdk import CfnOutput, Duration, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from f1lake.pipeline import metrics
from f1lake_infra.analytics import results_statements
from f1lake_infra.catalog import glue_catalog_arns
from f1lake_infra.config import DeployConfig, require_airflow_principal
from f1lake_infra.outputs import OUTPUT_VARIABLES
from f1lake_infra.storage import raw_key_prefixes

CATALOG_READ_ACTIONS = (
    "glue:GetDatabase",
    "glue:GetTable",
    "glue:GetTables",
    "glue:GetPartition",
    "glue:GetPartitions",
    "glue:BatchGetPartition",
)


def airflow_statements(
    stack: Stack,
    *,
    raw: s3.IBucket,
    processed: s3.IBucket,
    quarantine: s3.IBucket,
    database_name: str,
    crawler_arn: str,
    workgroup_arn: str,
    results_bucket: s3.IBucket,
    queue: sqs.IQueue,
    dead_letter_queue: sqs.IQueue,
) -> list[iam.PolicyStatement]:
    return [
        iam.PolicyStatement(
            sid="WriteRawObjects",
            actions=["s3:PutObject"],
            resources=[raw.arn_for_objects(f"{prefix}*") for prefix in raw_key_prefixes()],
        ),
        iam.PolicyStatement(
            sid="ReadProcessingOutcomes",
            actions=["s3:GetObject"],
            resources=[processed.arn_for_objects("*"), quarantine.arn_for_objects("*")],
        ),
        iam.PolicyStatement(
            sid="ListOutcomeBuckets",
            actions=["s3:ListBucket", "s3:GetBucketLocation"],
            resources=[processed.bucket_arn, quarantine.bucket_arn],
        ),
        # Peek only: ReceiveMessage with a zero visibility timeout leaves each message in place;
        # no delete, no send (redrive is an operator's act, with the operator's own rights).
        iam.PolicyStatement(
            sid="FindDeadLetterQueue",
            actions=["sqs:GetQueueUrl", "sqs:GetQueueAttributes"],
            resources=[queue.queue_arn, dead_letter_queue.queue_arn],
        ),
        iam.PolicyStatement(
            sid="PeekDeadLetters",
            actions=["sqs:ReceiveMessage"],
            resources=[dead_letter_queue.queue_arn],
        ),
        iam.PolicyStatement(
            sid="RunCrawler",
            actions=["glue:StartCrawler", "glue:GetCrawler"],
            resources=[crawler_arn],
        ),
        iam.PolicyStatement(
            sid="ReadCatalog",
            actions=list(CATALOG_READ_ACTIONS),
            resources=glue_catalog_arns(stack, database_name),
        ),
        # PutMetricData takes no resource; the namespace condition keeps it to ours.
        iam.PolicyStatement(
            sid="PublishPipelineMetrics",
            actions=["cloudwatch:PutMetricData"],
            resources=["*"],
            conditions={"StringEquals": {"cloudwatch:namespace": metrics.NAMESPACE}},
        ),
        # The data-quality checks run on Athena (F1LAKE_SQL_ENGINE=athena), in the workgroup
        # only; Athena writes their results with the caller's rights, under results/ only.
        iam.PolicyStatement(
            sid="RunChecksOnAthena",
            actions=[
                "athena:GetWorkGroup",
                "athena:StartQueryExecution",
                "athena:GetQueryExecution",
                "athena:GetQueryResults",
                "athena:StopQueryExecution",
            ],
            resources=[workgroup_arn],
        ),
        *results_statements(results_bucket),
    ]


class AirflowAccess(Construct):
    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        config: DeployConfig,
        raw_bucket: s3.IBucket,
        processed_bucket: s3.IBucket,
        quarantine_bucket: s3.IBucket,
        results_bucket: s3.IBucket,
        crawler_arn: str,
        queue: sqs.IQueue,
        dead_letter_queue: sqs.IQueue,
    ) -> None:
        super().__init__(scope, id_)
        stack = Stack.of(self)
        self.policy = iam.ManagedPolicy(
            self,
            "Policy",
            description="f1lake Airflow DAGs: write raw objects, watch processing, run the crawler",
            statements=airflow_statements(
                stack,
                raw=raw_bucket,
                processed=processed_bucket,
                quarantine=quarantine_bucket,
                database_name=config.glue_database,
                crawler_arn=crawler_arn,
                workgroup_arn=stack.format_arn(
                    service="athena", resource="workgroup", resource_name=config.athena_workgroup
                ),
                results_bucket=results_bucket,
                queue=queue,
                dead_letter_queue=dead_letter_queue,
            ),
        )
        self.role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ArnPrincipal(require_airflow_principal(config)),
            managed_policies=[self.policy],
            max_session_duration=Duration.hours(1),
            description="f1lake Airflow: assume it from aws_default (extra role_arn)",
        )


class AccessStack(Stack):
    """Airflow's policy and role, and the outputs that fill Airflow's ``F1LAKE_*`` variables
    (``infra/cdk/airflow_env.py`` turns them into an env file)."""

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        config: DeployConfig,
        raw_bucket: s3.IBucket,
        processed_bucket: s3.IBucket,
        quarantine_bucket: s3.IBucket,
        results_bucket: s3.IBucket,
        queue: sqs.IQueue,
        dead_letter_queue: sqs.IQueue,
        crawler_name: str,
        crawler_arn: str,
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, id_, **kwargs)
        self.airflow = AirflowAccess(
            self,
            "Airflow",
            config=config,
            raw_bucket=raw_bucket,
            processed_bucket=processed_bucket,
            quarantine_bucket=quarantine_bucket,
            results_bucket=results_bucket,
            crawler_arn=crawler_arn,
            queue=queue,
            dead_letter_queue=dead_letter_queue,
        )
        values = {
            "AwsRegion": self.region,
            "RawBucket": raw_bucket.bucket_name,
            "ProcessedBucket": processed_bucket.bucket_name,
            "QuarantineBucket": quarantine_bucket.bucket_name,
            "QueueName": queue.queue_name,
            "GlueDatabase": config.glue_database,
            "GlueCrawler": crawler_name,
            "AthenaWorkgroup": config.athena_workgroup,
            "AirflowRoleArn": self.airflow.role.role_arn,
            "AirflowPolicyArn": self.airflow.policy.managed_policy_arn,
        }
        for name, variable in OUTPUT_VARIABLES.items():
            CfnOutput(self, name, value=values[name], description=variable)
