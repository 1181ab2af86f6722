"""The data dictionary, rendered from the table definitions so the docs cannot go stale.

``python -m f1lake.schema > docs/tables.md`` regenerates the committed copy; a test
fails when that copy differs from what the definitions render.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path

from f1lake.resources import SQL_ROOT
from f1lake.schema.types import Table

DOCS_PATH = "docs/tables.md"
"""Where the rendered dictionary is committed, relative to the repository root."""


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _layout(table: Table) -> str:
    if table.scope == "season":
        return f"`{table.name}/season=YYYY/YYYY.parquet` (one file per season)"
    return f"`{table.name}/season=YYYY/YYYY-RR.parquet` (one file per race)"


def render_table(table: Table) -> str:
    lines = [
        f"## `{table.name}`",
        "",
        table.description,
        "",
        f"- Source endpoint: `{table.source}`",
        f"- Files: {_layout(table)}",
        f"- Unique key: {', '.join(f'`{k}`' for k in table.key)}",
        f"- Partitioned by: {', '.join(f'`{k}`' for k in table.partition_keys)} "
        "(in the path, not inside the Parquet file)",
        "",
        "| Column | Type | Nullable | Description |",
        "|---|---|---|---|",
    ]
    for c in table.columns:
        kind = f"{c.type} (partition)" if c.name in table.partition_keys else c.type
        nullable = "yes" if c.nullable else "no"
        lines.append(f"| `{c.name}` | {kind} | {nullable} | {_cell(c.description)} |")
    return "\n".join(lines) + "\n"


def _header_comment(sql: str) -> list[str]:
    """The leading ``--`` lines of a SQL file, without the dashes."""
    lines = []
    for line in sql.splitlines():
        if not line.startswith("--"):
            break
        lines.append(line[2:].strip())
    return lines


def render_views(directory: Path = SQL_ROOT / "views") -> str:
    """The views every deployment creates over the tables, each with its header comment."""
    parts = [
        "# Views\n\nCreated over the tables above from `sql/athena/views` (by the CDK app's "
        "views function on AWS, by the local engine when a query reads them); each is "
        "described by its file's header.\n"
    ]
    for path in sorted(directory.glob("*.sql")):
        text = " ".join(_header_comment(path.read_text(encoding="utf-8"))).removeprefix("View: ")
        parts.append(f"## View `{path.stem}`\n\n{_cell(text[:1].upper() + text[1:])}\n")
    return "\n".join(parts)


def render_data_dictionary(tables: Iterable[Table] | None = None) -> str:
    """Markdown describing every processed table (default: all of them) and the views."""
    from f1lake.schema.tables import TABLES

    chosen = list(TABLES.values() if tables is None else tables)
    header = (
        "# f1lake data dictionary\n\n"
        "Generated from `f1lake.schema` by `python -m f1lake.schema > "
        f"{DOCS_PATH}`; do not edit by hand. Times are milliseconds, points are doubles, dates "
        "are dates, `position_text` is kept verbatim; a column is null where the source omits "
        "the value. `season` is a partition (Glue types it `string`, the crawler's default for "
        "Hive partition keys); join the dimensions on (`season`, id).\n"
    )
    body = header + "\n" + "\n".join(render_table(t) for t in chosen)
    return body if tables is not None else body + "\n" + render_views()


def main() -> None:
    sys.stdout.write(render_data_dictionary())
