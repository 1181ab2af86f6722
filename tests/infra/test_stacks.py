"""The app as a whole: stacks by concern wired by references, one source for the crawler and the
SQL shared with the local stack, and cdk-nag's AwsSolutions pack with no unsuppressed finding."""

from __future__ import annotations

import json
import re

import pytest

from f1lake.catalog.definition import create_crawler_kwargs
from f1lake.query.dialect import bind, placeholders, to_athena
from f1lake.query.params import parse_params
from f1lake.resources import SQL_ROOT
from f1lake.settings import PROJECT_ROOT, Settings
from tests.infra.conftest import FIELDS, logical_id, of_type, only, sql_paths

pytest.importorskip("aws_cdk", reason="aws-cdk-lib is not installed (uv sync --group cdk)")

from aws_cdk.assertions import Annotations, Match
from f1lake_infra.nag import SUPPRESSIONS

README = PROJECT_ROOT / "infra" / "cdk" / "README.md"


def test_stacks_by_concern_depend_on_storage_and_not_the_other_way(synth):
    s = synth.stacks
    names = {f: getattr(s, f).stack_name for f in FIELDS}
    assert names == {
        "storage": "F1LakeStorage",
        "processing": "F1LakeProcessing",
        "catalog": "F1LakeCatalog",
        "analytics": "F1LakeAnalytics",
        "access": "F1LakeAccess",
        "quicksight": "F1LakeQuickSight",
    }
    deps = {f: {d.stack_name for d in getattr(s, f).dependencies} for f in FIELDS}
    assert deps["storage"] == set()  # the data never waits for (or goes with) the compute
    for field in ("processing", "catalog", "analytics", "access", "quicksight"):
        assert "F1LakeStorage" in deps[field], field
    assert "F1LakeCatalog" in deps["analytics"]
    assert "F1LakeAnalytics" in deps["quicksight"]
    # Storage holds buckets only (and CDK's auto-delete helper of the disposable results).
    types = {r["Type"] for r in synth.resources("storage").values()}
    assert types <= {
        "AWS::S3::Bucket",
        "AWS::S3::BucketPolicy",
        "Custom::S3AutoDeleteObjects",
        "AWS::IAM::Role",
        "AWS::Lambda::Function",
    }, types


def test_crawler_is_what_the_local_crawler_loads_from_glue_crawler_json(synth):
    """The same glue/crawler.json, through the same loader, feeds both stacks."""
    resolve = synth.resolver()
    catalog = synth.stack("catalog")
    crawler = resolve(only(synth.resources("catalog"), "AWS::Glue::Crawler"))
    processed_id = logical_id(synth.stack("storage"), synth.stack("storage").buckets.processed)
    role_id = logical_id(catalog, catalog.catalog.crawler_role)
    local = create_crawler_kwargs(
        Settings(glue_database=synth.config.glue_database, processed_bucket=processed_id),
        f"{role_id}.Arn",
    )
    assert crawler["Name"] == local["Name"]
    assert crawler["DatabaseName"] == local["DatabaseName"]
    assert crawler["Description"] == local["Description"]
    assert crawler["Role"] == local["Role"]
    assert crawler["Targets"] == local["Targets"]
    assert crawler["Schedule"] == {"ScheduleExpression": local["Schedule"]}
    assert crawler["SchemaChangePolicy"] == local["SchemaChangePolicy"]
    assert crawler["RecrawlPolicy"] == local["RecrawlPolicy"]
    assert json.loads(crawler["Configuration"]) == json.loads(local["Configuration"])
    assert crawler["Tags"] == local["Tags"]
    database = only(synth.resources("catalog"), "AWS::Glue::Database")
    assert database["DatabaseInput"]["Name"] == synth.config.glue_database


def test_saved_queries_are_the_sql_files_the_local_engine_runs(synth):
    """One saved query per file: Athena's native form of the very text ``f1lake sql`` binds."""
    resources = synth.resources("analytics")
    queries = {
        q["Properties"]["Name"]: q["Properties"]
        for q in of_type(resources, "AWS::Athena::NamedQuery").values()
    }
    expected = {p.relative_to(SQL_ROOT).with_suffix("").as_posix(): p for p in sql_paths()}
    assert set(queries) == set(expected)
    workgroup = logical_id(synth.stack("analytics"), synth.stack("analytics").analytics.workgroup)
    for name, path in expected.items():
        text = path.read_text(encoding="utf-8")
        saved = queries[name]
        assert saved["QueryString"] == to_athena(text).sql, name
        assert saved["WorkGroup"] == {"Ref": workgroup}
        assert saved["Database"] == synth.config.glue_database
        specs = parse_params(text)
        if not specs:
            assert saved["QueryString"] == text
            continue
        # Binding Athena's ? in order gives exactly what the local engine runs.
        values = {s.name: 2021 if s.type in {"integer", "bigint"} else "x" for s in specs}
        local = bind(text, values, specs)
        literal = {
            s.name: bind(f"SELECT :{s.name}", {s.name: values[s.name]}, [s]).removeprefix("SELECT ")
            for s in specs
        }
        native, rebuilt, shift, last = saved["QueryString"], [], 0, 0
        for mark in placeholders(text):  # where each ? of the saved query sits
            at = mark.start + shift
            assert native[at] == "?", name
            rebuilt += [native[last:at], literal[mark.name]]
            last, shift = at + 1, shift + 1 - (mark.end - mark.start)
        rebuilt = "".join([*rebuilt, native[last:]])
        assert rebuilt == local, name


def test_workgroup_caps_bytes_scanned_and_enforces_its_results_location(synth):
    config = only(synth.resources("analytics"), "AWS::Athena::WorkGroup")["WorkGroupConfiguration"]
    assert config["BytesScannedCutoffPerQuery"] == synth.config.bytes_scanned_cutoff_per_query
    assert config["EnforceWorkGroupConfiguration"] is True
    assert config["ResultConfiguration"]["EncryptionConfiguration"] == {
        "EncryptionOption": "SSE_S3"
    }
    results_id = logical_id(synth.stack("storage"), synth.stack("storage").buckets.athena_results)
    assert synth.resolver()(config["ResultConfiguration"]["OutputLocation"]) == (
        f"s3://{results_id}/results/"
    )


def _join_to_text(value, names):
    if isinstance(value, str):
        return value
    parts = value["Fn::Join"][1]
    return "".join(p if isinstance(p, str) else names[p["Fn::GetAtt"][0]] for p in parts)


def test_views_are_created_from_their_saved_queries_dependencies_first(synth):
    analytics = synth.stack("analytics").analytics
    resources = synth.resources("analytics")
    fn = resources[logical_id(synth.stack("analytics"), analytics.views_function)]["Properties"]
    names = {
        qid: q["Properties"]["Name"]
        for qid, q in of_type(resources, "AWS::Athena::NamedQuery").items()
    }
    views = json.loads(_join_to_text(fn["Environment"]["Variables"]["F1LAKE_VIEWS"], names))
    view_files = sorted((SQL_ROOT / "views").glob("*.sql"))
    assert views and len(views) == len(view_files)
    seen: set[str] = set()
    for view in views:
        assert set(view["views"]) <= seen, f"{view['name']} comes before a view it reads"
        assert view["query_id"] == f"views/{view['name']}"
        seen.add(view["name"])
    rule = only(resources, "AWS::Events::Rule")
    assert rule["EventPattern"]["detail"] == {
        "crawlerName": [synth.stack("catalog").catalog.crawler_name],
        "state": ["Succeeded"],
    }


@pytest.mark.parametrize("field", FIELDS)
def test_cdk_nag_finds_nothing_unsuppressed(synth, field):
    annotations = Annotations.from_stack(synth.stack(field))
    # has_no_* raise naming the findings; find_* would hand back MetadataEntry objects, which
    # jsii cannot type here (see the next test).
    annotations.has_no_error("*", Match.string_like_regexp("AwsSolutions-.*"))
    annotations.has_no_warning("*", Match.string_like_regexp("AwsSolutions-.*"))


def test_cdk_nag_would_report_an_unsuppressed_finding():
    """The pack runs on our stacks: a bucket with no access logs is an error."""
    import aws_cdk as cdk
    from aws_cdk import aws_s3 as s3
    from f1lake_infra.nag import apply_nag
    from f1lake_infra.stacks import F1LakeStacks

    app = cdk.App()
    stack = cdk.Stack(app, "Probe")
    s3.Bucket(stack, "Unlogged", enforce_ssl=True)
    apply_nag(app, F1LakeStacks(*[None] * len(FIELDS)))  # no suppression applies
    # has_error raises when nothing matches. (find_error would hand back MetadataEntry objects,
    # which jsii cannot type when the aws-cdk.cloud-assembly-schema wheel overwrote aws-cdk-lib's
    # module of the same name, as an install may.)
    Annotations.from_stack(stack).has_error("*", Match.string_like_regexp("AwsSolutions-S1.*"))


def test_wildcard_suppressions_match_this_apps_buckets_and_database_only(synth):
    from f1lake_infra.nag import deployment_names, nag_suppression

    names = deployment_names(synth.stacks)
    storage = synth.stack("storage")
    raw = logical_id(storage, storage.buckets.raw)
    db = synth.config.glue_database
    patterns = [
        a.regex.strip("/")
        for s in SUPPRESSIONS
        if s.rule == "AwsSolutions-IAM5" and s.path is None
        for a in nag_suppression(s, names).applies_to
    ]

    def suppressed(finding):
        return any(re.search(p, finding) for p in patterns)

    assert suppressed(f"Resource::<{raw}.Arn>/results/season=*")
    assert suppressed(f"Resource::{storage.stack_name}:ExportsOutputFnGetAtt{raw}Arn0A1B2C3D/*")
    assert not suppressed(f"Resource::OtherStack:ExportsOutputFnGetAtt{raw}Arn0A1B2C3D/*")
    assert not suppressed("Resource::<SomeoneElsesBucket1234.Arn>/*")
    table = "Resource::arn:<AWS::Partition>:glue:<AWS::Region>:<AWS::AccountId>:table/{}/*"
    assert suppressed(table.format(db))
    assert not suppressed(table.format("other_db"))


def test_every_suppression_says_why_and_the_readme_lists_it():
    readme = README.read_text(encoding="utf-8")
    for s in SUPPRESSIONS:
        assert len(s.reason) >= 60, f"{s.rule}: give a real reason"
        assert s.rule in readme, f"{s.rule} is suppressed but infra/cdk/README.md does not say so"
        for pattern in s.applies_to:
            re.compile(pattern)


def test_context_keys_are_documented():
    from f1lake_infra.config import CONTEXT_KEYS

    readme = README.read_text(encoding="utf-8")
    undocumented = [k for k in CONTEXT_KEYS if f"`{k}`" not in readme]
    assert not undocumented, f"infra/cdk/README.md does not document: {undocumented}"
