"""Table definitions as the catalog stores them."""
from __future__ import annotations

import dataclasses

from ..types import HiveType, parse_hive_type

DYNAMODB_HANDLER = "org.apache.hadoop.hive.dynamodb.DynamoDBStorageHandler"
DEFAULT_DATABASE = "default"


@dataclasses.dataclass(frozen=True)
class Column:
    """A Hive column.  ``name`` is lower case; ``spelling`` is the name as written in the
    DDL (used as the default DynamoDB attribute name)."""

    name: str
    type: HiveType
    comment: str | None = None
    spelling: str | None = None

    def to_json(self) -> dict:
        return {"name": self.name, "type": str(self.type), "comment": self.comment,
                "spelling": self.spelling or self.name}

    @classmethod
    def from_json(cls, data: dict) -> "Column":
        return cls(data["name"], parse_hive_type(data["type"]), data.get("comment"), data.get("spelling"))


@dataclasses.dataclass(frozen=True)
class TableDef:
    """One table in the catalog.

    ``kind`` is ``"dynamodb"`` (external, stored by the DynamoDB storage handler) or
    ``"managed"`` (a local table kept in ddbsql's DuckDB warehouse file).
    ``properties`` are the TBLPROPERTIES as given (keys lower case).
    """

    database: str
    name: str
    columns: tuple[Column, ...]
    kind: str
    properties: dict[str, str] = dataclasses.field(default_factory=dict)
    external: bool = True
    comment: str | None = None
    created: float = 0.0

    @property
    def qualified(self) -> str:
        return f"{self.database}.{self.name}"

    def column(self, name: str) -> Column | None:
        low = name.lower()
        return next((c for c in self.columns if c.name == low), None)

    def to_json(self) -> dict:
        return {"database": self.database, "name": self.name, "kind": self.kind,
                "columns": [c.to_json() for c in self.columns], "properties": self.properties,
                "external": self.external, "comment": self.comment, "created": self.created}

    @classmethod
    def from_json(cls, data: dict) -> "TableDef":
        return cls(data["database"], data["name"], tuple(Column.from_json(c) for c in data["columns"]),
                   data["kind"], dict(data.get("properties") or {}), data.get("external", True),
                   data.get("comment"), data.get("created", 0.0))
