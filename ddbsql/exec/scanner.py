"""Parallel Scan of a DynamoDB table into a stream of Arrow record batches.

Each segment runs in a worker thread that pages through its part of the table,
decodes every page with :func:`~ddbsql.exec.decode.decode_page` and puts the batch on a
bounded queue, so memory stays bounded however large the table is.  Closing the
stream early (a LIMIT reached, Ctrl-C) stops the workers after their current page.

With a :class:`~ddbsql.exec.governor.Governor`, each page request first acquires its
estimated read cost, and the Scan ``Limit`` is sized so one page costs about a
worker's share of one second of the read budget (a 1 MB page is 128 RCU eventually
consistent: far more than a small table's budget); the estimate is then settled with
the ``ConsumedCapacity`` of the page and used to size the next one.
"""
from __future__ import annotations

import threading
from typing import Callable, Iterator, NamedTuple, Sequence

import pyarrow as pa

from ..planner.scan import ScanPlan
from .fastpath import DecodeWarnings, decode_page, scan_page
from .encode import item_size
from ..planner.units import DEFAULT_ITEM_BYTES, MAX_PAGE_BYTES, consumed_units, read_units
from .governor import READ, Governor
from .pump import pump
from .retry import RetryPolicy, is_throttling



class ScanStats:
    """Counters one read accumulates, for progress and EXPLAIN ANALYZE (thread-safe enough: ints).

    ``pages`` counts answered requests (Scan/Query pages, GetItem and BatchGetItem
    calls); ``items`` the items returned, ``scanned`` those DynamoDB evaluated (and
    charged for); ``retries`` the requests sent again, ``throttles`` those of them
    DynamoDB throttled.
    """

    def __init__(self) -> None:
        self.pages = 0
        self.items = 0
        self.scanned = 0
        self.consumed_capacity = 0.0
        self.throttles = 0
        self.retries = 0

    def count_retry(self, throttled: bool) -> None:
        self.retries += 1
        self.throttles += bool(throttled)


def arrow_schema(plan: ScanPlan) -> pa.Schema:
    return pa.schema([pa.field(b.name, b.hive_type.to_arrow()) for b in plan.bindings])


class PageBudget:
    """Sizes and pays for the pages of one Scan segment under a governor."""

    def __init__(self, governor: Governor, *, consistent: bool, workers: int, plan_limit: int | None = None):
        self.governor = governor
        #: the page size the plan asked for (a LIMIT query), never exceeded
        self.plan_limit = plan_limit
        self.consistent = consistent
        self.workers = workers
        factor = 1.0 if consistent else 0.5
        average = governor.average_item_bytes or DEFAULT_ITEM_BYTES
        #: read units one item evaluated costs (a Scan rounds the page's total, not each
        #: item); learnt from each page's ConsumedCapacity / ScannedCount
        self.units_per_item = average / 4096 * factor
        self.page_max = read_units(MAX_PAGE_BYTES, consistent=consistent)
        self.page_min = read_units(0, consistent=consistent)

    def prepare(self, params: dict) -> float:
        """Set (or drop) ``Limit`` in ``params``; the page's estimated cost."""
        limit = self.governor.scan_limit(self.units_per_item, workers=self.workers, consistent=self.consistent)
        if self.plan_limit:
            limit = min(limit or self.plan_limit, self.plan_limit)
        if limit is None:
            params.pop("Limit", None)
            return self.page_max
        params["Limit"] = limit
        return min(self.page_max, max(self.page_min, limit * self.units_per_item))

    def settle(self, estimate: float, page: dict) -> float:
        """Correct the governor with what the page cost; learn the cost per item."""
        actual = consumed_units(page)
        items = page.get("Items", [])
        if actual is None:  # the server does not report: at least what came back was read
            actual = read_units(sum(item_size(i) for i in items), consistent=self.consistent)
        actual = max(actual, self.page_min)
        cost = self.governor.settle(READ, estimate, actual)
        scanned = page.get("ScannedCount", len(items))
        if scanned:
            self.units_per_item = 0.5 * self.units_per_item + 0.5 * (cost / scanned)
        return cost


class ScanPage(NamedTuple):
    """One page of a Scan segment, as :func:`scan_batches` yields it with ``pages=True``."""

    segment: int
    number: int                     # 1, 2, … within the segment, in this scan
    batch: pa.RecordBatch | None    # None: no item on this page
    last_key: dict | None           # LastEvaluatedKey (None: the segment's last page)


def paced_pages(call: Callable[[dict], dict], params: dict, retry: RetryPolicy, *, what: str,
                governor: Governor | None = None, budget: PageBudget | None = None,
                stopped: Callable[[], bool] = lambda: False,
                on_retry: Callable[[BaseException], None] | None = None) -> Iterator[tuple[dict, float]]:
    """The pages of one Scan segment, ``call(params)`` from ``params``' ExclusiveStartKey
    on: each page is paid for under ``governor`` before it is sent (``budget`` sizes it)
    and settled with what DynamoDB charged.  Yields ``(page, units)``; ends after the last
    page, or once ``stopped()`` (also while waiting for budget).  Retries as ``retry``
    says, giving up only after ``retry.max_seconds`` without a page."""
    last_progress = retry.clock()
    while not stopped():
        estimate = 0.0
        if budget is not None:
            estimate = budget.prepare(params)
            if not governor.acquire(READ, estimate, cancel=stopped) or stopped():
                return
        page = retry.call(lambda: call(params), what=what, since=last_progress, on_retry=on_retry)
        last_progress = retry.clock()
        units = budget.settle(estimate, page) if budget is not None else consumed_units(page) or 0.0
        yield page, units
        last = page.get("LastEvaluatedKey")
        if not last:
            return
        params["ExclusiveStartKey"] = last


def scan_batches(client, plan: ScanPlan, retry: RetryPolicy, *, warnings: DecodeWarnings,
                 stats: ScanStats | None = None, max_workers: int = 8, queue_depth: int | None = None,
                 on_page: Callable[[ScanStats], None] | None = None,
                 cancel: threading.Event | None = None,
                 governor: Governor | None = None,
                 segments: Sequence[int] | None = None, start_keys: dict[int, dict] | None = None,
                 pages: bool = False) -> Iterator[pa.RecordBatch]:
    """Yield record batches of the whole Scan ``plan`` (one per page, empty pages skipped).

    ``governor`` paces the page requests within the table's read budget (None: no
    limit).  ``segments``: read only these segments of the plan's ``TotalSegments``
    (a distributed reader gives each task its own); default all.  Raises in the
    consumer whatever a worker raised.  Closing the generator cancels the remaining pages.
    ``start_keys`` (resuming a checkpointed copy): segments start from these
    ``ExclusiveStartKey`` values.  ``pages=True`` yields a :class:`ScanPage` for every page, empty
    ones included, instead of record batches.
    """
    stats = stats or ScanStats()
    lock = threading.Lock()
    chosen = list(range(plan.segments)) if segments is None else list(segments)
    workers = max(1, min(len(chosen), max_workers))

    def on_retry(exc: BaseException) -> None:
        throttled = is_throttling(exc)
        with lock:
            stats.count_retry(throttled)
        if throttled and governor is not None:
            governor.throttled(READ)

    def segment_task(segment: int):
        def run(put, stopped) -> None:
            params = plan.request(segment)
            params["ReturnConsumedCapacity"] = "TOTAL"
            if start_keys and start_keys.get(segment):
                params["ExclusiveStartKey"] = start_keys[segment]
            number = 0
            budget = PageBudget(governor, consistent=bool(params.get("ConsistentRead")), workers=workers,
                                plan_limit=params.get("Limit")) if governor is not None else None
            for page, consumed in paced_pages(lambda p: scan_page(client, p), params, retry,
                                              what=f"Scan {plan.table_name}", governor=governor, budget=budget,
                                              stopped=stopped, on_retry=on_retry):
                items = page.get("Items", [])
                with lock:
                    stats.pages += 1
                    stats.items += len(items)
                    stats.scanned += page.get("ScannedCount", len(items))
                    stats.consumed_capacity += consumed
                last = page.get("LastEvaluatedKey")
                if pages:
                    number += 1
                    batch = decode_page(items, plan.bindings, warnings) if items else None
                    if not put(ScanPage(segment, number, batch, last or None)):
                        return
                elif items and not put(decode_page(items, plan.bindings, warnings)):
                    return
                if on_page:
                    on_page(stats)
        return run

    if not chosen:
        return
    yield from pump(map(segment_task, chosen), f"scan-{plan.table_name}", workers, cancel,
                    queue_depth=queue_depth or max(2, 2 * workers))


def scan_keys(client, table_name: str, key_attributes: Sequence[str], retry: RetryPolicy, *,
              governor: Governor | None = None, cancel: threading.Event | None = None,
              consistent: bool = True) -> Iterator[dict]:
    """Every key of a table: a keys-only Scan (strongly consistent by default, so items
    written just before are seen), one segment, paced by the governor's read budget.

    A Scan is charged for the whole items read, whatever the projection.
    """
    names = {f"#k{i}": k for i, k in enumerate(key_attributes)}
    params = {"TableName": table_name, "ProjectionExpression": ", ".join(names),
              "ExpressionAttributeNames": names, "ReturnConsumedCapacity": "TOTAL"}
    if consistent:
        params["ConsistentRead"] = True
    budget = PageBudget(governor, consistent=consistent, workers=1) if governor is not None else None

    def on_retry(exc: BaseException) -> None:
        if governor is not None and is_throttling(exc):
            governor.throttled(READ)

    stopped = cancel.is_set if cancel is not None else (lambda: False)
    for page, _ in paced_pages(lambda p: client.scan(**p), params, retry, what=f"Scan {table_name} (keys)",
                               governor=governor, budget=budget, stopped=stopped, on_retry=on_retry):
        yield from page.get("Items", [])
