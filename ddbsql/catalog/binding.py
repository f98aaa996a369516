"""How one Hive column is stored in a DynamoDB item.

A :class:`ColumnBinding` is the fact the codec needs: the Hive column, the DynamoDB
attribute it lives in, and the DynamoDB type it is written as.
"""
from __future__ import annotations

import dataclasses

from ..types import HiveType

#: DynamoDB attribute type codes a column can be bound to.  ``ITEM`` is the
#: whole-item column (``map<string,string>`` without a mapping): every attribute of
#: the item, each value a JSON-serialised attribute value.  ``TEXT`` (a ``string``
#: column only, a ddbsql extension) reads a value of any type as its text and writes S:
#: the form of an attribute whose values have several types.
DDB_TYPES = ("S", "N", "B", "BOOL", "L", "M", "SS", "NS", "BS", "NULL", "ITEM", "TEXT")


@dataclasses.dataclass(frozen=True)
class ColumnBinding:
    """One Hive column of a DynamoDB-backed table.

    ``name``: the Hive column name, lower case.  ``attribute``: the DynamoDB attribute
    name, case preserved; ``None`` for the whole-item column.  ``ddb_type``: one of
    :data:`DDB_TYPES`, the form values are written in (reads accept the compatible
    forms, see the codec).
    """

    name: str
    hive_type: HiveType
    attribute: str | None
    ddb_type: str

    @property
    def is_item(self) -> bool:
        return self.ddb_type == "ITEM"
