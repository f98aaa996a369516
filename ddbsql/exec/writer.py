"""Writing Arrow batches into a DynamoDB table, losing nothing, within the table's budget.

Every input row ends written, skipped by its condition, or in the reject file; the
:class:`WriteReport` adds up (``rows = written + skipped + rejected + duplicates``, plus
the rows whose key was missing, which are rejects too).

Workers
    Rows are routed to ``workers`` threads by a hash of their key, and each worker
    sends its requests in input order: two rows with the same key always go through
    the same worker, one after the other, so the later row wins across batches as it
    would with sequential puts (and DynamoDB's refusal of duplicate keys inside one
    BatchWriteItem is avoided: within a batch the later row replaces the earlier one).

Modes (:class:`WriteMode`)
    ``put`` (EMR's behaviour): BatchWriteItem PutRequests, overwriting whole items.
    ``insert-if-absent``: PutItem with ``attribute_not_exists(<hash key>)``.
    ``newer-wins``: PutItem that only replaces an item whose version attribute is absent
    or smaller than the row's.  A row with a NULL version is rejected.
    ``delete`` (EMR's ``dynamodb.deletion.mode=true``): BatchWriteItem DeleteRequests for
    the rows' keys.
    Condition failures are counted as ``skipped``, not errors.

Capacity
    With a :class:`~ddbsql.exec.governor.Governor`, each request first acquires its
    computed write units (1 KB per item rounded up, plus secondary indexes); batches are
    cut so one request costs about a worker's share of one second of budget; the
    estimate is settled with the response's ``ConsumedCapacity``.

Retries
    Throttling, 5xx and dropped connections are retried by :class:`RetryPolicy` and
    ``UnprocessedItems`` are re-sent with backoff, until no item has been written for
    ``retry.max_seconds``.  A batch DynamoDB refuses as a whole for a validation error
    is split into single requests so the bad item is found, rejected with DynamoDB's
    reason, and the rest written.  A conditional put whose answer was lost (a dropped
    connection or a 5xx: DynamoDB may have carried it out) and whose retry fails its
    condition counts as written when the item DynamoDB holds is exactly the row's
    (asked with ``ReturnValuesOnConditionCheckFailure=ALL_OLD``), not as skipped.

Checkpoints
    A :class:`WriteHook` (a resumable job's tracker) hears of every row's fate:
    ``acknowledged`` once DynamoDB confirmed it (written, deleted, or declined by its
    condition), ``settled`` when it will never be sent (rejected, or replaced by a later
    row with the same key in the same batch), and is asked first whether to ``skip`` it
    (a row an interrupted run of the same job already wrote; counted as ``resumed``).
"""
from __future__ import annotations

import dataclasses
import itertools
import json
import queue
import threading
import time
from decimal import Decimal, InvalidOperation
import hashlib
from typing import Callable, Iterable, Protocol, Sequence

import pyarrow as pa
from botocore.exceptions import ClientError

from ..catalog.binding import ColumnBinding
from ..errors import DynamoDBError
from .fastpath import encode_batch_fast, raw_batch_write
from .fastpath.encoder import batch_write_body_of, request_fragment
from .fastpath.meta import botocore_value
from .fastpath.putjson import encode_put_requests
from .fastpath.signed import sender_for
from ..planner.units import consumed_units
from .governor import WRITE, Governor, Unlimited, WriteCoster
from .rejects import RejectLog
from .retry import RetryPolicy, count_retry, describe_client_error, error_code, is_throttling
from .spread import SPREAD_WINDOW, interleave, partition_key_of

MAX_BATCH_ITEMS = 25
#: rows encoded at a time: small enough that the workers send while the next slice is encoded
ENCODE_ROWS = 2048
#: requests waiting for each worker (a worker's share of a slice fits, so routing rarely waits)
QUEUE_REQUESTS = 32

PUT = "put"
INSERT_IF_ABSENT = "insert-if-absent"
NEWER_WINS = "newer-wins"
DELETE = "delete"
MODES = (PUT, INSERT_IF_ABSENT, NEWER_WINS, DELETE)


@dataclasses.dataclass(frozen=True)
class WriteMode:
    """How rows become requests: see the module documentation."""

    kind: str = PUT
    #: newer-wins: the DynamoDB attribute holding the version
    version_attribute: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in MODES:
            raise ValueError(f"unknown write mode {self.kind!r}")
        if self.kind == NEWER_WINS and not self.version_attribute:
            raise ValueError("newer-wins needs a version attribute")

    @property
    def conditional(self) -> bool:
        return self.kind in (INSERT_IF_ABSENT, NEWER_WINS)


@dataclasses.dataclass
class WriteReport:
    """What a write job did.  Counters are updated live (progress reads them)."""

    table: str
    rows: int = 0               # input rows
    written: int = 0            # items put (or deleted, in delete mode)
    skipped: int = 0            # conditional puts DynamoDB declined
    rejected: int = 0           # rows in the reject file
    duplicates: int = 0         # rows replaced by a later row with the same key in the same batch
    deleted: int = 0            # stale items deleted (replace) or rows deleted (delete mode)
    resumed: int = 0            # rows not sent: an interrupted run of the same job already wrote them
    retries: int = 0            # requests tried again (throttling, 5xx, connection)
    throttles: int = 0          # throttling errors among them
    unprocessed: int = 0        # items DynamoDB left unprocessed and that were sent again
    consumed: float = 0.0       # write capacity units consumed
    elapsed: float = 0.0        # seconds
    reject_path: str | None = None


def key_of(item: dict, key_attributes: Sequence[str]) -> tuple:
    """A hashable key of ``item`` equal for equal DynamoDB keys (numbers compared by value)."""
    parts = []
    for name in key_attributes:
        value = item.get(name)
        if not value:
            parts.append(None)
            continue
        tag, raw = next(iter(value.items()))
        if tag == "N":
            try:
                raw = Decimal(raw)
            except (InvalidOperation, TypeError, ValueError):
                pass
        elif isinstance(raw, (bytearray, memoryview)):
            raw = bytes(raw)
        parts.append((tag, raw))
    return tuple(parts)


def key_digest(key: tuple) -> bytes:
    """A 16-byte digest of a :func:`key_of` key, the same in every process (numbers by value)."""
    h = hashlib.blake2b(digest_size=16)
    for part in key:
        if part is None:
            h.update(b"\x00")
            continue
        tag, raw = part
        if isinstance(raw, Decimal):
            raw = "0" if raw.is_zero() else format(raw.normalize(), "f" if abs(raw.adjusted()) < 40 else "e")
        data = raw if isinstance(raw, bytes) else str(raw).encode("utf-8")
        h.update(tag.encode("ascii") + len(data).to_bytes(8, "big") + data)
    return h.digest()


class WriteHook(Protocol):
    """What a resumable job's checkpoint tracker hears from a :class:`BatchWriter` (thread-safe)."""

    def skip(self, row: int, key: tuple) -> bool:
        """True: do not send this row, an interrupted run of the job already wrote it."""

    def acknowledged(self, entries: Sequence[tuple[int, dict]], written: bool,
                     keys: Sequence[tuple] | None = None) -> None:
        """DynamoDB confirmed these rows: written (or deleted), or declined by their condition.
        ``keys``, when given, are the rows' :func:`key_of` keys; an entry's item is then None
        when the row was encoded straight to request JSON."""

    def settled(self, rows: Sequence[int]) -> None:
        """These rows will never be sent (rejected, or replaced by a later row with the same key)."""


_STOP = object()


def _item_of(fragment: bytes) -> dict:
    """The item of a PutRequest encoded straight to JSON, in botocore's form."""
    return {name: botocore_value(av) for name, av in json.loads(fragment)["PutRequest"]["Item"].items()}


def _item(entry) -> dict:
    """An entry's item (``entry[1]``), from its JSON fragment when it was encoded straight."""
    return entry[1] if entry[1] is not None else _item_of(entry[4])


def _keys(tags: Sequence[str], values: Sequence[list]) -> list[tuple]:
    """:func:`key_of` keys from key attribute values (``N`` as text)."""
    columns = [[(tag, _number(v)) for v in column] if tag == "N" else [(tag, v) for v in column]
               for tag, column in zip(tags, values)]
    return list(zip(*columns))


def _number(text: str):
    try:
        return Decimal(text)
    except (InvalidOperation, TypeError, ValueError):
        return text


def _hash_part(entry: tuple) -> tuple:
    """The spreading key of an encoded entry ``(row, None, size, key, fragment)``: its hash key."""
    return entry[3][0]


def _slices(batches: Iterable[pa.RecordBatch], rows: int) -> Iterable[pa.RecordBatch]:
    """``batches`` cut into batches of at most ``rows`` rows (zero-copy slices)."""
    for batch in batches:
        if batch.num_rows <= rows:
            yield batch
            continue
        for start in range(0, batch.num_rows, rows):
            yield batch.slice(start, rows)


def _canonical(value: dict):
    tag, raw = next(iter(value.items()))
    if tag == "N":
        return tag, Decimal(raw)
    if tag == "B":
        return tag, bytes(raw)
    if tag in ("SS", "NS", "BS"):
        convert = {"SS": str, "NS": Decimal, "BS": bytes}[tag]
        return tag, frozenset(convert(v) for v in raw)
    if tag == "L":
        return tag, tuple(_canonical(v) for v in raw)
    if tag == "M":
        return tag, {k: _canonical(v) for k, v in raw.items()}
    return tag, raw


def same_item(stored: dict | None, item: dict) -> bool:
    """True when ``stored`` (an item DynamoDB returned) has exactly ``item``'s attributes
    and values (numbers compared by value, sets as sets)."""
    if not stored or stored.keys() != item.keys():
        return False
    try:
        return all(_canonical(stored[name]) == _canonical(value) for name, value in item.items())
    except (InvalidOperation, TypeError, ValueError):
        return False


class BatchWriter:
    """Writes items into one DynamoDB table from ``workers`` threads."""

    def __init__(self, client, table_name: str, key_attributes: Sequence[str], *, retry: RetryPolicy,
                 rejects: RejectLog, workers: int = 4, cancel: threading.Event | None = None,
                 governor: Governor | None = None, mode: WriteMode | None = None, keys=None,
                 coster: WriteCoster | None = None, clock: Callable[[], float] = time.monotonic,
                 hook: WriteHook | None = None):
        self.client = client
        self.table_name = table_name
        self.key_attributes = tuple(key_attributes)
        self.retry = retry
        self.rejects = rejects
        self.workers = max(1, workers)
        self.cancel = cancel or threading.Event()
        self.governor = governor if governor is not None else Unlimited()
        self.mode = mode or WriteMode()
        self.coster = coster or (governor.write_coster() if isinstance(governor, Governor) else WriteCoster(None))
        self.clock = clock
        self.hook = hook
        #: BatchWriteItem bodies go out signed straight on the client's pool when it allows it
        self._sender = sender_for(client)
        self.report = WriteReport(table_name)
        #: collects (``add``) the key of every row with a complete key, when given (a set, or
        #: a :class:`~ddbsql.exec.keyset.KeySet`): replace deletes the table's other items
        self.keys = keys
        self._lock = threading.Lock()
        self._stop = threading.Event()        # set on cancel or on the first failure
        self._failure: BaseException | None = None
        self._queues: list[queue.Queue] = []
        self._chunks: list = []

    # public
    def write_batches(self, batches: Iterable[pa.RecordBatch], bindings: Sequence[ColumnBinding], *,
                      null_serialization: bool = False) -> WriteReport:
        """Encode and write every row of ``batches``; returns the report once all are settled."""
        spread_key = partition_key_of(self.key_attributes[0])

        direct = self._sender is not None and self.mode.kind == PUT

        def feed(route: Callable[[Iterable[tuple]], None]) -> None:
            row_base = 0
            pending: list[tuple] = []      # rows spread over partitions a window at a time
            encoded: list[tuple] = []      # the same, already JSON: (row, None, size, key, fragment)

            def send() -> None:
                route((row, item, size, None, None) for row, item, size in interleave(pending, spread_key))
                pending.clear()
                hash_parts = [entry[3][0] for entry in encoded]
                # rows with distinct partition keys need no interleaving (the usual case)
                route(encoded if len(set(hash_parts)) == len(hash_parts) else interleave(encoded, _hash_part))
                encoded.clear()

            for batch in _slices(batches, ENCODE_ROWS):
                requests = (encode_put_requests(batch, bindings, key_attributes=self.key_attributes,
                                                null_serialization=null_serialization) if direct else None)
                if requests is not None:
                    self._rejected(row_base, requests.rejects)
                    keys = _keys(requests.key_tags, requests.key_values)
                    encoded.extend(zip((row_base + r for r in requests.rows), itertools.repeat(None),
                                       requests.sizes, keys, requests.fragments))
                else:
                    items, rejects, sizes = encode_batch_fast(batch, bindings, key_attributes=self.key_attributes,
                                                              null_serialization=null_serialization)
                    rejected_rows = self._rejected(row_base, rejects)
                    good_rows = (row_base + r for r in range(batch.num_rows) if r not in rejected_rows)
                    pending.extend(zip(good_rows, items, sizes))
                if len(pending) + len(encoded) >= SPREAD_WINDOW:
                    send()
                row_base += batch.num_rows
                self.report.rows = row_base
                if self._stopped():
                    return
            send()
        return self._run(feed)

    def _rejected(self, row_base: int, rejects: Sequence[tuple[int, dict | None, str]]) -> set[int]:
        """Reject the encoder's rejects (batch rows from ``row_base``); their row indexes."""
        rejected_rows = set()
        for row, item, reason in rejects:
            self.rejects.add(row_base + row, item, reason)
            rejected_rows.add(row)
            if self.keys is not None and item and all(item.get(k) for k in self.key_attributes):
                self.keys.add(key_of(item, self.key_attributes))  # keep what the table has
        if rejected_rows and self.hook is not None:
            self.hook.settled([row_base + r for r in sorted(rejected_rows)])
        return rejected_rows

    def write_items(self, entries: Iterable[tuple[int, dict]]) -> WriteReport:
        """Write already encoded ``(row, item)`` pairs (keys only in delete mode)."""
        def feed(route: Callable[[Iterable[tuple]], None]) -> None:
            def counted():
                for row, item in entries:
                    self.report.rows += 1
                    yield row, item, None, None, None
                    if self._stopped():
                        return
            route(counted())
        return self._run(feed)

    # the pipeline
    def _stopped(self) -> bool:
        return self._stop.is_set() or self.cancel.is_set()

    def _run(self, feed: Callable[[Callable[[int, dict, int | None], None]], None]) -> WriteReport:
        started = self.clock()
        self._queues = [queue.Queue(maxsize=QUEUE_REQUESTS) for _ in range(self.workers)]
        self._chunks = [self._new_chunk() for _ in range(self.workers)]
        threads = [threading.Thread(target=self._work, args=(i,), name=f"write-{self.table_name}-{i}", daemon=True)
                   for i in range(self.workers)]
        for thread in threads:
            thread.start()
        try:
            feed(self._route)
            for index in range(self.workers):
                if self._chunks[index]:
                    self._enqueue(index, self._chunks[index])
                    self._chunks[index] = self._new_chunk()
            self._finish(threads)
            if self._failure is not None:
                raise self._failure
        except BaseException:
            self._stop.set()           # stop the other workers: the statement has failed
            self._finish(threads)
            raise
        finally:
            self.rejects.close()
            self.report.rejected = self.rejects.count
            self.report.reject_path = str(self.rejects.path) if self.rejects.path else None
            self.report.elapsed = self.clock() - started
        return self.report

    def _finish(self, threads: list[threading.Thread]) -> None:
        for q in self._queues:
            while True:
                try:
                    q.put(_STOP, timeout=0.1)
                    break
                except queue.Full:
                    if self._stopped():
                        self._drain(q)
        for thread in threads:
            thread.join()

    @staticmethod
    def _drain(q: queue.Queue) -> None:
        try:
            while True:
                q.get_nowait()
        except queue.Empty:
            pass

    def _new_chunk(self):
        return [] if self.mode.conditional else {}

    def _route(self, entries: Iterable[tuple]) -> None:
        """Hand rows to their workers' next requests.  An entry is ``(row, item, size, key,
        fragment)``: ``size`` the item's size by DynamoDB's rules when the encoder computed
        it; a row encoded straight to JSON comes with its ``key`` and request ``fragment``
        and no ``item``.  Each row goes on as ``(row, item, key, size, fragment)``."""
        delete, conditional = self.mode.kind == DELETE, self.mode.conditional
        key_attributes, workers, chunks = self.key_attributes, self.workers, self._chunks
        keys, hook = self.keys, self.hook
        for row, item, size, key, fragment in entries:
            if delete:
                item = {k: item[k] for k in key_attributes if k in item}
                size = None
            if key is None:
                key = key_of(item, key_attributes)
            if keys is not None:
                keys.add(key)
            if hook is not None and hook.skip(row, key):
                with self._lock:
                    self.report.resumed += 1
                continue
            index = hash(key) % workers
            chunk = chunks[index]
            if conditional:
                chunk.append((row, item, key, size, fragment))
            else:
                if key in chunk:
                    with self._lock:
                        self.report.duplicates += 1
                    replaced = chunk.pop(key)   # re-inserted last: the later row keeps its place in order
                    if hook is not None:
                        hook.settled([replaced[0]])
                chunk[key] = (row, item, key, size, fragment)
            if len(chunk) >= MAX_BATCH_ITEMS:
                self._enqueue(index, chunk)
                chunks[index] = self._new_chunk()

    def _enqueue(self, index: int, chunk) -> None:
        entries = list(chunk.values()) if isinstance(chunk, dict) else list(chunk)
        while True:
            if self._failure is not None:
                raise self._failure
            if self._stopped():
                return
            try:
                self._queues[index].put(entries, timeout=0.1)
                return
            except queue.Full:
                continue

    def _work(self, index: int) -> None:
        q = self._queues[index]
        while True:
            entries = q.get()
            if entries is _STOP:
                return
            if self._stopped():
                continue
            try:
                if self.mode.conditional:
                    self._put_conditionally(entries)
                else:
                    self._write_batch(entries)
            except BaseException as exc:
                with self._lock:
                    if self._failure is None:
                        self._failure = exc
                self._stop.set()

    # requests
    def _on_retry(self, exc: BaseException) -> None:
        count_retry(self.report, self._lock, self.governor, WRITE, exc)

    def _cost(self, item: dict | None, size: int | None = None, fragment: bytes | None = None) -> float:
        if self.mode.kind == DELETE:
            return self.coster.delete(item)
        if item is None and self.coster.indexes:  # index costs look at the attributes
            item = _item_of(fragment)
        return self.coster.put(item or {}, size)

    def _request(self, item: dict) -> dict:
        if self.mode.kind == DELETE:
            return {"DeleteRequest": {"Key": item}}
        return {"PutRequest": {"Item": item}}

    def _batch_cap(self) -> float:
        if isinstance(self.governor, Governor):
            return self.governor.request_units(WRITE, self.workers)
        return float("inf")

    def _count_done(self, n: int) -> None:
        with self._lock:
            if self.mode.kind == DELETE:
                self.report.deleted += n
            else:
                self.report.written += n

    def _send(self, batch: list[list]) -> Callable[[], dict]:
        """The call that sends ``batch`` (``[row, item, key, cost, fragment]`` entries)."""
        if self._sender is None:
            request = {self.table_name: [self._request(_item(e)) for e in batch]}
            return lambda: raw_batch_write(self.client, RequestItems=request, ReturnConsumedCapacity="TOTAL")
        delete = self.mode.kind == DELETE
        for entry in batch:
            if entry[4] is None:
                entry[4] = request_fragment(entry[1], delete=delete)
        body = batch_write_body_of(self.table_name, [e[4] for e in batch])
        return lambda: self._sender.batch_write(body)

    def _write_batch(self, entries: list[tuple]) -> None:
        """BatchWriteItem ``entries`` (``(row, item, key, size, fragment)``, distinct keys),
        re-sending what comes back unprocessed."""
        pending = [[row, item, key, self._cost(item, size, fragment), fragment]
                   for row, item, key, size, fragment in entries]
        attempt = 0
        last_progress = self.retry.clock()
        cap = self._batch_cap()
        while pending and not self._stopped():
            batch, total = [], 0.0
            for entry in pending:
                if batch and total + entry[3] > cap:
                    break
                batch.append(entry)
                total += entry[3]
            rest = pending[len(batch):]
            if not self.governor.acquire(WRITE, total, cancel=self._stopped):
                return
            try:
                response = self.retry.call(self._send(batch), what=f"BatchWriteItem {self.table_name}",
                                           since=last_progress, on_retry=self._on_retry)
            except DynamoDBError as exc:
                self.governor.settle(WRITE, total, 0.0)
                if error_code(exc.__cause__) == "ValidationException":
                    self._write_singly([(e[0], _item(e), e[3]) for e in batch])
                    last_progress = self.retry.clock()
                    pending = rest
                    continue
                raise
            unprocessed = response.get("UnprocessedItems", {}).get(self.table_name, [])
            if unprocessed:
                left = {key_of(r.get("PutRequest", {}).get("Item") or r.get("DeleteRequest", {}).get("Key") or {},
                               self.key_attributes) for r in unprocessed}
                done = [e for e in batch if e[2] not in left]
                again = [e for e in batch if e[2] in left]
            else:
                done, again = batch, []
            actual = consumed_units(response)
            # DynamoDB charges at least one unit per item written; some servers report less
            actual = sum(e[3] for e in done) if actual is None else max(actual, float(len(done)))
            self.governor.settle(WRITE, total, actual)
            with self._lock:
                self.report.consumed += actual
            if done:
                self._count_done(len(done))
                if self.hook is not None:
                    self.hook.acknowledged([(e[0], e[1]) for e in done], True, keys=[e[2] for e in done])
                last_progress = self.retry.clock()
                attempt = 0
            pending = again + rest
            if again:
                with self._lock:
                    self.report.unprocessed += len(again)
                self.governor.throttled(WRITE)
                attempt += 1
                self.retry.sleep(self.retry.delay(attempt))
                if self.retry.clock() - last_progress >= self.retry.max_seconds:
                    raise DynamoDBError(f"BatchWriteItem {self.table_name}: {len(pending)} item(s) still unprocessed "
                                        f"after {self.retry.max_seconds:.0f} s without progress "
                                        f"(ddbsql.retry.max.seconds)")

    def _single(self, row: int, item: dict, cost: float, **extra) -> str | None:
        """One PutItem/DeleteItem; None when written, else the condition or validation outcome."""
        if not self.governor.acquire(WRITE, cost, cancel=self._stopped):
            return "cancelled"
        if self.mode.kind == DELETE:
            call = lambda: self.client.delete_item(TableName=self.table_name, Key=item,  # noqa: E731
                                                   ReturnConsumedCapacity="TOTAL")
            what = f"DeleteItem {self.table_name}"
        else:
            call = lambda: self.client.put_item(TableName=self.table_name, Item=item,  # noqa: E731
                                                ReturnConsumedCapacity="TOTAL", **extra)
            what = f"PutItem {self.table_name}"
        lost: list[BaseException] = []      # failures after which DynamoDB may have done the request

        def on_retry(exc: BaseException) -> None:
            self._on_retry(exc)
            if not is_throttling(exc):
                lost.append(exc)

        def attempt() -> dict:
            try:
                return call()
            except ClientError as exc:
                if (lost and error_code(exc) == "ConditionalCheckFailedException"
                        and same_item(exc.response.get("Item"), item)):
                    return {}   # an earlier try was carried out, only its answer was lost
                raise

        try:
            response = self.retry.call(attempt, what=what, on_retry=on_retry)
        except DynamoDBError as exc:
            cause = exc.__cause__
            code = error_code(cause) if isinstance(cause, ClientError) else None
            if code == "ConditionalCheckFailedException":
                # a failed condition is still charged; the error carries no ConsumedCapacity
                actual = self.governor.settle(WRITE, cost, cost)
                with self._lock:
                    self.report.skipped += 1
                    self.report.consumed += actual
                if self.hook is not None:
                    self.hook.acknowledged([(row, item)], False)
                return "skipped"
            self.governor.settle(WRITE, cost, 0.0)
            if code == "ValidationException":
                self.rejects.add(row, item, describe_client_error(cause))
                if self.hook is not None:
                    self.hook.settled([row])
                return "rejected"
            raise
        actual = consumed_units(response)
        actual = cost if actual is None else max(actual, 1.0)
        self.governor.settle(WRITE, cost, actual)
        with self._lock:
            self.report.consumed += actual
        self._count_done(1)
        if self.hook is not None:
            self.hook.acknowledged([(row, item)], True)
        return None

    def _write_singly(self, entries: list[tuple[int, dict, float]]) -> None:
        for row, item, cost in entries:
            if self._stopped():
                return
            self._single(row, item, cost)

    def _put_conditionally(self, entries: list[tuple]) -> None:
        hash_key = self.key_attributes[0]
        for row, item, _, size, _ in entries:
            if self._stopped():
                return
            names = {"#k": hash_key}
            if self.mode.kind == INSERT_IF_ABSENT:
                extra = {"ConditionExpression": "attribute_not_exists(#k)", "ExpressionAttributeNames": names}
            else:
                version = item.get(self.mode.version_attribute)
                if version is None or "NULL" in version:
                    self.rejects.add(row, item, f"newer-wins: the version attribute "
                                                f"'{self.mode.version_attribute}' is NULL")
                    if self.hook is not None:
                        self.hook.settled([row])
                    continue
                names["#v"] = self.mode.version_attribute
                extra = {"ConditionExpression": "attribute_not_exists(#k) OR attribute_not_exists(#v) OR #v < :v",
                         "ExpressionAttributeNames": names, "ExpressionAttributeValues": {":v": version}}
            self._single(row, item, self._cost(item, size), ReturnValuesOnConditionCheckFailure="ALL_OLD", **extra)
