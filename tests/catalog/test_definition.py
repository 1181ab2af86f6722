"""The crawler definition in glue/crawler.json: loads, resolves, renders valid Glue API calls."""

from __future__ import annotations

import json
from pathlib import Path

import botocore.session
import pytest
from botocore.validate import ParamValidationError, validate_parameters

from f1lake.aws import client
from f1lake.catalog.definition import DefinitionError, create_crawler_kwargs, load_definition
from f1lake.catalog.discovery import plan_layout
from f1lake.catalog.globs import is_excluded
from f1lake.resources import CRAWLER_DEFINITION
from f1lake.settings import Settings

ROLE = "arn:aws:iam::123456789012:role/f1lake-crawler"


def _create_crawler_shape():
    model = botocore.session.get_session().get_service_model("glue")
    return model.operation_model("CreateCrawler").input_shape


def test_definition_resolves_placeholders_from_settings() -> None:
    settings = Settings(glue_database="lake_db", processed_bucket="my-processed")
    d = load_definition(settings)
    assert d.DatabaseName == "lake_db"
    assert [t.Path for t in d.Targets.S3Targets] == ["s3://my-processed/"]
    assert "lake_db" in d.Name
    # One table per top-level prefix: tables sit at level 2 when the bucket is level 1.
    assert d.table_level == 2
    assert d.incremental
    assert d.partitions_inherit_from_table


def test_rendered_kwargs_are_valid_for_the_glue_api() -> None:
    kwargs = create_crawler_kwargs(Settings(processed_bucket="my-processed"), ROLE)
    validate_parameters(kwargs, _create_crawler_shape())  # raises on any invalid shape
    assert kwargs["Role"] == ROLE
    assert kwargs["RecrawlPolicy"] == {"RecrawlBehavior": "CRAWL_NEW_FOLDERS_ONLY"}
    assert kwargs["SchemaChangePolicy"] == {"UpdateBehavior": "LOG", "DeleteBehavior": "LOG"}
    raw = json.loads(CRAWLER_DEFINITION.read_text())
    assert json.loads(kwargs["Configuration"]) == raw["Configuration"]


def test_the_validator_would_catch_a_bad_rendering() -> None:
    """Guards the test above: botocore's model really rejects a malformed call."""
    kwargs = create_crawler_kwargs(Settings(), ROLE)
    kwargs["Configuration"] = {"Version": 1.0}  # must be a JSON string
    with pytest.raises(ParamValidationError):
        validate_parameters(kwargs, _create_crawler_shape())


def test_overrides_carry_values_such_as_cdk_tokens() -> None:
    kwargs = create_crawler_kwargs(
        Settings(), ROLE, overrides={"processed_bucket": "${Token[Bucket.123]}"}
    )
    assert kwargs["Targets"]["S3Targets"][0]["Path"] == "s3://${Token[Bucket.123]}/"


def test_glue_accepts_the_rendered_crawler(settings: Settings) -> None:
    glue = client("glue", settings)
    glue.create_database(DatabaseInput={"Name": settings.glue_database})
    kwargs = create_crawler_kwargs(settings, ROLE)
    glue.create_crawler(**kwargs)
    try:
        got = glue.get_crawler(Name=kwargs["Name"])["Crawler"]
        assert got["Targets"]["S3Targets"][0]["Path"] == f"s3://{settings.processed_bucket}/"
        assert got["RecrawlPolicy"]["RecrawlBehavior"] == "CRAWL_NEW_FOLDERS_ONLY"
    finally:
        glue.delete_crawler(Name=kwargs["Name"])


def _write(tmp_path: Path, **changes: object) -> Path:
    raw = json.loads(CRAWLER_DEFINITION.read_text())
    raw.update(changes)
    path = tmp_path / "crawler.json"
    path.write_text(json.dumps(raw))
    return path


def test_unknown_placeholder_is_named(tmp_path: Path) -> None:
    path = _write(tmp_path, DatabaseName="${no_such_setting}")
    with pytest.raises(DefinitionError, match=r"no_such_setting.*DatabaseName"):
        load_definition(Settings(), path=path)


def test_incremental_crawl_with_schema_updates_is_rejected(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        SchemaChangePolicy={"UpdateBehavior": "UPDATE_IN_DATABASE", "DeleteBehavior": "LOG"},
    )
    with pytest.raises(DefinitionError, match="CRAWL_NEW_FOLDERS_ONLY requires"):
        load_definition(Settings(), path=path)


def test_misspelt_key_is_an_error_not_ignored(tmp_path: Path) -> None:
    path = _write(tmp_path, RecrawlPolicies={"RecrawlBehavior": "CRAWL_EVERYTHING"})
    with pytest.raises(DefinitionError, match="RecrawlPolicies"):
        load_definition(Settings(), path=path)


@pytest.mark.parametrize(
    ("key", "pattern", "excluded"),
    [
        ("results/season=2023/2023-01.error.json", "**.error.json", True),
        ("results/2023.error.json", "**.error.json", True),
        ("results/season=2023/2023-01.parquet", "**.error.json", False),
        ("results/_SUCCESS", "**/_*", True),
        ("results/season=2023/_tmp/x.parquet", "**/_*/**", True),
        ("_staging/season=2023/x.parquet", "_*/**", True),
        ("results/season=2023/x.parquet", "*.parquet", False),  # '*' stays in one folder
        ("results/x.parquet", "results/*.parquet", True),
        ("races/x.csv", "{races,results}/*.csv", True),
        ("drivers/x.csv", "{races,results}/*.csv", False),
    ],
)
def test_exclude_patterns_match_like_glue(key: str, pattern: str, excluded: bool) -> None:
    assert is_excluded(key, [pattern]) is excluded


def test_layout_groups_keys_into_tables_and_season_partitions() -> None:
    target = load_definition(Settings(processed_bucket="pb")).Targets.S3Targets[0]
    keys = [
        "results/season=2023/2023-01.parquet",
        "results/season=2023/2023-02.parquet",
        "results/season=2024/2024-01.parquet",
        "results/season=2024/2024-02.error.json",
        "drivers/drivers.parquet",
        "notes.txt",
        "races/season=2023/2023-01.csv",
    ]
    layout = plan_layout(target, keys, table_level=2)
    assert set(layout.tables) == {"results", "drivers"}
    results = layout.tables["results"]
    assert results.location == "s3://pb/results/"
    assert results.partition_keys == ("season",)
    assert {v: p.location for v, p in results.partitions.items()} == {
        ("2023",): "s3://pb/results/season=2023/",
        ("2024",): "s3://pb/results/season=2024/",
    }
    assert len(results.partitions[("2023",)].files) == 2
    assert layout.tables["drivers"].partition_keys == ()
    assert layout.excluded == ["s3://pb/results/season=2024/2024-02.error.json"]
    assert {p for p, _ in layout.skipped} == {
        "s3://pb/notes.txt",
        "s3://pb/races/season=2023/2023-01.csv",
    }
