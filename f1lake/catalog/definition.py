"""The Glue crawler definition in ``glue/crawler.json``, loaded into typed values.

One file drives both the CDK app (``create_crawler_kwargs``) and the local crawler
(``load_definition``), so the catalog the local stack builds is the one AWS would build.
Placeholders such as ``${processed_bucket}`` are resolved from ``Settings`` (or from explicit
values, e.g. CDK tokens).
"""

from __future__ import annotations

import json
import string
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from f1lake.resources import CRAWLER_DEFINITION
from f1lake.settings import Settings

UpdateBehaviorValue = Literal["LOG", "UPDATE_IN_DATABASE"]
DeleteBehaviorValue = Literal["LOG", "DELETE_FROM_DATABASE", "DEPRECATE_IN_DATABASE"]
RecrawlBehaviorValue = Literal["CRAWL_EVERYTHING", "CRAWL_NEW_FOLDERS_ONLY", "CRAWL_EVENT_MODE"]


class DefinitionError(ValueError):
    """The crawler definition file is malformed or cannot be resolved."""


class _GlueShape(BaseModel):
    """Field names are the Glue API's PascalCase names; unknown keys are an error, not ignored."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class S3Target(_GlueShape):
    Path: str
    Exclusions: tuple[str, ...] = ()
    SampleSize: int | None = Field(None, ge=1, le=249)

    @model_validator(mode="after")
    def _s3_url(self) -> S3Target:
        if not self.Path.startswith("s3://") or len(self.Path) <= len("s3://"):
            raise ValueError(
                f"S3 target path must look like s3://bucket/prefix/, got {self.Path!r}"
            )
        return self

    @property
    def bucket(self) -> str:
        return self.Path[len("s3://") :].split("/", 1)[0]

    @property
    def prefix(self) -> str:
        """Key prefix inside the bucket ('' or ending in '/')."""
        rest = self.Path[len("s3://") :].partition("/")[2]
        return rest if not rest or rest.endswith("/") else rest + "/"


class TargetsSpec(_GlueShape):
    S3Targets: tuple[S3Target, ...] = Field(min_length=1)


class SchemaChangePolicySpec(_GlueShape):
    UpdateBehavior: UpdateBehaviorValue = "UPDATE_IN_DATABASE"
    DeleteBehavior: DeleteBehaviorValue = "DEPRECATE_IN_DATABASE"


class RecrawlPolicySpec(_GlueShape):
    RecrawlBehavior: RecrawlBehaviorValue = "CRAWL_EVERYTHING"


class CrawlerDefinition(_GlueShape):
    """A resolved crawler definition (placeholders already substituted)."""

    Name: str
    Description: str = ""
    DatabaseName: str
    Targets: TargetsSpec
    Schedule: str | None = None
    SchemaChangePolicy: SchemaChangePolicySpec = SchemaChangePolicySpec()
    RecrawlPolicy: RecrawlPolicySpec = RecrawlPolicySpec()
    Configuration: dict[str, Any] = Field(default_factory=dict)
    Tags: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _consistent(self) -> CrawlerDefinition:
        # Glue rejects an incremental crawler whose schema policy would change tables.
        if self.incremental and (
            self.SchemaChangePolicy.UpdateBehavior != "LOG"
            or self.SchemaChangePolicy.DeleteBehavior != "LOG"
        ):
            raise ValueError(
                "RecrawlBehavior CRAWL_NEW_FOLDERS_ONLY requires SchemaChangePolicy "
                "UpdateBehavior=LOG and DeleteBehavior=LOG"
            )
        level = self.table_level
        if level is not None and (not isinstance(level, int) or level < 1):
            raise ValueError(
                f"Grouping.TableLevelConfiguration must be a positive int, got {level!r}"
            )
        return self

    @property
    def incremental(self) -> bool:
        return self.RecrawlPolicy.RecrawlBehavior == "CRAWL_NEW_FOLDERS_ONLY"

    @property
    def table_level(self) -> int | None:
        """Absolute S3 level of table folders (the bucket is level 1), if configured."""
        return self.Configuration.get("Grouping", {}).get("TableLevelConfiguration")

    @property
    def partitions_inherit_from_table(self) -> bool:
        partitions = self.Configuration.get("CrawlerOutput", {}).get("Partitions", {})
        return partitions.get("AddOrUpdateBehavior") == "InheritFromTable"


def placeholder_values(settings: Settings) -> dict[str, str]:
    """Every scalar setting, usable as ``${name}`` in the definition file."""
    return {
        name: str(value)
        for name, value in settings.model_dump().items()
        if isinstance(value, str | int | float | bool)
    }


def _resolve(node: Any, values: Mapping[str, str], where: str) -> Any:
    if isinstance(node, str):
        try:
            return string.Template(node).substitute(values)
        except KeyError as exc:
            raise DefinitionError(
                f"unknown placeholder ${{{exc.args[0]}}} at {where} "
                f"(known: {', '.join(sorted(values))})"
            ) from None
        except ValueError as exc:
            raise DefinitionError(f"bad placeholder in {node!r} at {where}: {exc}") from None
    if isinstance(node, dict):
        return {k: _resolve(v, values, f"{where}.{k}") for k, v in node.items()}
    if isinstance(node, list):
        return [_resolve(v, values, f"{where}[{i}]") for i, v in enumerate(node)]
    return node


def parse_definition(raw: Mapping[str, Any], values: Mapping[str, str]) -> CrawlerDefinition:
    """Pure: resolve placeholders in a raw definition and validate it."""
    resolved = _resolve(dict(raw), values, "$")
    try:
        return CrawlerDefinition.model_validate(resolved)
    except ValidationError as exc:
        raise DefinitionError(f"invalid crawler definition: {exc}") from None


def load_definition(
    settings: Settings,
    *,
    overrides: Mapping[str, str] | None = None,
    path: Path = CRAWLER_DEFINITION,
) -> CrawlerDefinition:
    """Load ``glue/crawler.json`` with placeholders from settings (``overrides`` win)."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DefinitionError(f"crawler definition not found: {path}") from None
    except json.JSONDecodeError as exc:
        raise DefinitionError(f"crawler definition {path} is not valid JSON: {exc}") from None
    if not isinstance(raw, dict):
        raise DefinitionError(f"crawler definition {path} must be a JSON object")
    values = {**placeholder_values(settings), **(overrides or {})}
    return parse_definition(raw, values)


def to_create_crawler_kwargs(definition: CrawlerDefinition, role_arn: str) -> dict[str, Any]:
    """Pure: boto3 ``glue.create_crawler`` keyword arguments (Configuration as a JSON string)."""
    kwargs = definition.model_dump(exclude_none=True)
    kwargs["Role"] = role_arn
    kwargs["Targets"] = {
        "S3Targets": [
            {k: (list(v) if isinstance(v, tuple) else v) for k, v in t.items()}
            for t in kwargs["Targets"]["S3Targets"]
        ]
    }
    if definition.Configuration:
        kwargs["Configuration"] = json.dumps(definition.Configuration, separators=(",", ":"))
    else:
        kwargs.pop("Configuration")
    if not definition.Tags:
        kwargs.pop("Tags")
    if not definition.Description:
        kwargs.pop("Description")
    return kwargs


def create_crawler_kwargs(
    settings: Settings,
    role_arn: str,
    *,
    overrides: Mapping[str, str] | None = None,
    path: Path = CRAWLER_DEFINITION,
) -> dict[str, Any]:
    """``glue.create_crawler(**kwargs)`` for these settings; ``overrides`` can carry CDK tokens."""
    return to_create_crawler_kwargs(
        load_definition(settings, overrides=overrides, path=path), role_arn
    )
