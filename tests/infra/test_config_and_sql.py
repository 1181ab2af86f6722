"""Pure parts of the CDK app: context parsing, the saved-query/view plan from sql/athena, and
the crawler definition mapping (no synthesis)."""

from __future__ import annotations

from pathlib import Path

import pytest
from f1lake_infra.config import ConfigError, config_from_context
from f1lake_infra.sql_files import sql_files, view_plans


def test_context_from_the_command_line_is_coerced():
    # `cdk deploy -c key=value` passes every value as a string.
    config = config_from_context(
        {"processorTimeoutSeconds": "60", "retainData": "false", "rawBucketName": "my-raw"}
    )
    assert config.processor_timeout_seconds == 60
    assert config.queue_visibility_timeout_seconds == 360
    assert config.retain_data is False
    assert config.raw_bucket_name == "my-raw"
    assert config.processed_bucket_name is None  # CDK generates it


@pytest.mark.parametrize(
    ("context", "named"),
    [
        ({"processorTimeoutSeconds": "two minutes"}, "processorTimeoutSeconds"),
        ({"bytesScannedCutoffPerQuery": 1000}, "bytesScannedCutoffPerQuery"),
        ({"retainData": "maybe"}, "retainData"),
        ({"queueBatchSize": 50}, "queueBatchSize"),
        ({"glueDatabase": " "}, "glueDatabase"),
        ({"logRetentionDays": 31}, "logRetentionDays"),
        ({"rawTransitionStorageClass": "DEEP_ARCHIVE"}, "rawTransitionStorageClass"),
        (
            {"rawTransitionDays": 10, "rawTransitionStorageClass": "STANDARD_IA"},
            "rawTransitionDays",
        ),
        ({"alarmEmail": "not-an-address"}, "alarmEmail"),
        ({"airflowPrincipalArn": "mwaa-role"}, "airflowPrincipalArn"),
        ({"stackPrefix": "1lake"}, "stackPrefix"),
        ({"quicksight": "true"}, "quicksightPrincipalArn"),
        ({"accessLogsDays": 0}, "accessLogsDays"),
    ],
)
def test_bad_context_values_are_rejected_naming_the_key(context, named):
    with pytest.raises(ConfigError, match=named):
        config_from_context(context)


def test_defaults_are_the_documented_ones():
    config = config_from_context({})
    assert config.stack_prefix == "F1Lake"
    assert (config.raw_transition_days, config.raw_transition_storage_class) == (90, "GLACIER_IR")
    assert config.log_retention_days == 30
    assert config.quicksight is False and config.alarm_email is None
    assert config.airflow_principal_arn is None  # required when the access stack is built


def _sql_tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def test_views_are_ordered_after_the_views_they_read(tmp_path):
    root = _sql_tree(
        tmp_path,
        {
            "views/c_top.sql": "-- View: top\nCREATE OR REPLACE VIEW c_top AS SELECT * FROM b_mid",
            "views/b_mid.sql": "CREATE OR REPLACE VIEW b_mid AS SELECT x FROM a_base JOIN races",
            "views/a_base.sql": "CREATE OR REPLACE VIEW a_base AS SELECT x FROM results",
            "q.sql": "-- Season query.\n-- @param season integer  Year.\nSELECT :season AS season",
        },
    )
    plans = view_plans(root)
    assert [p.name for p in plans] == ["a_base", "b_mid", "c_top"]
    assert plans[0].tables == ("results",)
    assert plans[1].tables == ("races",) and plans[1].views == ("a_base",)
    assert [f.name for f in sql_files(root)] == [
        "q",
        "views/a_base",
        "views/b_mid",
        "views/c_top",
    ]
    assert sql_files(root)[0].description == "Season query."
    # Saved queries hold Athena's native form: positional ? and the name of each.
    assert sql_files(root)[0].text.endswith("SELECT ? AS season")
    assert sql_files(root)[0].parameters == ("season",)


def test_a_view_with_a_parameter_is_rejected(tmp_path):
    root = _sql_tree(
        tmp_path,
        {"views/v.sql": "CREATE OR REPLACE VIEW v AS SELECT * FROM results WHERE season = :s"},
    )
    with pytest.raises(ValueError, match=r"v\.sql: a view cannot take parameters"):
        view_plans(root)


def test_views_reading_each_other_in_a_cycle_are_rejected(tmp_path):
    root = _sql_tree(
        tmp_path,
        {
            "views/a.sql": "CREATE OR REPLACE VIEW a AS SELECT * FROM b",
            "views/b.sql": "CREATE OR REPLACE VIEW b AS SELECT * FROM a",
        },
    )
    with pytest.raises(ValueError, match="cycle"):
        view_plans(root)


def test_the_repository_views_plan(tmp_path):
    """Every view file of sql/athena is planned, none takes parameters."""
    plans = view_plans()
    from f1lake.query.dialect import VIEWS_DIR

    assert sorted(p.name for p in plans) == sorted(p.stem for p in VIEWS_DIR.glob("*.sql"))


def test_a_crawler_field_the_app_does_not_map_fails_the_synth():
    pytest.importorskip("aws_cdk", reason="aws-cdk-lib is not installed (uv sync --group cdk)")
    from f1lake_infra.catalog import crawler_properties

    kwargs = {
        "Name": "c",
        "Role": "arn:aws:iam::1:role/r",
        "DatabaseName": "db",
        "Targets": {"S3Targets": [{"Path": "s3://b/"}]},
        "LineageConfiguration": {"CrawlerLineageSettings": "ENABLE"},
    }
    with pytest.raises(ValueError, match="LineageConfiguration"):
        crawler_properties(kwargs)
