"""The lake's buckets: raw (immutable source of truth), processed, quarantine, Athena results."""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_s3 as s3
from constructs import Construct

from f1lake_infra.config import DeployConfig


def _secure_bucket(
    scope: Construct, id_: str, name: str | None, *, retain: bool, **kwargs: object
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
        **kwargs,  # type: ignore[arg-type]
    )


class LakeBuckets(Construct):
    def __init__(self, scope: Construct, id_: str, *, config: DeployConfig) -> None:
        super().__init__(scope, id_)
        abort_uploads = s3.LifecycleRule(
            id="abort-incomplete-uploads", abort_incomplete_multipart_upload_after=Duration.days(7)
        )
        # Raw objects are written once and never overwritten; versioning keeps an accidental
        # overwrite or delete recoverable, and old versions age into cheaper storage.
        self.raw = _secure_bucket(
            self,
            "Raw",
            config.raw_bucket_name,
            retain=config.retain_data,
            versioned=True,
            lifecycle_rules=[
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
            ],
        )
        # Processed Parquet is rebuilt from raw at will: no versioning.
        self.processed = _secure_bucket(
            self,
            "Processed",
            config.processed_bucket_name,
            retain=config.retain_data,
            lifecycle_rules=[abort_uploads],
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
