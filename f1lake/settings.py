"""One settings object, read from ``F1LAKE_*`` environment variables.

Defaults make the local stack work untouched; on AWS the same names point at real resources.
"""

from __future__ import annotations

import os
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

JOLPICA_BASE_URL = "https://api.jolpi.ca/ergast/f1"
SQL_ENGINES = ("local", "athena")
PROJECT_ROOT = Path(__file__).resolve().parent.parent
MIB = 1024 * 1024
LAMBDA_MEMORY_MB = 1024
"""The processor Lambda's memory when the runtime does not say (the CDK default)."""
RAW_OBJECT_MEMORY_FACTOR = 20
"""Memory per byte of raw object the processor allows for (a measured peak of ~15, plus room)."""


class Settings(BaseSettings):
    """Every knob of the pipeline; each field maps to ``F1LAKE_<FIELD>``."""

    model_config = SettingsConfigDict(env_prefix="F1LAKE_", extra="ignore", frozen=True)

    api_base_url: str = Field(JOLPICA_BASE_URL, description="Ergast-compatible API base URL.")
    rate_limit_per_second: int = Field(4, description="Burst limit of API requests per second.")
    rate_limit_per_hour: int = Field(500, description="Sustained limit of API requests per hour.")
    rate_limit_margin: float = Field(
        0.1,
        ge=0.0,
        lt=1.0,
        description="Safety margin kept below both limits (0.1: pace at 90% of each).",
    )
    rate_limit_window_seconds: float = Field(
        3600.0, gt=1.0, description="The hourly limit's window (shorter only in tests)."
    )
    rate_limit_db: Path | None = Field(
        None,
        description="SQLite file that shares the rate limit between processes "
        "(default: <state_dir>/ratelimit.sqlite).",
    )
    api_page_size: int = Field(
        100, ge=1, le=100, description="Rows per API page (the API caps it at 100)."
    )
    http_timeout_seconds: float = Field(30.0, description="Timeout of one API request.")
    http_max_attempts: int = Field(6, description="Attempts per API request before giving up.")
    http_backoff_seconds: float = Field(
        1.0, description="First retry's backoff; doubles per attempt (plus jitter)."
    )
    http_backoff_max_seconds: float = Field(60.0, description="Longest backoff between attempts.")
    max_raw_object_mb: float | None = Field(
        None,
        gt=0,
        description="Largest raw object the processor reads, in MiB; a larger one is "
        "quarantined unread (unset: 1/20 of the Lambda's memory, AWS_LAMBDA_FUNCTION_MEMORY_SIZE, "
        "else of 1,024 MiB).",
    )
    revision_window_days: int = Field(
        3,
        ge=0,
        description="The latest DAG re-fetches races run this many days before its run date, "
        "for revised results (older revisions: the f1_verify_results DAG).",
    )
    ingest_laps: bool = Field(
        False,
        description="Also ingest lap times (1996 on) in every run: about 10-15 API requests a "
        "race; off by default (a backfill's `laps` parameter turns them on for one run).",
    )
    processing_timeout_seconds: float = Field(
        900, description="How long a DAG waits for the processor to handle what it wrote."
    )

    aws_region: str = Field("us-east-1", description="AWS region.")
    aws_endpoint_url: str | None = Field(
        None, description="Endpoint override for every AWS API (the moto server locally)."
    )
    raw_bucket: str = Field("f1lake-raw", description="Bucket of raw Ergast JSON objects.")
    processed_bucket: str = Field("f1lake-processed", description="Bucket of typed Parquet.")
    quarantine_bucket: str = Field(
        "f1lake-quarantine", description="Bucket of rejected raw objects and their reasons."
    )
    queue_name: str = Field("f1lake-raw-events", description="SQS queue fed by raw-bucket events.")
    glue_database: str = Field("f1lake", description="Glue Data Catalog database.")
    athena_workgroup: str = Field("f1lake", description="Athena workgroup (AWS only).")
    sql_engine: Literal["local", "athena"] = Field(
        "local",
        description="Where `f1lake sql`, `f1lake check` and the DAGs' checks run queries: local "
        "(DuckDB over the catalog of the local stack) or athena (a deployment on AWS).",
    )

    query_url: str | None = Field(
        None,
        description="The local stack's warm query service, where `f1lake sql` and the dashboard "
        "send queries (found through the running stack; unset: they run in process).",
    )

    ledger_dsn: str | None = Field(
        None,
        description="PostgreSQL DSN of the ledger (race schedule, ingestions, history) "
        "(unset: the local stack starts an embedded PostgreSQL).",
    )
    state_dir: Path = Field(
        Path(".f1lake"), description="Local stack state: embedded PostgreSQL, Airflow home, locks."
    )
    ergast_csv: Path | None = Field(
        None, description="Ergast CSV dump served by the offline replay API."
    )
    moto_port: int = Field(
        5000, ge=0, le=65535, description="Local stack: port of moto (S3, SQS, Glue); 0: any."
    )
    replay_port: int = Field(
        8000, ge=0, le=65535, description="Local stack: port of the offline replay API; 0: any."
    )
    airflow_port: int = Field(
        8080, ge=0, le=65535, description="Local stack: port of Airflow's UI and REST API."
    )
    runner_workers: int | None = Field(
        None,
        ge=1,
        description="Local stack: Lambda runner processes (Lambda's concurrency); unset: one "
        "per core.",
    )

    @property
    def on_local_stack(self) -> bool:
        """Whether the AWS APIs are the local stack's emulator (an endpoint override), not AWS."""
        return bool(self.aws_endpoint_url)

    @property
    def runner_processes(self) -> int:
        """Lambda runner processes of the local stack: as many as cores unless set (each waits
        on moto about half its time, so one per core keeps the cores busy without thrashing)."""
        return self.runner_workers or max(os.cpu_count() or 1, 1)

    @property
    def max_raw_object_bytes(self) -> int:
        """The processor's size limit: parsing and typing a raw object peaks at about 15 times
        its size (82 MB measured at 1.23 GB), so 1/20 of the memory leaves room."""
        if self.max_raw_object_mb is not None:
            return int(self.max_raw_object_mb * MIB)
        memory_mb = int(os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE") or LAMBDA_MEMORY_MB)
        return memory_mb * MIB // RAW_OBJECT_MEMORY_FACTOR

    @cached_property
    def rate_limit_path(self) -> Path:
        return self.rate_limit_db or self.state_dir / "ratelimit.sqlite"


def get_settings(**overrides: object) -> Settings:
    """Settings from the environment, with explicit overrides winning."""
    return Settings(**overrides)  # type: ignore[arg-type]
