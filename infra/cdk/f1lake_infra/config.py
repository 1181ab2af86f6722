"""Deployment parameters, read from CDK context (``cdk.json`` or ``cdk deploy -c key=value``).

Defaults come from ``f1lake.settings.Settings`` where the local stack has the same knob, so a
deployment and the local stack agree unless told otherwise.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from f1lake.settings import Settings

SDK_PANDAS_ACCOUNT = "336392948345"
"""Publisher of the AWS SDK for pandas managed layers (ap-east-1 and a few opt-in regions use
another account: pass ``sdkPandasLayerArn`` there)."""
SDK_PANDAS_LAYER_VERSION = 20
"""A layer version published in every standard region; the version numbers differ per region,
see https://aws-sdk-pandas.readthedocs.io/en/stable/layers.html to pin a newer one."""
MIN_BYTES_SCANNED_CUTOFF = 10 * 1024 * 1024
"""Athena's lower bound for a workgroup's per-query scan limit."""

_DEFAULTS = Settings.model_fields


class ConfigError(ValueError):
    """A context value is missing its expected type or range; the message names the key."""


@dataclass(frozen=True)
class DeployConfig:
    """Everything the stack can be told; ``None`` bucket names let CDK generate unique ones."""

    raw_bucket_name: str | None = None
    processed_bucket_name: str | None = None
    quarantine_bucket_name: str | None = None
    athena_results_bucket_name: str | None = None
    glue_database: str = _DEFAULTS["glue_database"].default
    athena_workgroup: str = _DEFAULTS["athena_workgroup"].default
    bytes_scanned_cutoff_per_query: int = 1024**3
    sdk_pandas_layer_arn: str | None = None
    sdk_pandas_layer_version: int = SDK_PANDAS_LAYER_VERSION
    processor_timeout_seconds: int = 120
    processor_memory_mb: int = 1024
    processor_max_concurrency: int = 5
    queue_batch_size: int = 10
    retain_data: bool = True
    athena_results_days: int = 30
    quarantine_days: int = 365

    @property
    def queue_visibility_timeout_seconds(self) -> int:
        """AWS's guidance for an SQS event source: at least six times the function timeout."""
        return 6 * self.processor_timeout_seconds


# context key -> (field, type)
CONTEXT_KEYS: dict[str, tuple[str, type]] = {
    "rawBucketName": ("raw_bucket_name", str),
    "processedBucketName": ("processed_bucket_name", str),
    "quarantineBucketName": ("quarantine_bucket_name", str),
    "athenaResultsBucketName": ("athena_results_bucket_name", str),
    "glueDatabase": ("glue_database", str),
    "athenaWorkgroup": ("athena_workgroup", str),
    "bytesScannedCutoffPerQuery": ("bytes_scanned_cutoff_per_query", int),
    "sdkPandasLayerArn": ("sdk_pandas_layer_arn", str),
    "sdkPandasLayerVersion": ("sdk_pandas_layer_version", int),
    "processorTimeoutSeconds": ("processor_timeout_seconds", int),
    "processorMemoryMb": ("processor_memory_mb", int),
    "processorMaxConcurrency": ("processor_max_concurrency", int),
    "queueBatchSize": ("queue_batch_size", int),
    "retainData": ("retain_data", bool),
    "athenaResultsDays": ("athena_results_days", int),
    "quarantineDays": ("quarantine_days", int),
}


def _coerce(key: str, value: Any, type_: type) -> Any:
    # `cdk deploy -c key=value` always gives strings; cdk.json gives JSON types.
    if type_ is bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in {"true", "false"}:
            return value.lower() == "true"
        raise ConfigError(f"context {key!r} must be true or false, got {value!r}")
    if type_ is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            return int(value)
        raise ConfigError(f"context {key!r} must be an integer, got {value!r}")
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"context {key!r} must be a non-empty string, got {value!r}")
    return value.strip()


def config_from_context(context: Mapping[str, Any]) -> DeployConfig:
    """Pure: the deployment parameters from CDK context values (unknown keys are ignored)."""
    values = {
        field: _coerce(key, context[key], type_)
        for key, (field, type_) in CONTEXT_KEYS.items()
        if context.get(key) is not None
    }
    config = DeployConfig(**values)
    if config.bytes_scanned_cutoff_per_query < MIN_BYTES_SCANNED_CUTOFF:
        raise ConfigError(
            f"context 'bytesScannedCutoffPerQuery' must be at least {MIN_BYTES_SCANNED_CUTOFF} "
            f"(Athena's minimum, 10 MB), got {config.bytes_scanned_cutoff_per_query}"
        )
    if not 1 <= config.processor_timeout_seconds <= 900:
        raise ConfigError("context 'processorTimeoutSeconds' must be within 1..900 (Lambda's max)")
    if not 1 <= config.queue_batch_size <= 10:
        raise ConfigError("context 'queueBatchSize' must be within 1..10 (SQS batch limit)")
    if config.processor_max_concurrency < 2:
        raise ConfigError("context 'processorMaxConcurrency' must be at least 2 (the SQS minimum)")
    return config
