"""The data dictionary, rendered from the table definitions so the docs cannot go stale.

``python -m f1lake.schema > docs/tables.md`` regenerates the committed copy; a test
fails when that copy differs from what the definitions render.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable

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


def render_data_dictionary(tables: Iterable[Table] | None = None) -> str:
    """Markdown describing every processed table (default: all of them)."""
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
    return header + "\n" + "\n".join(render_table(t) for t in chosen)


def main() -> None:
    sys.stdout.write(render_data_dictionary())
