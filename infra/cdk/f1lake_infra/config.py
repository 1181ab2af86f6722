"""Deployment parameters, read from CDK context (``cdk.json`` or ``cdk deploy -c key=value``).

Defaults come from ``f1lake.settings.Settings`` where the local stack has the same knob, so a
deployment and the local stack agree unless told otherwise. ``CONTEXT_KEYS`` is the one list of
keys; infra/cdk/README.md documents each with its default.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from f1lake.settings import Settings

MIN_BYTES_SCANNED_CUTOFF = 10 * 1024 * 1024
"""Athena's lower bound for a workgroup's per-query scan limit."""
RAW_STORAGE_CLASSES = ("STANDARD_IA", "INTELLIGENT_TIERING", "GLACIER_IR")
"""Classes current raw objects may age into: all keep millisecond reads, so reprocessing an old
race needs no restore (Glacier Flexible/Deep Archive would)."""
LOG_RETENTION = {
    1: "ONE_DAY", 3: "THREE_DAYS", 5: "FIVE_DAYS", 7: "ONE_WEEK", 14: "TWO_WEEKS",
    30: "ONE_MONTH", 60: "TWO_MONTHS", 90: "THREE_MONTHS", 120: "FOUR_MONTHS",
    150: "FIVE_MONTHS", 180: "SIX_MONTHS", 365: "ONE_YEAR", 400: "THIRTEEN_MONTHS",
    545: "EIGHTEEN_MONTHS", 731: "TWO_YEARS", 1096: "THREE_YEARS", 1827: "FIVE_YEARS",
}  # fmt: skip
"""Retention periods CloudWatch Logs accepts (up to five years) -> ``logs.RetentionDays``."""
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_QUICKSIGHT_PRINCIPAL = re.compile(r"^arn:aws[\w-]*:quicksight:[a-z0-9-]+:\d{12}:(user|group)/.+$")
_IAM_PRINCIPAL = re.compile(r"^arn:aws[\w-]*:(iam|sts)::\d{12}:.+$")

_DEFAULTS = Settings.model_fields


class ConfigError(ValueError):
    """A context value is missing its expected type or range; the message names the key."""


@dataclass(frozen=True)
class DeployConfig:
    """Everything the stack can be told; ``None`` bucket names let CDK generate unique ones."""

    stack_prefix: str = "F1Lake"
    raw_bucket_name: str | None = None
    processed_bucket_name: str | None = None
    quarantine_bucket_name: str | None = None
    athena_results_bucket_name: str | None = None
    glue_database: str = _DEFAULTS["glue_database"].default
    athena_workgroup: str = _DEFAULTS["athena_workgroup"].default
    bytes_scanned_cutoff_per_query: int = 1024**3
    sdk_pandas_layer_arn: str | None = None
    processor_timeout_seconds: int = 120
    processor_memory_mb: int = 1024
    processor_max_concurrency: int = 5
    queue_batch_size: int = 10
    retain_data: bool = True
    athena_results_days: int = 30
    quarantine_days: int = 365
    raw_transition_days: int = 90
    raw_transition_storage_class: str = "GLACIER_IR"
    access_logs_days: int = 365
    log_retention_days: int = 30
    alarm_email: str | None = None
    airflow_principal_arn: str | None = None
    quicksight: bool = False
    quicksight_principal_arn: str | None = None
    quicksight_default_season: int | None = None

    @property
    def queue_visibility_timeout_seconds(self) -> int:
        """AWS's guidance for an SQS event source: at least six times the function timeout."""
        return 6 * self.processor_timeout_seconds


# context key -> (field, type)
CONTEXT_KEYS: dict[str, tuple[str, type]] = {
    "stackPrefix": ("stack_prefix", str),
    "rawBucketName": ("raw_bucket_name", str),
    "processedBucketName": ("processed_bucket_name", str),
    "quarantineBucketName": ("quarantine_bucket_name", str),
    "athenaResultsBucketName": ("athena_results_bucket_name", str),
    "glueDatabase": ("glue_database", str),
    "athenaWorkgroup": ("athena_workgroup", str),
    "bytesScannedCutoffPerQuery": ("bytes_scanned_cutoff_per_query", int),
    "sdkPandasLayerArn": ("sdk_pandas_layer_arn", str),
    "processorTimeoutSeconds": ("processor_timeout_seconds", int),
    "processorMemoryMb": ("processor_memory_mb", int),
    "processorMaxConcurrency": ("processor_max_concurrency", int),
    "queueBatchSize": ("queue_batch_size", int),
    "retainData": ("retain_data", bool),
    "athenaResultsDays": ("athena_results_days", int),
    "quarantineDays": ("quarantine_days", int),
    "rawTransitionDays": ("raw_transition_days", int),
    "rawTransitionStorageClass": ("raw_transition_storage_class", str),
    "accessLogsDays": ("access_logs_days", int),
    "logRetentionDays": ("log_retention_days", int),
    "alarmEmail": ("alarm_email", str),
    "airflowPrincipalArn": ("airflow_principal_arn", str),
    "quicksight": ("quicksight", bool),
    "quicksightPrincipalArn": ("quicksight_principal_arn", str),
    "quicksightDefaultSeason": ("quicksight_default_season", int),
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
    _check_ranges(config)
    _check_optional(config)
    return config


def _check_ranges(config: DeployConfig) -> None:
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
    if not re.match(r"^[A-Za-z][A-Za-z0-9-]*$", config.stack_prefix):
        raise ConfigError(
            f"context 'stackPrefix' must start with a letter and hold letters, digits and '-', "
            f"got {config.stack_prefix!r}"
        )
    if config.raw_transition_days < 0:
        raise ConfigError("context 'rawTransitionDays' must be 0 (off) or a number of days")
    if 0 < config.raw_transition_days < 30 and config.raw_transition_storage_class == "STANDARD_IA":
        raise ConfigError(
            "context 'rawTransitionDays' must be at least 30 for STANDARD_IA (S3 rule)"
        )
    if config.raw_transition_storage_class not in RAW_STORAGE_CLASSES:
        raise ConfigError(
            f"context 'rawTransitionStorageClass' must be one of {', '.join(RAW_STORAGE_CLASSES)}, "
            f"got {config.raw_transition_storage_class!r}"
        )
    if config.log_retention_days not in LOG_RETENTION:
        raise ConfigError(
            f"context 'logRetentionDays' must be one of {', '.join(map(str, LOG_RETENTION))} "
            f"(CloudWatch Logs' periods), got {config.log_retention_days}"
        )
    for key, days in (
        ("athenaResultsDays", config.athena_results_days),
        ("quarantineDays", config.quarantine_days),
        ("accessLogsDays", config.access_logs_days),
    ):
        if days < 1:
            raise ConfigError(f"context {key!r} must be at least 1 day, got {days}")


def _check_optional(config: DeployConfig) -> None:
    if config.alarm_email is not None and not _EMAIL.match(config.alarm_email):
        raise ConfigError(f"context 'alarmEmail' is not an email address: {config.alarm_email!r}")
    if config.airflow_principal_arn is not None and not _IAM_PRINCIPAL.match(
        config.airflow_principal_arn
    ):
        raise ConfigError(
            "context 'airflowPrincipalArn' must be an IAM principal ARN, e.g. the MWAA execution "
            f"role arn:aws:iam::123456789012:role/my-mwaa-role, got {config.airflow_principal_arn!r}"
        )
    if config.quicksight_principal_arn is not None and not _QUICKSIGHT_PRINCIPAL.match(
        config.quicksight_principal_arn
    ):
        raise ConfigError(
            "context 'quicksightPrincipalArn' must be a QuickSight user or group ARN, e.g. "
            "arn:aws:quicksight:us-east-1:123456789012:user/default/alice, "
            f"got {config.quicksight_principal_arn!r}"
        )
    if config.quicksight and config.quicksight_principal_arn is None:
        raise ConfigError(
            "context 'quicksightPrincipalArn' is required with quicksight=true: the QuickSight "
            "user or group that owns the data source, datasets and dashboard "
            "(aws quicksight list-users --aws-account-id ACCOUNT --namespace default)"
        )


def require_airflow_principal(config: DeployConfig) -> str:
    """Who may assume the Airflow role: required, so the role never trusts the whole account.
    Checked before any stack is built (``build_stacks``), ahead of the processor's bundling."""
    if not config.airflow_principal_arn:
        raise ConfigError(
            "context 'airflowPrincipalArn' is required: who may assume the Airflow role, e.g. "
            "the MWAA execution role or the IAM user behind docker-compose's aws_default "
            "(-c airflowPrincipalArn=arn:aws:iam::123456789012:role/my-mwaa-role); the role "
            "no longer trusts the whole account"
        )
    return config.airflow_principal_arn
