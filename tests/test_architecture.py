"""The import rules of docs/architecture.md, read from the source with ``ast`` (every import
statement counts, a lazy one inside a function too: it runs sooner or later)."""

from __future__ import annotations

import ast
from pathlib import Path

import f1lake

PACKAGE = Path(f1lake.__file__).resolve().parent

GROUND_FLOOR = (
    "f1lake.settings",
    "f1lake.endpoints",
    "f1lake.resources",
    "f1lake.keys",
    "f1lake.raw",
    "f1lake.schema",
    "f1lake.ergast.errors",
    "f1lake.aws",
    "f1lake.topology",
)
"""What everything else stands on: configuration, the endpoint registry, the shipped files, the
lake's object keys, the raw envelope, the table definitions, the API's error types, the AWS clients, the deployed queues' topology."""

PURE_CORE = ("f1lake.transform",)
"""Raw object -> typed tables: stands on the ground floor only, no I/O adapter."""

LOCAL = "f1lake.local"
LOCAL_USERS = ("f1lake.cli", "f1lake.mainjob")
"""The two entry points that may start the local stack."""

KNOWN_LOCAL_IMPORTS: dict[tuple[str, str], str] = {}
"""Imports of ``f1lake.local`` that break the rule today, each with what would fix it. The test
fails when one disappears, so the list only shrinks."""


def _module(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, module: str) -> set[str]:
    """Every f1lake module the file imports (``from f1lake import aws`` is ``f1lake.aws``)."""
    found: set[str] = set()
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            found.update(f"{base}.{a.name}" for a in node.names)
    return {m for m in found if m in _MODULES and m != "f1lake"}


_FILES = {(_module(p), p) for p in PACKAGE.rglob("*.py")}
_MODULES = {m for m, _ in _FILES}
GRAPH = {m: _imports(p, m) for m, p in sorted(_FILES)}


def _within(module: str, units: tuple[str, ...] | str) -> bool:
    units = (units,) if isinstance(units, str) else units
    return any(module == u or module.startswith(u + ".") for u in units)


def test_the_graph_was_read():
    assert "f1lake.endpoints" in GRAPH["f1lake.ergast.client"]
    assert "f1lake.aws" in GRAPH["f1lake.processing.s3_objects"]


def _imports_beyond(floor: tuple[str, ...], allowed: tuple[str, ...]) -> list[tuple[str, str]]:
    """(module, import) pairs where a module of ``floor`` imports outside ``allowed``."""
    return sorted(
        (m, i)
        for m, imports in GRAPH.items()
        if _within(m, floor)
        for i in imports
        if not _within(i, allowed)
    )


def test_the_ground_floor_imports_nothing_above_it():
    wrong = _imports_beyond(GROUND_FLOOR, GROUND_FLOOR)
    assert not wrong, f"ground-floor modules importing from above: {wrong}"


def test_the_transforms_stand_on_the_ground_floor_only():
    assert not _imports_beyond(PURE_CORE, GROUND_FLOOR + PURE_CORE)


def test_only_the_cli_and_the_main_job_import_the_local_stack():
    found = {
        (m, i)
        for m, imports in GRAPH.items()
        if not _within(m, (LOCAL, *LOCAL_USERS))
        for i in imports
        if _within(i, LOCAL)
    }
    assert found - set(KNOWN_LOCAL_IMPORTS) == set(), "import the local stack from the CLI"
    assert set(KNOWN_LOCAL_IMPORTS) <= found, "fixed: remove it from KNOWN_LOCAL_IMPORTS"


DEPLOYED_CODE = ("infra", "lambda_processor")
"""What runs on AWS outside the package: the CDK app and the Lambda entry point."""


def _deployed_imports_of(unit: str) -> list[tuple[str, str]]:
    """(file, import) pairs where a file of :data:`DEPLOYED_CODE` imports ``unit``."""
    root = PACKAGE.parent
    found = []
    for folder in DEPLOYED_CODE:
        for path in sorted((root / folder).rglob("*.py")):
            if "cdk.out" in path.parts or ".venv" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                names = (
                    [a.name for a in node.names]
                    if isinstance(node, ast.Import)
                    else [node.module or ""]
                    if isinstance(node, ast.ImportFrom)
                    else []
                )
                found += [(str(path.relative_to(root)), n) for n in names if _within(n, unit)]
    return found


def test_the_deployed_code_does_not_import_the_local_stack():
    assert _deployed_imports_of("f1lake.topology"), "the scan reads the CDK app's imports"
    assert _deployed_imports_of(LOCAL) == [], "share it through f1lake.topology or settings"


def test_nothing_imports_the_entry_points():
    for entry in LOCAL_USERS:
        users = {m for m, imports in GRAPH.items() if entry in imports} - set(LOCAL_USERS)
        assert not users, f"{entry} is an entry point, imported by {sorted(users)}"
