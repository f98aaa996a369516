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


def type_code(arrow_type: pa.DataType) -> str:
    return str(from_arrow(arrow_type))


class DBAPITypeObject:
    def __init__(self, *prefixes: str):
        self.prefixes = prefixes

    def __eq__(self, other: object) -> bool:
        return isinstance(other, str) and other.split("(")[0].split("<")[0] in self.prefixes

    def __hash__(self) -> int:
        return hash(self.prefixes)


STRING = DBAPITypeObject("string", "varchar", "char")
BINARY = DBAPITypeObject("binary")
NUMBER = DBAPITypeObject("tinyint", "smallint", "int", "bigint", "float", "double", "decimal", "boolean")
DATETIME = DBAPITypeObject("timestamp", "date")
ROWID = DBAPITypeObject()

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
