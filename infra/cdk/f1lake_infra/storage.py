"""The lake's buckets: raw (immutable source of truth), processed, quarantine, Athena results,
and the server access logs of the data buckets; ``StorageStack`` holds them and nothing else, so
the data outlives any redeploy of the compute around it."""

from __future__ import annotations

from typing import Any

from aws_cdk import CfnOutput, Duration, RemovalPolicy, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from constructs import Construct

from f1lake.endpoints import ENDPOINTS
from f1lake_infra.config import DeployConfig

STORAGE_CLASSES = {
    "STANDARD_IA": s3.StorageClass.INFREQUENT_ACCESS,
    "INTELLIGENT_TIERING": s3.StorageClass.INTELLIGENT_TIERING,
    "GLACIER_IR": s3.StorageClass.GLACIER_INSTANT_RETRIEVAL,
}


def raw_key_prefixes() -> list[str]:
    """Where raw objects live: ``{endpoint}/season=`` for every ingested endpoint.

    Raw keys (``f1lake.keys``) start so (``results/season=2023/round=09/...``); the
    notification filters and the Airflow write permission are scoped to these prefixes.
    """
    return [f"{name}/season=" for name in ENDPOINTS]


def _secure_bucket(
    scope: Construct, id_: str, name: str | None, *, retain: bool, **kwargs: Any
) -> s3.Bucket:
    """Private, encrypted, TLS-only; kept on stack deletion unless the data is disposable."""
    return s3.Bucket(
        scope,
        id_,
        bucket_name=name,
        block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
        encryption=s3.BucketEncryption.S3_MANAGED,
        enforce_ssl=True,
        object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
        removal_policy=RemovalPolicy.RETAIN if retain else RemovalPolicy.DESTROY,
        auto_delete_objects=not retain,
        **kwargs,
    )


def create_only_statement(bucket: s3.IBucket) -> iam.PolicyStatement:
    """Raw objects are immutable: every principal's object write must carry ``If-None-Match:
    *`` (S3 then refuses to replace an existing key, 412), enforced with the bucket policy key
    ``s3:if-none-match``. Multipart part uploads carry no conditional header and are exempt
    (``s3:ObjectCreationOperation`` false); their CompleteMultipartUpload is not. Copies into
    the bucket are refused too, which nothing of ours does."""
    return iam.PolicyStatement(
        sid="RawObjectsAreCreateOnly",
        effect=iam.Effect.DENY,
        principals=[iam.AnyPrincipal()],
        actions=["s3:PutObject"],
        resources=[bucket.arn_for_objects("*")],
        conditions={
            "Null": {"s3:if-none-match": "true"},
            "Bool": {"s3:ObjectCreationOperation": "true"},
        },
    )


class LakeBuckets(Construct):
    def __init__(self, scope: Construct, id_: str, *, config: DeployConfig) -> None:
        super().__init__(scope, id_)
        abort_uploads = s3.LifecycleRule(
            id="abort-incomplete-uploads", abort_incomplete_multipart_upload_after=Duration.days(7)
        )
        # Who read or wrote the lake's data, for audits. S3 log delivery only supports SSE-S3
        # targets; the logs expire.
        self.access_logs = _secure_bucket(
            self,
            "AccessLogs",
            None,
            retain=config.retain_data,
            lifecycle_rules=[
                abort_uploads,
                s3.LifecycleRule(
                    id="expire-access-logs", expiration=Duration.days(config.access_logs_days)
                ),
            ],
        )
        logged: dict[str, Any] = {"server_access_logs_bucket": self.access_logs}

        # Raw objects are written once and never overwritten; versioning keeps an accidental
        # overwrite or delete recoverable. Raw is read again only to reprocess, so after a
        # while the current objects move to a cheaper class with millisecond reads, and old
        # versions follow sooner.
        raw_rules = [
            abort_uploads,
            s3.LifecycleRule(
                id="noncurrent-versions",
                noncurrent_version_transitions=[
                    s3.NoncurrentVersionTransition(
                        storage_class=s3.StorageClass.INFREQUENT_ACCESS,
                        transition_after=Duration.days(30),
                    )
                ],
                noncurrent_version_expiration=Duration.days(365),
            ),
        ]
        if config.raw_transition_days:
            raw_rules.append(
                s3.LifecycleRule(
                    id="current-raw-to-cheaper-storage",
                    transitions=[
                        s3.Transition(
                            storage_class=STORAGE_CLASSES[config.raw_transition_storage_class],
                            transition_after=Duration.days(config.raw_transition_days),
                        )
                    ],
                )
            )
        self.raw = _secure_bucket(
            self,
            "Raw",
            config.raw_bucket_name,
            retain=config.retain_data,
            versioned=True,
            lifecycle_rules=raw_rules,
            server_access_logs_prefix="raw/",
            **logged,
        )
        self.raw.add_to_resource_policy(create_only_statement(self.raw))
        # Processed Parquet is rebuilt from raw at will: no versioning.
        self.processed = _secure_bucket(
            self,
            "Processed",
            config.processed_bucket_name,
            retain=config.retain_data,
            lifecycle_rules=[abort_uploads],
            server_access_logs_prefix="processed/",
            **logged,
        )
        # Quarantine records explain rejected input; they are evidence for a while, not forever.
        self.quarantine = _secure_bucket(
            self,
            "Quarantine",
            config.quarantine_bucket_name,
            retain=config.retain_data,
            lifecycle_rules=[
                abort_uploads,
                s3.LifecycleRule(
                    id="expire-quarantine", expiration=Duration.days(config.quarantine_days)
                ),
            ],
            server_access_logs_prefix="quarantine/",
            **logged,
        )
        # Athena query results are a cache: expire them and let the stack delete the bucket.
        self.athena_results = _secure_bucket(
            self,
            "AthenaResults",
            config.athena_results_bucket_name,
            retain=False,
            lifecycle_rules=[
                abort_uploads,
                s3.LifecycleRule(
                    id="expire-results", expiration=Duration.days(config.athena_results_days)
                ),
            ],
        )


class StorageStack(Stack):
    """The buckets; every other stack reads their names through cross-stack references."""

    def __init__(self, scope: Construct, id_: str, *, config: DeployConfig, **kwargs: Any) -> None:
        super().__init__(scope, id_, **kwargs)
        self.buckets = LakeBuckets(self, "Buckets", config=config)
        b = self.buckets
        for name, bucket, what in (
            ("RawBucket", b.raw, "F1LAKE_RAW_BUCKET"),
            ("ProcessedBucket", b.processed, "F1LAKE_PROCESSED_BUCKET"),
            ("QuarantineBucket", b.quarantine, "F1LAKE_QUARANTINE_BUCKET"),
            ("AthenaResultsBucket", b.athena_results, "Athena query results (workgroup)"),
            ("AccessLogsBucket", b.access_logs, "S3 server access logs of the data buckets"),
        ):
            CfnOutput(self, name, value=bucket.bucket_name, description=what)
