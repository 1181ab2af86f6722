"""The processor Lambda: raw JSON from the queue -> typed Parquet, rejected input -> quarantine."""

from __future__ import annotations

from aws_cdk import AssetHashType, BundlingOptions, Duration, Stack
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from f1lake.settings import PROJECT_ROOT
from f1lake_infra.bundling import LocalProcessorBundling
from f1lake_infra.config import SDK_PANDAS_ACCOUNT, DeployConfig

HANDLER = "lambda_processor.handler.handler"
RUNTIME = lambda_.Runtime.PYTHON_3_11


def sdk_pandas_layer_arn(stack: Stack, config: DeployConfig) -> str:
    """The managed AWS SDK for pandas layer of the stack's region (or the configured ARN)."""
    if config.sdk_pandas_layer_arn:
        return config.sdk_pandas_layer_arn
    return (
        f"arn:{stack.partition}:lambda:{stack.region}:{SDK_PANDAS_ACCOUNT}:"
        f"layer:AWSSDKPandas-Python311:{config.sdk_pandas_layer_version}"
    )


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
            log_group=logs.LogGroup(self, "Logs", retention=logs.RetentionDays.ONE_MONTH),
        )
        # Least privilege: raw is read-only (it is the immutable source of truth); processed
        # is read (convergence check) + put; quarantine is read, put and cleared on success.
        raw_bucket.grant_read(self.function)
        processed_bucket.grant_read(self.function)
        processed_bucket.grant_put(self.function)
        quarantine_bucket.grant_read_write(self.function)
        self.function.add_event_source(
            sources.SqsEventSource(
                queue,
                batch_size=config.queue_batch_size,
                report_batch_item_failures=True,
                max_concurrency=config.processor_max_concurrency,
            )
        )
