"""Least privilege of every role, evaluated against concrete ARNs, and the outputs (and env
file) that point Airflow at a deployment."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import boto3
import pytest
from click.testing import CliRunner

from f1lake.endpoints import ENDPOINTS
from f1lake.keys import raw_key
from f1lake.settings import Settings
from tests.infra.conftest import (
    ACCOUNT,
    REGION,
    allows,
    bare_app,
    logical_id,
    of_type,
    policy_statements,
)

pytest.importorskip("aws_cdk", reason="aws-cdk-lib is not installed (uv sync --group cdk)")

from f1lake_infra.outputs import OUTPUT_VARIABLES, OutputsError, env_file

NOW = datetime(2024, 5, 1, tzinfo=UTC)


def _arns(synth):
    b = synth.stack("storage").buckets
    storage = synth.stack("storage")
    return {
        name: f"arn:aws:s3:::{logical_id(storage, getattr(b, name))}"
        for name in ("raw", "processed", "quarantine", "athena_results")
    }


def _airflow(synth):
    access = synth.stack("access")
    role_id = logical_id(access, access.airflow.role)
    return policy_statements(synth.resources("access"), role_id, synth.resolver())


def _queues(scope) -> dict:
    from aws_cdk import aws_sqs as sqs

    arn = f"arn:aws:sqs:{REGION}:{ACCOUNT}:"
    return {
        "queue": sqs.Queue.from_queue_arn(scope, "Q", arn + "q"),
        "dead_letter_queue": sqs.Queue.from_queue_arn(scope, "D", arn + "d"),
    }


def _glue(resource: str) -> str:
    return f"arn:aws:glue:{REGION}:{ACCOUNT}:{resource}"


def test_airflow_writes_raw_objects_of_the_layout_only(synth):
    statements, arns = _airflow(synth), _arns(synth)
    for name, endpoint in ENDPOINTS.items():
        round_ = None if endpoint.scope == "season" else 3
        key = raw_key(name, 2024, round_, NOW, "cd" * 32)
        assert allows(statements, "s3:PutObject", f"{arns['raw']}/{key}"), key
        # Raw is immutable and the ledger says what was ingested: no delete, no read.
        for action in ("s3:DeleteObject", "s3:DeleteObjectVersion", "s3:GetObject"):
            assert not allows(statements, action, f"{arns['raw']}/{key}"), action
    for stray in ("notes.json", "views/x.json", "results/2024.json"):
        assert not allows(statements, "s3:PutObject", f"{arns['raw']}/{stray}"), stray
    for bucket in ("processed", "quarantine"):
        assert not allows(statements, "s3:PutObject", f"{arns[bucket]}/results/x"), bucket
    assert not allows(statements, "s3:PutObject", f"{arns['athena_results']}/other/x")


def test_airflow_reads_processing_outcomes_runs_the_crawler_and_reads_the_catalog(synth):
    statements, arns = _airflow(synth), _arns(synth)
    db = synth.config.glue_database
    crawler = synth.stack("catalog").catalog.crawler_name
    assert allows(
        statements, "s3:GetObject", f"{arns['processed']}/results/season=2024/2024-03.parquet"
    )
    assert allows(statements, "s3:ListBucket", arns["processed"])  # a missing key: 404, not 403
    assert allows(statements, "s3:GetObject", f"{arns['quarantine']}/any.json")
    assert allows(statements, "glue:StartCrawler", _glue(f"crawler/{crawler}"))
    assert allows(statements, "glue:GetCrawler", _glue(f"crawler/{crawler}"))
    assert not allows(statements, "glue:StartCrawler", _glue("crawler/someone-elses"))
    assert not allows(statements, "glue:DeleteCrawler", _glue(f"crawler/{crawler}"))
    assert allows(statements, "glue:GetPartitions", _glue(f"table/{db}/results"))
    assert not allows(statements, "glue:GetTable", _glue("table/other_db/results"))
    assert not allows(statements, "glue:DeleteTable", _glue(f"table/{db}/results"))


def test_airflow_may_peek_the_dead_letter_queue_and_nothing_more(synth):
    # await processing stops waiting for a raw object whose event was dead-lettered
    statements, processing = _airflow(synth), synth.stack("processing")
    events = processing.raw_events
    queue = f"arn:aws:sqs:{REGION}:{ACCOUNT}:{logical_id(processing, events.queue)}"
    dlq = f"arn:aws:sqs:{REGION}:{ACCOUNT}:{logical_id(processing, events.dead_letter_queue)}"
    for arn in (queue, dlq):
        assert allows(statements, "sqs:GetQueueUrl", arn)
        assert allows(statements, "sqs:GetQueueAttributes", arn)
    assert allows(statements, "sqs:ReceiveMessage", dlq)
    assert not allows(statements, "sqs:ReceiveMessage", queue)  # the processor's, not ours
    for action in ("sqs:DeleteMessage", "sqs:SendMessage", "sqs:PurgeQueue"):
        assert not allows(statements, action, dlq), action


def test_airflow_role_is_assumable_by_the_configured_principal_only():
    from f1lake_infra.airflow_access import AccessStack
    from f1lake_infra.config import config_from_context
    from f1lake_infra.storage import StorageStack

    mwaa = "arn:aws:iam::123456789012:role/mwaa-execution"
    app = bare_app()
    config = config_from_context({"airflowPrincipalArn": mwaa})
    buckets = StorageStack(app, "S", config=config).buckets
    access = AccessStack(
        app, "A", config=config, raw_bucket=buckets.raw, processed_bucket=buckets.processed,
        quarantine_bucket=buckets.quarantine, results_bucket=buckets.athena_results,
        **_queues(buckets.raw.stack), crawler_name="c",
        crawler_arn="arn:aws:glue:us-east-1:123456789012:crawler/c",
    )  # fmt: skip
    trust = access.resolve(access.airflow.role.assume_role_policy.to_json())
    (statement,) = trust["Statement"]
    assert statement["Principal"] == {"AWS": mwaa}
    assert statement["Action"] == "sts:AssumeRole"


def test_crawler_writes_its_database_only_and_never_deletes(synth):
    catalog = synth.stack("catalog")
    role_id = logical_id(catalog, catalog.catalog.crawler_role)
    statements = policy_statements(synth.resources("catalog"), role_id, synth.resolver())
    db, arns = synth.config.glue_database, _arns(synth)
    assert allows(statements, "glue:CreateTable", _glue(f"table/{db}/sprint_results"))
    assert allows(statements, "glue:BatchCreatePartition", _glue(f"table/{db}/results"))
    assert not allows(statements, "glue:CreateTable", _glue("table/other_db/t"))
    for action in ("glue:DeleteTable", "glue:DeletePartition", "glue:DeleteDatabase"):
        assert not allows(statements, action, _glue(f"table/{db}/results")), action
    assert allows(statements, "s3:GetObject", f"{arns['processed']}/results/season=2024/a.parquet")
    assert not allows(statements, "s3:GetObject", f"{arns['raw']}/results/season=2024/a.json")
    assert not allows(statements, "s3:PutObject", f"{arns['processed']}/x")
    # No AWS managed policy (AWSGlueServiceRole would grant glue:* on every database).
    role = synth.resources("catalog")[role_id]["Properties"]
    assert not role.get("ManagedPolicyArns")


def test_airflow_runs_the_checks_on_athena_in_the_workgroup_only(synth):
    statements, arns = _airflow(synth), _arns(synth)
    workgroup = f"arn:aws:athena:{REGION}:{ACCOUNT}:workgroup/{synth.config.athena_workgroup}"
    for action in ("StartQueryExecution", "GetQueryExecution", "GetQueryResults", "GetWorkGroup"):
        assert allows(statements, f"athena:{action}", workgroup), action
    assert not allows(statements, "athena:StartQueryExecution", f"{workgroup}-other")
    assert not allows(statements, "athena:DeleteWorkGroup", workgroup)
    assert allows(statements, "s3:PutObject", f"{arns['athena_results']}/results/q.csv")
    assert allows(statements, "s3:GetObject", f"{arns['athena_results']}/results/q.csv")


def test_quicksight_role_reads_the_lake_and_writes_athena_results_only(synth):
    qs = synth.stack("quicksight")
    role_id = logical_id(qs, qs.role)
    statements = policy_statements(synth.resources("quicksight"), role_id, synth.resolver())
    arns, wg = _arns(synth), synth.config.athena_workgroup
    workgroup = f"arn:aws:athena:{REGION}:{ACCOUNT}:workgroup/{wg}"
    assert allows(statements, "athena:StartQueryExecution", workgroup)
    assert not allows(statements, "athena:StartQueryExecution", f"{workgroup}-other")
    assert not allows(statements, "athena:DeleteWorkGroup", workgroup)
    assert allows(statements, "s3:GetObject", f"{arns['processed']}/results/season=2024/a.parquet")
    assert allows(statements, "s3:PutObject", f"{arns['athena_results']}/results/q.csv")
    assert not allows(statements, "s3:PutObject", f"{arns['processed']}/results/a.parquet")
    assert not allows(statements, "s3:GetObject", f"{arns['raw']}/results/season=2024/a.json")
    trust = synth.resources("quicksight")[role_id]["Properties"]["AssumeRolePolicyDocument"]
    assert trust["Statement"][0]["Principal"] == {"Service": "quicksight.amazonaws.com"}


# --- outputs -> Airflow ------------------------------------------------------------------


def test_access_stack_outputs_every_aws_name_the_dags_read(synth):
    outputs = synth.templates["access"]["Outputs"]
    assert set(outputs) == set(OUTPUT_VARIABLES)
    filled = {v for v in OUTPUT_VARIABLES.values() if v.startswith("F1LAKE_")}
    # Every setting that names an AWS resource (or the region) is filled from the stack.
    aws_names = {"aws_region", "raw_bucket", "processed_bucket", "quarantine_bucket",
                 "queue_name", "glue_database", "athena_workgroup"}  # fmt: skip
    assert aws_names <= set(Settings.model_fields)
    assert filled == {f"F1LAKE_{n.upper()}" for n in aws_names}
    resolve = synth.resolver()
    raw_id = logical_id(synth.stack("storage"), synth.stack("storage").buckets.raw)
    assert resolve(outputs["RawBucket"]["Value"]) == raw_id
    assert outputs["GlueDatabase"]["Value"] == synth.config.glue_database
    assert outputs["GlueCrawler"]["Value"] == synth.stack("catalog").catalog.crawler_name


def _outputs(**over: str) -> dict[str, str]:
    values = {
        "AwsRegion": "eu-west-1",
        "RawBucket": "f1lakestorage-raw-1",
        "ProcessedBucket": "f1lakestorage-processed-1",
        "QuarantineBucket": "f1lakestorage-quarantine-1",
        "QueueName": "F1LakeProcessing-Queue-1",
        "GlueDatabase": "f1lake",
        "AthenaWorkgroup": "f1lake",
        "GlueCrawler": "f1lake-processed",
        "AirflowRoleArn": "arn:aws:iam::123456789012:role/F1LakeAccess-AirflowRole-1",
        "AirflowPolicyArn": "arn:aws:iam::123456789012:policy/F1LakeAccess-Policy-1",
    }
    return {**values, **over}


def _parse_env(text: str) -> dict[str, str]:
    return dict(
        line.split("=", 1) for line in text.splitlines() if line and not line.startswith("#")
    )


def test_env_file_sets_settings_and_an_aws_default_assuming_the_role():
    from airflow.models.connection import Connection

    env = _parse_env(env_file(_outputs()))
    settings = Settings(
        **{k.removeprefix("F1LAKE_").lower(): v for k, v in env.items() if k.startswith("F1LAKE_")}
    )
    assert settings.raw_bucket == "f1lakestorage-raw-1"
    assert settings.aws_region == "eu-west-1"
    assert settings.aws_endpoint_url is None  # real AWS, never moto
    assert settings.api_base_url.startswith("https://api.jolpi.ca")
    assert settings.sql_engine == "athena"  # the DAGs' checks run on Athena, not the worker
    conn = Connection(conn_id="aws_default", uri=env["AIRFLOW_CONN_AWS_DEFAULT"])
    assert conn.conn_type == "aws"
    assert conn.extra_dejson == {
        "region_name": "eu-west-1",
        "role_arn": "arn:aws:iam::123456789012:role/F1LakeAccess-AirflowRole-1",
    }


def test_env_file_names_a_missing_output():
    outputs = _outputs()
    del outputs["AirflowRoleArn"]
    with pytest.raises(OutputsError, match="AirflowRoleArn"):
        env_file(outputs)


def test_airflow_env_reads_a_deployed_stack(moto_endpoint, monkeypatch):
    """The script against CloudFormation (moto): a stack whose outputs are the access stack's."""
    import airflow_env

    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_endpoint)
    name = f"F1LakeAccess{uuid.uuid4().hex[:8]}"
    outputs = _outputs()
    template = {
        "Resources": {"Topic": {"Type": "AWS::SNS::Topic"}},
        "Outputs": {k: {"Value": v} for k, v in outputs.items()},
    }
    import json

    cfn = boto3.client("cloudformation", region_name="eu-west-1", endpoint_url=moto_endpoint)
    cfn.create_stack(StackName=name, TemplateBody=json.dumps(template))
    try:
        result = CliRunner().invoke(airflow_env.main, ["--stack", name, "--region", "eu-west-1"])
        assert result.exit_code == 0, result.output
        assert _parse_env(result.output)["F1LAKE_RAW_BUCKET"] == outputs["RawBucket"]
        missing = CliRunner().invoke(
            airflow_env.main, ["--stack", "NoSuchStack", "--region", "eu-west-1"]
        )
        assert missing.exit_code == 1
        assert "cannot read the outputs of stack NoSuchStack" in missing.output
        assert "Traceback" not in missing.output
    finally:
        cfn.delete_stack(StackName=name)


def test_airflow_role_needs_a_configured_principal_never_the_account():
    from f1lake_infra.airflow_access import AccessStack
    from f1lake_infra.config import ConfigError, config_from_context
    from f1lake_infra.storage import StorageStack

    app = bare_app()
    config = config_from_context({})
    buckets = StorageStack(app, "S", config=config).buckets
    with pytest.raises(ConfigError, match="airflowPrincipalArn"):
        AccessStack(
            app, "A", config=config, raw_bucket=buckets.raw, processed_bucket=buckets.processed,
            quarantine_bucket=buckets.quarantine, results_bucket=buckets.athena_results,
            **_queues(buckets.raw.stack), crawler_name="c",
            crawler_arn="arn:aws:glue:us-east-1:123456789012:crawler/c",
        )  # fmt: skip


@pytest.mark.parametrize(
    ("field", "role"),
    [("catalog", "glue.amazonaws.com"), ("quicksight", "quicksight.amazonaws.com")],
)
def test_service_roles_trust_the_service_for_this_account_only(synth, field, role):
    trusts = [
        r["Properties"]["AssumeRolePolicyDocument"]["Statement"]
        for r in of_type(synth.resources(field), "AWS::IAM::Role").values()
    ]
    (statement,) = [s for st in trusts for s in st if s["Principal"] == {"Service": role}]
    assert statement["Condition"] == {
        "StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}
    }


def test_airflow_may_publish_metrics_to_the_f1lake_namespace_only(synth):
    statements = _airflow(synth)
    (publish,) = [s for s in statements if s["Action"] == "cloudwatch:PutMetricData"]
    assert publish["Condition"] == {"StringEquals": {"cloudwatch:namespace": "f1lake"}}
