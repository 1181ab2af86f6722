"""Data-quality checks: the Athena SQL of ``sql/athena/checks`` run over the lake."""

from __future__ import annotations

from f1lake.checks.runner import (
    CHECKS_DIR,
    CheckResult,
    ChecksFailed,
    check_files,
    format_results,
    raise_on_failure,
    run_checks,
    run_checks_in,
)

__all__ = [
    "CHECKS_DIR",
    "CheckResult",
    "ChecksFailed",
    "check_files",
    "format_results",
    "raise_on_failure",
    "run_checks",
    "run_checks_in",
]
