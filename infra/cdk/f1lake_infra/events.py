"""Raw-bucket ObjectCreated events -> SQS queue (+ dead-letter queue), as the local stack does.

The notification is filtered to the raw key prefixes (one per ingested endpoint) and ``.json``,
so nothing but raw objects of the pipeline's layout becomes work for the processor.
"""

from __future__ import annotations

import jsii
from aws_cdk import Duration
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from f1lake.topology import DEAD_LETTER_RETENTION_DAYS, MAX_RECEIVE_COUNT
from f1lake_infra.config import DeployConfig
from f1lake_infra.storage import raw_key_prefixes
from f1lake_infra.trust import source_account_condition

RAW_OBJECT_SUFFIX = ".json"
"""Only raw JSON objects are work for the processor (the local notification filters the same)."""


@jsii.implements(s3.IBucketNotificationDestination)
class AccountQueueDestination:
    """CDK's ``SqsDestination`` with the queue policy also held to this account: S3 may send
    only for this bucket (``aws:SourceArn``) of this account (``aws:SourceAccount``; bucket
    names are global, so a deleted bucket's name could be taken by another account)."""

    def __init__(self, queue: sqs.IQueue) -> None:
        self.queue = queue

    def bind(self, scope: Construct, bucket: s3.IBucket) -> s3.BucketNotificationDestinationConfig:
        conditions = {
            "ArnLike": {"aws:SourceArn": bucket.bucket_arn},
            **source_account_condition(scope),
        }
        self.queue.grant_send_messages(
            iam.ServicePrincipal("s3.amazonaws.com", conditions=conditions)
        )
        return s3.BucketNotificationDestinationConfig(
            arn=self.queue.queue_arn,
            type=s3.BucketNotificationDestinationType.QUEUE,
            dependencies=[self.queue],
        )


class RawEvents(Construct):
    def __init__(
        self, scope: Construct, id_: str, *, raw_bucket: s3.IBucket, config: DeployConfig
    ) -> None:
        super().__init__(scope, id_)
        self.dead_letter_queue = sqs.Queue(
            self,
            "DeadLetterQueue",
            retention_period=Duration.days(DEAD_LETTER_RETENTION_DAYS),
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
        )
        # SSE-SQS (not KMS) so S3 can deliver notifications without a key policy.
        self.queue = sqs.Queue(
            self,
            "Queue",
            visibility_timeout=Duration.seconds(config.queue_visibility_timeout_seconds),
            retention_period=Duration.days(4),
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            dead_letter_queue=sqs.DeadLetterQueue(
                queue=self.dead_letter_queue, max_receive_count=MAX_RECEIVE_COUNT
            ),
        )
        destination = AccountQueueDestination(self.queue)
        for prefix in raw_key_prefixes():
            raw_bucket.add_event_notification(
                s3.EventType.OBJECT_CREATED,
                destination,
                s3.NotificationKeyFilter(prefix=prefix, suffix=RAW_OBJECT_SUFFIX),
            )
