"""Changing single items under a condition: UpdateItem, DeleteItem and PutItem for UPDATE,
DELETE and MERGE, paced by the table's governor, retried like every request.

Every change carries the condition that the item is still as it was read: for an update
or delete, the key exists and each read attribute still holds the AttributeValue
DynamoDB returned (``=``: numbers compare numerically, so N text compares exactly;
lists, maps and sets by equality; a NULL by its type), or is still absent
(``attribute_not_exists``); for an insert, the key does not exist.  When the condition fails
(someone changed the item in between) the change is not applied and is handed back as a
*conflict* for the caller to re-read and re-evaluate, or report.  A change DynamoDB
refuses for good (a value it cannot store) goes to the reject file; the others go on.
"""
from __future__ import annotations

import concurrent.futures
import dataclasses
import enum
import threading
import time
from typing import Sequence

from ..errors import Cancelled, DynamoDBError
from ..planner.units import consumed_units
from .governor import WRITE, Unlimited, WriteCoster
from .rejects import RejectLog
from .retry import RetryPolicy, count_retry, error_code
from .transact import Change as TransactionChange


class Action(enum.Enum):
    UPDATE = "Update"
    DELETE = "Delete"
    PUT = "Put"


@dataclasses.dataclass
class ItemChange:
    """One item to change.

    ``key``: the item's key (attribute values); ``expected``: attribute → the
    AttributeValue it held when read, as DynamoDB returned it, or None when the item
    lacked it (and must still); ``values``: for
    an update, attribute → new value or None (removed); for a put, the whole item.
    """

    row: int
    action: Action
    key: dict
    expected: dict = dataclasses.field(default_factory=dict)
    values: dict = dataclasses.field(default_factory=dict)


@dataclasses.dataclass
class ChangeReport:
    """Counts of one statement's changes; updated live."""

    updated: int = 0
    deleted: int = 0
    inserted: int = 0
    rejected: int = 0
    conflicts: int = 0          # conditions that failed (each re-read or reported)
    retries: int = 0
    throttles: int = 0
    consumed: float = 0.0
    elapsed: float = 0.0

    def count(self, action: Action) -> None:
        if action is Action.UPDATE:
            self.updated += 1
        elif action is Action.DELETE:
            self.deleted += 1
        else:
            self.inserted += 1


def request_of(change: ItemChange, key_attributes: Sequence[str]) -> tuple[dict, str]:
    """``(request members less TableName, what a failed condition means)``."""
    names: dict[str, str] = {}
    values: dict[str, dict] = {}

    def name(attribute: str) -> str:
        for placeholder, existing in names.items():
            if existing == attribute:
                return placeholder
        placeholder = f"#a{len(names)}"
        names[placeholder] = attribute
        return placeholder

    def value(av: dict) -> str:
        placeholder = f":v{len(values)}"
        values[placeholder] = av
        return placeholder

    if change.action is Action.PUT:
        condition = f"attribute_not_exists({name(key_attributes[0])})"
        params = {"Item": change.values, "ConditionExpression": condition}
        meaning = "an item with this key was inserted by another writer since it was read"
    else:
        checks = [f"attribute_exists({name(key_attributes[0])})"]
        for attribute, old in change.expected.items():
            if old is None:
                checks.append(f"attribute_not_exists({name(attribute)})")
            elif "NULL" in old:     # the NULL type has one value: its type says it all
                checks.append(f"attribute_type({name(attribute)}, {value({'S': 'NULL'})})")
            else:
                checks.append(f"{name(attribute)} = {value(old)}")
        params = {"Key": change.key, "ConditionExpression": " AND ".join(checks)}
        meaning = "the item was changed or deleted by another writer since it was read"
        if change.action is Action.UPDATE:
            sets = [f"{name(a)} = {value(v)}" for a, v in change.values.items() if v is not None]
            removes = [name(a) for a, v in change.values.items() if v is None]
            parts = []
            if sets:
                parts.append("SET " + ", ".join(sets))
            if removes:
                parts.append("REMOVE " + ", ".join(removes))
            params["UpdateExpression"] = " ".join(parts)
    params["ExpressionAttributeNames"] = names
    if values:
        params["ExpressionAttributeValues"] = values
    return params, meaning


def transaction_change(change: ItemChange, key_attributes: Sequence[str], units: float) -> TransactionChange:
    """The same change as an action of a transaction (see :mod:`.transact`)."""
    params, meaning = request_of(change, key_attributes)
    return TransactionChange(change.action.value, params, change.key, change.row, units, meaning)


class ChangeApplier:
    """Applies item changes to one table with ``workers`` threads under its governor."""

    def __init__(self, client, table_name: str, key_attributes: Sequence[str], *, retry: RetryPolicy,
                 rejects: RejectLog, governor=None, workers: int = 4, cancel: threading.Event | None = None,
                 facts=None):
        self.client = client
        self.table_name = table_name
        self.key_attributes = tuple(key_attributes)
        self.retry = retry
        self.rejects = rejects
        self.governor = governor or Unlimited()
        self.workers = max(1, workers)
        self.cancel = cancel
        self.coster = WriteCoster(facts)
        self.report = ChangeReport()
        #: called with each change DynamoDB acknowledged (a job's checkpoint records it)
        self.on_applied = None
        self._lock = threading.Lock()

    def units(self, change: ItemChange) -> float:
        """Estimated write units of ``change`` (corrected by ConsumedCapacity)."""
        if change.action is Action.DELETE:
            return 1.0
        item = dict(change.key)
        item.update({a: v for a, v in change.values.items() if v is not None})
        return float(self.coster.put(item))

    def apply(self, changes: Sequence[ItemChange]) -> list[ItemChange]:
        """Apply ``changes``; returns those whose condition failed (conflicts)."""
        started = time.monotonic()
        conflicts: list[ItemChange] = []
        try:
            if self.workers == 1 or len(changes) < 2:
                outcomes = [self._one(c) for c in changes]
            else:
                with concurrent.futures.ThreadPoolExecutor(self.workers, thread_name_prefix="ddbsql-dml") as pool:
                    outcomes = list(pool.map(self._one, changes))
        finally:
            self.report.elapsed += time.monotonic() - started
        for change, conflicted in zip(changes, outcomes):
            if conflicted:
                conflicts.append(change)
        return conflicts

    def _one(self, change: ItemChange) -> bool:
        """Apply one change; True when its condition failed."""
        if self.cancel is not None and self.cancel.is_set():
            raise Cancelled("statement cancelled")
        params, _ = request_of(change, self.key_attributes)
        params = {"TableName": self.table_name, "ReturnConsumedCapacity": "TOTAL", **params}
        send = {Action.UPDATE: self.client.update_item, Action.DELETE: self.client.delete_item,
                Action.PUT: self.client.put_item}[change.action]
        estimate = self.units(change)
        if not self.governor.acquire(WRITE, estimate, self.cancel):
            raise Cancelled("statement cancelled")
        try:
            response = self.retry.call(lambda: send(**params), what=f"{change.action.value}Item {self.table_name}",
                                       on_retry=self._on_retry)
        except DynamoDBError as exc:
            code = error_code(exc.__cause__)
            if code == "ConditionalCheckFailedException":
                self.governor.settle(WRITE, estimate, None)   # a failed condition still costs the write
                with self._lock:
                    self.report.conflicts += 1
                return True
            if code == "ValidationException":
                self.governor.settle(WRITE, estimate, 0.0)
                self.rejects.add(change.row, change.values or change.key, exc.message)
                with self._lock:
                    self.report.rejected += 1
                return False
            raise
        cost = self.governor.settle(WRITE, estimate, consumed_units(response))
        with self._lock:
            self.report.consumed += cost
            self.report.count(change.action)
        if self.on_applied is not None:
            self.on_applied(change)
        return False

    def _on_retry(self, exc: BaseException) -> None:
        count_retry(self.report, self._lock, self.governor, WRITE, exc)
