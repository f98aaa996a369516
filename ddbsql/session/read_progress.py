"""The progress line of a long read (a SELECT, an export to files): items DynamoDB
evaluated, read units per second against the read budget, and an ETA from the planner's
estimate of the items (DescribeTable's ItemCount for a Scan).  Writes into DynamoDB show
their own line, which counts the rows read too."""
from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Callable, Iterator

from ..exec.governor import READ, ProgressTicker, RateMeter, progress_line

if TYPE_CHECKING:
    from .session import Session
    from .sources import SourceBinder


class ReadProgress:
    """Renders one line from the live counters of a statement's DynamoDB reads."""

    def __init__(self, session: "Session", binder: "SourceBinder"):
        self.binder = binder
        records = [r for r in binder.scans if r.plan is not None]
        self.budget = sum(session.governor_for(r.table, session.facts(r.table), r.plan.index_name).budget(READ)
                          for r in records)
        self.total = int(sum(r.plan.estimate.items for r in records)) or None
        self.meter = RateMeter()
        self.started = self.meter.clock()
        self.meter.sample(0, 0)

    def __call__(self) -> str | None:
        scanned = sum(r.stats.scanned for r in self.binder.scans)
        consumed = sum(r.stats.consumed_capacity for r in self.binder.scans)
        if not scanned and not consumed:
            return None
        item_rate, capacity_rate = self.meter.sample(scanned, consumed)
        return progress_line(rows_read=scanned, rows_written=None, rates=(item_rate,), consumed_rate=capacity_rate,
                             budget=self.budget, unit="RCU", elapsed=self.meter.clock() - self.started,
                             total=self.total, what="items")


def start_read_progress(session: "Session", binder: "SourceBinder") -> Callable[[], None]:
    """Show the read progress line every second from now, when someone listens (the
    terminal, or a DB-API progress callback) and the statement reads DynamoDB; returns the
    function that stops it (safe to call more than once)."""
    if session.options.progress is None or not binder.scans:
        return lambda: None
    return ProgressTicker(ReadProgress(session, binder), session.report).start().stop


@contextlib.contextmanager
def read_progress(session: "Session", binder: "SourceBinder") -> Iterator[None]:
    """:func:`start_read_progress` for the duration of the body."""
    stop = start_read_progress(session, binder)
    try:
        yield
    finally:
        stop()
