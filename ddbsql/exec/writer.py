"""Writing Arrow batches into a DynamoDB table with BatchWriteItem, losing nothing.

Every input row ends written or in the reject file.  Batches hold at most 25 items
with distinct keys (DynamoDB refuses duplicates in one batch: the later row wins, as
it would with sequential puts).  ``UnprocessedItems`` are re-sent with backoff; a
batch DynamoDB refuses as a whole for a validation error is split into single puts so
the bad item is found, rejected with DynamoDB's reason, and the rest written.
"""
from __future__ import annotations

import dataclasses
import json
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Iterable, Sequence

import pyarrow as pa
from botocore.exceptions import ClientError

from ..catalog.binding import ColumnBinding
from ..errors import DynamoDBError
from .encode import encode_batch
from .rejects import RejectLog
from .retry import RetryPolicy, describe_client_error, error_code

MAX_BATCH_ITEMS = 25


@dataclasses.dataclass
class WriteReport:
    """What a write job did: rows in, items written, rows rejected, where the rejects are."""

    table: str
    rows: int = 0
    written: int = 0
    rejected: int = 0
    duplicates: int = 0
    reject_path: str | None = None


class BatchWriter:
    """Puts items into one DynamoDB table from several threads."""

    def __init__(self, client, table_name: str, key_attributes: Sequence[str], *, retry: RetryPolicy,
                 rejects: RejectLog, workers: int = 4, cancel: threading.Event | None = None):
        self.client = client
        self.table_name = table_name
        self.key_attributes = tuple(key_attributes)
        self.retry = retry
        self.rejects = rejects
        self.workers = max(1, workers)
        self.cancel = cancel or threading.Event()
        self.report = WriteReport(table_name)
        self._lock = threading.Lock()

    # public
    def write_batches(self, batches: Iterable[pa.RecordBatch], bindings: Sequence[ColumnBinding], *,
                      null_serialization: bool = False) -> WriteReport:
        """Encode and write every row of ``batches``; returns the report once all are settled."""
        pool = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix=f"write-{self.table_name}")
        in_flight = threading.BoundedSemaphore(self.workers * 2)
        futures: list[Future] = []
        chunk: dict[tuple, tuple[int, dict]] = {}
        row_base = 0
        try:
            for batch in batches:
                items, rejects = encode_batch(batch, bindings, key_attributes=self.key_attributes,
                                              null_serialization=null_serialization)
                rejected_rows = set()
                for row, item, reason in rejects:
                    self.rejects.add(row_base + row, item, reason)
                    rejected_rows.add(row)
                good_rows = (r for r in range(batch.num_rows) if r not in rejected_rows)
                for row, item in zip(good_rows, items):
                    key = self._key(item)
                    if key in chunk:
                        with self._lock:
                            self.report.duplicates += 1
                    chunk[key] = (row_base + row, item)
                    if len(chunk) == MAX_BATCH_ITEMS:
                        futures.append(self._submit(pool, in_flight, list(chunk.values())))
                        chunk = {}
                row_base += batch.num_rows
                self.report.rows = row_base
                if self.cancel.is_set():
                    break
            if chunk:
                futures.append(self._submit(pool, in_flight, list(chunk.values())))
            for future in futures:
                future.result()
        except BaseException:
            self.cancel.set()  # stop the other workers: the statement has failed
            raise
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
            self.rejects.close()
        self.report.rejected = self.rejects.count
        self.report.reject_path = str(self.rejects.path) if self.rejects.path else None
        return self.report

    # internals
    def _key(self, item: dict) -> tuple:
        return tuple(json.dumps(item.get(k), sort_keys=True, default=repr) for k in self.key_attributes)

    def _submit(self, pool: ThreadPoolExecutor, in_flight: threading.BoundedSemaphore,
                entries: list[tuple[int, dict]]) -> Future:
        in_flight.acquire()
        future = pool.submit(self._write_chunk, entries)
        future.add_done_callback(lambda _: in_flight.release())
        return future

    def _write_chunk(self, entries: list[tuple[int, dict]]) -> None:
        pending = entries
        attempt = 0
        last_progress = self.retry.clock()
        while pending and not self.cancel.is_set():
            request = {self.table_name: [{"PutRequest": {"Item": item}} for _, item in pending]}
            try:
                response = self.retry.call(lambda: self.client.batch_write_item(RequestItems=request),
                                           what=f"BatchWriteItem {self.table_name}")
            except DynamoDBError as exc:
                if error_code(exc.__cause__) == "ValidationException":
                    self._write_singly(pending)
                    return
                raise
            unprocessed = response.get("UnprocessedItems", {}).get(self.table_name, [])
            left = {self._key(r["PutRequest"]["Item"]) for r in unprocessed}
            done = len(pending) - len(left)
            if done:
                last_progress = self.retry.clock()
                attempt = 0
                with self._lock:
                    self.report.written += done
            pending = [(row, item) for row, item in pending if self._key(item) in left]
            if pending:
                attempt += 1
                if self.retry.clock() - last_progress > self.retry.max_seconds:
                    raise DynamoDBError(f"BatchWriteItem {self.table_name}: {len(pending)} items still unprocessed "
                                        f"after {self.retry.max_seconds:.0f} s without progress")
                self.retry.sleep(self.retry.delay(attempt))

    def _write_singly(self, entries: list[tuple[int, dict]]) -> None:
        for row, item in entries:
            if self.cancel.is_set():
                return
            try:
                self.retry.call(lambda: self.client.put_item(TableName=self.table_name, Item=item),
                                what=f"PutItem {self.table_name}")
            except DynamoDBError as exc:
                cause = exc.__cause__
                if isinstance(cause, ClientError) and error_code(cause) == "ValidationException":
                    self.rejects.add(row, item, describe_client_error(cause))
                    continue
                raise
            with self._lock:
                self.report.written += 1
