"""Spreading a write job's rows over a table's partitions.

DynamoDB serves each physical partition at most 1 000 write units per second, whatever the
table's capacity, and places an item by a hash of its partition key.  Input sorted by
partition key (a copy of a Query result, a sorted file, ``ORDER BY``) sends every request of
a moment to one partition: it is throttled at a fraction of the table's budget.
:func:`interleave` reorders each window of :data:`SPREAD_WINDOW` rows so consecutive rows have different partition
keys — the first row of every key, then the second of every key, and so on — while rows of
the same key keep their order (so the last of several rows with one key still wins).
"""
from __future__ import annotations

from typing import Callable, Hashable, Sequence, TypeVar

T = TypeVar("T")

#: Rows a write job interleaves at a time: enough for many keys of a sorted input, a few MB.
SPREAD_WINDOW = 8192


def interleave(entries: Sequence[T], key: Callable[[T], Hashable]) -> list[T]:
    """``entries`` in round-robin order over ``key`` (in order of first appearance), each
    key's entries in their original order.  O(n); a batch whose keys are all distinct comes
    back unchanged."""
    groups: dict[Hashable, list[T]] = {}
    for entry in entries:
        groups.setdefault(key(entry), []).append(entry)
    if len(groups) == len(entries) or len(groups) <= 1:
        return list(entries)
    lists = list(groups.values())
    out: list[T] = []
    depth = 0
    while lists:
        out.extend(group[depth] for group in lists)
        depth += 1
        lists = [group for group in lists if len(group) > depth]
    return out


def partition_key_of(attribute: str) -> Callable[[tuple], Hashable]:
    """The key function for ``(row, item, …)`` entries: the item's partition-key value."""
    def key(entry: tuple) -> Hashable:
        value = entry[1].get(attribute)
        return next(iter(value.items())) if value else None
    return key
