"""The item sample a table's columns are inferred from (:mod:`ddbsql.catalog.inference`).

A parallel Scan of ``segments`` segments, each reading only its share of ``size``
items (``Limit`` set to what it still needs), so the sample comes from all over the
key space (each segment covers a slice of the partition-key hash range) and not from
the first page only.  Every page is paid for under the table's read governor, as any
other read: the sample is inside the read budget.  What it cost is returned with the
items, as DynamoDB reported it (``ConsumedCapacity``).
"""
from __future__ import annotations

import math
import threading
import time

from ..catalog.facts import TableFacts
from ..catalog.inference import Sample
from ..errors import Cancelled
from ..planner.units import read_units
from .governor import READ, Governor
from .pump import pump
from .retry import RetryPolicy, is_throttling
from .scanner import PageBudget, paced_pages


def sample_cost(facts: TableFacts, size: int, segments: int) -> float:
    """Read units a sample of ``size`` items should cost (eventually consistent): the
    table's average item size from DescribeTable, at least one page per segment."""
    average = facts.size_bytes / facts.item_count if facts.item_count else 0.0
    items = min(size, facts.item_count) if facts.item_count else 0
    pages = read_units(0, consistent=False) * segments
    return max(pages, items * average / 4096 * 0.5)


def sample_items(client, facts: TableFacts, retry: RetryPolicy, *, size: int, segments: int,
                 governor: Governor | None = None, cancel: threading.Event | None = None,
                 clock=time.time) -> Sample:
    """Up to ``size`` whole items of ``facts.table_name`` from ``segments`` Scan segments."""
    segments = max(1, min(segments, size))
    share = math.ceil(size / segments)
    lock = threading.Lock()
    totals = {"units": 0.0, "requests": 0}
    started = clock()

    def on_retry(exc: BaseException) -> None:
        if governor is not None and is_throttling(exc):
            governor.throttled(READ)

    def segment_task(segment: int):
        def run(put, stopped) -> None:
            params = {"TableName": facts.table_name, "ReturnConsumedCapacity": "TOTAL", "Limit": share}
            if segments > 1:
                params.update(Segment=segment, TotalSegments=segments)
            wanted = share
            budget = (PageBudget(governor, consistent=False, workers=segments, plan_limit=share)
                      if governor is not None else None)
            for page, units in paced_pages(lambda p: client.scan(**p), params, retry,
                                           what=f"Scan {facts.table_name} (schema sample)", governor=governor,
                                           budget=budget, stopped=stopped, on_retry=on_retry):
                items = page.get("Items", [])[:wanted]
                with lock:
                    totals["units"] += units
                    totals["requests"] += 1
                if items and not put(items):
                    return
                wanted -= len(items)
                if wanted <= 0:
                    return
                params["Limit"] = wanted
                if budget is not None:
                    budget.plan_limit = wanted
        return run

    items: list[dict] = []
    for chunk in pump([segment_task(s) for s in range(segments)], f"sample-{facts.table_name}", segments, cancel):
        items.extend(chunk)
    if cancel is not None and cancel.is_set():
        raise Cancelled(f"schema sample of {facts.table_name} cancelled")
    return Sample(tuple(items[:size]), segments, totals["units"], totals["requests"], started, clock() - started)
