"""Table names as statements give them."""
from __future__ import annotations

import dataclasses

from sqlglot import exp


@dataclasses.dataclass(frozen=True)
class TableName:
    """A possibly database-qualified table name, lower case (Hive names are case-insensitive)."""

    name: str
    database: str | None = None
    #: the table name as written (a DynamoDB table of the built-in dynamodb database is
    #: matched case-sensitively first)
    spelling: str | None = dataclasses.field(default=None, compare=False)

    @classmethod
    def of(cls, table: exp.Table) -> "TableName":
        return cls(table.name.lower(), table.db.lower() or None, table.name)

    @property
    def written(self) -> str:
        return self.spelling or self.name

    def __str__(self) -> str:
        return f"{self.database}.{self.name}" if self.database else self.name
