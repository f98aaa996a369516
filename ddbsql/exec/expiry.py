"""TTL-aware reads: items whose time-to-live has passed are dropped from what a read yields.

DynamoDB deletes expired items some time after their TTL passes (its documentation says
within a few days) and returns them until then.  With ``ddbsql.read.skip.expired=true`` a
read asks DescribeTimeToLive for the table's TTL attribute, decodes that attribute beside
the columns (as the hidden column :data:`TTL_COLUMN`) and drops every item whose value is
a number of epoch seconds at or before the statement's clock.  A TTL value that is not a
number is, as for DynamoDB, never expiring: the item is kept and counted.
"""
from __future__ import annotations

import dataclasses
import threading
import time
from typing import Callable, Iterator

import pyarrow as pa
import pyarrow.compute as pc

from ..catalog.binding import ColumnBinding
from ..types import parse_hive_type
from .decode import DecodeWarnings
from .retry import RetryPolicy

#: the hidden column a TTL attribute is read into (never shown: dropped with the items)
TTL_COLUMN = "__ddbsql_ttl"


def ttl_attribute(client, table_name: str, retry: RetryPolicy) -> str | None:
    """The table's TTL attribute (DescribeTimeToLive) when TTL is enabled or being enabled."""
    answer = retry.call(lambda: client.describe_time_to_live(TableName=table_name),
                        what=f"DescribeTimeToLive {table_name}")
    description = answer.get("TimeToLiveDescription") or {}
    if description.get("TimeToLiveStatus") in ("ENABLED", "ENABLING"):
        return description.get("AttributeName")
    return None


def ttl_binding(attribute: str) -> ColumnBinding:
    """The hidden column that reads ``attribute`` (N epoch seconds)."""
    return ColumnBinding(TTL_COLUMN, parse_hive_type("double"), attribute, "N")


@dataclasses.dataclass
class ExpiryStats:
    """What TTL filtering did to one read."""

    attribute: str
    #: items dropped because their TTL had passed
    expired: int = 0
    #: items kept because their TTL value was not a number
    wrong_type: int = 0
    _lock: threading.Lock = dataclasses.field(default_factory=threading.Lock, repr=False, compare=False)

    def add_wrong_type(self, n: int) -> None:
        with self._lock:
            self.wrong_type += n


class SplitWarnings(DecodeWarnings):
    """Decode warnings of a read with a hidden TTL column: that column's mismatches are
    counted as wrong-typed TTL values, every other column's go to ``columns``."""

    def __init__(self, columns: DecodeWarnings, expiry: ExpiryStats):
        super().__init__()
        self._columns = columns
        self._expiry = expiry

    def add(self, column: str, reason: str, n: int = 1) -> None:
        if column == TTL_COLUMN:
            self._expiry.add_wrong_type(n)
        else:
            self._columns.add(column, reason, n)

    def items(self):
        return self._columns.items()

    def total(self) -> int:
        return self._columns.total()


def drop_expired(batches: Iterator[pa.RecordBatch], stats: ExpiryStats, *,
                 clock: Callable[[], float] = time.time) -> Iterator[pa.RecordBatch]:
    """``batches`` without the items whose :data:`TTL_COLUMN` is at or before ``clock()``
    (read once, when the first batch arrives), and without that column."""
    now = None
    try:
        for batch in batches:
            if now is None:
                now = clock()
            at = batch.schema.get_field_index(TTL_COLUMN)
            ttl = batch.column(at)
            expired = pc.fill_null(pc.less_equal(ttl, pa.scalar(float(now))), False)
            n = pc.sum(expired.cast(pa.int64())).as_py() or 0
            if n:
                stats.expired += n
                batch = batch.filter(pc.invert(expired))
            yield batch.remove_column(at)
    finally:
        close = getattr(batches, "close", None)
        if close is not None:
            close()


def without_ttl(schema: pa.Schema) -> pa.Schema:
    """``schema`` less the hidden TTL column."""
    at = schema.get_field_index(TTL_COLUMN)
    return schema.remove(at) if at >= 0 else schema
