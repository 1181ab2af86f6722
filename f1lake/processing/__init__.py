"""Processing: raw objects -> typed Parquet per race (or per season) per table, with quarantine."""

from __future__ import annotations

from f1lake.processing.handler import current_settings, handle_event, invocation_settings
from f1lake.processing.processor import (
    ObjectOutcome,
    Processor,
    Rejected,
    decode,
    tables_for_endpoint,
)
from f1lake.processing.s3_objects import S3Objects, processed_source, quarantine_record

__all__ = [
    "ObjectOutcome",
    "Processor",
    "Rejected",
    "S3Objects",
    "current_settings",
    "decode",
    "handle_event",
    "invocation_settings",
    "processed_source",
    "quarantine_record",
    "tables_for_endpoint",
]
