"""The full-scan guard: refuse a read whose estimated cost is over a ceiling, and say
which predicate would make it a key lookup.  Pure: the plan and the table facts in, a
message (or None) out."""
from __future__ import annotations

from typing import Sequence

from ..catalog.binding import ColumnBinding
from ..catalog.facts import TableFacts
from .access import AccessPlan

#: The setting holding the ceiling; 0 (the default) means no ceiling, as in Hive.
SETTING = "ddbsql.scan.max.rcu"


def over_budget(plan: AccessPlan, facts: TableFacts, bindings: Sequence[ColumnBinding], label: str,
                max_rcu: float | None) -> str | None:
    """Why ``plan`` may not run under ``max_rcu`` estimated RCU; None when it may.

    Scans and Queries are checked; GetItem/BatchGetItem never are (their cost is
    bounded by the keys the query names)."""
    if not max_rcu or plan.estimate.rcu <= max_rcu or plan.operation not in ("Scan", "Query"):
        return None
    if plan.operation == "Scan":
        what, hint = f"scan the whole DynamoDB table {facts.table_name}", " " + key_lookup_hint(facts, bindings)
    else:
        what, hint = f"read ~{_n(plan.estimate.items)} items of {facts.table_name} by Query", ""
    return (f"{label}: the query would {what}: ~{_n(plan.estimate.rcu)} RCU estimated, more than "
            f"{SETTING}={_n(max_rcu)}.{hint} (EXPLAIN shows the plan; SET {SETTING}=0 lifts the limit)")


def key_lookup_hint(facts: TableFacts, bindings: Sequence[ColumnBinding]) -> str:
    """The WHERE conditions that would turn a Scan of ``facts`` into key lookups."""
    column = {b.attribute: b.name for b in bindings if b.attribute}
    options = []
    table_hash = column.get(facts.hash_key)
    if table_hash:
        text = f"{table_hash} = ... or {table_hash} IN (...) (a Query"
        sort = column.get(facts.range_key) if facts.range_key else None
        text += f"; with {sort} = ... a GetItem)" if sort else "; a GetItem)"
        options.append(text)
    for index in facts.indexes:
        name = column.get(index.hash_key)
        if name and index.hash_key != facts.hash_key:
            options.append(f"{name} = ... (a Query on the index {index.name})")
    if not options:
        return "No column of the table is mapped to its key attributes, so no WHERE can avoid the Scan."
    return "A condition on a key makes it a key lookup: " + ", or ".join(options) + "."


def _n(value: float) -> str:
    return f"{value:,.0f}" if value >= 10 else f"{value:g}"
