"""What tells an operator how the pipeline does: log retention, alarms on the dead-letter
queue and on processor errors and a notice of each failed crawl, published to one SNS topic
(optionally mailed), and a CloudWatch dashboard of the pipeline's health."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from f1lake.pipeline import metrics
from f1lake_infra.config import LOG_RETENTION, DeployConfig

ALARM_PERIOD = Duration.minutes(5)
DASHBOARD_PERIOD = Duration.hours(1)


def log_retention(config: DeployConfig) -> logs.RetentionDays:
    return logs.RetentionDays[LOG_RETENTION[config.log_retention_days]]


def crawler_state_change(crawler_name: str, state: str) -> events.EventPattern:
    """Glue's EventBridge event for a crawl of this crawler ending in ``state`` (``Succeeded``
    or ``Failed``); Glue publishes no CloudWatch metric of crawler runs, so a rule on this
    event counts them (``AWS/Events`` ``TriggeredRules``)."""
    return events.EventPattern(
        source=["aws.glue"],
        detail_type=["Glue Crawler State Change"],
        detail={"crawlerName": [crawler_name], "state": [state]},
    )


class PipelineAlarms(Construct):
    """What needs a human: a message in the DLQ (an object failed processing
    ``maxReceiveCount`` times: its quarantine record or the logs say why), processor
    invocation errors (crashes and timeouts; a rejected item is a partial batch failure, not an
    error), and a failed crawl (the event, with Glue's error message and log link, goes to the
    topic). The topic always exists, so a subscription can be added after deploying."""

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        config: DeployConfig,
        dead_letter_queue: sqs.IQueue,
        function: lambda_.IFunction,
        crawler_name: str,
    ) -> None:
        super().__init__(scope, id_)
        self.topic = sns.Topic(self, "Topic", display_name="f1lake alarms", enforce_ssl=True)
        if config.alarm_email:
            self.topic.add_subscription(subscriptions.EmailSubscription(config.alarm_email))
        self.dead_letters = cloudwatch.Alarm(
            self,
            "DeadLetterQueueNotEmpty",
            alarm_description=(
                "f1lake: raw-object events failed processing repeatedly and wait in the "
                "dead-letter queue; read the quarantine bucket and the processor's logs, fix, "
                "then redrive the DLQ"
            ),
            metric=dead_letter_queue.metric_approximate_number_of_messages_visible(
                period=ALARM_PERIOD, statistic="Maximum"
            ),
            threshold=0,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
            evaluation_periods=1,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        self.errors = cloudwatch.Alarm(
            self,
            "ProcessorErrors",
            alarm_description=(
                "f1lake: the processor Lambda failed invocations (crash or timeout); the "
                "messages are retried and then go to the dead-letter queue"
            ),
            metric=function.metric_errors(period=ALARM_PERIOD, statistic="Sum"),
            threshold=0,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
            evaluation_periods=1,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        for alarm in (self.dead_letters, self.errors):
            alarm.add_alarm_action(actions.SnsAction(self.topic))
        self.crawl_failed = events.Rule(
            self,
            "CrawlFailed",
            description="f1lake: the crawler failed; the event carries Glue's error and log link",
            event_pattern=crawler_state_change(crawler_name, "Failed"),
        )
        # Targeted through an imported reference, so CDK adds no grant of its own: EventBridge
        # may publish to the topic for this rule only (aws:SourceArn), no other rule.
        self.crawl_failed.add_target(
            targets.SnsTopic(sns.Topic.from_topic_arn(self, "TopicForRule", self.topic.topic_arn))
        )
        self.topic.add_to_resource_policy(
            iam.PolicyStatement(
                sid="CrawlFailedRulePublishes",
                actions=["sns:Publish"],
                principals=[iam.ServicePrincipal("events.amazonaws.com")],
                resources=[self.topic.topic_arn],
                conditions={"ArnEquals": {"aws:SourceArn": self.crawl_failed.rule_arn}},
            )
        )


def _custom(name: str, lake: str, statistic: str, label: str) -> cloudwatch.Metric:
    return cloudwatch.Metric(
        namespace=metrics.NAMESPACE,
        metric_name=name,
        dimensions_map={metrics.DIMENSION: lake},
        statistic=statistic,
        period=DASHBOARD_PERIOD,
        label=label,
    )


class PipelineDashboard(Construct):
    """Pipeline health at a glance: what ingestion ran and spent, how processing went, what
    waits or failed, whether the catalog kept up, and how fresh the lake is.

    The ingestion and freshness figures are the custom metrics the DAGs publish at the end of
    each run (``f1lake.pipeline.metrics``); the rest are AWS's own: Lambda, SQS, S3 storage
    metrics (daily) for the quarantine count, and the EventBridge rules that fire on each
    successful and each failed crawl.
    """

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        raw_bucket_name: str,
        quarantine_bucket_name: str,
        dead_letter_queue: sqs.IQueue,
        function: lambda_.IFunction,
        crawl_succeeded_rule_name: str,
        crawl_failed_rule_name: str,
    ) -> None:
        super().__init__(scope, id_)
        lake = raw_bucket_name
        ingestion = cloudwatch.GraphWidget(
            title="Ingestion runs and the API requests they used",
            left=[_custom(metrics.INGESTION_RUNS, lake, "Sum", "runs")],
            right=[_custom(metrics.API_REQUESTS, lake, "Sum", "API requests")],
            width=12,
        )
        processor = cloudwatch.GraphWidget(
            title="Processor: invocations, errors, duration",
            left=[
                function.metric_invocations(period=DASHBOARD_PERIOD, statistic="Sum"),
                function.metric_errors(period=DASHBOARD_PERIOD, statistic="Sum"),
            ],
            right=[
                function.metric_duration(period=DASHBOARD_PERIOD, statistic="Average"),
                function.metric_duration(period=DASHBOARD_PERIOD, statistic="p99"),
            ],
            width=12,
        )
        failures = cloudwatch.GraphWidget(
            title="Dead-letter queue depth and quarantined objects",
            left=[
                dead_letter_queue.metric_approximate_number_of_messages_visible(
                    period=DASHBOARD_PERIOD, statistic="Maximum", label="DLQ messages"
                )
            ],
            right=[
                cloudwatch.Metric(
                    namespace="AWS/S3",
                    metric_name="NumberOfObjects",
                    dimensions_map={
                        "BucketName": quarantine_bucket_name,
                        "StorageType": "AllStorageTypes",
                    },
                    statistic="Average",
                    period=Duration.days(1),
                    label="quarantine records (daily)",
                )
            ],
            width=12,
        )
        crawler = cloudwatch.GraphWidget(
            title="Crawler runs: succeeded and failed",
            left=[
                cloudwatch.Metric(
                    namespace="AWS/Events",
                    metric_name="TriggeredRules",
                    dimensions_map={"RuleName": rule_name},
                    statistic="Sum",
                    period=DASHBOARD_PERIOD,
                    label=label,
                )
                for rule_name, label in (
                    (crawl_succeeded_rule_name, "succeeded crawls"),
                    (crawl_failed_rule_name, "failed crawls"),
                )
            ],
            width=12,
        )
        freshness = cloudwatch.GraphWidget(
            title="Lake freshness: last race run vs last race in the lake (season*100+round)",
            left=[
                _custom(metrics.LAST_RACE_RUN, lake, "Maximum", "last race run"),
                _custom(metrics.LAST_RACE_IN_LAKE, lake, "Maximum", "last race in the lake"),
            ],
            right=[_custom(metrics.RACES_BEHIND, lake, "Maximum", "races behind")],
            left_y_axis=cloudwatch.YAxisProps(show_units=False),
            width=24,
        )
        self.dashboard = cloudwatch.Dashboard(
            self,
            "Dashboard",
            default_interval=Duration.days(7),
            widgets=[[ingestion, processor], [failures, crawler], [freshness]],
        )
