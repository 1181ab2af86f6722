"""Run every check of ``sql/athena/checks`` and judge it: a check returns its violating rows.

The checks run through the deployment's query engine (``F1LAKE_SQL_ENGINE``, see
``f1lake.query.engines``). On the local stack that is one local engine for the whole run, so
each table is read from S3 once however many checks use it. On AWS (``athena``) the same files
run on Athena, in the workgroup and database of the settings, in their native form
(``f1lake.query.dialect.execution_parameters``: ``:season`` becomes ``?`` with
``ExecutionParameters=["2023"]``, or ``["NULL"]`` for every season), over the views the CDK
app creates from ``sql/athena/views``; the judging below is the same: zero rows is a pass.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from f1lake.checks.manifest import ManifestRow, values_sql
from f1lake.query.engines import Engine, open_engine
from f1lake.query.errors import QueryError
from f1lake.query.output import to_records
from f1lake.resources import SQL_ROOT
from f1lake.settings import Settings

CHECKS_DIR = SQL_ROOT / "checks"
SAMPLE_ROWS = 5


@dataclass(frozen=True)
class CheckResult:
    name: str
    passed: bool
    violations: int
    detail: str
    sample: list[dict[str, Any]] = field(default_factory=list)
    skipped: bool = False
    """Not run: it needs the ledger's manifest and none was given (``passed`` is True)."""


class ChecksFailed(Exception):
    """One or more checks failed; ``results`` holds every result of the run."""

    def __init__(self, results: Sequence[CheckResult]) -> None:
        self.results = list(results)
        failed = [r for r in self.results if not r.passed]
        listing = ", ".join(f"{r.name} ({r.violations} violation(s))" for r in failed)
        super().__init__(f"{len(failed)} data-quality check(s) failed: {listing}")

    @property
    def failed(self) -> list[CheckResult]:
        return [r for r in self.results if not r.passed]


def check_files(directory: Path = CHECKS_DIR) -> list[Path]:
    return sorted(directory.glob("*.sql"))


def describe(sql: str) -> str:
    """The first sentence of a check's header: what it checks."""
    lines = []
    for line in sql.splitlines():
        text = line.removeprefix("--").strip()
        if not line.startswith("--") or (lines and text.startswith("Why:")):
            break
        lines.append(text.removeprefix("Check:").strip())
    return " ".join(lines)


_MANIFEST_LINE = re.compile(r"^\s*VALUES\b.*--\s*@manifest\s+(\w+)\s*$", re.MULTILINE)
"""A check's placeholder row list, replaced by the named manifest's rows."""


def run_checks(
    settings: Settings,
    season: int | None = None,
    engine: str | None = None,
    *,
    ledger_dsn: str | None = None,
    ledger_seasons: Sequence[int] | None = None,
) -> list[CheckResult]:
    """Every check (over one season, or all with None) on ``engine``, by default the
    deployment's (``F1LAKE_SQL_ENGINE``): the local lake's DuckDB, or Athena on AWS.

    With a ledger (``ledger_dsn``, else ``settings.ledger_dsn``) the lake is also held to the
    ledger's manifest of ``ledger_seasons`` (default: ``season``, or every season)."""
    manifests = None
    dsn = ledger_dsn or settings.ledger_dsn
    if dsn:
        from f1lake.checks.manifest import LEDGER_MANIFEST, ledger_manifest

        chosen = ledger_seasons or (None if season is None else [season])
        manifests = {LEDGER_MANIFEST: ledger_manifest(dsn, chosen)}
    opened = open_engine(settings, engine)
    try:
        return run_checks_in(opened, season, manifests=manifests)
    finally:
        opened.close()


def run_checks_in(
    engine: Engine,
    season: int | None = None,
    files: Iterable[Path] | None = None,
    manifests: Mapping[str, Sequence[ManifestRow]] | None = None,
) -> list[CheckResult]:
    """Every check on an open engine (the tables the local engine already holds are reused).

    ``manifests``: the rows of each ``-- @manifest NAME`` a check declares (see
    :mod:`f1lake.checks.manifest`); a check whose manifest is not given is skipped.
    """
    return [_run_one(engine, path, season, manifests or {}) for path in (files or check_files())]


def _run_one(
    engine: Engine, path: Path, season: int | None, manifests: Mapping[str, Sequence[ManifestRow]]
) -> CheckResult:
    sql = path.read_text(encoding="utf-8")
    what = describe(sql)
    for name in _MANIFEST_LINE.findall(sql):
        if name not in manifests:
            return CheckResult(
                path.stem, True, 0, f"{what}; skipped: no {name} (no ledger)", [], True
            )
        sql = _MANIFEST_LINE.sub(lambda m, n=name: _values_line(m, n, manifests[n]), sql)
    try:
        df = engine.run(sql, {"season": season})
    except QueryError as exc:
        return CheckResult(path.stem, False, 0, f"{what}; could not run: {exc}", [])
    sample = to_records(df.head(SAMPLE_ROWS))
    if df.empty:
        return CheckResult(path.stem, True, 0, what, [])
    return CheckResult(path.stem, False, len(df), f"{what}; e.g. {_row_text(sample[0])}", sample)


def _values_line(match: re.Match[str], name: str, rows: Sequence[ManifestRow]) -> str:
    if match.group(1) != name:
        return match.group(0)
    indent = match.group(0)[: len(match.group(0)) - len(match.group(0).lstrip())]
    return indent + values_sql(rows)


def _row_text(row: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in row.items())


def format_results(results: Sequence[CheckResult]) -> str:
    """One PASS/FAIL line per check with its violation count; failures show an example."""
    width = max((len(r.name) for r in results), default=0)
    lines = []
    for r in results:
        status = "SKIP" if r.skipped else "PASS" if r.passed else "FAIL"
        line = f"{status}  {r.name:<{width}}  {r.violations} violation(s)"
        if not r.passed or r.skipped:
            line += f"  {r.detail.split('; ', 1)[-1]}"
        lines.append(line)
    failed = sum(not r.passed for r in results)
    lines.append(f"{len(results) - failed} passed, {failed} failed")
    return "\n".join(lines)


def raise_on_failure(results: Sequence[CheckResult]) -> list[CheckResult]:
    """The results unchanged, or ChecksFailed when any failed (for DAG tasks)."""
    if any(not r.passed for r in results):
        raise ChecksFailed(results)
    return list(results)
