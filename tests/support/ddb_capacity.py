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
import zlib
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


# --- on-demand tables and partitions ---------------------------------------------------------

#: What a new on-demand table serves at once (AWS documentation), per second.
NEW_ON_DEMAND = {READ: 12_000.0, WRITE: 4_000.0}
#: What one physical partition serves at most, per second, whatever the table's capacity.
PARTITION_LIMITS = {READ: 3_000.0, WRITE: 1_000.0}


class WarmThroughput:
    """The on-demand model of one table: it serves up to its warm throughput per second
    (a bucket holding ``burst_seconds`` of it) and refuses the rest; sustained use raises
    the warm throughput, as DynamoDB does (``rise_after`` seconds at or above ``rise_share``
    of it double it, never above ``maximum`` — the owner's OnDemandThroughput — when set).

    ``rise_after=None`` keeps it fixed (the tests that hold a table to a figure).
    """

    def __init__(self, units: float, *, now: float, burst_seconds: float = 1.0, maximum: float | None = None,
                 rise_after: float | None = None, rise_share: float = 0.5):
        self.maximum = maximum
        self.bucket = TokenBucket(self.capped(units), burst_seconds=burst_seconds, now=now)
        self.rise_after = rise_after
        self.rise_share = rise_share
        self._busy_since: int | None = None        # first second of the current busy run
        self._second: int | None = None            # the second being counted, and its units
        self._second_units = 0.0

    @property
    def units(self) -> float:
        return self.bucket.rate

    def capped(self, units: float) -> float:
        return min(units, self.maximum) if self.maximum else units

    def set_units(self, units: float, now: float) -> None:
        self.bucket.set_rate(self.capped(units), now)

    set_rate = set_units

    def admits(self, now: float) -> bool:
        return self.bucket.admits(now)

    def charge(self, units: float, now: float) -> None:
        self.bucket.charge(units, now)
        if self.rise_after is None:
            return
        second = int(now)
        if self._second is not None and second != self._second:
            # a second is over: busy when it used at least rise_share of the warm throughput
            busy = second == self._second + 1 and self._second_units >= self.rise_share * self.units
            if not busy:
                self._busy_since = None
            elif self._busy_since is None:
                self._busy_since = self._second
            elif second - self._busy_since >= self.rise_after:
                self.set_units(2 * self.units, now)
                self._busy_since = second
            self._second_units = 0.0
        self._second = second
        self._second_units += units


def partition_of(key_value: Mapping, partitions: int) -> int:
    """The physical partition of a partition-key value (a stable hash of its JSON form)."""
    (tag, raw), = key_value.items()
    return zlib.crc32(f"{tag}:{raw}".encode()) % max(1, partitions)
