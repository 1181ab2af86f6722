"""The processing stack: raw events -> queue (+ DLQ) -> processor Lambda, and its alarms."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from f1lake.endpoints import ENDPOINTS
from f1lake.keys import raw_key
from f1lake.settings import Settings
from f1lake.topology import MAX_RECEIVE_COUNT
from tests.infra.conftest import allows, bare_app, logical_id, of_type, only, policy_statements

pytest.importorskip("aws_cdk", reason="aws-cdk-lib is not installed (uv sync --group cdk)")


def _ids(synth):
    stack = synth.stack("processing")
    return {
        "queue": logical_id(stack, stack.raw_events.queue),
        "dlq": logical_id(stack, stack.raw_events.dead_letter_queue),
        "function": logical_id(stack, stack.processor.function),
        "role": logical_id(stack, stack.processor.function.role),
        "topic": logical_id(stack, stack.alarms.topic),
    }


def _function(synth):
    return synth.resources("processing")[_ids(synth)["function"]]["Properties"]


def test_queue_redrives_to_the_dead_letter_queue_as_locally(synth):
    ids, resources = _ids(synth), synth.resources("processing")
    queue = resources[ids["queue"]]["Properties"]
    assert queue["RedrivePolicy"] == {
        "deadLetterTargetArn": {"Fn::GetAtt": [ids["dlq"], "Arn"]},
        "maxReceiveCount": MAX_RECEIVE_COUNT,
    }
    # A message must not reappear while a slow invocation still works on it.
    assert queue["VisibilityTimeout"] >= 6 * _function(synth)["Timeout"]
    assert queue["SqsManagedSseEnabled"] is True
    assert resources[ids["dlq"]]["Properties"]["MessageRetentionPeriod"] == 14 * 24 * 3600


def test_event_source_reports_batch_item_failures_in_configured_batches(synth):
    ids, config = _ids(synth), synth.config
    mapping = only(synth.resources("processing"), "AWS::Lambda::EventSourceMapping")
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert mapping["BatchSize"] == config.queue_batch_size
    assert mapping["ScalingConfig"] == {"MaximumConcurrency": config.processor_max_concurrency}
    assert mapping["EventSourceArn"] == {"Fn::GetAtt": [ids["queue"], "Arn"]}
    assert mapping["FunctionName"] == {"Ref": ids["function"]}


def _notification_filters(synth):
    resolve = synth.resolver()
    notifications = only(synth.resources("processing"), "Custom::S3BucketNotifications")
    configs = notifications["NotificationConfiguration"]["QueueConfigurations"]
    return resolve(notifications["BucketName"]), configs


def test_raw_bucket_sends_only_raw_json_object_created_events_to_the_queue(synth):
    bucket, configs = _notification_filters(synth)
    raw_id = logical_id(synth.stack("storage"), synth.stack("storage").buckets.raw)
    assert bucket == raw_id  # the raw bucket (imported from the storage stack)
    filters = []
    for c in configs:
        assert c["Events"] == ["s3:ObjectCreated:*"]
        assert c["QueueArn"] == {"Fn::GetAtt": [_ids(synth)["queue"], "Arn"]}
        rules = {r["Name"]: r["Value"] for r in c["Filter"]["Key"]["FilterRules"]}
        assert rules["suffix"] == ".json"
        filters.append((rules["prefix"], rules["suffix"]))
    assert sorted(p for p, _ in filters) == sorted(f"{e}/season=" for e in ENDPOINTS)

    def notified(key):
        return [p for p, s in filters if key.startswith(p) and key.endswith(s)]

    # Every key the pipeline writes matches exactly one filter; nothing else does.
    now = datetime(2024, 3, 2, tzinfo=UTC)
    for name, endpoint in ENDPOINTS.items():
        round_ = None if endpoint.scope == "season" else 7
        key = raw_key(name, 2024, round_, now, "ab" * 32)
        assert len(notified(key)) == 1, key
    for stray in ("notes.json", "results/readme.json", "results/season=2024/x.txt", "tmp/a.json"):
        assert not notified(stray), stray


def test_s3_may_send_to_the_queue_only_for_the_raw_bucket(synth):
    resolve = synth.resolver()
    queue_ref = {"Ref": _ids(synth)["queue"]}
    (statements,) = [
        p["Properties"]["PolicyDocument"]["Statement"]
        for p in of_type(synth.resources("processing"), "AWS::SQS::QueuePolicy").values()
        if queue_ref in p["Properties"]["Queues"]
    ]
    raw_id = logical_id(synth.stack("storage"), synth.stack("storage").buckets.raw)
    s3_send = [s for s in statements if s.get("Principal") == {"Service": "s3.amazonaws.com"}]
    assert s3_send
    for s in s3_send:
        assert resolve(s["Condition"]["ArnLike"]["aws:SourceArn"]) == f"arn:aws:s3:::{raw_id}"
        # bucket names are global: only this account's bucket of that name
        assert s["Condition"]["StringEquals"] == {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}


def test_the_dashboard_shows_ingestion_processing_failures_crawls_and_freshness(synth):
    from f1lake.pipeline import metrics

    dashboard = only(synth.resources("processing"), "AWS::CloudWatch::Dashboard")
    body = json.loads(synth.resolver()(dashboard["DashboardBody"]))
    widgets = {w["properties"]["title"]: w["properties"]["metrics"] for w in body["widgets"]}

    def names(title_start):
        (found,) = [m for t, m in widgets.items() if t.startswith(title_start)]
        return {tuple(x for x in row if isinstance(x, str))[:2] for row in found}

    raw = synth.resolver()(
        synth.stack("storage").resolve(synth.stack("storage").buckets.raw.bucket_name)
    )
    assert (metrics.NAMESPACE, metrics.API_REQUESTS) in names("Ingestion")
    assert (metrics.NAMESPACE, metrics.INGESTION_RUNS) in names("Ingestion")
    assert {
        ("AWS/Lambda", "Invocations"),
        ("AWS/Lambda", "Errors"),
        ("AWS/Lambda", "Duration"),
    } <= names("Processor")
    assert {
        ("AWS/SQS", "ApproximateNumberOfMessagesVisible"),
        ("AWS/S3", "NumberOfObjects"),
    } <= names("Dead-letter")
    assert names("Crawler runs") == {("AWS/Events", "TriggeredRules")}
    assert {
        (metrics.NAMESPACE, metrics.LAST_RACE_RUN),
        (metrics.NAMESPACE, metrics.LAST_RACE_IN_LAKE),
    } <= names("Lake freshness")
    # the custom metrics are those of this lake: the DAGs publish Lake=<raw bucket>
    ingestion_rows = next(m for t, m in widgets.items() if t.startswith("Ingestion"))
    assert all(
        row[2:4] == [metrics.DIMENSION, raw]
        for row in ingestion_rows
        if row[0] == metrics.NAMESPACE
    )
    # crawler runs: the successful-crawl rule's (by the name the analytics stack gives it) and
    # the failed-crawl rule's, each matching its state of the catalog's crawler
    crawler = synth.stack("catalog").catalog.crawler_name
    succeeded = only(synth.resources("analytics"), "AWS::Events::Rule")
    (failed_id,) = of_type(synth.resources("processing"), "AWS::Events::Rule")
    failed = synth.resources("processing")[failed_id]["Properties"]
    for rule, state in ((succeeded, "Succeeded"), (failed, "Failed")):
        assert rule["EventPattern"]["detail-type"] == ["Glue Crawler State Change"]
        assert rule["EventPattern"]["detail"] == {"crawlerName": [crawler], "state": [state]}
    crawl_rows = next(m for t, m in widgets.items() if t.startswith("Crawler"))
    assert [row[2:4] for row in crawl_rows] == [
        ["RuleName", succeeded["Name"]],
        ["RuleName", failed_id],  # a rule's Ref is its name
    ]
    assert [row[4]["label"] for row in crawl_rows] == ["succeeded crawls", "failed crawls"]


def test_a_failed_crawl_is_published_to_the_alarm_topic_by_that_rule_only(synth):
    resources = synth.resources("processing")
    stack = synth.stack("processing")
    topic, rule = (
        logical_id(stack, stack.alarms.topic),
        logical_id(stack, stack.alarms.crawl_failed),
    )
    assert [t["Arn"] for t in resources[rule]["Properties"]["Targets"]] == [{"Ref": topic}]
    policy = only(resources, "AWS::SNS::TopicPolicy")["PolicyDocument"]["Statement"]
    events = [s for s in policy if s.get("Principal") == {"Service": "events.amazonaws.com"}]
    assert events == [
        {
            "Sid": "CrawlFailedRulePublishes",
            "Effect": "Allow",
            "Action": "sns:Publish",
            "Principal": {"Service": "events.amazonaws.com"},
            "Resource": {"Ref": topic},
            "Condition": {"ArnEquals": {"aws:SourceArn": {"Fn::GetAtt": [rule, "Arn"]}}},
        }
    ]


def test_processor_runs_the_repo_handler_with_its_settings(synth):
    fn = _function(synth)
    config = synth.config
    assert fn["Handler"] == "lambda_processor.handler.handler"
    assert fn["Runtime"] == "python3.12"
    assert fn["MemorySize"] == config.processor_memory_mb
    assert fn["Timeout"] == config.processor_timeout_seconds
    variables = fn["Environment"]["Variables"]
    fields = {f"F1LAKE_{name.upper()}" for name in Settings.model_fields}
    assert set(variables) <= fields
    assert variables["F1LAKE_GLUE_DATABASE"] == config.glue_database
    assert variables["F1LAKE_QUEUE_NAME"] == {"Fn::GetAtt": [_ids(synth)["queue"], "QueueName"]}
    (layer,) = fn["Layers"]
    assert layer == {"Fn::FindInMap": ["SdkPandasLayer", {"Ref": "AWS::Region"}, "Arn"]}
    mapping = synth.templates["processing"]["Mappings"]["SdkPandasLayer"]
    assert mapping["us-east-1"]["Arn"] == (
        "arn:aws:lambda:us-east-1:336392948345:layer:AWSSDKPandas-Python312:27"
    )
    # opt-in regions publish the layer from their own accounts
    assert mapping["ap-east-1"]["Arn"].split(":")[4] == "839552336658"


def test_the_layer_map_covers_every_lambda_region_the_layer_is_published_in():
    import boto3
    from f1lake_infra.sdk_pandas_layer import LAYER_ARNS, LAYER_NAME

    session = boto3.session.Session()
    regions = {
        (partition, region)
        for partition in ("aws", "aws-cn")
        for region in session.get_available_regions("lambda", partition_name=partition)
    }
    not_published = {"ap-east-2", "ap-southeast-5", "ap-southeast-6", "ap-southeast-7",
                     "me-south-1", "mx-central-1"}  # fmt: skip
    for partition, region in regions:
        if region in not_published:
            assert region not in LAYER_ARNS
            continue
        arn = LAYER_ARNS[region]
        _, part, service, in_region, account, kind, name, version = arn.split(":")
        assert (part, service, in_region, kind, name) == (
            partition, "lambda", region, "layer", LAYER_NAME
        )  # fmt: skip
        assert account.isdigit() and int(version) > 0


def test_a_configured_layer_arn_replaces_the_map():
    from f1lake_infra.config import config_from_context
    from f1lake_infra.processor import sdk_pandas_layer_arn

    arn = "arn:aws:lambda:mx-central-1:123456789012:layer:my-pandas:1"
    stack = bare_app_stack()
    assert sdk_pandas_layer_arn(stack, config_from_context({"sdkPandasLayerArn": arn})) == arn


def bare_app_stack():
    from aws_cdk import Stack

    return Stack(bare_app(), "Probe")


def test_processor_reads_raw_but_never_writes_or_deletes_it(synth):
    resolve = synth.resolver()
    statements = policy_statements(synth.resources("processing"), _ids(synth)["role"], resolve)
    storage = synth.stack("storage")
    raw, processed, quarantine = (
        f"arn:aws:s3:::{logical_id(storage, b)}"
        for b in (storage.buckets.raw, storage.buckets.processed, storage.buckets.quarantine)
    )
    key = "results/season=2023/round=01/results-2023-01-20240101T000000000000Z-abcdefabcdef.json"
    assert allows(statements, "s3:GetObject", f"{raw}/{key}")
    assert allows(statements, "s3:ListBucket", raw)
    for action in ("s3:PutObject", "s3:DeleteObject", "s3:DeleteObjectVersion", "s3:PutObjectAcl"):
        assert not allows(statements, action, f"{raw}/{key}"), action
    assert allows(statements, "s3:PutObject", f"{processed}/results/season=2023/2023-01.parquet")
    assert not allows(statements, "s3:DeleteObject", f"{processed}/results/season=2023/x.parquet")
    assert allows(statements, "s3:PutObject", f"{quarantine}/{key}")
    assert allows(statements, "s3:DeleteObject", f"{quarantine}/{key}")
    actions = {
        a
        for s in statements
        for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])
    }
    assert not [a for a in actions if a.endswith("*") and a.startswith("s3:")], actions


def test_alarms_on_dead_letters_and_processor_errors_notify_the_topic(synth):
    ids = _ids(synth)
    alarms = [
        a["Properties"]
        for a in of_type(synth.resources("processing"), "AWS::CloudWatch::Alarm").values()
    ]
    by_metric = {a["MetricName"]: a for a in alarms}
    dlq = by_metric["ApproximateNumberOfMessagesVisible"]
    assert dlq["Namespace"] == "AWS/SQS"
    assert dlq["Dimensions"] == [
        {"Name": "QueueName", "Value": {"Fn::GetAtt": [ids["dlq"], "QueueName"]}}
    ]
    errors = by_metric["Errors"]
    assert errors["Namespace"] == "AWS/Lambda"
    assert errors["Dimensions"] == [{"Name": "FunctionName", "Value": {"Ref": ids["function"]}}]
    for alarm in (dlq, errors):
        # One message in the DLQ, or one failed invocation, is worth a look.
        assert alarm["Threshold"] == 0
        assert alarm["ComparisonOperator"] == "GreaterThanThreshold"
        assert alarm["TreatMissingData"] == "notBreaching"
        assert alarm["AlarmActions"] == [{"Ref": ids["topic"]}]
    topic_policy = only(synth.resources("processing"), "AWS::SNS::TopicPolicy")
    assert any(
        s["Effect"] == "Deny" and s["Condition"]["Bool"]["aws:SecureTransport"] == "false"
        for s in topic_policy["PolicyDocument"]["Statement"]
    )


def test_alarm_email_subscribes_to_the_topic():
    from aws_cdk.assertions import Template
    from f1lake_infra.config import config_from_context
    from f1lake_infra.processing import ProcessingStack
    from f1lake_infra.storage import StorageStack

    app = bare_app()
    config = config_from_context({"alarmEmail": "oncall@example.com"})
    storage = StorageStack(app, "S", config=config)
    processing = ProcessingStack(
        app, "P", config=config, buckets=storage.buckets, crawler_name="f1lake-processed"
    )
    subscription = only(
        Template.from_stack(processing).to_json()["Resources"], "AWS::SNS::Subscription"
    )
    assert subscription["Protocol"] == "email"
    assert subscription["Endpoint"] == "oncall@example.com"


def test_every_log_group_has_the_configured_retention(synth):
    groups = of_type(synth.all_resources(), "AWS::Logs::LogGroup")
    assert len(groups) >= 3  # processor, views function, views provider
    for name, group in groups.items():
        assert group["Properties"]["RetentionInDays"] == synth.config.log_retention_days, name
    functions = of_type(synth.all_resources(), "AWS::Lambda::Function")
    ours = {k: f for k, f in functions.items() if "LoggingConfig" in f["Properties"]}
    assert len(ours) >= 3
