"""The data dictionary, rendered from the table definitions so the docs cannot go stale."""

from __future__ import annotations

from collections.abc import Iterable

from f1lake.schema.types import Table


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_table(table: Table) -> str:
    lines = [
        f"## `{table.name}`",
        "",
        table.description,
        "",
        f"- Source endpoint: `{table.source}`",
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
        "Generated from `f1lake.schema`. Times are milliseconds, points are doubles, dates are "
        "dates; a column is null where the source omits the value.\n"
    )
    return header + "\n" + "\n".join(render_table(t) for t in chosen)
