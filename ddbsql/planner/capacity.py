"""The capacity a read or a write may take a share of, from what DynamoDB reports.

Pure: from :class:`~ddbsql.catalog.facts.TableFacts` (DescribeTable, DescribeLimits) to a
:class:`Capacity` naming its source, in this order:

1. ``dynamodb.throughput.read`` / ``write`` when the user set it (EMR's override);
2. a provisioned table (or GSI): its ``ProvisionedThroughput``;
3. an on-demand table (or GSI): its ``WarmThroughput`` — the units per second it can serve
   at once, which DynamoDB raises as the table is used — or, when the endpoint reports
   none (DynamoDB Local, moto, older regions), the throughput AWS documents for a new
   on-demand table (:data:`NEW_ON_DEMAND_READ` / :data:`NEW_ON_DEMAND_WRITE`);
   then capped by the owner's ``OnDemandThroughput`` maximum;
4. whatever the mode, capped by the account's per-table maximum (``DescribeLimits``).

A Query on a GSI spends the GSI's own capacity (its own figures); an LSI shares the table's.
No other number enters: every figure is DynamoDB's own or AWS-documented.
"""
from __future__ import annotations

from typing import NamedTuple

from ..catalog.facts import IndexFacts, TableFacts, Throughput

READ = "read"
WRITE = "write"

#: Read request units per second a new on-demand table serves at once (AWS documentation:
#: "Initial throughput for on-demand capacity mode"; also its initial WarmThroughput).
NEW_ON_DEMAND_READ = 12_000
#: Write request units per second a new on-demand table serves at once (same source).
NEW_ON_DEMAND_WRITE = 4_000

DESCRIBE_TABLE = "(DescribeTable)"


class Capacity(NamedTuple):
    """Units per second of one direction, and where the figure comes from (shown to users
    as ``6,000 RCU/s = 0.5 x 12,000 warm throughput (DescribeTable)``)."""

    units: float
    source: str


def _pick(kind: str, read: int, write: int) -> int:
    return read if kind == READ else write


def _target(facts: TableFacts, index: str | None) -> tuple[Throughput, str]:
    """The throughput figures a request on ``index`` spends, and a prefix naming the index."""
    found: IndexFacts | None = facts.index(index)
    if found is None or found.kind != "GSI":
        return facts.throughput, ""
    return found.throughput, f"index {found.name} "


def capacity(kind: str, facts: TableFacts | None, *, index: str | None = None,
             explicit: float | None = None) -> Capacity:
    """The capacity ``kind`` (:data:`READ` or :data:`WRITE`) requests on ``facts``' table (or
    its GSI ``index``) may take a share of."""
    if explicit is not None:
        return Capacity(float(explicit), f"dynamodb.throughput.{kind}")
    if facts is None:
        units = _pick(kind, NEW_ON_DEMAND_READ, NEW_ON_DEMAND_WRITE)
        return Capacity(float(units), "new on-demand table throughput (AWS documented; table not described)")
    throughput, prefix = _target(facts, index)
    if facts.billing_mode != "PAY_PER_REQUEST":
        provisioned = _pick(kind, throughput.provisioned_read, throughput.provisioned_write)
        if not provisioned:     # an index without figures of its own, or facts built by hand
            prefix = ""
            provisioned = _pick(kind, facts.read_capacity, facts.write_capacity)
        found = Capacity(float(provisioned), f"{prefix}provisioned {DESCRIBE_TABLE}") if provisioned else None
    else:
        found = None
    if found is None:
        warm = _pick(kind, throughput.warm_read, throughput.warm_write)
        if warm:
            found = Capacity(float(warm), f"{prefix}warm throughput {DESCRIBE_TABLE}")
        else:
            found = Capacity(float(_pick(kind, NEW_ON_DEMAND_READ, NEW_ON_DEMAND_WRITE)),
                             "new on-demand table throughput (AWS documented; no WarmThroughput reported)")
        maximum = _pick(kind, throughput.max_read, throughput.max_write)
        if maximum and maximum < found.units:
            found = Capacity(float(maximum), f"{prefix}OnDemandThroughput maximum {DESCRIBE_TABLE}")
    limit = _pick(kind, facts.limits.table_max_read, facts.limits.table_max_write)
    if limit and limit < found.units:
        found = Capacity(float(limit), "account per-table maximum (DescribeLimits)")
    return found


def budget_text(budget: float, percent: float, found: Capacity, unit: str) -> str:
    """``6,000 RCU/s = 0.5 x 12,000 warm throughput (DescribeTable)``."""
    return f"{budget:,.0f} {unit}/s = {percent:g} x {found.units:,.0f} {found.source}"
