"""Where the package finds the repository's declarative files: the Athena SQL, the Glue crawler
definition, the dashboard spec and the DAG files.

They live at the repository's top level (``sql/athena/``, ``glue/``, ``dashboards/``), where a
reader and the product card expect them; the wheel ships copies under ``f1lake/_data/`` (hatch
``force-include`` in pyproject.toml), so an installed package runs its named queries without a
checkout. A source checkout (or an editable install) has no ``_data`` and reads the originals.
Every reader takes its path from here.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
_SHIPPED = _PACKAGE / "_data"

DATA_ROOT = _SHIPPED if _SHIPPED.is_dir() else _PACKAGE.parent
"""The installed copies, or the repository root of a source checkout."""

SQL_ROOT = DATA_ROOT / "sql" / "athena"
"""The Athena SQL: named queries, ``views/`` and ``checks/``."""

CRAWLER_DEFINITION = DATA_ROOT / "glue" / "crawler.json"
"""The Glue crawler definition both the local crawler and the CDK app apply."""

DASHBOARD_SPEC = DATA_ROOT / "dashboards" / "season.json"
TEAM_COLOURS = DATA_ROOT / "dashboards" / "team_colours.json"
"""The season dashboard's definition (local HTML and QuickSight)."""

DAGS_FOLDER = DATA_ROOT / "airflow" / "dags"
"""The DAG files the local stack's Airflow parses (``f1lake up``, ``dag.test()``)."""
