"""Capacity accounting of the test proxy (:mod:`support.ddb_proxy`): DynamoDB-like token
buckets, item sizes as DynamoDB counts them, and a per-second record of consumed units.

Nothing here reads a clock or sleeps: every method takes ``now`` (seconds, any origin),
so the unit tests run simulated time.
"""
from __future__ import annotations

import base64
import collections
import math
import threading
from typing import Iterable, Mapping

READ = "read"
WRITE = "write"
THROTTLE = "throttle"     # a third "direction" in the record: requests refused for capacity

READ_OPS = frozenset({"GetItem", "BatchGetItem", "Query", "Scan", "TransactGetItems"})
WRITE_OPS = frozenset({"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"})


def direction(operation: str) -> str | None:
    """READ or WRITE for a data-plane operation, None for control-plane ones."""
    if operation in READ_OPS:
        return READ
    if operation in WRITE_OPS:
        return WRITE
    return None


class TokenBucket:
    """Capacity units of one table and direction, spent the way DynamoDB does.

    Refills at ``rate`` units per second and keeps at most ``burst_seconds`` of unused
    capacity (DynamoDB keeps 300 s).  A request is admitted while the balance is above
    zero and then charged what it really consumed, so the balance can go negative (a
    large batch admitted on the last token); it refuses requests until refilled.
    Starts full, as a table that has been idle.
    """

    def __init__(self, rate: float, *, burst_seconds: float, now: float):
        self.rate = float(rate)
        self.burst_seconds = float(burst_seconds)
        self.tokens = self.capacity
        self.stamp = now

    @property
    def capacity(self) -> float:
        """The most units the bucket holds (at least one)."""
        return max(1.0, self.rate * self.burst_seconds)

    def refill(self, now: float) -> None:
        if now > self.stamp:
            self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
            self.stamp = now

    def admits(self, now: float) -> bool:
        """True when a request may go through now (the balance is above zero)."""
        self.refill(now)
        return self.tokens > 0

    def charge(self, units: float, now: float) -> None:
        self.refill(now)
        self.tokens -= units

    def set_rate(self, rate: float, now: float) -> None:
        """A new provisioned capacity: refill at the old rate until ``now``, keep the balance
        (capped to the new capacity)."""
        self.refill(now)
        self.rate = float(rate)
        self.tokens = min(self.tokens, self.capacity)


# --- sizes --------------------------------------------------------------------------------

def _number_size(text: str) -> int:
    digits = text.lstrip("+-").replace(".", "").split("e")[0].split("E")[0].strip("0")
    return 1 + math.ceil(max(1, len(digits)) / 2)


def value_size(value: Mapping) -> int:
    """Bytes DynamoDB counts for one attribute value in low-level JSON form."""
    (tag, raw), = value.items()
    if tag == "S":
        return len(raw.encode())
    if tag == "N":
        return _number_size(raw)
    if tag == "B":
        return len(base64.b64decode(raw))
    if tag in ("BOOL", "NULL"):
        return 1
    if tag == "SS":
        return sum(len(s.encode()) for s in raw)
    if tag == "NS":
        return sum(_number_size(n) for n in raw)
    if tag == "BS":
        return sum(len(base64.b64decode(b)) for b in raw)
    if tag == "L":
        return 3 + sum(1 + value_size(v) for v in raw)
    if tag == "M":
        return 3 + sum(1 + len(k.encode()) + value_size(v) for k, v in raw.items())
    raise ValueError(f"unknown attribute type {tag!r}")


def item_size(item: Mapping[str, Mapping]) -> int:
    """Bytes of an item as DynamoDB counts them: names plus values."""
    return sum(len(name.encode()) + value_size(value) for name, value in item.items())


def write_units(item: Mapping | None) -> int:
    """Write units of putting ``item`` (1 KB rounded up, at least 1; None: a delete, 1)."""
    return 1 if item is None else max(1, math.ceil(item_size(item) / 1024))


def read_units(items: Iterable[Mapping], *, consistent: bool, per_item: bool = False) -> float:
    """Read units of reading ``items``: 4 KB rounded up over the total (Scan, Query) or per
    item (GetItem, BatchGetItem), at least one unit, halved when eventually consistent."""
    sizes = [item_size(i) for i in items]
    units = sum(max(1, math.ceil(s / 4096)) for s in sizes) if per_item else math.ceil(sum(sizes) / 4096)
    units = max(1, units)
    return float(units) if consistent else units / 2.0


# --- the record ------------------------------------------------------------------------------

class CapacityRecord:
    """Units consumed per whole second since ``started``, per table and direction (READ,
    WRITE; THROTTLE counts refused requests).  Thread-safe."""

    def __init__(self, started: float):
        self.started = started
        self._lock = threading.Lock()
        self._seconds: dict[tuple[str, str], collections.Counter] = collections.defaultdict(collections.Counter)

    def add(self, table: str, kind: str, units: float, now: float) -> None:
        second = int(max(0.0, now - self.started))
        with self._lock:
            self._seconds[(table, kind)][second] += units

    def per_second(self, table: str, kind: str) -> list[float]:
        """Units in each second, from second 0 to the last second with any, zeros included."""
        with self._lock:
            counter = dict(self._seconds.get((table, kind), {}))
        if not counter:
            return []
        return [float(counter.get(s, 0.0)) for s in range(max(counter) + 1)]

    def total(self, table: str, kind: str) -> float:
        with self._lock:
            return float(sum(self._seconds.get((table, kind), {}).values()))
