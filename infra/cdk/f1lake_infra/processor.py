"""The processor Lambda: raw JSON from the queue -> typed Parquet, rejected input -> quarantine."""

from __future__ import annotations

from aws_cdk import AssetHashType, Aws, BundlingOptions, CfnMapping, Duration, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from f1lake.settings import PROJECT_ROOT
from f1lake_infra.bundling import LocalProcessorBundling
from f1lake_infra.config import DeployConfig
from f1lake_infra.monitoring import log_retention
from f1lake_infra.sdk_pandas_layer import LAYER_ARNS

HANDLER = "lambda_processor.handler.handler"
RUNTIME = lambda_.Runtime.PYTHON_3_12
"""The layer's Python (``sdk_pandas_layer.PYTHON_VERSION``; a test keeps the two equal)."""


def sdk_pandas_layer_arn(stack: Stack, config: DeployConfig) -> str:
    """The managed AWS SDK for pandas layer of the deployment's region (or the configured ARN).

    The stacks are environment-agnostic (the region is known at deploy time), so the
    per-region ARNs go into the template as a mapping looked up by ``AWS::Region``; a region
    the layer is not published in fails the deployment there, naming the missing key.
    """
    if config.sdk_pandas_layer_arn:
        return config.sdk_pandas_layer_arn
    mapping = CfnMapping(
        stack,
        "SdkPandasLayer",
        mapping={region: {"Arn": arn} for region, arn in LAYER_ARNS.items()},
        lazy=True,
    )
    return mapping.find_in_map(Aws.REGION, "Arn")


def processor_code() -> lambda_.Code:
    """The repository's packages + bundled dependencies, built locally (no Docker).

    The asset hash is the bundle's output, so an unchanged package is not re-uploaded; when a
    test skips bundling (context ``aws:cdk:bundling-stacks`` = []), no source tree is hashed.
    """
    return lambda_.Code.from_asset(
        str(PROJECT_ROOT),
        asset_hash_type=AssetHashType.OUTPUT,
        bundling=BundlingOptions(image=RUNTIME.bundling_image, local=LocalProcessorBundling()),
    )


def processor_statements(
    raw: s3.IBucket, processed: s3.IBucket, quarantine: s3.IBucket
) -> list[iam.PolicyStatement]:
    """Least privilege, action by action: raw is read-only (the immutable source of truth; the
    processor lists an object's versions to converge on the newest); processed is read (the
    provenance check) and written; quarantine records are read, written and cleared on success.
    ``s3:ListBucket`` also makes a missing key a 404 rather than a 403, which the store expects.
    """
    return [
        iam.PolicyStatement(
            sid="ReadRaw", actions=["s3:GetObject"], resources=[raw.arn_for_objects("*")]
        ),
        iam.PolicyStatement(
            sid="ListBuckets",
            actions=["s3:ListBucket"],
            resources=[raw.bucket_arn, processed.bucket_arn, quarantine.bucket_arn],
        ),
        iam.PolicyStatement(
            sid="WriteProcessed",
            actions=["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload"],
            resources=[processed.arn_for_objects("*")],
        ),
        iam.PolicyStatement(
            sid="QuarantineRecords",
            actions=["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
            resources=[quarantine.arn_for_objects("*")],
        ),
    ]


class Processor(Construct):
    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        config: DeployConfig,
        raw_bucket: s3.IBucket,
        processed_bucket: s3.IBucket,
        quarantine_bucket: s3.IBucket,
        queue: sqs.IQueue,
        glue_database: str,
        athena_workgroup: str,
    ) -> None:
        super().__init__(scope, id_)
        stack = Stack.of(self)
        self.function = lambda_.Function(
            self,
            "Function",
            description="f1lake: validate raw Ergast JSON, write typed Parquet per race",
            runtime=RUNTIME,
            architecture=lambda_.Architecture.X86_64,
            handler=HANDLER,
            code=processor_code(),
            layers=[
                lambda_.LayerVersion.from_layer_version_arn(
                    self, "SdkForPandas", sdk_pandas_layer_arn(stack, config)
                )
            ],
            timeout=Duration.seconds(config.processor_timeout_seconds),
            memory_size=config.processor_memory_mb,
            environment={
                "F1LAKE_AWS_REGION": stack.region,
                "F1LAKE_RAW_BUCKET": raw_bucket.bucket_name,
                "F1LAKE_PROCESSED_BUCKET": processed_bucket.bucket_name,
                "F1LAKE_QUARANTINE_BUCKET": quarantine_bucket.bucket_name,
                "F1LAKE_QUEUE_NAME": queue.queue_name,
                "F1LAKE_GLUE_DATABASE": glue_database,
                "F1LAKE_ATHENA_WORKGROUP": athena_workgroup,
            },
            log_group=logs.LogGroup(self, "Logs", retention=log_retention(config)),
        )
        for statement in processor_statements(raw_bucket, processed_bucket, quarantine_bucket):
            self.function.add_to_role_policy(statement)
        self.function.add_event_source(
            sources.SqsEventSource(
                queue,
                batch_size=config.queue_batch_size,
                report_batch_item_failures=True,
                max_concurrency=config.processor_max_concurrency,
            )
        )
