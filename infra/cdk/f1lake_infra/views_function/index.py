"""Create the Athena views of sql/athena/views from their saved queries (boto3 only).

Runs as the views custom resource (on deploy) and after every successful crawl: a view is
created once every catalog table it reads exists, so a first deploy on an empty lake succeeds
and the views appear with the first crawled data.

Environment: F1LAKE_GLUE_DATABASE, F1LAKE_ATHENA_WORKGROUP and F1LAKE_VIEWS, a JSON list in
creation order of {"name", "query_id", "tables", "views"}.
"""

from __future__ import annotations

import json
import logging
import os
import time
from typing import Any

import boto3

log = logging.getLogger()
log.setLevel(logging.INFO)

POLL_SECONDS = 1.0
QUERY_TIMEOUT_SECONDS = 120.0


class ViewError(RuntimeError):
    """A view's CREATE statement did not succeed; the message names the view and why."""


def existing_tables(glue: Any, database: str) -> set[str]:
    names: set[str] = set()
    for page in glue.get_paginator("get_tables").paginate(DatabaseName=database):
        names.update(t["Name"].lower() for t in page.get("TableList", []))
    return names


def _wait(athena: Any, execution_id: str, view: str) -> None:
    deadline = time.monotonic() + QUERY_TIMEOUT_SECONDS
    while True:
        status = athena.get_query_execution(QueryExecutionId=execution_id)["QueryExecution"][
            "Status"
        ]
        state = status["State"]
        if state == "SUCCEEDED":
            return
        if state in ("FAILED", "CANCELLED"):
            reason = status.get("StateChangeReason") or status.get("AthenaError", {}).get(
                "ErrorMessage", "no reason given"
            )
            raise ViewError(f"view {view}: query {execution_id} {state}: {reason}")
        if time.monotonic() > deadline:
            raise ViewError(f"view {view}: query {execution_id} still {state} after timeout")
        time.sleep(POLL_SECONDS)


def apply_views(
    views: list[dict[str, Any]],
    *,
    database: str,
    workgroup: str,
    athena: Any,
    glue: Any,
) -> dict[str, list[str]]:
    """Create every view whose tables exist, in order; the rest are skipped with a reason."""
    tables = existing_tables(glue, database)
    created: list[str] = []
    skipped: list[str] = []
    for view in views:
        missing = [t for t in view["tables"] if t.lower() not in tables]
        missing += [v for v in view["views"] if v not in created]
        if missing:
            skipped.append(view["name"])
            log.info("view %s: waiting for %s", view["name"], ", ".join(missing))
            continue
        sql = athena.get_named_query(NamedQueryId=view["query_id"])["NamedQuery"]["QueryString"]
        execution_id = athena.start_query_execution(
            QueryString=sql,
            QueryExecutionContext={"Database": database},
            WorkGroup=workgroup,
        )["QueryExecutionId"]
        _wait(athena, execution_id, view["name"])
        created.append(view["name"])
        log.info("view %s: created", view["name"])
    return {"created": created, "skipped": skipped}


def handler(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    """Custom resource (Provider framework) or EventBridge 'Glue Crawler State Change'."""
    database = os.environ["F1LAKE_GLUE_DATABASE"]
    workgroup = os.environ["F1LAKE_ATHENA_WORKGROUP"]
    physical_id = f"{database}-views"
    if event.get("RequestType") == "Delete":
        # The views live in the catalog stack's Glue database, which goes with that stack.
        return {"PhysicalResourceId": event.get("PhysicalResourceId", physical_id)}
    outcome = apply_views(
        json.loads(os.environ["F1LAKE_VIEWS"]),
        database=database,
        workgroup=workgroup,
        athena=boto3.client("athena"),
        glue=boto3.client("glue"),
    )
    log.info("views: %s", json.dumps(outcome))
    if "RequestType" not in event:
        return outcome
    return {
        "PhysicalResourceId": physical_id,
        "Data": {k: ",".join(v) for k, v in outcome.items()},
    }
