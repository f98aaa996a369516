"""Atomic small writes: up to :data:`MAX_ITEMS` changes sent as one TransactWriteItems.

All or nothing, conditions included: DynamoDB applies every change or none.  When it
cancels the transaction, each item it names in ``CancellationReasons`` becomes one
readable line (the item's key and why), and nothing has been written.  Cancellations
caused only by conflicting transactions or throttling are retried (with the same
``ClientRequestToken``, so a request that succeeded before its answer was lost is not
applied twice).  The write is paced by the table's governor: a transactional write
costs two write units per KB of each item.
"""
from __future__ import annotations

import dataclasses
import time
import uuid
from typing import Sequence

from botocore.exceptions import ClientError

from ..errors import Cancelled, ExecutionError
from .governor import WRITE, Unlimited
from .retry import RetryPolicy, error_code, is_throttling

#: DynamoDB's limit on the actions of one TransactWriteItems
MAX_ITEMS = 100
#: cancellation codes that go away when the transaction is sent again
_TRANSIENT_REASONS = {"TransactionConflict", "ThrottlingError", "ProvisionedThroughputExceeded", "None"}


@dataclasses.dataclass(frozen=True)
class Change:
    """One action of a transaction.

    ``action``: ``Put``, ``Update``, ``Delete`` or ``ConditionCheck``; ``params``: its
    request members less ``TableName``; ``key``: the item's key (for messages);
    ``row``: the input row it comes from; ``units``: its estimated write units;
    ``condition_text``: what a failed condition means, in words; ``table``: the
    DynamoDB table it changes, when a transaction spans several (else the one given to
    :func:`transact`).
    """

    action: str
    params: dict
    key: dict
    row: int | None = None
    units: float = 2.0
    condition_text: str = "its condition did not hold"
    table: str | None = None


class TransactionCancelled(ExecutionError):
    """DynamoDB cancelled the transaction: nothing was written; one line per failed item."""

    def __init__(self, lines: list[str]):
        self.lines = lines
        super().__init__("the atomic write was cancelled; nothing was written: " + "; ".join(lines))


def too_many(count: int, table: str) -> ExecutionError:
    return ExecutionError(f"ddbsql.write.atomic=true: the statement changes more than {MAX_ITEMS} items of {table} "
                          f"(at least {count}); DynamoDB's TransactWriteItems takes at most {MAX_ITEMS}; nothing "
                          "was written (set ddbsql.write.atomic=false to write in batches)")


def transact(client, table_name: str, changes: Sequence[Change], retry: RetryPolicy, *, governor=None,
             cancel=None, clock=time.monotonic, governors: dict | None = None,
             consumed_by_table: dict | None = None) -> tuple[float, int, int]:
    """Apply ``changes`` to ``table_name`` as one transaction.

    A transaction over several tables (each change naming its ``table``) is paced by
    each table's governor in ``governors`` (table name -> governor) for that table's
    share; ``consumed_by_table``, when given, receives the write units each consumed.
    Returns ``(consumed write units, retries, throttles)``.  Raises
    :class:`TransactionCancelled` with one line per failed item when DynamoDB cancels it
    for a reason other than a conflict or throttling, :class:`ExecutionError` for more
    than :data:`MAX_ITEMS` changes, :class:`Cancelled` when ``cancel`` is set first.
    """
    if len(changes) > MAX_ITEMS:
        raise too_many(len(changes), table_name)
    if not changes:
        return 0.0, 0, 0
    governors = dict(governors or {table_name: governor or Unlimited()})
    estimates: dict[str, float] = {}
    for change in changes:
        table = change.table or table_name
        estimates[table] = estimates.get(table, 0.0) + float(change.units)
        governors.setdefault(table, Unlimited())
    for table, estimate in estimates.items():
        if not governors[table].acquire(WRITE, estimate, cancel):
            raise Cancelled("statement cancelled")
    request = {"TransactItems": [{c.action: {"TableName": c.table or table_name, **c.params}} for c in changes],
               "ClientRequestToken": uuid.uuid4().hex, "ReturnConsumedCapacity": "TOTAL"}
    counts = {"retries": 0, "throttles": 0}

    def throttled() -> None:
        for table in estimates:
            governors[table].throttled(WRITE)

    def on_retry(exc: BaseException) -> None:
        counts["retries"] += 1
        if is_throttling(exc):
            counts["throttles"] += 1
            throttled()

    what = f"TransactWriteItems {', '.join(estimates)}"
    started = clock()
    attempt = 0
    while True:
        try:
            response = retry.call(lambda: _send(client, request), what=what, since=started, on_retry=on_retry)
            break
        except _Cancelled as cancelled:
            codes = {r.get("Code", "None") for r in cancelled.reasons}
            if codes <= _TRANSIENT_REASONS and clock() - started < retry.max_seconds:
                attempt += 1
                counts["retries"] += 1
                if codes & {"ThrottlingError", "ProvisionedThroughputExceeded"}:
                    counts["throttles"] += 1
                    throttled()
                retry.sleep(retry.delay(attempt))
                continue
            for table, estimate in estimates.items():
                governors[table].settle(WRITE, estimate, 0.0)
            raise TransactionCancelled(cancellation_lines(changes, cancelled.reasons)) from None
    consumed: dict[str, float] = {}
    for entry in response.get("ConsumedCapacity") or []:
        table = entry.get("TableName") or table_name
        consumed[table] = consumed.get(table, 0.0) + float(entry.get("CapacityUnits", 0.0))
    cost = 0.0
    for table, estimate in estimates.items():
        spent = governors[table].settle(WRITE, estimate, consumed.get(table) or None)
        cost += spent
        if consumed_by_table is not None:
            consumed_by_table[table] = spent
    return cost, counts["retries"], counts["throttles"]


class _Cancelled(Exception):
    def __init__(self, reasons: list[dict]):
        super().__init__("transaction cancelled")
        self.reasons = reasons


def _send(client, request: dict) -> dict:
    try:
        return client.transact_write_items(**request)
    except ClientError as exc:
        if error_code(exc) == "TransactionCanceledException":
            reasons = exc.response.get("CancellationReasons") or _reasons_from_message(exc)
            raise _Cancelled(reasons) from None
        raise


def _reasons_from_message(exc: ClientError) -> list[dict]:
    """Servers that leave ``CancellationReasons`` out list the codes in the message:
    ``… [ConditionalCheckFailed, None]``."""
    message = exc.response.get("Error", {}).get("Message", "")
    start, end = message.rfind("["), message.rfind("]")
    if start < 0 or end < start:
        return [{"Code": "Unknown", "Message": message}]
    return [{"Code": part.strip() or "None"} for part in message[start + 1:end].split(",")]


def cancellation_lines(changes: Sequence[Change], reasons: list[dict]) -> list[str]:
    """One line per item DynamoDB names as the cause (``Code`` other than ``None``)."""
    lines = []
    for change, reason in zip(changes, reasons):
        code = reason.get("Code") or "None"
        if code == "None":
            continue
        what = change.condition_text if code == "ConditionalCheckFailed" else reason.get("Message") or code
        where = f"row {change.row + 1}, " if change.row is not None else ""
        lines.append(f"{change.action} of item {key_text(change.key)} ({where}{code}): {what}")
    if not lines:
        lines.append("DynamoDB gave no reason per item: " + ", ".join(r.get("Code", "?") for r in reasons))
    return lines


def key_text(key: dict) -> str:
    """``{"id": {"S": "a"}, "n": {"N": "1"}}`` as ``id='a', n=1``."""
    parts = []
    for name, value in key.items():
        tag, raw = next(iter(value.items())) if value else ("", None)
        if tag == "S":
            parts.append(f"{name}='{raw}'")
        elif tag == "N":
            parts.append(f"{name}={raw}")
        else:
            parts.append(f"{name}=<{tag}>")
    return ", ".join(parts)
