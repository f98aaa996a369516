"""The progress line of a long read (a SELECT, an export to files, ANALYZE): items DynamoDB
evaluated, read units per second against the read budget, and an ETA from the planner's
estimate of the items (DescribeTable's ItemCount for a Scan).  Writes into DynamoDB show
their own line, which counts the rows read too."""
from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Callable, Iterator, Sequence

from ...exec.governor import READ
from ...progress import ProgressTicker, RateMeter, progress_line
from ...exec.scanner import ScanStats

if TYPE_CHECKING:
    from .binder import SourceBinder
    from .context import StatementContext


class ReadProgress:
    """Renders one line from live read counters (:class:`~ddbsql.exec.scanner.ScanStats`)."""

    def __init__(self, stats: Callable[[], Sequence[ScanStats]], budget: float, total: int | None):
        self.stats = stats
        self.budget = budget
        self.total = total or None
        self.meter = RateMeter()
        self.started = self.meter.clock()
        self.meter.sample(0, 0)

    @classmethod
    def of_statement(cls, session: "StatementContext", binder: "SourceBinder") -> "ReadProgress":
        """For the DynamoDB reads of one statement: their budgets added, their estimates the total."""
        records = [r for r in binder.scans if r.plan is not None]
        budget = sum(session.governor_for(r.table, session.facts(r.table), r.plan.index_name).budget(READ)
                     for r in records)
        return cls(lambda: [r.stats for r in binder.scans], budget, int(sum(r.plan.estimate.items for r in records)))

    def __call__(self) -> str | None:
        stats = self.stats()
        scanned = sum(s.scanned for s in stats)
        consumed = sum(s.consumed_capacity for s in stats)
        if not scanned and not consumed:
            return None
        item_rate, capacity_rate = self.meter.sample(scanned, consumed)
        return progress_line(rows_read=scanned, rows_written=None, rates=(item_rate,), consumed_rate=capacity_rate,
                             budget=self.budget, unit="RCU", elapsed=self.meter.clock() - self.started,
                             total=self.total, what="items")


def start_read_progress(session: "StatementContext", binder: "SourceBinder") -> Callable[[], None]:
    """Show the read progress line every second from now, when someone listens (the
    terminal, or a DB-API progress callback) and the statement reads DynamoDB; returns the
    function that stops it (safe to call more than once)."""
    if session.options.progress is None or not binder.scans:
        return lambda: None
    return showing(session, ReadProgress.of_statement(session, binder))


def showing(session: "StatementContext", progress: ReadProgress) -> Callable[[], None]:
    """Emit ``progress`` every second when someone listens; the function that stops it."""
    if session.options.progress is None:
        return lambda: None
    return ProgressTicker(progress, session.report).start().stop


@contextlib.contextmanager
def read_progress(session: "StatementContext", binder: "SourceBinder") -> Iterator[None]:
    """:func:`start_read_progress` for the duration of the body."""
    stop = start_read_progress(session, binder)
    try:
        yield
    finally:
        stop()
