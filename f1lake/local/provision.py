"""Create the local stack's AWS resources (on moto), idempotently, as the CDK app does on AWS:
the three buckets, the raw-events queue with its dead-letter queue, the raw bucket's
ObjectCreated notification to the queue, and the Glue database.
"""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import ClientError

from f1lake import aws, topology
from f1lake.settings import Settings
from f1lake.topology import (
    DEAD_LETTER_RETENTION_DAYS,
    MAX_RECEIVE_COUNT,
    NOTIFICATION_ID,
    queue_arn,
    redrive_policy,
)

LOCAL_VISIBILITY_TIMEOUT_SECONDS = 5
"""Short locally, so a failed message is retried in seconds, not minutes."""


def dlq_name(settings: Settings) -> str:
    """The local stack's name for the dead-letter queue (on AWS CloudFormation names it; the
    commands find it through the queue's redrive policy, :mod:`f1lake.topology`)."""
    return f"{settings.queue_name}-dlq"


def queue_url(settings: Settings, sqs: Any = None) -> str:
    return topology.queue_url(sqs or aws.client("sqs", settings), settings.queue_name)


def dlq_url(settings: Settings, sqs: Any = None) -> str:
    sqs = sqs or aws.client("sqs", settings)
    return topology.dead_letter_route(sqs, settings.queue_name).dlq_url


def _ensure_bucket(s3: Any, name: str, region: str) -> None:
    try:
        s3.head_bucket(Bucket=name)
        return
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") not in ("404", "NoSuchBucket", "NotFound"):
            raise
    kwargs: dict[str, Any] = {"Bucket": name}
    if region != "us-east-1":
        kwargs["CreateBucketConfiguration"] = {"LocationConstraint": region}
    try:
        s3.create_bucket(**kwargs)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") != "BucketAlreadyOwnedByYou":
            raise


def _ensure_queue(sqs: Any, name: str, attributes: dict[str, str]) -> str:
    """Create the queue, or bring an existing one's attributes up to date."""
    try:
        url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
    except ClientError as exc:
        if "NonExistentQueue" not in exc.response.get("Error", {}).get("Code", ""):
            raise
        return sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    if attributes:
        sqs.set_queue_attributes(QueueUrl=url, Attributes=attributes)
    return url


def _queue_policy(queue: str, bucket: str) -> str:
    """Let the raw bucket (and only it) send to the queue, as on AWS."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "s3.amazonaws.com"},
                    "Action": "sqs:SendMessage",
                    "Resource": queue,
                    "Condition": {"ArnLike": {"aws:SourceArn": f"arn:aws:s3:::{bucket}"}},
                }
            ],
        }
    )


def provision(
    settings: Settings,
    *,
    visibility_timeout: int = LOCAL_VISIBILITY_TIMEOUT_SECONDS,
    max_receive_count: int = MAX_RECEIVE_COUNT,
) -> None:
    """Create (or update) every resource; safe to run again on a provisioned stack."""
    session = aws.session(settings)
    s3 = aws.client("s3", settings, session)
    sqs = aws.client("sqs", settings, session)
    glue = aws.client("glue", settings, session)

    for bucket in (settings.raw_bucket, settings.processed_bucket, settings.quarantine_bucket):
        _ensure_bucket(s3, bucket, settings.aws_region)

    retention = str(DEAD_LETTER_RETENTION_DAYS * 24 * 3600)
    dlq = _ensure_queue(sqs, dlq_name(settings), {"MessageRetentionPeriod": retention})
    url = _ensure_queue(sqs, settings.queue_name, {})
    arn = queue_arn(sqs, url)
    sqs.set_queue_attributes(
        QueueUrl=url,
        Attributes={
            "VisibilityTimeout": str(visibility_timeout),
            "RedrivePolicy": redrive_policy(queue_arn(sqs, dlq), max_receive_count),
            "Policy": _queue_policy(arn, settings.raw_bucket),
        },
    )

    wanted = {
        "Id": NOTIFICATION_ID,
        "QueueArn": arn,
        "Events": ["s3:ObjectCreated:*"],
        "Filter": {"Key": {"FilterRules": [{"Name": "suffix", "Value": ".json"}]}},
    }
    current = s3.get_bucket_notification_configuration(Bucket=settings.raw_bucket)
    queues = current.get("QueueConfigurations", [])
    if not any(q.get("Id") == NOTIFICATION_ID and q.get("QueueArn") == arn for q in queues):
        # Each put makes S3 send an s3:TestEvent to the queue; the handler ignores it.
        others = [q for q in queues if q.get("Id") != NOTIFICATION_ID]
        s3.put_bucket_notification_configuration(
            Bucket=settings.raw_bucket,
            NotificationConfiguration={
                "QueueConfigurations": [*others, wanted],
                **{
                    k: v
                    for k, v in current.items()
                    if k in ("TopicConfigurations", "LambdaFunctionConfigurations")
                },
            },
        )

    try:
        glue.create_database(
            DatabaseInput={
                "Name": settings.glue_database,
                "Description": "f1lake processed tables (Parquet, partitioned by season).",
            }
        )
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") != "AlreadyExistsException":
            raise
