"""The SQL of ``sql/athena`` as the CDK app deploys it: one saved query per file, and the views
in an order where every view is created after the views it reads."""

from __future__ import annotations

from dataclasses import dataclass
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

from f1lake.query.dialect import load_views, placeholders, table_refs, to_athena
from f1lake.resources import SQL_ROOT

NAME_LIMIT = 128
DESCRIPTION_LIMIT = 1024


@dataclass(frozen=True)
class SqlFile:
    name: str
    """Path under sql/athena without ``.sql`` (``views/points_scale``): the saved query's name."""
    path: Path
    text: str
    """Athena's native form: each ``:name`` of the file is a positional ``?``."""
    description: str
    parameters: tuple[str, ...] = ()
    """The parameter of each ``?`` in order: what ``ExecutionParameters`` must hold."""


@dataclass(frozen=True)
class ViewPlan:
    name: str
    query_name: str
    tables: tuple[str, ...]
    """Catalog tables (not views) the view reads: it can only be created once they exist."""
    views: tuple[str, ...]
    """Views it reads: created before it."""


def _description(text: str, name: str) -> str:
    """The first header comment line: what the query answers."""
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("--"):
            return stripped.lstrip("-").strip()[:DESCRIPTION_LIMIT]
        if stripped:
            break
    return name


def sql_files(root: Path = SQL_ROOT) -> list[SqlFile]:
    """Every ``*.sql`` under ``root``, sorted by name."""
    files = []
    for path in sorted(root.rglob("*.sql")):
        name = path.relative_to(root).with_suffix("").as_posix()
        if len(name) > NAME_LIMIT:
            raise ValueError(f"{path}: saved query name {name!r} is over {NAME_LIMIT} characters")
        text = path.read_text(encoding="utf-8")
        if not text.strip():
            raise ValueError(f"{path} is empty")
        native = to_athena(text)
        files.append(SqlFile(name, path, native.sql, _description(text, name), native.names))
    if not files:
        raise ValueError(f"no SQL files under {root}")
    return files


def placeholder_count(sql: str) -> int:
    return len(placeholders(sql))


def view_plans(root: Path = SQL_ROOT) -> list[ViewPlan]:
    """The views of ``root/views`` in creation order (dependencies first).

    A view cannot take execution parameters (Athena has nowhere to bind them), so a
    ``:name`` in a view file is an error here rather than a failed deployment.
    """
    views = load_views(root / "views")
    deps: dict[str, set[str]] = {}
    tables: dict[str, set[str]] = {}
    for name, view in views.items():
        if placeholder_count(view.path.read_text(encoding="utf-8")):
            raise ValueError(
                f"{view.path}: a view cannot take parameters; filter in the query that "
                "reads the view instead"
            )
        refs = {t.name.lower() for t in table_refs(view.body)}
        deps[name] = refs & views.keys() - {name}
        tables[name] = refs - views.keys()
    try:
        order = list(TopologicalSorter(deps).static_order())
    except CycleError as exc:
        raise ValueError(f"views depend on each other in a cycle: {exc.args[1]}") from None
    return [
        ViewPlan(
            name=name,
            query_name=f"views/{views[name].path.stem}",
            tables=tuple(sorted(tables[name])),
            views=tuple(sorted(deps[name])),
        )
        for name in order
    ]
