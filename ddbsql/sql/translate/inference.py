"""Types of the nodes of a query tree: sqlglot's annotation, with the columns typed
from the schema of the tables the query reads."""
from __future__ import annotations

from typing import Mapping

from sqlglot import exp

#: ``{table: {column: hive_type}}``
Schema = Mapping[str, Mapping[str, str]]

def annotate(tree: exp.Expression, schema: Schema | None) -> bool:
    """Best-effort sqlglot type annotation (columns typed from ``schema``)."""
    try:
        if schema:
            _type_columns(tree, schema)
        from sqlglot.optimizer.annotate_types import annotate_types
        annotate_types(tree, dialect="hive", overwrite_types=False)
        for node in list(tree.walk()):  # it does not descend into CAST(...) operands
            if node._type is None and not isinstance(node, (exp.Identifier, exp.DataType)):
                annotate_types(node, dialect="hive", overwrite_types=False)
        return True
    except Exception:  # noqa: BLE001 - typing is an optimisation only
        return False


def _type_columns(tree: exp.Expression, schema: Schema) -> None:
    from sqlglot.optimizer.scope import traverse_scope

    tables = {str(t).lower(): {str(c).lower(): v for c, v in cols.items()}
              for t, cols in schema.items()}
    for scope in traverse_scope(tree):
        srcs = {}
        for alias, src in scope.sources.items():
            if isinstance(src, exp.Table) and src.name.lower() in tables:
                srcs[alias.lower()] = tables[src.name.lower()]
            else:
                srcs[alias.lower()] = None
        for col in scope.columns:
            if col.type is not None and not col.type.is_type(exp.DataType.Type.UNKNOWN):
                continue
            name = col.name.lower()
            if col.table:
                cols = srcs.get(col.table.lower())
                hive_type = cols.get(name) if cols else None
            else:
                if any(c is None for c in srcs.values()):
                    continue
                found = [c[name] for c in srcs.values() if name in c]
                hive_type = found[0] if len(found) == 1 else None
            if hive_type:
                col.type = exp.DataType.build(hive_type, dialect="hive")
