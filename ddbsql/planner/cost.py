"""Read cost estimates: how many items a plan reads and what that costs in RCU.

DynamoDB charges one read capacity unit per 4 KB read with strong consistency, half
that with eventual consistency.  GetItem and BatchGetItem round each item up to
4 KB; Query and Scan round the total of a request's page.  Item sizes come from
DescribeTable's ``TableSizeBytes / ItemCount`` (DynamoDB refreshes those about every
six hours, so the estimate can lag behind the table).  How many items a Query
matches is not known before it runs: :func:`query_items` uses what ``ANALYZE TABLE``
measured (see :mod:`ddbsql.catalog.stats`) and, without it, a stated heuristic.
"""
from __future__ import annotations

import base64
import dataclasses
import math
from decimal import Decimal

from ..catalog.facts import TableFacts
from ..catalog.stats import KeyStats
from .conditions import BeginsWith, Between, Compare
from .units import DEFAULT_ITEM_BYTES, MAX_PAGE_BYTES, READ_UNIT_BYTES, strong_read_units


@dataclasses.dataclass(frozen=True)
class Estimate:
    """Expected items read, read capacity consumed and requests (pages) sent; ``basis``
    says how it was derived."""

    items: float
    rcu: float
    basis: str
    pages: int = 1


def average_item_bytes(facts: TableFacts) -> float:
    if facts.item_count > 0 and facts.size_bytes > 0:
        return facts.size_bytes / facts.item_count
    return DEFAULT_ITEM_BYTES


def scan_estimate(facts: TableFacts, consistent: bool, *, segments: int = 1, limit: int | None = None) -> Estimate:
    """A Scan reads the whole table, whatever its filter, in pages of at most 1 MB per
    segment; each page's size is rounded up to 4 KB (half a unit more per page on average).
    ``limit``: the Scan stops after that many items (a LIMIT with nothing filtered)."""
    size, count = float(facts.size_bytes), float(facts.item_count)
    basis = f"whole table: {facts.size_bytes} bytes, {facts.item_count} items"
    if limit is not None and count > limit:
        size, count = limit * average_item_bytes(facts), float(limit)
        basis = f"first {limit} item(s) of ~{average_item_bytes(facts):.0f} bytes"
    pages = max(segments, math.ceil(size / MAX_PAGE_BYTES)) if size else segments
    units = size / READ_UNIT_BYTES + 0.5 * pages
    units = max(units, float(pages))  # every page costs at least one unit
    return Estimate(count, units if consistent else units / 2, basis + f", {pages} page(s)", pages)


def get_estimate(facts: TableFacts, keys: int, consistent: bool) -> Estimate:
    """GetItem/BatchGetItem: at most one item per key, each rounded up to 4 KB."""
    per_item = strong_read_units(average_item_bytes(facts))
    rcu = keys * per_item * (1 if consistent else 0.5)
    return Estimate(keys, rcu, f"{keys} key(s) x {per_item} unit(s) per item", max(1, math.ceil(keys / 100)))


def query_items(facts: TableFacts, *, range_key: bool, base_table: bool, range_condition: str | None,
                key_stats: KeyStats | None = None, fraction: float | None = None) -> float:
    """Items matched by one Query.

    With ANALYZE statistics (``key_stats`` of the table or index queried), a partition
    holds the measured average of items per partition key, and a sort key range
    matches ``fraction`` of it (see :func:`range_fraction`).  Without them, a stated
    heuristic: a partition of a table with a sort key is taken to hold
    ``sqrt(ItemCount)`` items (a table without one: exactly one item per key); ``=`` on
    the sort key of the base table matches one item, elsewhere ``sqrt`` of the
    partition; BETWEEN and begins_with a quarter of it; a single bound a third.
    """
    total = max(facts.item_count, 0)
    if key_stats is not None and key_stats.partitions:
        partition = key_stats.items_per_partition
    elif not range_key:
        return min(total, 1.0) if base_table else min(total, max(1.0, math.sqrt(total)))
    else:
        partition = min(total, max(1.0, math.sqrt(total)))
    if range_condition is None or not range_key:
        return partition
    if range_condition == "=":
        return min(partition, 1.0) if base_table else max(1.0, math.sqrt(partition))
    if fraction is not None:
        return partition * fraction
    if range_condition in ("between", "begins"):
        return partition / 4
    return partition / 3


def range_fraction(condition, key_stats: KeyStats | None) -> float | None:
    """The share of a partition's items a sort key condition keeps, assuming sort key
    values spread evenly between the smallest and largest ANALYZE saw; None without
    statistics or for ``=``.  Strings and binary are placed by the bytes after the
    prefix the smallest and largest share, digit positions counting in tens (so
    ``2024-06-30`` falls about half way between ``2024-01-01`` and ``2024-12-31``)."""
    if key_stats is None or key_stats.sort_min is None or key_stats.sort_max is None:
        return None
    axis = _Axis.of(key_stats.sort_min, key_stats.sort_max)
    if axis is None:
        return None
    if isinstance(condition, Between):
        low, high = axis.position(condition.low), axis.position(condition.high)
    elif isinstance(condition, BeginsWith):
        low, high = axis.position(condition.prefix), axis.position(condition.prefix, pad=0xFF)
    elif isinstance(condition, Compare) and condition.op in ("<", "<="):
        low, high = axis.low, axis.position(condition.value)
    elif isinstance(condition, Compare) and condition.op in (">", ">="):
        low, high = axis.position(condition.value), axis.high
    else:
        return None
    if low is None or high is None:
        return None
    if axis.high <= axis.low:
        return 1.0 if low <= axis.low <= high else 0.0
    covered = min(high, axis.high) - max(low, axis.low)
    return min(1.0, max(0.0, covered / (axis.high - axis.low)))


#: Bytes after the common prefix that place a string on its axis.
_PLACES = 8


class _Axis:
    """Places sort key values of one type on a line between the smallest and largest."""

    def __init__(self, kind: str, prefix: bytes, radixes: tuple[int, ...], low_end, high_end):
        self.kind, self.prefix, self.radixes = kind, prefix, radixes
        self.low = self.position(low_end)
        self.high = self.position(high_end)

    @classmethod
    def of(cls, low_end: dict, high_end: dict) -> "_Axis | None":
        if "N" in low_end and "N" in high_end:
            return cls("N", b"", (), low_end, high_end)
        low, high = _raw(low_end), _raw(high_end)
        if low is None or high is None:
            return None
        n = 0
        while n < min(len(low), len(high)) and low[n] == high[n]:
            n += 1
        digits = (lambda raw, i: i < len(raw) and 0x30 <= raw[i] <= 0x39)
        radixes = tuple(10 if digits(low, n + i) and digits(high, n + i) else 256 for i in range(_PLACES))
        return cls("S", low[:n], radixes, low_end, high_end)

    def position(self, value: dict, pad: int = 0) -> float | None:
        if self.kind == "N":
            return float(Decimal(value["N"])) if "N" in value else None
        raw = _raw(value)
        if raw is None:
            return None
        n = len(self.prefix)
        raw = raw[:n + _PLACES].ljust(n + _PLACES, bytes([pad]))
        if raw[:n] != self.prefix:
            return -math.inf if raw[:n] < self.prefix else math.inf
        place = 0.0
        for byte, radix in zip(raw[n:], self.radixes):
            digit = byte - 0x30 if radix == 10 else byte
            place = place * radix + min(max(digit, 0), radix - 1)
        return place


def _raw(value: dict) -> bytes | None:
    if "S" in value:
        return value["S"].encode("utf-8")
    if "B" in value:
        return bytes(value["B"]) if isinstance(value["B"], (bytes, bytearray)) else base64.b64decode(value["B"])
    return None


def query_estimate(facts: TableFacts, queries: int, per_query: float, consistent: bool, *,
                   source: str = "heuristic") -> Estimate:
    """``queries`` Queries of ``per_query`` items each; every Query costs at least one unit.
    ``source`` says where ``per_query`` comes from."""
    size = average_item_bytes(facts)
    items = min(float(facts.item_count), queries * per_query) if facts.item_count else queries * per_query
    per_request = strong_read_units(per_query * size)
    rcu = queries * per_request * (1 if consistent else 0.5)
    pages = queries * max(1, math.ceil(per_query * size / MAX_PAGE_BYTES))
    return Estimate(round(items, 1), rcu,
                    f"{queries} Query(s) x ~{per_query:.1f} item(s) of ~{size:.0f} bytes ({source})", pages)
