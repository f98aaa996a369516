"""What CREATE TABLE says about a table: its columns and its properties."""
from __future__ import annotations

from sqlglot import exp

from ...catalog.model import Column
from ...errors import SemanticError
from ...types import parse_hive_type


def table_properties(tree: exp.Create) -> tuple[dict[str, str], str | None, list[str], str | None]:
    """(TBLPROPERTIES, storage handler, other storage clauses seen, table comment)."""
    props: dict[str, str] = {}
    handler = None
    other: list[str] = []
    comment = None
    properties = tree.args.get("properties")
    for prop in properties.expressions if properties else []:
        if isinstance(prop, exp.StorageHandlerProperty):
            handler = prop.this.name
        elif isinstance(prop, exp.SchemaCommentProperty):
            comment = prop.this.name
        elif isinstance(prop, exp.ExternalProperty):
            continue
        elif type(prop) is exp.Property:
            props[prop.name.lower()] = prop.args["value"].name if isinstance(prop.args["value"], exp.Literal) \
                else prop.args["value"].sql()
        else:
            other.append(prop.key)
    return props, handler, other, comment


def columns_of(schema: exp.Schema) -> tuple[Column, ...]:
    """The column definitions of CREATE TABLE as catalog columns (names lower case)."""
    columns = []
    seen = set()
    for coldef in schema.expressions:
        if not isinstance(coldef, exp.ColumnDef):
            continue
        name = coldef.name
        if name.lower() in seen:
            raise SemanticError(f"duplicate column name '{name}'")
        seen.add(name.lower())
        kind = coldef.args.get("kind")
        if kind is None:
            raise SemanticError(f"column '{name}' has no type")
        hive_type = parse_hive_type(kind.sql(dialect="hive"))
        comment = None
        for constraint in coldef.args.get("constraints") or []:
            if isinstance(constraint.args.get("kind"), exp.CommentColumnConstraint):
                comment = constraint.args["kind"].this.name
        columns.append(Column(name.lower(), hive_type, comment, name))
    return tuple(columns)
