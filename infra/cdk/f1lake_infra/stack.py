"""The f1lake stack: storage, raw events, processor, catalog, Athena, and the outputs a user
copies into Airflow (``aws_default`` + ``F1LAKE_*`` variables)."""

from __future__ import annotations

from typing import Any

from aws_cdk import CfnOutput, Stack, Tags
from constructs import Construct

from f1lake_infra.airflow_access import AirflowAccess
from f1lake_infra.analytics import Analytics
from f1lake_infra.catalog import Catalog
from f1lake_infra.config import DeployConfig
from f1lake_infra.events import RawEvents
from f1lake_infra.processor import Processor
from f1lake_infra.storage import LakeBuckets


class F1LakeStack(Stack):
    def __init__(self, scope: Construct, id_: str, *, config: DeployConfig, **kwargs: Any) -> None:
        super().__init__(scope, id_, **kwargs)
        Tags.of(self).add("project", "f1lake")
        self.config = config
        self.buckets = LakeBuckets(self, "Buckets", config=config)
        self.raw_events = RawEvents(self, "RawEvents", raw_bucket=self.buckets.raw, config=config)
        self.catalog = Catalog(
            self,
            "Catalog",
            database_name=config.glue_database,
            processed_bucket=self.buckets.processed,
        )
        self.processor = Processor(
            self,
            "Processor",
            config=config,
            raw_bucket=self.buckets.raw,
            processed_bucket=self.buckets.processed,
            quarantine_bucket=self.buckets.quarantine,
            queue=self.raw_events.queue,
            glue_database=config.glue_database,
            athena_workgroup=config.athena_workgroup,
        )
        self.analytics = Analytics(
            self,
            "Analytics",
            config=config,
            database_name=config.glue_database,
            results_bucket=self.buckets.athena_results,
            crawler_name=self.catalog.crawler_name,
        )
        for query in self.analytics.queries.values():
            query.node.add_dependency(self.catalog.database)
        self.airflow = AirflowAccess(
            self,
            "Airflow",
            raw_bucket=self.buckets.raw,
            processed_bucket=self.buckets.processed,
            quarantine_bucket=self.buckets.quarantine,
            queues=[self.raw_events.queue, self.raw_events.dead_letter_queue],
            crawler_arn=self.catalog.crawler_arn,
        )
        self._outputs()

    def _outputs(self) -> None:
        """Named after the F1LAKE_* variable they fill, where there is one."""
        outputs = {
            "AwsRegion": (self.region, "F1LAKE_AWS_REGION (and aws_default's region_name)"),
            "RawBucket": (self.buckets.raw.bucket_name, "F1LAKE_RAW_BUCKET"),
            "ProcessedBucket": (self.buckets.processed.bucket_name, "F1LAKE_PROCESSED_BUCKET"),
            "QuarantineBucket": (self.buckets.quarantine.bucket_name, "F1LAKE_QUARANTINE_BUCKET"),
            "QueueName": (self.raw_events.queue.queue_name, "F1LAKE_QUEUE_NAME"),
            "QueueUrl": (self.raw_events.queue.queue_url, "raw-events queue"),
            "DeadLetterQueueUrl": (
                self.raw_events.dead_letter_queue.queue_url,
                "messages that failed processing repeatedly",
            ),
            "GlueDatabase": (self.config.glue_database, "F1LAKE_GLUE_DATABASE"),
            "GlueCrawler": (self.catalog.crawler_name, "the crawler the DAGs start"),
            "AthenaWorkgroup": (self.config.athena_workgroup, "F1LAKE_ATHENA_WORKGROUP"),
            "AthenaResultsBucket": (self.buckets.athena_results.bucket_name, "query results"),
            "ProcessorFunction": (self.processor.function.function_name, "the processor Lambda"),
            "AirflowPolicyArn": (
                self.airflow.policy.managed_policy_arn,
                "attach to the MWAA execution role or the aws_default IAM principal",
            ),
        }
        for name, (value, description) in outputs.items():
            CfnOutput(self, name, value=value, description=description)
