"""DynamoDB's capacity units: what a read or a write costs by its size, and what a
response says it consumed.  One module serves the planner's estimates and the
governor's accounting.

AWS documents: a read of up to 4 KB costs one read unit with strong consistency and half
of one with eventual consistency (a Query or Scan page rounds its total up); a write of
up to 1 KB costs one write unit per item; a Scan or Query page holds at most 1 MB.
"""
from __future__ import annotations

import math
from typing import Mapping

READ_UNIT_BYTES = 4096
WRITE_UNIT_BYTES = 1024
#: A Scan or Query page holds at most 1 MB of data read.
MAX_PAGE_BYTES = 1024 * 1024
#: Average item size assumed when DescribeTable gives none (an empty or new table).
DEFAULT_ITEM_BYTES = 1024


def strong_read_units(nbytes: float) -> int:
    """Read units a strongly consistent request reading ``nbytes`` costs: 4 KB units
    rounded up, at least one."""
    return max(1, math.ceil(nbytes / READ_UNIT_BYTES))


def read_units(nbytes: float, *, consistent: bool = False) -> float:
    """Read units one request reading ``nbytes`` costs: 4 KB units rounded up (at least
    one), halved for an eventually consistent read."""
    units = strong_read_units(nbytes)
    return float(units) if consistent else units / 2.0


def write_units(nbytes: float) -> int:
    """Write units one item of ``nbytes`` costs: 1 KB units rounded up, at least one."""
    return max(1, math.ceil(nbytes / WRITE_UNIT_BYTES))


def consumed_units(response: Mapping | None) -> float | None:
    """Total ``CapacityUnits`` of a response's ``ConsumedCapacity`` (a dict or a list), or
    None when the response has none."""
    if not response:
        return None
    consumed = response.get("ConsumedCapacity")
    if consumed is None:
        return None
    entries = consumed if isinstance(consumed, list) else [consumed]
    if not entries:
        return None
    total = 0.0
    for entry in entries:
        units = entry.get("CapacityUnits")
        if units is None:
            units = (entry.get("Table") or {}).get("CapacityUnits", 0.0)
            for member in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
                units += sum(v.get("CapacityUnits", 0.0) for v in (entry.get(member) or {}).values())
        total += float(units)
    return total
