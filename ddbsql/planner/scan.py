"""The Scan access plan: which attributes to fetch and how many parallel segments.

Pure: from table facts, the column bindings needed and settings, to a :class:`ScanPlan`
the executor sends as is.  Filters and key lookups (Query/GetItem) are planned in
:mod:`ddbsql.planner.access`, which builds filtered ScanPlans itself.
"""
from __future__ import annotations

import dataclasses
import math
from typing import Sequence

from ..catalog.binding import ColumnBinding
from ..catalog.facts import TableFacts
from .units import MAX_PAGE_BYTES, READ_UNIT_BYTES

#: Threads reading one Scan's segments (the executor's default).
SCAN_WORKERS = 8
#: Pages per segment aimed at for a table of many pages: fewer means finer load balance
#: across workers, more means fewer part-filled last pages.
PAGES_PER_SEGMENT = 4
#: DynamoDB's limit on TotalSegments.
MAX_SEGMENTS = 1_000_000

@dataclasses.dataclass(frozen=True)
class ScanPlan:
    """A parallel Scan.  ``projection`` is a ProjectionExpression (``None``: whole items)
    and ``filter_expression`` a FilterExpression (``None``: every item), sharing the
    ``attribute_names`` and ``attribute_values`` placeholders; ``bindings`` are the
    columns decoded; ``limit`` is the page size (``Limit``), when one is sent."""

    table_name: str
    bindings: tuple[ColumnBinding, ...]
    segments: int
    projection: str | None
    attribute_names: dict[str, str]
    consistent_read: bool = False
    filter_expression: str | None = None
    attribute_values: dict[str, dict] = dataclasses.field(default_factory=dict)
    limit: int | None = None

    def request(self, segment: int) -> dict:
        """The Scan request parameters for one segment (without ExclusiveStartKey)."""
        params: dict = {"TableName": self.table_name}
        if self.segments > 1:
            params.update(Segment=segment, TotalSegments=self.segments)
        if self.projection:
            params["ProjectionExpression"] = self.projection
        if self.filter_expression:
            params["FilterExpression"] = self.filter_expression
        if self.attribute_names:
            params["ExpressionAttributeNames"] = dict(self.attribute_names)
        if self.attribute_values:
            params["ExpressionAttributeValues"] = dict(self.attribute_values)
        if self.consistent_read:
            params["ConsistentRead"] = True
        if self.limit:
            params["Limit"] = self.limit
        return params


def page_bytes(read_budget: float | None, *, consistent: bool = False, workers: int = SCAN_WORKERS) -> int:
    """Bytes one Scan page reads when each of ``workers`` concurrent pages takes its share of
    one second of ``read_budget`` (RCU/s; None: no budget): at most 1 MB, at least 4 KB."""
    if not read_budget:
        return MAX_PAGE_BYTES
    units = read_budget / max(1, workers)
    per_unit = READ_UNIT_BYTES if consistent else 2 * READ_UNIT_BYTES
    return int(max(READ_UNIT_BYTES, min(MAX_PAGE_BYTES, units * per_unit)))


def segment_count(facts: TableFacts, requested: int | None, *, read_budget: float | None = None,
                  consistent: bool = False, workers: int = SCAN_WORKERS) -> int:
    """Segments for a Scan: the user's choice (``dynamodb.scan.segments``), else from the
    table's size (``TableSizeBytes``) in pages of :func:`page_bytes`: one segment for a table
    of one page, at least one per worker when it spans several, and one per
    :data:`PAGES_PER_SEGMENT` pages for a large table, up to DynamoDB's limit."""
    if requested:
        return max(1, min(int(requested), MAX_SEGMENTS))
    pages = math.ceil(facts.size_bytes / page_bytes(read_budget, consistent=consistent, workers=workers))
    if pages <= 1:
        return 1
    return min(MAX_SEGMENTS, max(min(workers, pages), math.ceil(pages / PAGES_PER_SEGMENT)))


def projection_for(bindings: Sequence[ColumnBinding]) -> tuple[str | None, dict[str, str]]:
    """ProjectionExpression and names for the bound attributes; whole items if any
    binding is the whole-item column or there is nothing to project."""
    if not bindings or any(b.is_item for b in bindings):
        return None, {}
    names: dict[str, str] = {}
    parts = []
    for i, binding in enumerate(bindings):
        placeholder = f"#c{i}"
        names[placeholder] = binding.attribute
        parts.append(placeholder)
    return ", ".join(parts), names


def plan_scan(facts: TableFacts, bindings: Sequence[ColumnBinding], *, segments: int | None = None,
              consistent_read: bool = False, key_bindings: Sequence[ColumnBinding] = (),
              read_budget: float | None = None) -> ScanPlan:
    """A Scan of ``facts.table_name`` decoding ``bindings``.

    When no column at all is needed (``SELECT count(*)``), ``key_bindings`` are
    projected instead so pages stay small.
    """
    fetched = list(bindings) or list(key_bindings)
    projection, names = projection_for(fetched)
    return ScanPlan(facts.table_name, tuple(bindings),
                    segment_count(facts, segments, read_budget=read_budget, consistent=consistent_read),
                    projection, names, consistent_read)
