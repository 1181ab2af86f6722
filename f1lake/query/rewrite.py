"""Rewrites of a parsed Athena query so DuckDB answers it as Athena would (pure, sqlglot only).

DuckDB holds one database's tables without its catalog qualifiers, and plans scalar subqueries
less well than constants; the rewrites below close both gaps before the query is transpiled.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlglot import exp


def unqualified(query: exp.Expression, database: str) -> exp.Expression:
    """Drop ``awsdatacatalog.<database>.`` qualifiers: DuckDB holds one database's tables."""
    query = query.copy()
    for table in query.find_all(exp.Table):
        if table.db and table.db.lower() == database.lower():
            table.set("db", None)
            table.set("catalog", None)
    return query


def inline_constants(query: exp.Query) -> exp.Query:
    """Replace ``(SELECT season FROM params)`` by the constant the ``params`` CTE holds.

    The files keep each parameter in one CTE (one ``?`` for Athena's saved queries), but DuckDB
    does not push a filter on a scalar subquery down into the views, so a season query would
    compute every season's standings before keeping one: with the constant it reads one.
    """
    constants: dict[str, dict[str, exp.Expression]] = {}
    for cte in query.find_all(exp.CTE):
        body = cte.this
        if (
            isinstance(body, exp.Select)
            and not body.args.get("from_")
            and all(e.alias and not e.find(exp.Column) for e in body.expressions)
        ):
            constants[cte.alias_or_name.lower()] = {e.alias: e.this for e in body.expressions}
    if not constants:
        return query

    def constant(node: exp.Expression) -> exp.Expression:
        if not isinstance(node, exp.Subquery) or not isinstance(node.this, exp.Select):
            return node
        select = node.this
        source = select.args.get("from_")
        only = {k for k, v in select.args.items() if v} == {"expressions", "from_"}
        if not (only and source and len(select.expressions) == 1):
            return node
        table, column = source.this, select.expressions[0]
        values = constants.get(table.name.lower()) if isinstance(table, exp.Table) else None
        if values is None or table.db or not isinstance(column, exp.Column):
            return node
        value = values.get(column.name)
        return exp.paren(value.copy()) if value is not None else node

    return query.transform(constant)


_COMPARISONS = (exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE)


def type_mismatch(
    query: exp.Expression, schema: Callable[[], dict[str, dict[str, str]]]
) -> str | None:
    """Athena's refusal of a string column compared with a number (``WHERE season = 2023`` on
    the string partition key), or None. DuckDB casts and answers; Athena (Trino) fails with
    ``TYPE_MISMATCH``, so the local engine must too. ``schema()``: DuckDB types by table and
    column (asked only when a comparison is suspect). Only a comparison of a column with a number literal is judged, and only when the
    column's type is certain: anything sqlglot cannot resolve is left to DuckDB.
    """
    suspects = [c for c in query.find_all(*_COMPARISONS) if _column_vs_number(c)]
    if not suspects:
        return None
    from sqlglot.optimizer.annotate_types import annotate_types
    from sqlglot.optimizer.qualify import qualify
    from sqlglot.schema import MappingSchema

    try:
        mapping = MappingSchema(schema(), dialect="duckdb", normalize=False)
        typed = annotate_types(
            qualify(query.copy(), schema=mapping, dialect="athena", validate_qualify_columns=False),
            schema=mapping,
            dialect="athena",
        )
    except Exception:  # sqlglot cannot resolve it: no verdict
        return None
    for comparison in typed.find_all(*_COMPARISONS):
        pair = _column_vs_number(comparison)
        if pair is None:
            continue
        column, number = pair
        if column.type is not None and column.type.is_type(*exp.DataType.TEXT_TYPES):
            kind = "integer" if number.this.lstrip("-").isdigit() else "decimal"
            left, right = (
                ("varchar", kind) if comparison.left.unnest() is column else (kind, "varchar")
            )
            return (
                f"TYPE_MISMATCH: Cannot apply operator: {left} {_OPERATORS[type(comparison)]} "
                f"{right} (column {column.name!r} is a varchar: compare it with a string, "
                f"e.g. '{number.this}')"
            )
    return None


_OPERATORS = {exp.EQ: "=", exp.NEQ: "<>", exp.GT: ">", exp.GTE: ">=", exp.LT: "<", exp.LTE: "<="}


def _column_vs_number(comparison: exp.Expression) -> tuple[exp.Column, exp.Literal] | None:
    left, right = comparison.left.unnest(), comparison.right.unnest()
    for a, b in ((left, right), (right, left)):
        if isinstance(a, exp.Column) and isinstance(b, exp.Literal) and b.is_number:
            return a, b
    return None
