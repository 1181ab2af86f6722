"""The views function (custom resource + after-crawl hook) against Athena and Glue on moto:
views wait for their tables, run in order from their saved queries, and report what they did."""

from __future__ import annotations

import json
import uuid

import boto3
import pytest
from f1lake_infra.views_function import index


@pytest.fixture
def aws(moto_endpoint, monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_endpoint)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    suffix = uuid.uuid4().hex[:8]
    database, workgroup = f"db_{suffix}", f"wg_{suffix}"
    athena = boto3.client("athena", endpoint_url=moto_endpoint, region_name="us-east-1")
    glue = boto3.client("glue", endpoint_url=moto_endpoint, region_name="us-east-1")
    athena.create_work_group(
        Name=workgroup,
        Configuration={"ResultConfiguration": {"OutputLocation": "s3://results/"}},
    )
    glue.create_database(DatabaseInput={"Name": database})
    yield athena, glue, database, workgroup
    glue.delete_database(Name=database)
    athena.delete_work_group(WorkGroup=workgroup, RecursiveDeleteOption=True)


def _saved(athena, database, workgroup, name, sql):
    return athena.create_named_query(
        Name=f"views/{name}", Database=database, QueryString=sql, WorkGroup=workgroup
    )["NamedQueryId"]


def _plan(athena, database, workgroup):
    return [
        {
            "name": "base",
            "query_id": _saved(athena, database, workgroup, "base",
                               "CREATE OR REPLACE VIEW base AS SELECT * FROM results"),
            "tables": ["results"],
            "views": [],
        },
        {
            "name": "constants",
            "query_id": _saved(athena, database, workgroup, "constants",
                               "CREATE OR REPLACE VIEW constants AS SELECT 1 AS one"),
            "tables": [],
            "views": [],
        },
        {
            "name": "top",
            "query_id": _saved(athena, database, workgroup, "top",
                               "CREATE OR REPLACE VIEW top AS SELECT * FROM base"),
            "tables": [],
            "views": ["base"],
        },
    ]  # fmt: skip


def _executed(athena, workgroup):
    ids = athena.list_query_executions(WorkGroup=workgroup)["QueryExecutionIds"]
    return {athena.get_query_execution(QueryExecutionId=i)["QueryExecution"]["Query"] for i in ids}


def test_views_wait_for_their_tables_then_are_created(aws):
    athena, glue, database, workgroup = aws
    plan = _plan(athena, database, workgroup)

    first = index.apply_views(
        plan, database=database, workgroup=workgroup, athena=athena, glue=glue
    )
    # Empty lake (first deploy): only the view with no tables is created; the rest wait,
    # including `top`, which reads a view that could not be created yet.
    assert first == {"created": ["constants"], "skipped": ["base", "top"]}
    assert _executed(athena, workgroup) == {"CREATE OR REPLACE VIEW constants AS SELECT 1 AS one"}

    glue.create_table(
        DatabaseName=database,
        TableInput={"Name": "results", "StorageDescriptor": {"Columns": [], "Location": "s3://p/"}},
    )
    second = index.apply_views(
        plan, database=database, workgroup=workgroup, athena=athena, glue=glue
    )
    assert second == {"created": ["base", "constants", "top"], "skipped": []}
    assert "CREATE OR REPLACE VIEW top AS SELECT * FROM base" in _executed(athena, workgroup)


def test_handler_answers_the_custom_resource_and_the_crawler_event(aws, monkeypatch):
    athena, _glue, database, workgroup = aws
    monkeypatch.setenv("F1LAKE_GLUE_DATABASE", database)
    monkeypatch.setenv("F1LAKE_ATHENA_WORKGROUP", workgroup)
    monkeypatch.setenv("F1LAKE_VIEWS", json.dumps(_plan(athena, database, workgroup)))

    created = index.handler({"RequestType": "Create", "ResourceProperties": {}})
    assert created["PhysicalResourceId"] == f"{database}-views"
    assert created["Data"] == {"created": "constants", "skipped": "base,top"}

    crawled = index.handler(
        {"source": "aws.glue", "detail-type": "Glue Crawler State Change", "detail": {}}
    )
    assert crawled == {"created": ["constants"], "skipped": ["base", "top"]}

    deleted = index.handler({"RequestType": "Delete", "PhysicalResourceId": "x"})
    assert deleted == {"PhysicalResourceId": "x"}


def test_a_failed_view_names_the_view_and_the_reason():
    """moto reports every query as SUCCEEDED, so the failing Athena (an edge we do not own)
    is a stand-in here."""

    class FailingAthena:
        def get_named_query(self, NamedQueryId):
            return {"NamedQuery": {"QueryString": "CREATE OR REPLACE VIEW v AS SELECT nope"}}

        def start_query_execution(self, **_):
            return {"QueryExecutionId": "q-1"}

        def get_query_execution(self, QueryExecutionId):
            return {
                "QueryExecution": {
                    "Status": {"State": "FAILED", "StateChangeReason": "COLUMN_NOT_FOUND: nope"}
                }
            }

    class EmptyGlue:
        def get_paginator(self, _name):
            return self

        def paginate(self, **_):
            return [{"TableList": []}]

    with pytest.raises(index.ViewError, match="view v: query q-1 FAILED: COLUMN_NOT_FOUND"):
        index.apply_views(
            [{"name": "v", "query_id": "id", "tables": [], "views": []}],
            database="db",
            workgroup="wg",
            athena=FailingAthena(),
            glue=EmptyGlue(),
        )
