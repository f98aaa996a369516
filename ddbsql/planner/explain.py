"""EXPLAIN text of an :class:`~ddbsql.planner.access.AccessPlan`: what will be sent, and its cost.

Pure.  Rows are ``(property, value)`` pairs in a fixed order; values are text (JSON for
names, values and keys, binary as base64).  Plans hold table names, expressions and
literal values only -- never endpoints or credentials -- so neither can appear here.
"""
from __future__ import annotations

import base64
import json

from .access import AccessPlan, GetPlan, QueryPlan
from .scan import ScanPlan


def _json(value) -> str:
    def default(obj):
        if isinstance(obj, (bytes, bytearray, memoryview)):
            return base64.b64encode(bytes(obj)).decode("ascii")
        return str(obj)
    return json.dumps(value, ensure_ascii=False, sort_keys=False, default=default)


def _distinct(values: list) -> list:
    out = []
    for value in values:
        if value not in out:
            out.append(value)
    return out


def explain_rows(plan: AccessPlan) -> list[tuple[str, str]]:
    """The EXPLAIN rows of one table reference's plan."""
    read = plan.read
    rows: list[tuple[str, str]] = []
    if isinstance(read, QueryPlan):
        rows += _query_rows(read)
    elif isinstance(read, GetPlan):
        rows += _get_rows(read)
    else:
        rows += _scan_rows(read)
    if plan.stop_after is not None:
        rows.append(("stop after rows (LIMIT)", str(plan.stop_after)))
    rows.append(("pushed predicates", " AND ".join(plan.pushed) if plan.pushed else "(none)"))
    if plan.exact:
        rows.append(("residual predicate", "(none: DynamoDB decides the WHERE exactly; DuckDB re-checks it)"))
    else:
        rows.append(("residual predicate", " AND ".join(plan.residual) if plan.residual else
                     "(none from this table; DuckDB applies the whole WHERE)"))
    rows.append(("expected pages", str(plan.estimate.pages)))
    rows.append(("estimated items read", _number(plan.estimate.items)))
    rows.append(("estimated RCU", _number(plan.estimate.rcu)))
    rows.append(("estimate basis", plan.estimate.basis))
    for note in plan.notes:
        rows.append(("note", note))
    return rows


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def _query_rows(read: QueryPlan) -> list[tuple[str, str]]:
    first = read.requests[0]
    operation = "Query" if len(read.requests) == 1 else f"Query x{len(read.requests)} (in parallel)"
    rows = [("operation", operation), ("TableName", read.table_name)]
    if read.index_name:
        rows.append(("IndexName", read.index_name))
    rows.append(("KeyConditionExpression", " | ".join(_distinct([r["KeyConditionExpression"] for r in read.requests]))))
    if "FilterExpression" in first:
        rows.append(("FilterExpression", first["FilterExpression"]))
    if "ProjectionExpression" in first:
        rows.append(("ProjectionExpression", first["ProjectionExpression"]))
    names = _distinct([r["ExpressionAttributeNames"] for r in read.requests])
    rows.append(("ExpressionAttributeNames", _json(names[0] if len(names) == 1 else names)))
    values = [r["ExpressionAttributeValues"] for r in read.requests]
    rows.append(("ExpressionAttributeValues", _json(values[0] if len(values) == 1 else values)))
    if first.get("ConsistentRead"):
        rows.append(("ConsistentRead", "true"))
    if "Limit" in first:
        rows.append(("Limit", str(first["Limit"])))
    return rows


def _get_rows(read: GetPlan) -> list[tuple[str, str]]:
    calls = len(read.requests())
    operation = read.operation if read.operation == "GetItem" else f"BatchGetItem ({calls} call(s), 100 keys each)"
    rows = [("operation", operation), ("TableName", read.table_name), ("Keys", _json(list(read.keys)))]
    if read.projection:
        rows.append(("ProjectionExpression", read.projection))
        rows.append(("ExpressionAttributeNames", _json(read.attribute_names)))
    if read.consistent_read:
        rows.append(("ConsistentRead", "true"))
    return rows


def _scan_rows(read: ScanPlan) -> list[tuple[str, str]]:
    operation = "Scan" if read.segments == 1 else f"Scan ({read.segments} parallel segments)"
    rows = [("operation", operation), ("TableName", read.table_name)]
    if read.segments > 1:
        rows.append(("TotalSegments", str(read.segments)))
    if read.filter_expression:
        rows.append(("FilterExpression", read.filter_expression))
    if read.projection:
        rows.append(("ProjectionExpression", read.projection))
    if read.attribute_names:
        rows.append(("ExpressionAttributeNames", _json(read.attribute_names)))
    if read.attribute_values:
        rows.append(("ExpressionAttributeValues", _json(read.attribute_values)))
    if read.consistent_read:
        rows.append(("ConsistentRead", "true"))
    if read.limit:
        rows.append(("Limit", str(read.limit)))
    return rows
