"""ANALYZE TABLE for a DynamoDB table: one paced, parallel, keys-only Scan measuring how
items spread over the partition and sort keys of the table and of each index.

A Scan is charged for whole items whatever its projection, so ANALYZE costs one full
read of the table (EXPLAIN of ``SELECT * FROM t`` shows how much); it is paced by the
table's read budget like any other read.  The table's size is taken from what the
Scan was charged (each page's size rounded up to 4 KB, so it is a slight over-estimate).
"""
from __future__ import annotations

import base64
import datetime
import threading
from decimal import Decimal
from typing import Callable

from ..catalog.facts import TableFacts
from ..catalog.stats import TABLE, KeyStats, TableStats
from ..errors import Cancelled
from ..planner.scan import SCAN_WORKERS
from .distinct import DistinctCounter
from .governor import READ, Governor
from .pump import pump
from .retry import RetryPolicy, is_throttling
from .scanner import PageBudget, ScanStats, paced_pages


class _KeySpread:
    """Accumulates one key schema's items, distinct partition keys and sort key range."""

    def __init__(self, hash_key: str, hash_type: str | None, range_key: str | None, range_type: str | None):
        self.hash_key, self.hash_type = hash_key, hash_type
        self.range_key, self.range_type = range_key, range_type
        self.items = 0
        self.partitions = DistinctCounter()
        self.low: dict | None = None
        self.high: dict | None = None

    def add(self, item: dict) -> None:
        hash_value = item.get(self.hash_key)
        if not _typed(hash_value, self.hash_type):
            return  # not in this index (a sparse index holds only items with its keys)
        range_value = item.get(self.range_key) if self.range_key else None
        if self.range_key and not _typed(range_value, self.range_type):
            return
        self.items += 1
        self.partitions.add(_canonical(hash_value))
        if range_value is not None:
            if self.low is None or _order(range_value) < _order(self.low):
                self.low = range_value
            if self.high is None or _order(range_value) > _order(self.high):
                self.high = range_value

    def merge(self, other: "_KeySpread") -> None:
        self.items += other.items
        self.partitions.merge(other.partitions)
        for value in (other.low, other.high):
            if value is None:
                continue
            if self.low is None or _order(value) < _order(self.low):
                self.low = value
            if self.high is None or _order(value) > _order(self.high):
                self.high = value

    def result(self) -> KeyStats:
        return KeyStats(self.items, self.partitions.count(), _plain(self.low), _plain(self.high))


def _typed(value: dict | None, ddb_type: str | None) -> bool:
    return isinstance(value, dict) and (ddb_type in value if ddb_type else bool(value.keys() & {"S", "N", "B"}))


def _canonical(value: dict) -> bytes:
    if "N" in value:
        return b"N" + str(Decimal(value["N"]).normalize()).encode()
    if "S" in value:
        return b"S" + value["S"].encode("utf-8")
    return b"B" + bytes(value["B"])


def _order(value: dict):
    if "N" in value:
        return Decimal(value["N"])
    if "S" in value:
        return value["S"].encode("utf-8")
    return bytes(value["B"])


def _plain(value: dict | None) -> dict | None:
    """JSON-ready: binary as base64, as DynamoDB's JSON has it."""
    if value is None or "B" not in value:
        return value
    return {"B": base64.b64encode(bytes(value["B"])).decode("ascii")}


def collect_stats(client, facts: TableFacts, retry: RetryPolicy, *, segments: int = 1,
                  governor: Governor | None = None, cancel: threading.Event | None = None,
                  counters: ScanStats | None = None,
                  now: Callable[[], datetime.datetime] = lambda: datetime.datetime.now(datetime.timezone.utc)
                  ) -> TableStats:
    """Scan the table (``segments`` in parallel, paced by ``governor``) and measure it;
    ``counters`` (when given) follow the pages as they come, for progress."""
    targets = {TABLE: (facts.hash_key, facts.range_key)}
    for index in facts.indexes:
        targets[index.name] = (index.hash_key, index.range_key)
    attributes = sorted({a for pair in targets.values() for a in pair if a})
    names = {f"#k{i}": a for i, a in enumerate(attributes)}
    types = facts.attribute_types

    def spreads() -> dict[str, _KeySpread]:
        return {name: _KeySpread(h, types.get(h), r, types.get(r) if r else None)
                for name, (h, r) in targets.items()}

    total = spreads()
    workers = min(segments, SCAN_WORKERS)
    counts = {"items": 0, "units": 0.0, "pages": 0}
    lock = threading.Lock()

    def on_retry(exc: BaseException) -> None:
        if governor is not None and is_throttling(exc):
            governor.throttled(READ)

    def segment_task(segment: int):
        def run(put, stopped) -> None:
            params = {"TableName": facts.table_name, "ProjectionExpression": ", ".join(names),
                      "ExpressionAttributeNames": names, "ReturnConsumedCapacity": "TOTAL"}
            if segments > 1:
                params.update(Segment=segment, TotalSegments=segments)
            budget = PageBudget(governor, consistent=False, workers=workers) if governor is not None else None
            local = spreads()
            for page, units in paced_pages(lambda p: client.scan(**p), params, retry,
                                           what=f"Scan {facts.table_name} (ANALYZE)", governor=governor,
                                           budget=budget, stopped=stopped, on_retry=on_retry):
                for item in page.get("Items", []):
                    for spread in local.values():
                        spread.add(item)
                with lock:
                    scanned = page.get("ScannedCount", len(page.get("Items", [])))
                    counts["items"] += scanned
                    counts["units"] += units
                    counts["pages"] += 1
                    if counters is not None:
                        counters.pages += 1
                        counters.scanned += scanned
                        counters.items += len(page.get("Items", []))
                        counters.consumed_capacity += units
            with lock:
                for name, spread in local.items():
                    total[name].merge(spread)
        return run

    for _ in pump([segment_task(s) for s in range(segments)], f"analyze-{facts.table_name}", workers, cancel):
        pass
    if cancel is not None and cancel.is_set():
        raise Cancelled(f"ANALYZE of {facts.table_name} cancelled: no statistics stored")
    # eventually consistent: one unit reads 8 KB; each page rounds up half a 4 KB unit on average
    size = max(0.0, (counts["units"] * 2 - 0.5 * counts["pages"]) * 4096)
    if not counts["units"]:  # the server does not report what it charged
        size = float(facts.size_bytes)
    return TableStats(counts["items"], int(size), {name: spread.result() for name, spread in total.items()},
                      now().replace(microsecond=0).isoformat())
