"""How one Hive column is stored in a DynamoDB item.

A :class:`ColumnBinding` is the fact the codec needs: the Hive column, the DynamoDB
attribute it lives in, and the DynamoDB type it is written as.
"""
from __future__ import annotations

import dataclasses
import enum

from ..types import HiveType, parse_hive_type

#: DynamoDB attribute type codes a column can be bound to.  ``ITEM`` is the
#: whole-item column (``map<string,string>`` without a mapping): every attribute of
#: the item, each value a JSON-serialised attribute value.  ``TEXT`` (a ``string``
#: column only, a ddbsql extension) reads a value of any type as its text and writes S:
#: the form of an attribute whose values have several types.
DDB_TYPES = ("S", "N", "B", "BOOL", "L", "M", "SS", "NS", "BS", "NULL", "ITEM", "TEXT")


class TimeEncoding(enum.Enum):
    """How a ``timestamp`` or ``date`` column is kept in its attribute (UTC, as EMR)."""

    #: S holding ISO-8601 text (``2024-05-01T12:30:00.250000``, ``2024-05-01``)
    ISO8601 = "iso8601"
    #: N holding seconds since 1970-01-01 00:00 UTC (fractions for sub-second parts)
    EPOCH_SECONDS = "epoch_seconds"
    #: N holding milliseconds since 1970-01-01 00:00 UTC (fractions for microseconds)
    EPOCH_MILLIS = "epoch_millis"

    @property
    def ddb_type(self) -> str:
        return "S" if self is TimeEncoding.ISO8601 else "N"


@dataclasses.dataclass(frozen=True)
class ColumnBinding:
    """One Hive column of a DynamoDB-backed table.

    ``name``: the Hive column name, lower case.  ``attribute``: the DynamoDB attribute
    name, case preserved; ``None`` for the whole-item column.  ``ddb_type``: one of
    :data:`DDB_TYPES`, the form values are written in (reads accept the compatible
    forms, see the codec).  ``time_encoding``: for ``timestamp`` and ``date`` columns,
    how the moment is kept (None for every other column).
    """

    name: str
    hive_type: HiveType
    attribute: str | None
    ddb_type: str
    time_encoding: TimeEncoding | None = None
    #: a hidden column holding the attribute's value exactly as DynamoDB returned it
    #: (see :func:`raw_binding`), not the column's converted value
    raw: bool = False

    @property
    def is_item(self) -> bool:
        return self.ddb_type == "ITEM"


#: names of the hidden raw-value columns: the prefix and the column's name
RAW_PREFIX = "__ddbsql_raw_"


def raw_name(column: str) -> str:
    """The hidden column that carries ``column``'s stored attribute value unconverted."""
    return RAW_PREFIX + column


def raw_binding(binding: ColumnBinding) -> ColumnBinding:
    """A ``string`` column reading ``binding``'s attribute as the JSON text of the
    AttributeValue DynamoDB returned (NULL when the item lacks it): what UPDATE, DELETE
    and MERGE condition their changes on, with no conversion that could round a number
    or reformat a time."""
    return ColumnBinding(raw_name(binding.name), parse_hive_type("string"), binding.attribute, binding.ddb_type,
                         raw=True)
