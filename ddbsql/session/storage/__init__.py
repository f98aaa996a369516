"""One storage object per :class:`~ddbsql.catalog.model.TableKind`: what DESCRIBE, SHOW
CREATE TABLE, DROP, ALTER, a statement reading the table and an INSERT into it do for
each kind.

A new kind (a Glue-backed table, say) is a :class:`~.table_storage.TableStorage`
subclass and one entry of :data:`KINDS`.  The storage objects sit above the binding and
writing layers (they read through one and write through the other); the binder reaches
them through :meth:`~ddbsql.session.binding.context.StatementContext.table_storage`.
"""
from __future__ import annotations

from ...catalog.builtin import builtin_region
from ...catalog.model import TableDef, TableKind
from .table_storage import TableStorage
from .dynamodb_table import DynamoDBTable
from .file_table import FileTable
from .inferred_table import InferredDynamoDBTable
from .warehouse_table import WarehouseTable

KINDS: dict[TableKind, TableStorage] = {storage.kind: storage for storage in
                                        (DynamoDBTable(), WarehouseTable(), FileTable())}


INFERRED = InferredDynamoDBTable()


def kind_of(table: TableDef) -> TableStorage:
    """The storage object of ``table``'s kind (a table of a built-in dynamodb database
    is a DynamoDB table whose columns were inferred)."""
    if table.kind is TableKind.DYNAMODB and builtin_region(table.database) is not None:
        return INFERRED
    return KINDS[table.kind]
