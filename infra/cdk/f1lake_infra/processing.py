"""The processing stack: raw-bucket events -> queue (+ DLQ) -> processor Lambda, with alarms
and the pipeline's CloudWatch dashboard.

The raw bucket lives in the storage stack; its notification is added here through an imported
reference, so the notification custom resource and the queue policy sit beside the queue and
the storage stack never depends on this one (no cross-stack cycle).
"""

from __future__ import annotations

from typing import Any

from aws_cdk import CfnOutput, Stack
from aws_cdk import aws_s3 as s3
from constructs import Construct

from f1lake_infra.analytics import crawl_rule_name
from f1lake_infra.config import DeployConfig
from f1lake_infra.events import RawEvents
from f1lake_infra.monitoring import PipelineAlarms, PipelineDashboard
from f1lake_infra.processor import Processor
from f1lake_infra.storage import LakeBuckets


class ProcessingStack(Stack):
    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        config: DeployConfig,
        buckets: LakeBuckets,
        crawler_name: str,
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, id_, **kwargs)
        raw = s3.Bucket.from_bucket_attributes(
            self,
            "RawBucket",
            bucket_arn=buckets.raw.bucket_arn,
            bucket_name=buckets.raw.bucket_name,
        )
        self.raw_events = RawEvents(self, "RawEvents", raw_bucket=raw, config=config)
        self.processor = Processor(
            self,
            "Processor",
            config=config,
            raw_bucket=buckets.raw,
            processed_bucket=buckets.processed,
            quarantine_bucket=buckets.quarantine,
            queue=self.raw_events.queue,
            glue_database=config.glue_database,
            athena_workgroup=config.athena_workgroup,
        )
        self.alarms = PipelineAlarms(
            self,
            "Alarms",
            config=config,
            dead_letter_queue=self.raw_events.dead_letter_queue,
            function=self.processor.function,
            crawler_name=crawler_name,
        )
        self.dashboard = PipelineDashboard(
            self,
            "Dashboard",
            raw_bucket_name=buckets.raw.bucket_name,
            quarantine_bucket_name=buckets.quarantine.bucket_name,
            dead_letter_queue=self.raw_events.dead_letter_queue,
            function=self.processor.function,
            crawl_succeeded_rule_name=crawl_rule_name(config),
            crawl_failed_rule_name=self.alarms.crawl_failed.rule_name,
        )
        for name, value, what in (
            ("QueueName", self.raw_events.queue.queue_name, "F1LAKE_QUEUE_NAME"),
            ("QueueUrl", self.raw_events.queue.queue_url, "raw-events queue"),
            (
                "DeadLetterQueueUrl",
                self.raw_events.dead_letter_queue.queue_url,
                "messages that failed processing repeatedly (redrive from the SQS console)",
            ),
            ("ProcessorFunction", self.processor.function.function_name, "the processor Lambda"),
            ("AlarmTopicArn", self.alarms.topic.topic_arn, "subscribe to get the alarms"),
            ("DashboardName", self.dashboard.dashboard.dashboard_name, "pipeline health"),
        ):
            CfnOutput(self, name, value=value, description=what)
