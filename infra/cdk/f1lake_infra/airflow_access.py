"""What the Airflow DAGs need on AWS, as one managed policy to attach to the MWAA execution role
or to the IAM user/role behind the docker-compose Airflow's ``aws_default`` connection."""

from __future__ import annotations

from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sqs as sqs
from constructs import Construct


class AirflowAccess(Construct):
    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        raw_bucket: s3.IBucket,
        processed_bucket: s3.IBucket,
        quarantine_bucket: s3.IBucket,
        queues: list[sqs.IQueue],
        crawler_arn: str,
    ) -> None:
        super().__init__(scope, id_)
        self.policy = iam.ManagedPolicy(
            self,
            "Policy",
            description="f1lake Airflow DAGs: write raw objects, watch processing, run the crawler",
            statements=[
                # Raw objects are written, never deleted (no s3:DeleteObject).
                iam.PolicyStatement(
                    sid="RawWrite",
                    actions=["s3:PutObject", "s3:GetObject"],
                    resources=[raw_bucket.arn_for_objects("*")],
                ),
                # Waiting for the processor: HEAD the Parquet file, read quarantine reasons.
                iam.PolicyStatement(
                    sid="ReadOutcomes",
                    actions=["s3:GetObject"],
                    resources=[
                        processed_bucket.arn_for_objects("*"),
                        quarantine_bucket.arn_for_objects("*"),
                    ],
                ),
                iam.PolicyStatement(
                    sid="ListBuckets",
                    actions=["s3:ListBucket", "s3:GetBucketLocation"],
                    resources=[
                        raw_bucket.bucket_arn,
                        processed_bucket.bucket_arn,
                        quarantine_bucket.bucket_arn,
                    ],
                ),
                iam.PolicyStatement(
                    sid="QueueBacklog",
                    actions=["sqs:GetQueueAttributes", "sqs:GetQueueUrl"],
                    resources=[q.queue_arn for q in queues],
                ),
                iam.PolicyStatement(
                    sid="RunCrawler",
                    actions=["glue:StartCrawler", "glue:GetCrawler"],
                    resources=[crawler_arn],
                ),
            ],
        )
