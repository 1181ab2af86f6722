"""Raw-bucket ObjectCreated events -> SQS queue (+ dead-letter queue), as the local stack does.

The notification is filtered to the raw key prefixes (one per ingested endpoint) and ``.json``,
so nothing but raw objects of the pipeline's layout becomes work for the processor.
"""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_notifications as s3n
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from f1lake.local.provision import MAX_RECEIVE_COUNT
from f1lake_infra.config import DeployConfig
from f1lake_infra.storage import raw_key_prefixes

RAW_OBJECT_SUFFIX = ".json"
"""Only raw JSON objects are work for the processor (the local notification filters the same)."""


class RawEvents(Construct):
    def __init__(
        self, scope: Construct, id_: str, *, raw_bucket: s3.IBucket, config: DeployConfig
    ) -> None:
        super().__init__(scope, id_)
        self.dead_letter_queue = sqs.Queue(
            self,
            "DeadLetterQueue",
            retention_period=Duration.days(14),
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
        destination = s3n.SqsDestination(self.queue)
        for prefix in raw_key_prefixes():
            raw_bucket.add_event_notification(
                s3.EventType.OBJECT_CREATED,
                destination,
                s3.NotificationKeyFilter(prefix=prefix, suffix=RAW_OBJECT_SUFFIX),
            )
