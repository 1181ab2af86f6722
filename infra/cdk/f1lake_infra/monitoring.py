"""What tells an operator the pipeline is failing: log retention, and alarms on the dead-letter
queue and on processor errors, published to one SNS topic (optionally mailed)."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from f1lake_infra.config import LOG_RETENTION, DeployConfig

ALARM_PERIOD = Duration.minutes(5)


def log_retention(config: DeployConfig) -> logs.RetentionDays:
    return logs.RetentionDays[LOG_RETENTION[config.log_retention_days]]


class PipelineAlarms(Construct):
    """Two alarms that need a human: a message in the DLQ (an object failed processing
    ``maxReceiveCount`` times: its quarantine record or the logs say why) and processor
    invocation errors (crashes and timeouts; a rejected item is a partial batch failure, not an
    error). The topic always exists, so a subscription can be added after deploying."""

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        config: DeployConfig,
        dead_letter_queue: sqs.IQueue,
        function: lambda_.IFunction,
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
