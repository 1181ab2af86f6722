"""Rewrites of a parsed Athena query so DuckDB answers it as Athena would (pure, sqlglot only).

DuckDB holds one database's tables without its catalog qualifiers, and plans scalar subqueries
less well than constants; the rewrites below close both gaps before the query is transpiled.
"""

from __future__ import annotations

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
