"""Parallel Scan of a DynamoDB table into a stream of Arrow record batches.

Each segment runs in a worker thread that pages through its part of the table,
decodes every page with :func:`~ddbsql.exec.decode.decode_page` and puts the batch on a
bounded queue, so memory stays bounded however large the table is.  Closing the
stream early (a LIMIT reached, Ctrl-C) stops the workers after their current page.
"""
from __future__ import annotations

import queue
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, Iterator

import pyarrow as pa

from ..planner.scan import ScanPlan
from .decode import DecodeWarnings, decode_page
from .retry import RetryPolicy

_DONE = object()


class ScanStats:
    """Counters one scan accumulates, read by progress reporting (thread-safe enough: ints)."""

    def __init__(self) -> None:
        self.pages = 0
        self.items = 0
        self.scanned = 0
        self.consumed_capacity = 0.0


def arrow_schema(plan: ScanPlan) -> pa.Schema:
    return pa.schema([pa.field(b.name, b.hive_type.to_arrow()) for b in plan.bindings])


def scan_batches(client, plan: ScanPlan, retry: RetryPolicy, *, warnings: DecodeWarnings,
                 stats: ScanStats | None = None, max_workers: int = 8, queue_depth: int | None = None,
                 on_page: Callable[[ScanStats], None] | None = None,
                 cancel: threading.Event | None = None) -> Iterator[pa.RecordBatch]:
    """Yield record batches of the whole Scan ``plan`` (one per page, empty pages skipped).

    Raises in the consumer whatever a worker raised.  Closing the generator cancels
    the remaining pages.
    """
    stats = stats or ScanStats()
    stop = cancel or threading.Event()
    local_stop = threading.Event()
    out: queue.Queue = queue.Queue(maxsize=queue_depth or max(2, 2 * min(plan.segments, max_workers)))
    lock = threading.Lock()

    def put(item) -> bool:
        while not (stop.is_set() or local_stop.is_set()):
            try:
                out.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def run_segment(segment: int) -> None:
        try:
            params = plan.request(segment)
            params["ReturnConsumedCapacity"] = "TOTAL"
            while not (stop.is_set() or local_stop.is_set()):
                page = retry.call(lambda: client.scan(**params), what=f"Scan {plan.table_name}")
                items = page.get("Items", [])
                with lock:
                    stats.pages += 1
                    stats.items += len(items)
                    stats.scanned += page.get("ScannedCount", len(items))
                    stats.consumed_capacity += (page.get("ConsumedCapacity") or {}).get("CapacityUnits", 0.0)
                if items:
                    batch = decode_page(items, plan.bindings, warnings)
                    if not put(batch):
                        return
                if on_page:
                    on_page(stats)
                last = page.get("LastEvaluatedKey")
                if not last:
                    return
                params["ExclusiveStartKey"] = last
        except BaseException as exc:  # handed to the consumer, which re-raises it
            put(exc)
        finally:
            put(_DONE)

    workers = min(plan.segments, max_workers)
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix=f"scan-{plan.table_name}")
    remaining = plan.segments
    try:
        for segment in range(plan.segments):
            pool.submit(run_segment, segment)
        while remaining:
            try:
                item = out.get(timeout=0.1)
            except queue.Empty:
                if stop.is_set():
                    return
                continue
            if item is _DONE:
                remaining -= 1
            elif isinstance(item, BaseException):
                raise item
            else:
                yield item
    finally:
        local_stop.set()
        pool.shutdown(wait=False, cancel_futures=True)

