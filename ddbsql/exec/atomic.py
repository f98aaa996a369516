"""``SET ddbsql.write.atomic=true`` for INSERT: the rows of one target written as one
transaction (see :mod:`.transact`), in the target's write mode.

Rows are encoded as the batch writer encodes them.  More than :data:`~.transact.MAX_ITEMS`
rows, or any row that cannot be written (its reason goes to the reject file), fail the
statement before anything is sent.  A key repeated in the input keeps its last row (as
in batch writes; counted as a duplicate), since a transaction cannot touch an item
twice.  Write modes become conditions of the transaction: insert-if-absent fails the
whole write if an item exists, newer-wins if an item is not older.
"""
from __future__ import annotations

import dataclasses
import time
from typing import Iterable, Sequence

import pyarrow as pa

from ..catalog.binding import ColumnBinding
from ..errors import ExecutionError
from .encode import encode_batch, item_size
from .governor import WriteCoster
from .rejects import RejectLog
from .retry import RetryPolicy
from .transact import MAX_ITEMS, Change, too_many, transact
from .writer import DELETE, INSERT_IF_ABSENT, NEWER_WINS, WriteMode, WriteReport, key_of


class AtomicWriter:
    """Writes every row of a statement into one table in a single transaction."""

    def __init__(self, client, table_name: str, key_attributes: Sequence[str], *, retry: RetryPolicy,
                 rejects: RejectLog, mode: WriteMode, governor=None, cancel=None, facts=None, label: str = ""):
        self.client = client
        self.table_name = table_name
        self.key_attributes = tuple(key_attributes)
        self.retry = retry
        self.rejects = rejects
        self.mode = mode
        self.governor = governor
        self.cancel = cancel
        self.coster = WriteCoster(facts)
        self.label = label or table_name
        self.report = WriteReport(table_name)
        #: no replace-mode key set (atomic writes refuse replace)
        self.keys = None

    def write_batches(self, batches: Iterable[pa.RecordBatch], bindings: Sequence[ColumnBinding], *,
                      null_serialization: bool = False) -> WriteReport:
        started = time.monotonic()
        try:
            changes = self.collect(batches, bindings, null_serialization=null_serialization)
            consumed, retries, throttles = transact(self.client, self.table_name, changes, self.retry,
                                                    governor=self.governor, cancel=self.cancel)
            self.settled(changes, consumed, retries, throttles)
        finally:
            self.rejects.close()
            self.report.reject_path = str(self.rejects.path) if self.rejects.path else None
            self.report.elapsed = time.monotonic() - started
        return self.report

    def collect(self, batches: Iterable[pa.RecordBatch], bindings: Sequence[ColumnBinding], *,
                null_serialization: bool = False, limit: int = MAX_ITEMS) -> list[Change]:
        """The transaction's actions for ``batches`` (nothing is sent), each naming this
        table.  Raises before anything is written for more than ``limit`` items or a row
        that cannot be written (its reason in the reject file)."""
        by_key: dict[tuple, tuple[int, dict]] = {}
        row_base = 0
        for batch in batches:
            items, rejects = encode_batch(batch, bindings, key_attributes=self.key_attributes,
                                          null_serialization=null_serialization)
            rejected = set()
            for row, item, reason in rejects:
                self.rejects.add(row_base + row, item, reason)
                rejected.add(row)
            good = (row_base + r for r in range(batch.num_rows) if r not in rejected)
            for row, item in zip(good, items):
                key = key_of(item, self.key_attributes)
                if key in by_key:
                    self.report.duplicates += 1
                by_key[key] = (row, item)
                if len(by_key) > limit:
                    raise too_many(len(by_key), self.label)
            row_base += batch.num_rows
            self.report.rows = row_base
        if self.rejects.count:
            self.report.rejected = self.rejects.count
            raise ExecutionError(f"ddbsql.write.atomic=true: {self.rejects.count} row(s) cannot be written to "
                                 f"{self.label} (reasons in {self.rejects.path}); nothing was written")
        return [dataclasses.replace(self._change(row, item), table=self.table_name) for row, item in by_key.values()]

    def settled(self, changes: Sequence[Change], consumed: float, retries: int, throttles: int) -> None:
        """Count ``changes`` as written (the transaction holding them committed)."""
        self.report.consumed += consumed
        self.report.retries += retries
        self.report.throttles += throttles
        if self.mode.kind == DELETE:
            self.report.deleted = len(changes)
        else:
            self.report.written = len(changes)

    def _change(self, row: int, item: dict) -> Change:
        key = {k: item[k] for k in self.key_attributes}
        if self.mode.kind == DELETE:
            return Change("Delete", {"Key": key}, key, row, 2.0)
        units = 2.0 * self.coster.put(item, item_size(item))
        names = {"#k": self.key_attributes[0]}
        if self.mode.kind == INSERT_IF_ABSENT:
            return Change("Put", {"Item": item, "ConditionExpression": "attribute_not_exists(#k)",
                                  "ExpressionAttributeNames": names}, key, row, units,
                          "the item already exists (ddbsql.write.mode=insert-if-absent)")
        if self.mode.kind == NEWER_WINS:
            version = item.get(self.mode.version_attribute)
            if version is None or "NULL" in version:
                raise ExecutionError(f"ddbsql.write.atomic=true: row {row + 1} has a NULL version attribute "
                                     f"'{self.mode.version_attribute}' (newer-wins); nothing was written")
            names["#v"] = self.mode.version_attribute
            return Change("Put", {"Item": item,
                                  "ConditionExpression": "attribute_not_exists(#k) OR attribute_not_exists(#v) "
                                                         "OR #v < :v",
                                  "ExpressionAttributeNames": names, "ExpressionAttributeValues": {":v": version}},
                          key, row, units, "the stored item is not older (ddbsql.write.mode=newer-wins)")
        return Change("Put", {"Item": item}, key, row, units)
