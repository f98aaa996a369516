"""What a connection's catalog says about its tables, for tools that reflect a schema
(the SQLAlchemy dialect): databases, tables, columns, and the keys and secondary indexes
of the DynamoDB tables behind them.  Errors are PEP 249 errors."""
from __future__ import annotations

import dataclasses

from .. import errors
from ..catalog.builtin import DATABASE as BUILTIN_DATABASE, builtin_region
from ..catalog.mapping import bindings_for
from ..catalog.model import TableDef
from .connection import Connection
from .exceptions import ProgrammingError, translate


@dataclasses.dataclass(frozen=True)
class ColumnInfo:
    name: str
    #: the Hive type name (``"decimal(10,2)"``)
    type: str
    comment: str | None


@dataclasses.dataclass(frozen=True)
class IndexInfo:
    """A DynamoDB secondary index: ``kind`` is ``"GSI"`` or ``"LSI"``; ``columns`` are the
    Hive columns its key attributes are mapped to (hash key first)."""

    name: str
    kind: str
    columns: tuple[str, ...]


def databases(connection: Connection) -> list[str]:
    return _call(lambda: sorted(set(connection.session.metastore.databases()) | {BUILTIN_DATABASE}))


def current_database(connection: Connection) -> str:
    return connection.session.database


def tables(connection: Connection, database: str | None = None) -> list[str]:
    session = connection.session
    database = (database or session.database).lower()
    if builtin_region(database) is not None:  # the dynamodb database: DynamoDB's own tables
        return _call(lambda: session.builtin.names(database))
    return _call(lambda: session.metastore.tables(database))


def table(connection: Connection, name: str, database: str | None = None) -> TableDef | None:
    session = connection.session
    return _call(lambda: session.catalog_table(name, (database or session.database).lower(),
                                               missing_ok=True))


def columns(connection: Connection, name: str, database: str | None = None) -> list[ColumnInfo]:
    definition = _existing(connection, name, database)
    return [ColumnInfo(c.name, str(c.type), c.comment) for c in definition.columns]


def primary_key(connection: Connection, name: str, database: str | None = None) -> tuple[str, ...]:
    """The columns mapped to the DynamoDB table's key (hash key, then range key); empty for
    a table that is not DynamoDB's or whose key attributes are not all mapped."""
    definition = _existing(connection, name, database)
    if not _is_dynamodb(definition):
        return ()
    facts = _call(lambda: connection.session.facts(definition))
    return _mapped(definition, facts.key_attributes)


def indexes(connection: Connection, name: str, database: str | None = None) -> list[IndexInfo]:
    """The DynamoDB table's global and local secondary indexes whose key attributes are all mapped."""
    definition = _existing(connection, name, database)
    if not _is_dynamodb(definition):
        return []
    facts = _call(lambda: connection.session.facts(definition))
    found = []
    for index in facts.indexes:
        keys = (index.hash_key,) + ((index.range_key,) if index.range_key else ())
        mapped = _mapped(definition, keys)
        if mapped:
            found.append(IndexInfo(index.name, index.kind, mapped))
    return found


def _is_dynamodb(definition: TableDef) -> bool:
    return str(getattr(definition.kind, "value", definition.kind)) == "dynamodb"


def _mapped(definition: TableDef, attributes: tuple[str, ...]) -> tuple[str, ...]:
    by_attribute = {b.attribute: b.name for b in _call(lambda: bindings_for(definition)) if b.attribute}
    if not all(a in by_attribute for a in attributes):
        return ()
    return tuple(by_attribute[a] for a in attributes)


def _existing(connection: Connection, name: str, database: str | None) -> TableDef:
    definition = table(connection, name, database)
    if definition is None:
        raise ProgrammingError(f"Table not found '{database or connection.session.database}.{name}'")
    return definition


def _call(function):
    try:
        return function()
    except errors.DdbsqlError as exc:
        raise translate(exc) from exc
