"""Which write mode a write into a DynamoDB table runs in: one resolution for SQL's
INSERT and the Spark data source.

``get(key)`` is the parsed value of a setting ddbsql honours, the table's TBLPROPERTY
(or the Spark option) winning over SET.  Modes: ``ddbsql.write.mode`` = put (default),
insert-if-absent, newer-wins (with ``ddbsql.write.version.column``) or replace (put,
then delete what the statement did not produce, for an overwrite); the EMR connector's
``dynamodb.deletion.mode=true`` deletes the rows' keys and takes no other mode.
"""
from __future__ import annotations

from typing import Any, Callable

from ..catalog.mapping import bindings_for
from ..catalog.model import TableDef
from ..errors import ConfigError, SemanticError
from .writer import DELETE, INSERT_IF_ABSENT, NEWER_WINS, PUT, WriteMode

REPLACE = "replace"


def resolve_write_mode(get: Callable[[str], Any], table: TableDef, overwrite: bool) -> tuple[WriteMode, bool]:
    """The mode of a write into ``table``, and whether items the write did not produce
    are deleted afterwards (replace mode, on an overwrite)."""
    kind = get("ddbsql.write.mode")
    if get("dynamodb.deletion.mode"):
        if kind != PUT:
            raise ConfigError(f"dynamodb.deletion.mode=true deletes the rows' keys from {table.qualified}; "
                              f"it cannot be combined with ddbsql.write.mode={kind}")
        return WriteMode(DELETE), False
    if kind == REPLACE:
        return WriteMode(PUT), overwrite
    if kind == NEWER_WINS:
        column = get("ddbsql.write.version.column")
        if not column:
            raise ConfigError("ddbsql.write.mode=newer-wins needs ddbsql.write.version.column=<column>")
        binding = next((b for b in bindings_for(table) if b.name == column.strip().lower()), None)
        if binding is None or binding.attribute is None:
            raise SemanticError(f"ddbsql.write.version.column: '{column}' is not a column of {table.qualified}")
        return WriteMode(NEWER_WINS, binding.attribute), False
    if kind == INSERT_IF_ABSENT:
        return WriteMode(INSERT_IF_ABSENT), False
    return WriteMode(PUT), False
