"""Types of the nodes of a query tree: sqlglot's annotation, with the columns typed
from the schema of the tables the query reads and, through subqueries, CTEs and
unions, from the types of the expressions those select."""
from __future__ import annotations

from typing import Mapping

from sqlglot import exp
from sqlglot.optimizer.annotate_types import annotate_types
from sqlglot.optimizer.scope import Scope, traverse_scope

#: ``{table: {column: hive_type}}``
Schema = Mapping[str, Mapping[str, str]]

_UNKNOWN = (exp.DataType.Type.UNKNOWN,)


def annotate(tree: exp.Expression, schema: Schema | None) -> bool:
    """Best-effort sqlglot type annotation (columns typed from ``schema``)."""
    try:
        _type_columns(tree, schema or {})
        annotate_types(tree, dialect="hive", overwrite_types=False)
        for node in list(tree.walk()):  # it does not descend into CAST(...) operands
            if node._type is None and not isinstance(node, (exp.Identifier, exp.DataType)):
                annotate_types(node, dialect="hive", overwrite_types=False)
        return True
    except Exception:  # noqa: BLE001 - typing is an optimisation only
        return False


def _known(t: exp.DataType | None) -> bool:
    return t is not None and not t.is_type(*_UNKNOWN)


def _type_columns(tree: exp.Expression, schema: Schema) -> None:
    """Type every column whose source is known, innermost scopes first, so a column of
    a subquery takes the type of the expression the subquery selects under its name."""
    tables = {str(t).lower(): {str(c).lower(): v for c, v in cols.items()}
              for t, cols in schema.items()}
    for scope in traverse_scope(tree):
        for col in scope.columns:
            if _known(col.type):
                continue
            found = _column_type(scope, col.table.lower() if col.table else None,
                                 col.name.lower(), tables)
            if found is not None:
                col.type = found
        annotate_types(scope.expression, dialect="hive", overwrite_types=False)


def _column_type(scope: Scope, table: str | None, name: str, tables, depth: int = 0) -> exp.DataType | None:
    if depth > 32:
        return None
    sources = scope.sources
    if table is not None:
        candidates = [v for k, v in sources.items() if k.lower() == table]
    else:
        candidates = list(sources.values())
    found = []
    for source in candidates:
        t = _source_column_type(source, name, tables, depth)
        if t == "absent":
            continue
        if t is None:
            return None  # a source that may have the column but whose type is unknown
        found.append(t)
    return found[0] if len(found) == 1 else None


def _source_column_type(source, name: str, tables, depth: int):
    """The type of column ``name`` of ``source``; "absent" when it has no such column,
    None when unknown."""
    if isinstance(source, exp.Table):
        cols = tables.get(source.name.lower())
        if cols is None:
            return None
        hive_type = cols.get(name)
        return exp.DataType.build(hive_type, dialect="hive") if hive_type else "absent"
    if isinstance(source, Scope):
        selects = source.expression.selects if isinstance(source.expression, (exp.Query,)) else []
        for select in selects:
            if isinstance(select, exp.Star) or (isinstance(select, exp.Column) and isinstance(select.this, exp.Star)):
                inner_table = select.table.lower() if isinstance(select, exp.Column) and select.table else None
                t = _column_type(source, inner_table, name, tables, depth + 1)
                if t is not None:
                    return t
                continue
            if select.alias_or_name.lower() == name:
                return select.type if _known(select.type) else None
        return "absent" if selects and not any(isinstance(s, exp.Star) or (
            isinstance(s, exp.Column) and isinstance(s.this, exp.Star)) for s in selects) else None
    return None
