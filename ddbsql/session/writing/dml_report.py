"""What UPDATE, DELETE and MERGE tell the user: the progress line while items change, the
summary and capacity lines after, and EXPLAIN's estimate of what they would write."""
from __future__ import annotations

from typing import TYPE_CHECKING

from ...exec.changes import ChangeApplier
from ...exec.governor import WRITE
from ...planner.units import DEFAULT_ITEM_BYTES, write_units
from ...progress import RateMeter, format_duration
from ...exec.rejects import RejectLog
from ...planner.dml import DmlKind
from .dynamodb_writes import ATOMIC

if TYPE_CHECKING:
    from ..session import Session


class DmlProgress:
    """The progress line of a DML statement's writes: items changed of those found, their
    rate, write units against the budget."""

    def __init__(self, applier: ChangeApplier, total: int):
        self.applier = applier
        self.total = total
        self.meter = RateMeter()
        self.started = self.meter.clock()
        self.meter.sample(0, 0)

    def __call__(self) -> str:
        report = self.applier.report
        done = report.updated + report.deleted + report.inserted + report.rejected + report.conflicts
        rate, capacity = self.meter.sample(done, report.consumed)
        percent = 100.0 * min(done, self.total) / self.total if self.total else 100.0
        budget = self.applier.governor.budget(WRITE) if hasattr(self.applier.governor, "budget") else 0.0
        return (f"{percent:5.1f}% changed {done:,} of {self.total:,} item(s) ({rate:,.0f}/s), "
                f"{capacity:,.1f} of {budget:,.0f} WCU/s, {format_duration(self.meter.clock() - self.started)} "
                "elapsed")


def summary(kind: DmlKind, table: str, matched: int, report, reported: int, rejects: RejectLog) -> str:
    parts = {DmlKind.UPDATE: f"Updated {report.updated} item(s)", DmlKind.DELETE: f"Deleted {report.deleted} item(s)",
             DmlKind.MERGE: f"Merged into {table}: {report.updated} updated, {report.deleted} deleted, "
                            f"{report.inserted} inserted"}
    text = parts[kind] + ("" if kind is DmlKind.MERGE else f" of {table}") + f" ({matched} row(s) found)"
    if report.conflicts:
        text += (f"; {report.conflicts} conflict(s) with other writers"
                 + (f", {report.conflicts - reported} re-read and re-evaluated" if report.conflicts > reported else "")
                 + (f", {reported} not applied" if reported else ""))
    if rejects.count:
        text += f"; {rejects.count} row(s) rejected, reasons in {rejects.path}"
    return text


def capacity_line(report, applier: ChangeApplier) -> str:
    stats = applier.governor.stats(WRITE) if hasattr(applier.governor, "stats") else None
    rate = report.consumed / report.elapsed if report.elapsed > 0 else 0.0
    budget = f"; budget {stats.budget_text('WCU')}" if stats is not None else ""
    text = f"Write capacity: {report.consumed:,.0f} WCU in {report.elapsed:.1f} s ({rate:,.1f} WCU/s{budget})"
    if report.retries:
        text += f"; {report.retries} request(s) retried ({report.throttles} throttled)"
    return text


def estimate_rows(session: "Session", planned, scans) -> list[tuple[str, str, str]]:
    """EXPLAIN's write side of a DML statement: items it would change, the WCU that costs
    at the table's average item size, and the time at the write budget."""
    table, _, facts, plan = planned
    label = f"{table.qualified} ({plan.kind.value})"
    target = next((r for r in scans if r.table.qualified == table.qualified), None)
    items = target.plan.estimate.items if target is not None and target.plan is not None else 0.0
    if facts.item_count:
        size, basis = facts.size_bytes / facts.item_count, "DescribeTable TableSizeBytes / ItemCount"
    else:
        size, basis = DEFAULT_ITEM_BYTES, "no items reported by DescribeTable: assumed item size"
    per_item = write_units(size)
    if session.settings.get(ATOMIC, table.properties.get(ATOMIC)):
        per_item *= 2
    wcu = items * per_item
    governor = session.governor_for(table, facts)
    budget = governor.budget(WRITE)
    seconds = wcu / budget if budget > 0 else 0.0
    verb = {DmlKind.UPDATE: "UpdateItem", DmlKind.DELETE: "DeleteItem",
            DmlKind.MERGE: "UpdateItem / DeleteItem / PutItem"}[plan.kind]
    condition = "key exists" + (f" and {', '.join(b.name for b in plan.read)} unchanged" if plan.read else "")
    return [(label, "write requests", f"{verb}, one per item, conditioned on: {condition}"),
            (label, "estimated items changed", f"{items:,.0f} (at most the items read; MERGE: plus inserts)"),
            (label, "estimated WCU", f"{wcu:,.0f} ({per_item} per item of ~{size:,.0f} bytes: {basis})"),
            (label, "write budget", governor.stats(WRITE).budget_text("WCU")),
            (label, "estimated time at the write budget",
             format_duration(seconds) if seconds >= 1 else f"{seconds:.2f} s")]
