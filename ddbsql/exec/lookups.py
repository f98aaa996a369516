"""Reading an :class:`~ddbsql.planner.access.AccessPlan`: Query, GetItem and BatchGetItem
into Arrow record batches (Scan plans go to :func:`ddbsql.exec.scanner.scan_batches`).

Same shape as the scanner: each request (one Query per hash value, one BatchGetItem
per 100 keys) runs in a worker thread, decodes every page with
:func:`~ddbsql.exec.decode.decode_page` and puts the batch on a bounded queue; closing
the stream, or setting the cancel event, stops the workers after their current call.
A pushed LIMIT closes the stream once that many rows have been produced.
"""
from __future__ import annotations

import threading
from typing import Iterator

import pyarrow as pa

from ..errors import DynamoDBError
from ..planner.access import AccessPlan, GetPlan, QueryPlan
from ..planner.scan import ScanPlan
from .fastpath import DecodeWarnings, decode_page, query_page
from ..planner.units import consumed_units
from .governor import READ, Unlimited
from .retry import RetryPolicy, is_throttling
from .pump import Task, pump
from .scanner import ScanStats, scan_batches


#: A unit of work: ``task(put, stopped)`` puts batches until done or ``stopped()``.


def arrow_schema(plan: AccessPlan) -> pa.Schema:
    """The schema of the batches :func:`read_batches` yields for ``plan``."""
    return pa.schema([pa.field(b.name, b.hive_type.to_arrow()) for b in plan.bindings])


def read_batches(client, plan: AccessPlan, retry: RetryPolicy, *, warnings: DecodeWarnings,
                 stats: ScanStats | None = None, max_workers: int = 8,
                 cancel: threading.Event | None = None, governor=None) -> Iterator[pa.RecordBatch]:
    """Record batches of every item ``plan`` reads (at most ``plan.stop_after`` rows).

    ``governor`` (a :class:`~ddbsql.exec.governor.Governor`) paces every request: Scan
    pages are sized to the budget; Query and key-lookup requests take an estimate before
    they are sent and settle with the ConsumedCapacity DynamoDB reports.  Raises in the consumer whatever a request raised (:class:`DynamoDBError` for
    DynamoDB failures that retrying did not cure).
    """
    stats = stats or ScanStats()
    if plan.stop_after == 0:
        return iter(())
    read = plan.read
    if isinstance(read, ScanPlan):
        extra = {"governor": governor} if governor is not None else {}
        batches = scan_batches(client, read, retry, warnings=warnings, stats=stats, max_workers=max_workers,
                               cancel=cancel, **extra)
    elif isinstance(read, QueryPlan):
        batches = query_batches(client, read, retry, warnings=warnings, stats=stats, max_workers=max_workers,
                                cancel=cancel, governor=governor)
    else:
        batches = get_batches(client, read, retry, warnings=warnings, stats=stats, max_workers=max_workers,
                              cancel=cancel, governor=governor)
    if plan.stop_after is not None:
        batches = first_rows(batches, plan.stop_after)
    return batches


def first_rows(batches: Iterator[pa.RecordBatch], limit: int) -> Iterator[pa.RecordBatch]:
    """The first ``limit`` rows of ``batches``; closes ``batches`` as soon as they are out."""
    remaining = limit
    try:
        for batch in batches:
            if batch.num_rows >= remaining:
                yield batch.slice(0, remaining)
                return
            remaining -= batch.num_rows
            yield batch
    finally:
        close = getattr(batches, "close", None)
        if close is not None:
            close()


def _capacity(page: dict) -> float:
    consumed = page.get("ConsumedCapacity")
    if isinstance(consumed, list):
        return sum(c.get("CapacityUnits", 0.0) for c in consumed)
    return (consumed or {}).get("CapacityUnits", 0.0)


def paced(governor, cancel: threading.Event | None, retry: RetryPolicy, call, *, what: str,
          estimate: float = 1.0, stats: ScanStats | None = None) -> dict | None:
    """``call()`` under ``governor``'s read budget: acquire ``estimate`` units first, settle
    with the capacity DynamoDB reports, tell it of throttling (and count retries in
    ``stats``).  None when cancelled while waiting for budget."""
    governor = governor or Unlimited()
    if not governor.acquire(READ, estimate, cancel):
        return None

    def on_retry(exc: BaseException) -> None:
        throttled = is_throttling(exc)
        if stats is not None:
            stats.count_retry(throttled)
        if throttled:
            governor.throttled(READ)

    response = retry.call(call, what=what, on_retry=on_retry)
    governor.settle(READ, estimate, consumed_units(response))
    return response


def query_batches(client, plan: QueryPlan, retry: RetryPolicy, *, warnings: DecodeWarnings, stats: ScanStats,
                  max_workers: int = 8, cancel: threading.Event | None = None,
                  governor=None) -> Iterator[pa.RecordBatch]:
    """Every page of every Query of ``plan``, decoded; the Queries run in parallel."""
    lock = threading.Lock()
    what = f"Query {plan.table_name}" + (f" index {plan.index_name}" if plan.index_name else "")

    def task_for(request: dict) -> Task:
        def run(put, stopped) -> None:
            params = dict(request, ReturnConsumedCapacity="TOTAL")
            while not stopped():
                page = paced(governor, cancel, retry, lambda: query_page(client, params), what=what, stats=stats)
                if page is None:
                    return
                items = page.get("Items", [])
                with lock:
                    stats.pages += 1
                    stats.items += len(items)
                    stats.scanned += page.get("ScannedCount", len(items))
                    stats.consumed_capacity += _capacity(page)
                if items and not put(decode_page(items, plan.bindings, warnings)):
                    return
                last = page.get("LastEvaluatedKey")
                if not last:
                    return
                params["ExclusiveStartKey"] = last
        return run

    return pump([task_for(r) for r in plan.requests], f"query-{plan.table_name}", max_workers, cancel)


def get_batches(client, plan: GetPlan, retry: RetryPolicy, *, warnings: DecodeWarnings, stats: ScanStats,
                max_workers: int = 8, cancel: threading.Event | None = None,
                governor=None) -> Iterator[pa.RecordBatch]:
    """The items of ``plan``'s keys (those that exist), by GetItem or BatchGetItem.

    Keys BatchGetItem leaves unprocessed are asked for again after a backoff from
    ``retry``; :class:`DynamoDBError` if none of them gets through for
    ``retry.max_seconds``.
    """
    lock = threading.Lock()

    def count(items: list, page: dict) -> None:
        with lock:
            stats.pages += 1
            stats.items += len(items)
            stats.scanned += len(items)
            stats.consumed_capacity += _capacity(page)

    def get_item(request: dict) -> Task:
        def run(put, stopped) -> None:
            page = paced(governor, cancel, retry, lambda: client.get_item(**request, ReturnConsumedCapacity="TOTAL"),
                         what=f"GetItem {plan.table_name}", stats=stats)
            if page is None:
                return
            items = [page["Item"]] if page.get("Item") else []
            count(items, page)
            if items:
                put(decode_page(items, plan.bindings, warnings))
        return run

    def batch_get(request: dict) -> Task:
        def run(put, stopped) -> None:
            pending = request["RequestItems"]
            attempt = 0
            waiting_since = retry.clock()
            while pending and not stopped():
                keys = len(pending.get(plan.table_name, {}).get("Keys", ()))
                page = paced(governor, cancel, retry,
                             lambda: client.batch_get_item(RequestItems=pending, ReturnConsumedCapacity="TOTAL"),
                             what=f"BatchGetItem {plan.table_name}", estimate=max(1.0, keys * 0.5),
                             stats=stats)
                if page is None:
                    return
                items = (page.get("Responses") or {}).get(plan.table_name, [])
                count(items, page)
                if items and not put(decode_page(items, plan.bindings, warnings)):
                    return
                unprocessed = page.get("UnprocessedKeys") or {}
                if not unprocessed.get(plan.table_name, {}).get("Keys"):
                    return
                if items:
                    attempt, waiting_since = 0, retry.clock()
                elif retry.clock() - waiting_since >= retry.max_seconds:
                    raise DynamoDBError(f"BatchGetItem {plan.table_name}: keys still unprocessed after retrying "
                                        f"for {retry.max_seconds:.0f} s")
                attempt += 1
                stats.count_retry(throttled=False)
                retry.sleep(retry.delay(attempt))
                pending = unprocessed
        return run

    make = get_item if plan.operation == "GetItem" else batch_get
    return pump([make(r) for r in plan.requests()], f"get-{plan.table_name}", max_workers, cancel)
