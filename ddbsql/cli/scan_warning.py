"""The REPL's question before a large read: from a statement's EXPLAIN rows, the
DynamoDB reads estimated to take longer than a threshold at their read budget.  Pure."""
from __future__ import annotations

import re
from typing import Iterable

from ..progress import format_duration

#: The REPL setting: warn when a statement's reads would take this many seconds or more (0: never).
SETTING = "ddbsql.repl.scan.warn.seconds"
_NUMBER = re.compile(r"^\s*([\d,]+(?:\.\d+)?)")


def _number(text: str) -> float | None:
    match = _NUMBER.match(text or "")
    return float(match.group(1).replace(",", "")) if match else None


def large_reads(rows: Iterable[tuple[str, str, str]], threshold_seconds: float) -> list[str]:
    """One line per table reference whose estimated RCU take ``threshold_seconds`` or more
    at its read budget; empty when none does (or the threshold is 0)."""
    if threshold_seconds <= 0:
        return []
    plans: dict[str, dict[str, str]] = {}
    for source, key, value in rows:
        if source != "DuckDB":
            plans.setdefault(source, {})[key] = value
    lines = []
    for source, plan in plans.items():
        rcu, budget = _number(plan.get("estimated RCU", "")), _number(plan.get("read budget", ""))
        if rcu is None or not budget:
            continue
        seconds = rcu / budget
        if seconds >= threshold_seconds:
            lines.append(f"{source}: {plan.get('operation', 'read')} of {plan.get('TableName', '?')}, "
                         f"~{rcu:,.0f} RCU, about {format_duration(seconds)} at the read budget "
                         f"({plan['read budget'].split(' =')[0]})")
    return lines
