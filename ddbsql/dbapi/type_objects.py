"""PEP 249 type objects and the type codes of ``cursor.description``.

A type code is the Hive type name of the column (``"string"``, ``"bigint"``,
``"decimal(38,2)"``, ``"array<string>"``…); the module's type objects compare equal to
the codes of their family.
"""
from __future__ import annotations

import datetime
import time

import pyarrow as pa

from ..types import from_arrow


class DBAPITypeObject:
    """A PEP 249 type object: equal to the type code of every column type of its family."""

    def __init__(self, name: str, *prefixes: str):
        self.name = name
        self.prefixes = prefixes

    def __eq__(self, other: object) -> bool:
        if isinstance(other, DBAPITypeObject):
            return other is self
        return isinstance(other, str) and _base(other) in self.prefixes

    def __hash__(self) -> int:
        return hash((DBAPITypeObject, self.name))

    def __repr__(self) -> str:
        return f"ddbsql.{self.name}"


def _base(code: str) -> str:
    return code.split("(")[0].split("<")[0]


STRING = DBAPITypeObject("STRING", "string", "varchar", "char")
BINARY = DBAPITypeObject("BINARY", "binary")
NUMBER = DBAPITypeObject("NUMBER", "tinyint", "smallint", "int", "bigint", "float", "double", "decimal")
DATETIME = DBAPITypeObject("DATETIME", "timestamp", "date")
ROWID = DBAPITypeObject("ROWID")
_FAMILIES = (STRING, BINARY, NUMBER, DATETIME)


class TypeCode(str):
    """A ``cursor.description`` type code: the Hive type name of the column (``"string"``,
    ``"decimal(38,2)"``, ``"array<string>"``…).  It equals its family's type object and
    hashes as it does, so ``{ddbsql.STRING: …}[code]`` finds it; a code of no PEP 249
    family (boolean, array, map, struct) hashes as its text."""

    def __hash__(self) -> int:
        family = next((f for f in _FAMILIES if _base(self) in f.prefixes), None)
        return hash(family) if family is not None else str.__hash__(self)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, DBAPITypeObject):
            return other == self
        return str.__eq__(self, other)

    def __ne__(self, other: object) -> bool:
        return not self == other


def type_code(arrow_type: pa.DataType) -> TypeCode:
    return TypeCode(str(from_arrow(arrow_type)))


def description_entry(field: pa.Field) -> tuple:
    """The PEP 249 seven-item description of one result column: name, type code,
    display size, internal size, precision and scale (decimals), null_ok."""
    precision = scale = None
    hive = from_arrow(field.type)
    if hive.name == "decimal":
        precision, scale = hive.params
    return (field.name, TypeCode(str(hive)), None, None, precision, scale, field.nullable)


Date = datetime.date
Time = datetime.time
Timestamp = datetime.datetime
Binary = bytes


def DateFromTicks(ticks: float) -> datetime.date:
    return Date(*time.gmtime(ticks)[:3])


def TimeFromTicks(ticks: float) -> datetime.time:
    return Time(*time.gmtime(ticks)[3:6])


def TimestampFromTicks(ticks: float) -> datetime.datetime:
    return Timestamp(*time.gmtime(ticks)[:6])
