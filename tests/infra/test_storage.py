"""The storage stack: private, encrypted, TLS-only buckets with the lifecycle the data needs."""

from __future__ import annotations

import json

import pytest

from tests.infra.conftest import bare_app, logical_id, of_type

pytest.importorskip("aws_cdk", reason="aws-cdk-lib is not installed (uv sync --group cdk)")


def _bucket(synth, name):
    stack = synth.stack("storage")
    return synth.resources("storage")[logical_id(stack, getattr(stack.buckets, name))]


def _rules(synth, name):
    return {
        r["Id"]: r for r in _bucket(synth, name)["Properties"]["LifecycleConfiguration"]["Rules"]
    }


def test_every_bucket_is_private_encrypted_and_tls_only(synth):
    resources = synth.resources("storage")
    buckets = of_type(resources, "AWS::S3::Bucket")
    assert len(buckets) == 5  # raw, processed, quarantine, Athena results, access logs
    policies = {
        json.dumps(p["Properties"]["Bucket"]): p["Properties"]["PolicyDocument"]["Statement"]
        for p in of_type(resources, "AWS::S3::BucketPolicy").values()
    }
    for bucket_id, bucket in buckets.items():
        props = bucket["Properties"]
        assert props["PublicAccessBlockConfiguration"] == {
            "BlockPublicAcls": True,
            "BlockPublicPolicy": True,
            "IgnorePublicAcls": True,
            "RestrictPublicBuckets": True,
        }, bucket_id
        (rule,) = props["BucketEncryption"]["ServerSideEncryptionConfiguration"]
        assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256", bucket_id
        assert props["OwnershipControls"]["Rules"] == [{"ObjectOwnership": "BucketOwnerEnforced"}]
        denies_plain_http = [
            s
            for s in policies[json.dumps({"Ref": bucket_id})]
            if s["Effect"] == "Deny"
            and s["Condition"]["Bool"].get("aws:SecureTransport") == "false"
            and s["Action"] == "s3:*"
        ]
        assert denies_plain_http, f"{bucket_id} accepts plain HTTP"


def test_data_buckets_are_kept_and_logged_results_are_disposable(synth):
    logs_id = logical_id(synth.stack("storage"), synth.stack("storage").buckets.access_logs)
    for name, prefix in (
        ("raw", "raw/"),
        ("processed", "processed/"),
        ("quarantine", "quarantine/"),
    ):
        bucket = _bucket(synth, name)
        assert bucket["DeletionPolicy"] == "Retain", name
        assert bucket["Properties"]["LoggingConfiguration"] == {
            "DestinationBucketName": {"Ref": logs_id},
            "LogFilePrefix": prefix,
        }
    results = _bucket(synth, "athena_results")
    assert results["DeletionPolicy"] == "Delete"


def test_raw_is_versioned_and_ages_into_cheaper_storage(synth):
    config = synth.config
    raw = _bucket(synth, "raw")["Properties"]
    assert raw["VersioningConfiguration"] == {"Status": "Enabled"}
    rules = _rules(synth, "raw")
    current = rules["current-raw-to-cheaper-storage"]
    assert current["Status"] == "Enabled"
    assert "Prefix" not in current and "Filter" not in current  # every raw object
    assert current["Transitions"] == [
        {"StorageClass": "GLACIER_IR", "TransitionInDays": config.raw_transition_days}
    ]
    assert config.raw_transition_days == 90  # the documented default
    assert rules["noncurrent-versions"]["NoncurrentVersionExpiration"]["NoncurrentDays"] == 365


def test_results_quarantine_and_access_logs_expire(synth):
    config = synth.config
    assert _rules(synth, "athena_results")["expire-results"]["ExpirationInDays"] == (
        config.athena_results_days
    )
    assert _rules(synth, "quarantine")["expire-quarantine"]["ExpirationInDays"] == (
        config.quarantine_days
    )
    assert _rules(synth, "access_logs")["expire-access-logs"]["ExpirationInDays"] == (
        config.access_logs_days
    )
    for name in ("raw", "processed", "quarantine", "athena_results", "access_logs"):
        abort = _rules(synth, name)["abort-incomplete-uploads"]
        assert abort["AbortIncompleteMultipartUpload"] == {"DaysAfterInitiation": 7}, name


def _raw_rules(context):
    from aws_cdk.assertions import Template
    from f1lake_infra.config import config_from_context
    from f1lake_infra.storage import StorageStack

    stack = StorageStack(bare_app(), "S", config=config_from_context(context))
    raw = Template.from_stack(stack).to_json()["Resources"][logical_id(stack, stack.buckets.raw)]
    return {r["Id"]: r for r in raw["Properties"]["LifecycleConfiguration"]["Rules"]}


def test_the_raw_transition_follows_its_context():
    assert "current-raw-to-cheaper-storage" not in _raw_rules({"rawTransitionDays": "0"})
    rules = _raw_rules(
        {"rawTransitionDays": "45", "rawTransitionStorageClass": "INTELLIGENT_TIERING"}
    )
    assert rules["current-raw-to-cheaper-storage"]["Transitions"] == [
        {"StorageClass": "INTELLIGENT_TIERING", "TransitionInDays": 45}
    ]


def test_raw_objects_are_create_only_for_every_principal(synth):
    resolve = synth.resolver()
    storage = synth.stack("storage")
    raw_id = logical_id(storage, storage.buckets.raw)
    (policy,) = [
        p["Properties"]["PolicyDocument"]["Statement"]
        for p in of_type(synth.resources("storage"), "AWS::S3::BucketPolicy").values()
        if p["Properties"]["Bucket"] == {"Ref": raw_id}
    ]
    (deny,) = [s for s in policy if s.get("Sid") == "RawObjectsAreCreateOnly"]
    assert deny["Effect"] == "Deny" and deny["Principal"] == {"AWS": "*"}
    assert deny["Action"] == "s3:PutObject"
    assert resolve(deny["Resource"]) == f"arn:aws:s3:::{raw_id}/*"
    # a write without If-None-Match (an overwrite) is refused; multipart parts are exempt
    assert deny["Condition"] == {
        "Null": {"s3:if-none-match": "true"},
        "Bool": {"s3:ObjectCreationOperation": "true"},
    }
