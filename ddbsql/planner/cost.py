"""Read cost estimates: how many items a plan reads and what that costs in RCU.

DynamoDB charges one read capacity unit per 4 KB read with strong consistency, half
that with eventual consistency.  GetItem and BatchGetItem round each item up to
4 KB; Query and Scan round the total of a request's page.  Item sizes come from
DescribeTable's ``TableSizeBytes / ItemCount`` (DynamoDB refreshes those about every
six hours, so the estimate can lag behind the table).  How many items a Query
matches is not known before it runs: :func:`query_items` is a stated heuristic.
"""
from __future__ import annotations

import dataclasses
import math

from ..catalog.facts import TableFacts

READ_UNIT_BYTES = 4096
#: Most bytes of items one Scan or Query page reads.
PAGE_BYTES = 1024 * 1024
#: Item size assumed when DescribeTable reports no items yet.
DEFAULT_ITEM_BYTES = 1024


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


def _units(n_bytes: float, consistent: bool) -> float:
    units = math.ceil(n_bytes / READ_UNIT_BYTES) if n_bytes > 0 else 0
    return units if consistent else units / 2


def scan_estimate(facts: TableFacts, consistent: bool, *, segments: int = 1, limit: int | None = None) -> Estimate:
    """A Scan reads the whole table, whatever its filter, in pages of at most 1 MB per
    segment; each page's size is rounded up to 4 KB (half a unit more per page on average).
    ``limit``: the Scan stops after that many items (a LIMIT with nothing filtered)."""
    size, count = float(facts.size_bytes), float(facts.item_count)
    basis = f"whole table: {facts.size_bytes} bytes, {facts.item_count} items"
    if limit is not None and count > limit:
        size, count = limit * average_item_bytes(facts), float(limit)
        basis = f"first {limit} item(s) of ~{average_item_bytes(facts):.0f} bytes"
    pages = max(segments, math.ceil(size / PAGE_BYTES)) if size else segments
    units = size / READ_UNIT_BYTES + 0.5 * pages
    units = max(units, float(pages))  # every page costs at least one unit
    return Estimate(count, units if consistent else units / 2, basis + f", {pages} page(s)", pages)


def get_estimate(facts: TableFacts, keys: int, consistent: bool) -> Estimate:
    """GetItem/BatchGetItem: at most one item per key, each rounded up to 4 KB."""
    per_item = max(1, math.ceil(average_item_bytes(facts) / READ_UNIT_BYTES))
    rcu = keys * per_item * (1 if consistent else 0.5)
    return Estimate(keys, rcu, f"{keys} key(s) x {per_item} unit(s) per item", max(1, math.ceil(keys / 100)))


def query_items(facts: TableFacts, *, range_key: bool, base_table: bool, range_condition: str | None) -> float:
    """Heuristic items matched by one Query.

    A partition of a table with a sort key is taken to hold ``sqrt(ItemCount)`` items
    (a table without one: exactly one item per key); ``=`` on the sort key of the base
    table matches one item, elsewhere ``sqrt`` of the partition; BETWEEN and
    begins_with a quarter of it; a single bound a third.
    """
    total = max(facts.item_count, 0)
    if not range_key:
        return min(total, 1.0) if base_table else min(total, max(1.0, math.sqrt(total)))
    partition = min(total, max(1.0, math.sqrt(total)))
    if range_condition is None:
        return partition
    if range_condition == "=":
        return min(partition, 1.0) if base_table else max(1.0, math.sqrt(partition))
    if range_condition in ("between", "begins"):
        return partition / 4
    return partition / 3


def query_estimate(facts: TableFacts, queries: int, per_query: float, consistent: bool) -> Estimate:
    """``queries`` Queries of ``per_query`` items each; every Query costs at least one unit."""
    size = average_item_bytes(facts)
    items = min(float(facts.item_count), queries * per_query) if facts.item_count else queries * per_query
    per_request = max(1, math.ceil(per_query * size / READ_UNIT_BYTES))
    rcu = queries * per_request * (1 if consistent else 0.5)
    pages = queries * max(1, math.ceil(per_query * size / PAGE_BYTES))
    return Estimate(round(items, 1), rcu,
                    f"{queries} Query(s) x ~{per_query:.1f} item(s) of ~{size:.0f} bytes (heuristic)", pages)
