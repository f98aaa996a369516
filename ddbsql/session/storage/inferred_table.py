"""Tables of the built-in ``dynamodb`` databases: DynamoDB tables whose columns were
inferred from a sample (see :mod:`ddbsql.catalog.builtin`).  They read and write as any
DynamoDB table; DESCRIBE FORMATTED adds where their columns came from."""
from __future__ import annotations

from typing import TYPE_CHECKING

from ...catalog.model import TableDef
from .table_storage import Row
from .dynamodb_table import DynamoDBTable

if TYPE_CHECKING:
    from ..session import Session


class InferredDynamoDBTable(DynamoDBTable):
    """A DynamoDB table read without DDL (the dynamodb database); same kind, same reads."""

    column_comment = ""

    def storage_rows(self, session: "Session", table: TableDef) -> list[Row]:
        rows = super().storage_rows(session, table)
        inferred = session.builtin.seen.get((table.database, table.name))
        if inferred is None:
            return rows
        rows += [("", "", ""), ("# Inferred Columns", "", ""), ("Sample:", inferred.sample_text(), ""),
                 ("Attributes Seen:", str(inferred.schema.attributes_seen), "")]
        if inferred.schema.left_out:
            rows.append(("Not Columns:", ", ".join(inferred.schema.left_out),
                         "past ddbsql.dynamodb.max.columns: read them in the item column"))
        return rows
