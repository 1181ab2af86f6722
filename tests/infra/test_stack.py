"""The synthesized CloudFormation template: what `cdk deploy` would create, checked resource by
resource against the contracts (local stack parity, glue/crawler.json, sql/athena)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from f1lake.catalog.definition import DEFINITION_PATH
from f1lake.local.provision import MAX_RECEIVE_COUNT
from f1lake.settings import PROJECT_ROOT
from tests.infra.conftest import logical_id, of_type, sql_paths

pytest.importorskip("aws_cdk", reason="aws-cdk-lib is not installed (uv sync --group cdk)")

SQL_ROOT = PROJECT_ROOT / "sql" / "athena"


def _only(resources: dict[str, Any], type_: str) -> dict[str, Any]:
    found = of_type(resources, type_)
    assert len(found) == 1, f"expected one {type_}, found {sorted(found)}"
    return next(iter(found.values()))["Properties"]


def _processor(stack: Any, resources: dict[str, Any]) -> dict[str, Any]:
    return resources[logical_id(stack, stack.processor.function)]["Properties"]


def _actions(statement: dict[str, Any]) -> list[str]:
    action = statement["Action"]
    return [action] if isinstance(action, str) else action


def _resources(statement: dict[str, Any]) -> list[Any]:
    res = statement["Resource"]
    return res if isinstance(res, list) else [res]


def _role_statements(resources: dict[str, Any], role_id: str) -> list[dict[str, Any]]:
    return [
        st
        for policy in of_type(resources, "AWS::IAM::Policy").values()
        if {"Ref": role_id} in policy["Properties"]["Roles"]
        for st in policy["Properties"]["PolicyDocument"]["Statement"]
    ]


def test_queue_redrives_to_the_dead_letter_queue_as_locally(stack, resources):
    queue = resources[logical_id(stack, stack.raw_events.queue)]["Properties"]
    dlq_id = logical_id(stack, stack.raw_events.dead_letter_queue)
    assert queue["RedrivePolicy"] == {
        "deadLetterTargetArn": {"Fn::GetAtt": [dlq_id, "Arn"]},
        "maxReceiveCount": MAX_RECEIVE_COUNT,
    }
    # A message must not reappear while a slow invocation still works on it.
    assert queue["VisibilityTimeout"] >= 6 * _processor(stack, resources)["Timeout"]
    assert queue["SqsManagedSseEnabled"] is True


def test_queue_event_source_reports_batch_item_failures(stack, resources):
    mapping = _only(resources, "AWS::Lambda::EventSourceMapping")
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert mapping["EventSourceArn"] == {
        "Fn::GetAtt": [logical_id(stack, stack.raw_events.queue), "Arn"]
    }
    assert mapping["FunctionName"] == {"Ref": logical_id(stack, stack.processor.function)}


def test_raw_bucket_sends_only_json_object_created_events_to_the_queue(stack, resources):
    notifications = _only(resources, "Custom::S3BucketNotifications")
    assert notifications["BucketName"] == {"Ref": logical_id(stack, stack.buckets.raw)}
    assert notifications["NotificationConfiguration"] == {
        "QueueConfigurations": [
            {
                "Events": ["s3:ObjectCreated:*"],
                "Filter": {"Key": {"FilterRules": [{"Name": "suffix", "Value": ".json"}]}},
                "QueueArn": {"Fn::GetAtt": [logical_id(stack, stack.raw_events.queue), "Arn"]},
            }
        ]
    }
    # S3 may send to the queue, and only on behalf of the raw bucket.
    queue_ref = {"Ref": logical_id(stack, stack.raw_events.queue)}
    (policy,) = [
        p["Properties"]["PolicyDocument"]["Statement"]
        for p in of_type(resources, "AWS::SQS::QueuePolicy").values()
        if queue_ref in p["Properties"]["Queues"]
    ]
    s3_send = [s for s in policy if s.get("Principal") == {"Service": "s3.amazonaws.com"}]
    assert s3_send and all(
        s["Condition"]["ArnLike"]["aws:SourceArn"]
        == {"Fn::GetAtt": [logical_id(stack, stack.buckets.raw), "Arn"]}
        for s in s3_send
    )


def test_crawler_is_glue_crawler_json_rendered(stack, resources):
    spec = json.loads(DEFINITION_PATH.read_text(encoding="utf-8"))
    crawler = _only(resources, "AWS::Glue::Crawler")
    (target,) = crawler["Targets"]["S3Targets"]
    (spec_target,) = spec["Targets"]["S3Targets"]
    assert target["Exclusions"] == spec_target["Exclusions"]
    processed = logical_id(stack, stack.buckets.processed)
    assert target["Path"] == {"Fn::Join": ["", ["s3://", {"Ref": processed}, "/"]]}
    assert crawler["RecrawlPolicy"] == spec["RecrawlPolicy"]
    assert crawler["SchemaChangePolicy"] == spec["SchemaChangePolicy"]
    assert crawler["Schedule"] == {"ScheduleExpression": spec["Schedule"]}
    assert json.loads(crawler["Configuration"]) == spec["Configuration"]
    assert crawler["DatabaseName"] == stack.config.glue_database
    database = _only(resources, "AWS::Glue::Database")
    assert database["DatabaseInput"]["Name"] == stack.config.glue_database
    # The crawler's role may read the processed bucket.
    role_id = logical_id(stack, stack.catalog.crawler_role)
    assert crawler["Role"] == {"Fn::GetAtt": [role_id, "Arn"]}
    assert any(
        "s3:GetObject*" in _actions(st) and {"Fn::GetAtt": [processed, "Arn"]} in _resources(st)
        for st in _role_statements(resources, role_id)
    )


def test_one_saved_query_per_sql_file_with_the_file_text(stack, resources):
    queries = [q["Properties"] for q in of_type(resources, "AWS::Athena::NamedQuery").values()]
    by_name = {q["Name"]: q for q in queries}
    expected = {p.relative_to(SQL_ROOT).with_suffix("").as_posix(): p for p in sql_paths()}
    assert len(queries) == len(expected)
    assert set(by_name) == set(expected)
    workgroup = logical_id(stack, stack.analytics.workgroup)
    for name, path in expected.items():
        assert by_name[name]["QueryString"] == path.read_text(encoding="utf-8")
        assert by_name[name]["WorkGroup"] == {"Ref": workgroup}
        assert by_name[name]["Database"] == stack.config.glue_database


def test_workgroup_caps_bytes_scanned_and_enforces_its_results_location(stack, resources):
    config = _only(resources, "AWS::Athena::WorkGroup")["WorkGroupConfiguration"]
    assert config["BytesScannedCutoffPerQuery"] == stack.config.bytes_scanned_cutoff_per_query
    assert config["EnforceWorkGroupConfiguration"] is True
    results = logical_id(stack, stack.buckets.athena_results)
    assert config["ResultConfiguration"]["OutputLocation"] == {
        "Fn::Join": ["", ["s3://", {"Ref": results}, "/results/"]]
    }


def test_processor_runs_the_repo_handler_with_its_settings(stack, resources):
    fn = _processor(stack, resources)
    assert fn["Handler"] == "lambda_processor.handler.handler"
    assert fn["Runtime"] == "python3.11"
    assert any("AWSSDKPandas-Python311" in json.dumps(layer) for layer in fn["Layers"])
    env = fn["Environment"]["Variables"]
    assert env["F1LAKE_RAW_BUCKET"] == {"Ref": logical_id(stack, stack.buckets.raw)}
    assert env["F1LAKE_PROCESSED_BUCKET"] == {"Ref": logical_id(stack, stack.buckets.processed)}
    assert env["F1LAKE_QUARANTINE_BUCKET"] == {"Ref": logical_id(stack, stack.buckets.quarantine)}
    assert env["F1LAKE_GLUE_DATABASE"] == stack.config.glue_database
    assert env["F1LAKE_ATHENA_WORKGROUP"] == stack.config.athena_workgroup
    # Every variable the function gets is a setting the code reads.
    from f1lake.settings import Settings

    fields = {f"F1LAKE_{name.upper()}" for name in Settings.model_fields}
    assert set(env) <= fields


def test_processor_can_read_but_never_write_the_raw_bucket(stack, resources):
    role_id = logical_id(stack, stack.processor.function.role)
    statements = _role_statements(resources, role_id)
    raw = logical_id(stack, stack.buckets.raw)
    raw_statements = [st for st in statements if raw in json.dumps(_resources(st))]
    assert raw_statements, "the processor must be able to read raw objects"
    raw_actions = {a for st in raw_statements for a in _actions(st)}
    assert "s3:GetObject*" in raw_actions
    writes = {a for a in raw_actions if a.split(":")[1].startswith(("Put", "Delete", "Abort", "*"))}
    assert not writes, f"processor may modify the raw bucket: {sorted(writes)}"
    # ... while it writes Parquet and quarantine records.
    for bucket in (stack.buckets.processed, stack.buckets.quarantine):
        bid = logical_id(stack, bucket)
        assert any(
            "s3:PutObject" in _actions(st) and bid in json.dumps(_resources(st))
            for st in statements
        ), bucket.node.id


def test_buckets_are_private_encrypted_tls_only_and_raw_is_versioned(stack, resources):
    buckets = of_type(resources, "AWS::S3::Bucket")
    assert len(buckets) == 4
    for bucket in buckets.values():
        props = bucket["Properties"]
        assert all(props["PublicAccessBlockConfiguration"].values())
        assert props["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    policies = {
        json.dumps(p["Properties"]["Bucket"]): p["Properties"]["PolicyDocument"]["Statement"]
        for p in of_type(resources, "AWS::S3::BucketPolicy").values()
    }
    for bucket_id in buckets:
        statements = policies[json.dumps({"Ref": bucket_id})]
        assert any(
            s["Effect"] == "Deny"
            and s.get("Condition", {}).get("Bool", {}).get("aws:SecureTransport") == "false"
            for s in statements
        ), bucket_id
    raw = buckets[logical_id(stack, stack.buckets.raw)]
    assert raw["Properties"]["VersioningConfiguration"] == {"Status": "Enabled"}
    assert raw["DeletionPolicy"] == "Retain"


def _join_to_text(value: Any, names: dict[str, str]) -> str:
    """Render a Fn::Join of strings and Fn::GetAtt(named query) into text for json.loads."""
    if isinstance(value, str):
        return value
    parts = value["Fn::Join"][1]
    return "".join(p if isinstance(p, str) else names[p["Fn::GetAtt"][0]] for p in parts)


def test_views_are_created_from_their_saved_queries_dependencies_first(stack, resources):
    fn = resources[logical_id(stack, stack.analytics.views_function)]["Properties"]
    queries = of_type(resources, "AWS::Athena::NamedQuery")
    names = {qid: q["Properties"]["Name"] for qid, q in queries.items()}
    views = json.loads(_join_to_text(fn["Environment"]["Variables"]["F1LAKE_VIEWS"], names))
    view_files = sorted((SQL_ROOT / "views").glob("*.sql"))
    assert [v["name"] for v in views] != [] and len(views) == len(view_files)
    assert {v["query_id"] for v in views} == {f"views/{p.stem}" for p in view_files}
    seen: set[str] = set()
    for view in views:
        assert set(view["views"]) <= seen, f"{view['name']} comes before a view it reads"
        assert view["query_id"] == f"views/{view['name']}"
        seen.add(view["name"])
    # Run on deploy (custom resource) and after every successful crawl.
    views_id = logical_id(stack, stack.analytics.views_function)
    assert of_type(resources, "Custom::F1LakeAthenaViews")
    rule = _only(resources, "AWS::Events::Rule")
    assert rule["EventPattern"]["detail"] == {
        "crawlerName": [stack.catalog.crawler_name],
        "state": ["Succeeded"],
    }
    assert rule["Targets"][0]["Arn"] == {"Fn::GetAtt": [views_id, "Arn"]}


def test_outputs_give_what_airflow_needs(template):
    outputs = template.to_json()["Outputs"]
    for name in (
        "RawBucket",
        "ProcessedBucket",
        "QuarantineBucket",
        "QueueUrl",
        "QueueName",
        "GlueDatabase",
        "GlueCrawler",
        "AthenaWorkgroup",
        "AwsRegion",
        "AirflowPolicyArn",
    ):
        assert name in outputs, name


def test_airflow_policy_cannot_delete_raw_objects(stack, resources):
    policy = resources[logical_id(stack, stack.airflow.policy)]["Properties"]
    statements = policy["PolicyDocument"]["Statement"]
    actions = {a for st in statements for a in _actions(st)}
    assert "s3:PutObject" in actions and "glue:StartCrawler" in actions
    assert not [a for a in actions if "Delete" in a or a.endswith("*")]
