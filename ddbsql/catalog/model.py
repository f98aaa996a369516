"""Table definitions as the catalog stores them."""
from __future__ import annotations

import dataclasses
import enum

from ..config import without_secrets
from ..types import HiveType, parse_hive_type

DYNAMODB_HANDLER = "org.apache.hadoop.hive.dynamodb.DynamoDBStorageHandler"
DEFAULT_DATABASE = "default"



class FileFormat(str, enum.Enum):
    """How a file table's rows are laid out in its files (see docs/files.md).

    The value is the name the catalog stores and ``"ddbsql.format"`` accepts; members
    compare equal to it.
    """

    TEXT = "text"
    CSV = "csv"
    JSON = "json"
    PARQUET = "parquet"
    ORC = "orc"
    DYNAMODB_EXPORT = "dynamodb-export"
    EMR_EXPORT = "emr-export"

    def __str__(self) -> str:
        return self.value

    @property
    def holds_items(self) -> bool:
        """Whether the files hold DynamoDB items (read and written through column bindings)."""
        return self in (FileFormat.DYNAMODB_EXPORT, FileFormat.EMR_EXPORT)


class TableKind(str, enum.Enum):
    """Where a table's rows live.  The value is the name the catalog stores.

    ``DYNAMODB``: a DynamoDB table (external, the DynamoDB storage handler);
    ``WAREHOUSE``: a local table in ddbsql's DuckDB warehouse file (stored as
    ``"managed"``, the name it has always had in metastores); ``FILE``: files on S3 or
    a local disk, described by the table's :class:`FileStorage`.
    """

    DYNAMODB = "dynamodb"
    WAREHOUSE = "managed"
    FILE = "file"

    def __str__(self) -> str:
        return self.value


#: The names of every file format, as ``"ddbsql.format"`` accepts them.
FILE_FORMATS = tuple(f.value for f in FileFormat)


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
class Partition:
    """One registered partition: its values (folder text, ``None`` for Hive's default
    partition) in partition-column order, and a location when it is not the usual
    ``k=v/…`` folder under the table's."""

    values: tuple[str | None, ...]
    location: str | None = None

    def to_json(self) -> dict:
        data: dict = {"values": list(self.values)}
        if self.location:
            data["location"] = self.location
        return data

    @classmethod
    def from_json(cls, data: dict) -> "Partition":
        return cls(tuple(data["values"]), data.get("location"))


@dataclasses.dataclass(frozen=True)
class FileStorage:
    """Where and how a file table's rows are stored.

    ``format`` is a :class:`FileFormat`; ``serde_properties`` holds the SerDe
    parameters under Hive's own names (``field.delim``, ``colelction.delim`` [sic],
    ``mapkey.delim``, ``line.delim``, ``escape.delim``, ``serialization.null.format``,
    ``separatorChar``…), from ROW FORMAT DELIMITED or WITH SERDEPROPERTIES.
    ``partition_columns`` names the table's trailing columns that are partition keys;
    ``partitions`` are the partitions registered (ALTER TABLE … ADD PARTITION, MSCK
    REPAIR TABLE, INSERT).  ``managed``: ddbsql chose the location (its own folder),
    so DROP TABLE deletes the files.
    """

    location: str
    format: FileFormat = FileFormat.TEXT
    serde: str | None = None
    serde_properties: dict[str, str] = dataclasses.field(default_factory=dict)
    partition_columns: tuple[str, ...] = ()
    partitions: tuple[Partition, ...] = ()
    input_format: str | None = None
    output_format: str | None = None
    managed: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "format", FileFormat(self.format))

    def to_json(self) -> dict:
        return {"location": self.location, "format": self.format.value, "serde": self.serde,
                "serde_properties": dict(self.serde_properties), "partition_columns": list(self.partition_columns),
                "partitions": [p.to_json() for p in self.partitions], "input_format": self.input_format,
                "output_format": self.output_format, "managed": self.managed}

    @classmethod
    def from_json(cls, data: dict) -> "FileStorage":
        return cls(data["location"], FileFormat(data.get("format", "text")), data.get("serde"),
                   dict(data.get("serde_properties") or {}), tuple(data.get("partition_columns") or ()),
                   tuple(Partition.from_json(p) for p in data.get("partitions") or ()),
                   data.get("input_format"), data.get("output_format"), bool(data.get("managed", False)))


@dataclasses.dataclass(frozen=True)
class TableDef:
    """One table in the catalog.

    ``kind`` says where the rows live (:class:`TableKind`); a file table's files are
    described by ``storage`` and its partition columns are the last of ``columns``.
    ``properties`` are the TBLPROPERTIES as given (keys lower case); credential-like keys
    (:func:`~ddbsql.config.is_secret`) are left out when the definition is written.
    """

    database: str
    name: str
    columns: tuple[Column, ...]
    kind: TableKind
    properties: dict[str, str] = dataclasses.field(default_factory=dict)
    external: bool = True
    comment: str | None = None
    created: float = 0.0
    storage: FileStorage | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", TableKind(self.kind))

    @property
    def qualified(self) -> str:
        return f"{self.database}.{self.name}"

    def column(self, name: str) -> Column | None:
        low = name.lower()
        return next((c for c in self.columns if c.name == low), None)

    @property
    def data_columns(self) -> tuple[Column, ...]:
        """The columns stored in the files (all but the partition columns)."""
        if self.storage is None or not self.storage.partition_columns:
            return self.columns
        keys = set(self.storage.partition_columns)
        return tuple(c for c in self.columns if c.name not in keys)

    @property
    def partition_columns(self) -> tuple[Column, ...]:
        if self.storage is None:
            return ()
        return tuple(c for name in self.storage.partition_columns for c in self.columns if c.name == name)

    def to_json(self) -> dict:
        data = {"database": self.database, "name": self.name, "kind": self.kind.value,
                "columns": [c.to_json() for c in self.columns], "properties": without_secrets(self.properties),
                "external": self.external, "comment": self.comment, "created": self.created}
        if self.storage is not None:
            data["storage"] = self.storage.to_json()
        return data

    @classmethod
    def from_json(cls, data: dict) -> "TableDef":
        storage = data.get("storage")
        return cls(data["database"], data["name"], tuple(Column.from_json(c) for c in data["columns"]),
                   data["kind"], without_secrets(dict(data.get("properties") or {})), data.get("external", True),
                   data.get("comment"), data.get("created", 0.0),
                   FileStorage.from_json(storage) if storage else None)
