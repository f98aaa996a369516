"""A capacity-enforcing, fault-injecting DynamoDB proxy on loopback.

Put it in front of DynamoDB Local or moto's server and point a client at ``proxy.url``::

    with DynamoDBProxy(upstream_url, burst_seconds=1, faults=FaultPlan(rate=0.2, seed=1)) as proxy:
        client = boto3.client("dynamodb", endpoint_url=proxy.url, ...)
        ...
        proxy.set_capacity("orders", rcu=100, wcu=200)
        proxy.record.per_second("orders", WRITE)      # units consumed in each second
        proxy.count("capacity_throttle")               # requests refused for capacity

Capacity
    Each provisioned table has a read and a write :class:`~support.ddb_capacity.TokenBucket`
    at its provisioned RCU/WCU (read from the upstream's DescribeTable on first use, or
    set with :meth:`DynamoDBProxy.set_capacity`), holding ``burst_seconds`` of unused
    capacity.  A data-plane request finding any of its tables' buckets at or below zero
    gets DynamoDB's ``ProvisionedThroughputExceededException`` (HTTP 400) without being
    forwarded (a batch is refused whole).  Otherwise it is forwarded with
    ``ReturnConsumedCapacity`` added, and each table is charged the ``ConsumedCapacity``
    the upstream reports (computed from item sizes when it reports none; a
    BatchWriteItem at least one unit per item written); the member is removed from the
    answer when the client did not ask for it.  A failed conditional write is charged
    its item's size.  On-demand tables are not limited.  Index capacity is the table's.

Faults (:class:`FaultPlan`, seeded)
    A share ``rate`` of the data-plane requests is faulted, the kind drawn by weight
    among those that apply: ``throttle`` (the same 400 answer), ``error500``
    (InternalServerError), ``error503`` (ServiceUnavailable), ``reset_before`` (the
    connection is reset, nothing forwarded), ``reset_after`` (forwarded and done
    upstream, then the connection is reset: the client cannot know), ``unprocessed``
    (BatchWriteItem/BatchGetItem only: a random part of the batch is forwarded, the rest
    comes back as UnprocessedItems/UnprocessedKeys).

Request signatures are passed through unchanged, so a rewritten body no longer matches
its signature; DynamoDB Local and moto do not check them.

Run it as ``python tests/support/ddb_proxy.py --upstream URL`` for use from other
processes; it prints its URL and, on Ctrl-C, its counts.
"""
from __future__ import annotations

import argparse
import collections
import dataclasses
import http.client
import json
import random
import socket
import struct
import sys
import threading
import time
import urllib.parse
import uuid
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable, Mapping

if __package__ in (None, ""):           # run as a script: make `support` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from support.ddb_capacity import (NEW_ON_DEMAND, PARTITION_LIMITS, READ, THROTTLE, WRITE,  # noqa: E402
                                  CapacityRecord, TokenBucket, WarmThroughput, direction, partition_of,
                                  read_units, write_units)

DEFAULT_BURST_SECONDS = 300.0
KINDS = ("throttle", "error500", "error503", "reset_before", "reset_after", "unprocessed")
BATCH_OPS = frozenset({"BatchWriteItem", "BatchGetItem"})

_JSON = "application/x-amz-json-1.0"
_ERRORS = {
    "throttle": (400, "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",
                 "The level of configured provisioned throughput for the table was exceeded. "
                 "Consider increasing your provisioning level with the UpdateTable API."),
    "error500": (500, "com.amazonaws.dynamodb.v20120810#InternalServerError", "Internal server error"),
    "error503": (503, "com.amazonaws.dynamodb.v20120810#ServiceUnavailableException", "Service unavailable"),
}


@dataclasses.dataclass
class FaultPlan:
    """Which requests fail and how: ``rate`` of the requests of ``operations``, the kind
    drawn by ``weights`` among the kinds that apply to the operation."""

    rate: float = 0.0
    weights: Mapping[str, float] = dataclasses.field(default_factory=lambda: dict.fromkeys(KINDS, 1.0))
    seed: int = 0
    operations: frozenset = frozenset(
        {"GetItem", "BatchGetItem", "Query", "Scan", "PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem"})

    def __post_init__(self) -> None:
        unknown = set(self.weights) - set(KINDS)
        if unknown:
            raise ValueError(f"unknown fault kinds {sorted(unknown)}; known: {KINDS}")
        self._rng = random.Random(self.seed)
        self._lock = threading.Lock()

    def draw(self, operation: str) -> str | None:
        """The fault for one request of ``operation``, or None."""
        if operation not in self.operations or self.rate <= 0:
            return None
        kinds = [(k, w) for k, w in self.weights.items() if w > 0 and (k != "unprocessed" or operation in BATCH_OPS)]
        with self._lock:
            if not kinds or self._rng.random() >= self.rate:
                return None
            return self._rng.choices([k for k, _ in kinds], [w for _, w in kinds])[0]

    def split(self, n: int) -> list[bool]:
        """For an ``unprocessed`` fault on ``n`` requests: which to forward (at least one held back)."""
        with self._lock:
            keep = self._rng.randrange(n)
            chosen = set(self._rng.sample(range(n), keep))
        return [i in chosen for i in range(n)]


@dataclasses.dataclass
class _Table:
    read: TokenBucket | WarmThroughput | None          # None: on-demand, not limited
    write: TokenBucket | WarmThroughput | None
    hash_key: str | None = None
    #: physical partitions: per partition a read and a write bucket (None: not modelled)
    partitions: list[dict[str, TokenBucket]] | None = None

    @property
    def warm(self) -> bool:
        return isinstance(self.read, WarmThroughput)


class DynamoDBProxy:
    """The proxy: a threading HTTP server on ``host``:``port`` (0: a free port).

    ``clock`` drives the buckets and the per-second :attr:`record`; ``faults`` may be
    replaced at any time (``proxy.faults = FaultPlan(...)``).
    """

    def __init__(self, upstream: str, *, host: str = "127.0.0.1", port: int = 0,
                 burst_seconds: float = DEFAULT_BURST_SECONDS, faults: FaultPlan | None = None,
                 clock: Callable[[], float] = time.monotonic, region: str = "us-east-1",
                 model_on_demand: bool = False, warm_rise_after: float | None = None):
        self.model_on_demand = model_on_demand
        self.warm_rise_after = warm_rise_after
        self.upstream = upstream.rstrip("/")
        self.burst_seconds = burst_seconds
        self.faults = faults or FaultPlan()
        self.clock = clock
        self.region = region
        self.record = CapacityRecord(clock())
        self.counts: collections.Counter = collections.Counter()   # (outcome, operation) -> requests
        self._lock = threading.Lock()
        self._tables: dict[str, _Table] = {}
        self._client = None
        self._server = ThreadingHTTPServer((host, port), _Handler)
        self._server.daemon_threads = True
        self._server.proxy = self
        self._thread: threading.Thread | None = None

    # lifecycle
    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> "DynamoDBProxy":
        self._thread = threading.Thread(target=self._server.serve_forever, name="ddb-proxy", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> "DynamoDBProxy":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # capacity
    def upstream_client(self):
        """A boto3 client of the upstream itself (dummy credentials)."""
        if self._client is None:
            import boto3
            self._client = boto3.client("dynamodb", endpoint_url=self.upstream, region_name=self.region,
                                        aws_access_key_id="proxy", aws_secret_access_key="proxy")
        return self._client

    def _buckets(self, rcu: float, wcu: float, now: float) -> _Table:
        make = lambda rate: TokenBucket(rate, burst_seconds=self.burst_seconds, now=now) if rate else None  # noqa: E731
        return _Table(make(rcu), make(wcu))

    def _table(self, name: str) -> _Table:
        with self._lock:
            table = self._tables.get(name)
        if table is not None:
            return table
        try:
            described = self.upstream_client().describe_table(TableName=name)["Table"]
            throughput = described.get("ProvisionedThroughput") or {}
            on_demand = ((described.get("BillingModeSummary") or {}).get("BillingMode") == "PAY_PER_REQUEST"
                         or not throughput.get("ReadCapacityUnits"))
            rcu = 0 if on_demand else throughput.get("ReadCapacityUnits", 0)
            wcu = 0 if on_demand else throughput.get("WriteCapacityUnits", 0)
            hash_key = next(k["AttributeName"] for k in described["KeySchema"] if k["KeyType"] == "HASH")
        except Exception:          # no such table (yet): the upstream will answer the request
            return _Table(None, None)
        now = self.clock()
        table = self._buckets(rcu, wcu, now)
        table.hash_key = hash_key
        if on_demand and self.model_on_demand:
            table.read, table.write = self._warm(NEW_ON_DEMAND[READ], None, now), self._warm(NEW_ON_DEMAND[WRITE], None, now)
        with self._lock:
            return self._tables.setdefault(name, table)

    def _warm(self, units: float, maximum: float | None, now: float) -> WarmThroughput:
        return WarmThroughput(units, now=now, maximum=maximum, rise_after=self.warm_rise_after)

    def set_on_demand(self, table: str, read: float, write: float, *, max_read: float | None = None,
                      max_write: float | None = None) -> None:
        """Model the on-demand ``table`` at ``read``/``write`` units/s of warm throughput
        (capped by the OnDemandThroughput maxima, when given); DescribeTable reports them.
        Called again on a modelled table, raises (or lowers) its warm throughput in place."""
        state = self._table(table)
        now = self.clock()
        with self._lock:
            if state.warm:
                state.read.maximum, state.write.maximum = max_read, max_write
                state.read.set_units(read, now)
                state.write.set_units(write, now)
            else:
                state.read, state.write = self._warm(read, max_read, now), self._warm(write, max_write, now)
            self._tables[table] = state

    def set_partitions(self, table: str, partitions: int, *, read: float = PARTITION_LIMITS[READ],
                       write: float = PARTITION_LIMITS[WRITE], burst_seconds: float = 1.0) -> None:
        """Split ``table`` into ``partitions`` physical partitions by partition-key hash, each
        serving at most ``read``/``write`` units per second."""
        state = self._table(table)
        now = self.clock()
        with self._lock:
            state.partitions = [{READ: TokenBucket(read, burst_seconds=burst_seconds, now=now),
                                 WRITE: TokenBucket(write, burst_seconds=burst_seconds, now=now)}
                                for _ in range(partitions)]
            self._tables[table] = state

    def set_capacity(self, table: str, rcu: float, wcu: float, *, upstream: bool = True) -> None:
        """Provision ``table`` with ``rcu``/``wcu``: UpdateTable upstream (so DescribeTable
        shows it) unless ``upstream=False``, and the proxy's buckets (balances kept)."""
        if upstream:
            client = self.upstream_client()
            current = client.describe_table(TableName=table)["Table"].get("ProvisionedThroughput") or {}
            if (current.get("ReadCapacityUnits"), current.get("WriteCapacityUnits")) != (rcu, wcu):
                client.update_table(TableName=table, ProvisionedThroughput={
                    "ReadCapacityUnits": int(rcu), "WriteCapacityUnits": int(wcu)})
        now = self.clock()
        with self._lock:
            state = self._tables.get(table)
            if state is None or state.read is None or state.write is None:
                self._tables[table] = self._buckets(rcu, wcu, now)
                return
            state.read.set_rate(rcu, now)
            state.write.set_rate(wcu, now)

    def once_consumed(self, table: str, kind: str, units: float, action: Callable[[], None]) -> list[float]:
        """Run ``action`` on a thread as soon as ``table`` has consumed ``units`` of ``kind``;
        the returned list receives the second (on :attr:`record`'s scale) it ran at."""
        at: list[float] = []

        def wait() -> None:
            while self.record.total(table, kind) < units:
                time.sleep(0.05)
            action()
            at.append(self.clock() - self.record.started)

        threading.Thread(target=wait, name="ddb-proxy-trigger", daemon=True).start()
        return at

    def forget(self, table: str) -> None:
        """Re-read ``table``'s capacity from the upstream on its next request."""
        with self._lock:
            self._tables.pop(table, None)

    # statistics
    def count(self, outcome: str, operation: str | None = None) -> int:
        """Requests with ``outcome`` ("request", "forwarded", "capacity_throttle",
        "unprocessed_items", or a fault kind), of one operation or all."""
        with self._lock:
            return sum(n for (o, op), n in self.counts.items() if o == outcome and operation in (None, op))

    def _tally(self, outcome: str, operation: str, n: int = 1) -> None:
        with self._lock:
            self.counts[(outcome, operation)] += n

    # one request (called by the handler; returns status, body or None to reset the connection)
    def handle(self, operation: str, body: bytes, forward: Callable[[bytes], tuple[int, dict, bytes]]):
        self._tally("request", operation)
        fault = self.faults.draw(operation)
        if fault in _ERRORS:
            self._tally(fault, operation)
            return _error(fault)
        if fault == "reset_before":
            self._tally(fault, operation)
            return None
        kind = direction(operation)
        try:
            request = json.loads(body or b"{}")
        except ValueError:
            return forward(body)
        tables = _tables_of(operation, request)
        if kind is not None:
            now = self.clock()
            states = [(name, self._table(name)) for name in tables]
            with self._lock:
                refused = [name for name, state in states
                           if getattr(state, kind) is not None and not getattr(state, kind).admits(now)]
            if refused:
                self._tally("capacity_throttle", operation)
                for name in refused:
                    self.record.add(name, THROTTLE, 1, now)
                return _error("throttle")
        asked = request.get("ReturnConsumedCapacity", "NONE") != "NONE"
        held: dict = {}
        if kind is not None:
            request, held, refused = self._partition_admission(operation, kind, request, self.clock())
            if refused:
                self._tally("capacity_throttle", operation)
                self._tally("partition_throttle", operation)
                for name in tables:
                    self.record.add(name, THROTTLE, 1, self.clock())
                return _error("throttle")
            if held:
                self._tally("partition_unprocessed", operation, sum(len(v) for v in held.values()))
        if fault == "unprocessed":
            self._tally(fault, operation)
            request, more = _hold_back(operation, request, self.faults)
            for name, value in more.items():
                if operation == "BatchWriteItem":
                    held.setdefault(name, []).extend(value)
                else:
                    held.setdefault(name, dict(value, Keys=[]))["Keys"].extend(value["Keys"])
        if kind is not None and not asked:
            request["ReturnConsumedCapacity"] = "TOTAL"
        if operation in BATCH_OPS and not request["RequestItems"]:
            status, headers, answer = 200, {}, {}
        else:
            status, headers, raw = forward(json.dumps(request).encode())
            self._tally("forwarded", operation)
            if operation in ("UpdateTable", "DeleteTable", "CreateTable"):
                self.forget(request.get("TableName", ""))
            if operation == "DescribeTable" and status == 200:
                return status, headers, self._describe_answer(request.get("TableName", ""), raw)
            if kind is None:
                return status, headers, raw
            answer = json.loads(raw or b"{}")
        self._charge(operation, kind, request, status, answer)
        if status == 200:
            self._charge_partitions(operation, kind, request, answer)
        if status == 200:
            if not asked:
                answer.pop("ConsumedCapacity", None)
            if held:
                member = "UnprocessedItems" if operation == "BatchWriteItem" else "UnprocessedKeys"
                merged = answer.get(member) or {}
                for name, value in held.items():
                    if operation == "BatchWriteItem":
                        merged.setdefault(name, []).extend(value)
                    else:
                        merged.setdefault(name, dict(value, Keys=[]))["Keys"].extend(value["Keys"])
                answer[member] = merged
                self._tally("unprocessed_items", operation, sum(len(v if isinstance(v, list) else v["Keys"])
                                                                for v in held.values()))
        if fault == "reset_after":
            self._tally(fault, operation)
            return None
        return status, headers, json.dumps(answer).encode()

    # --- the capacity simulator: warm throughput in DescribeTable, partitions ---------------------

    def _describe_answer(self, name: str, raw: bytes) -> bytes:
        """A DescribeTable answer with the modelled WarmThroughput and OnDemandThroughput."""
        with self._lock:
            state = self._tables.get(name)
        if state is None or not state.warm:
            if not self.model_on_demand:
                return raw
            state = self._table(name)
            if not state.warm:
                return raw
        answer = json.loads(raw)
        table = answer.get("Table") or {}
        warm = {"ReadUnitsPerSecond": int(state.read.units), "WriteUnitsPerSecond": int(state.write.units),
                "Status": "ACTIVE"}
        table["WarmThroughput"] = warm
        table["OnDemandThroughput"] = {"MaxReadRequestUnits": int(state.read.maximum or -1),
                                       "MaxWriteRequestUnits": int(state.write.maximum or -1)}
        for index in table.get("GlobalSecondaryIndexes") or []:
            index["WarmThroughput"] = dict(warm)
        return json.dumps(answer).encode()

    def _partition_key(self, state: _Table, entry: dict) -> int | None:
        value = (entry or {}).get(state.hash_key) if state.hash_key else None
        return partition_of(value, len(state.partitions)) if value else None

    def _partition_admission(self, operation: str, kind: str, request: dict, now: float):
        """(request, held back as UnprocessedItems, refused whole) under the partitions' limits."""
        held: dict = {}
        if operation == "BatchWriteItem":
            forward = {}
            for name, writes in request["RequestItems"].items():
                state = self._tables.get(name)
                if state is None or not state.partitions:
                    forward[name] = writes
                    continue
                taken: collections.Counter = collections.Counter()    # units this batch already put on each
                for write in writes:
                    item = (write.get("PutRequest") or {}).get("Item")
                    part = self._partition_key(state, item or (write.get("DeleteRequest") or {}).get("Key"))
                    with self._lock:
                        ok = part is None or (state.partitions[part][WRITE].admits(now)
                                              and state.partitions[part][WRITE].tokens > taken[part])
                    if ok and part is not None:
                        taken[part] += write_units(item)
                    (forward.setdefault(name, []) if ok else held.setdefault(name, [])).append(write)
            if held and not forward:
                return request, {}, True
            return (dict(request, RequestItems=forward) if held else request), held, False
        if operation in ("PutItem", "UpdateItem", "DeleteItem", "GetItem"):
            state = self._tables.get(request.get("TableName", ""))
            if state is not None and state.partitions:
                part = self._partition_key(state, request.get("Item") or request.get("Key"))
                with self._lock:
                    if part is not None and not state.partitions[part][kind].admits(now):
                        return request, {}, True
        return request, held, False

    def _charge_partitions(self, operation: str, kind: str, request: dict, answer: dict) -> None:
        now = self.clock()
        if operation == "BatchWriteItem":
            left = answer.get("UnprocessedItems") or {}
            for name, writes in request["RequestItems"].items():
                state = self._tables.get(name)
                if state is None or not state.partitions:
                    continue
                for write in writes:
                    if write in left.get(name, []):
                        continue
                    item = (write.get("PutRequest") or {}).get("Item")
                    part = self._partition_key(state, item or (write.get("DeleteRequest") or {}).get("Key"))
                    if part is not None:
                        with self._lock:
                            state.partitions[part][WRITE].charge(write_units(item), now)
        elif operation in ("PutItem", "UpdateItem", "DeleteItem", "GetItem"):
            state = self._tables.get(request.get("TableName", ""))
            if state is not None and state.partitions:
                part = self._partition_key(state, request.get("Item") or request.get("Key"))
                if part is not None:
                    units = write_units(request.get("Item")) if kind == WRITE else \
                        read_units([answer.get("Item") or {}], consistent=bool(request.get("ConsistentRead")))
                    with self._lock:
                        state.partitions[part][kind].charge(units, now)

    def _charge(self, operation: str, kind: str, request: dict, status: int, answer: dict) -> None:
        if status == 200:
            units = _reported(answer) or _estimate(operation, request, answer)
            if operation == "BatchWriteItem":      # moto reports one unit per batch: at least one per item
                left = answer.get("UnprocessedItems") or {}
                for name, writes in request["RequestItems"].items():
                    units[name] = max(units.get(name, 0.0), float(len(writes) - len(left.get(name, []))))
        elif status == 400 and answer.get("__type", "").endswith("ConditionalCheckFailedException"):
            units = {request["TableName"]: float(write_units(request.get("Item")))}
        else:
            return
        now = self.clock()
        with self._lock:
            for name, value in units.items():
                bucket = getattr(self._tables.get(name), kind, None)
                if bucket is not None:
                    bucket.charge(value, now)
        for name, value in units.items():
            self.record.add(name, kind, value, now)


# --- request and answer shapes ------------------------------------------------------------------

def _error(kind: str) -> tuple[int, dict, bytes]:
    status, type_, message = _ERRORS[kind]
    return status, {}, json.dumps({"__type": type_, "message": message}).encode()


def _tables_of(operation: str, request: dict) -> list[str]:
    if operation in BATCH_OPS:
        return list(request.get("RequestItems") or {})
    if operation.startswith("Transact"):
        names = []
        for entry in request.get("TransactItems") or []:
            for body in entry.values():
                if body.get("TableName") not in names:
                    names.append(body.get("TableName"))
        return names
    return [request["TableName"]] if "TableName" in request else []


def _hold_back(operation: str, request: dict, faults: FaultPlan) -> tuple[dict, dict]:
    """Split a batch: (the request to forward, what to return unprocessed)."""
    request = dict(request)
    if operation == "BatchWriteItem":
        entries = [(name, w) for name, writes in request["RequestItems"].items() for w in writes]
        forward, held = {}, {}
        for (name, write), keep in zip(entries, faults.split(len(entries))):
            (forward if keep else held).setdefault(name, []).append(write)
    else:
        entries = [(name, k) for name, spec in request["RequestItems"].items() for k in spec["Keys"]]
        forward, held = {}, {}
        for (name, key), keep in zip(entries, faults.split(len(entries))):
            target = forward if keep else held
            target.setdefault(name, dict(request["RequestItems"][name], Keys=[]))["Keys"].append(key)
    request["RequestItems"] = forward
    return request, held


def _reported(answer: dict) -> dict[str, float]:
    consumed = answer.get("ConsumedCapacity")
    entries = consumed if isinstance(consumed, list) else [consumed] if consumed else []
    units: dict[str, float] = {}
    for entry in entries:
        value = entry.get("CapacityUnits")
        if value is None:
            value = (entry.get("Table") or {}).get("CapacityUnits", 0.0)
        units[entry.get("TableName", "")] = units.get(entry.get("TableName", ""), 0.0) + float(value)
    return units


def _estimate(operation: str, request: dict, answer: dict) -> dict[str, float]:
    """Units from item sizes, for an upstream that reports no ConsumedCapacity."""
    consistent = bool(request.get("ConsistentRead"))
    if operation == "BatchWriteItem":
        left = answer.get("UnprocessedItems") or {}
        return {name: float(sum(write_units((w.get("PutRequest") or {}).get("Item")) for w in writes
                                if w not in left.get(name, [])))
                for name, writes in request["RequestItems"].items()}
    if operation == "BatchGetItem":
        return {name: read_units(items, consistent=bool(request["RequestItems"].get(name, {}).get("ConsistentRead")),
                                 per_item=True)
                for name, items in (answer.get("Responses") or {}).items()}
    name = request.get("TableName", "")
    if operation == "PutItem":
        return {name: float(write_units(request.get("Item")))}
    if operation in ("UpdateItem", "DeleteItem"):
        return {name: 1.0}
    if operation == "GetItem":
        return {name: read_units([answer.get("Item") or {}], consistent=consistent)}
    if operation in ("Scan", "Query"):
        return {name: read_units(answer.get("Items") or [], consistent=consistent)}
    return {}


def _crc32(body: bytes) -> str:
    return str(zlib.crc32(body) & 0xFFFFFFFF)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        super().setup()
        parsed = urllib.parse.urlsplit(self.server.proxy.upstream)
        self.upstream = http.client.HTTPConnection(parsed.hostname, parsed.port or 80, timeout=60)

    def finish(self) -> None:
        self.upstream.close()
        try:
            super().finish()
        except OSError:
            pass

    def log_message(self, *args) -> None:       # no request log on stderr
        pass

    def _forward(self, body: bytes) -> tuple[int, dict, bytes]:
        headers = {k: v for k, v in self.headers.items()
                   if k.lower() not in ("host", "content-length", "accept-encoding", "connection")}
        for attempt in (1, 2):                   # an idle keep-alive connection may have been closed
            try:
                self.upstream.request("POST", self.path, body=body, headers=headers)
                response = self.upstream.getresponse()
                return response.status, dict(response.getheaders()), response.read()
            except (http.client.HTTPException, OSError):
                self.upstream.close()
                if attempt == 2:
                    return _error("error500")

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        operation = (self.headers.get("X-Amz-Target") or "").rsplit(".", 1)[-1]
        outcome = self.server.proxy.handle(operation, body, self._forward)
        if outcome is None:
            # SO_LINGER 0: closing sends a reset, as a dropped connection does
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            self.connection.close()
            return
        status, upstream_headers, answer = outcome
        self.send_response(status)
        self.send_header("Content-Type", _JSON)
        request_id = next((v for k, v in upstream_headers.items() if k.lower() == "x-amzn-requestid"),
                          str(uuid.uuid4()))
        self.send_header("x-amzn-RequestId", request_id)
        self.send_header("x-amz-crc32", _crc32(answer))
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--upstream", required=True, help="DynamoDB Local or moto URL")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--burst-seconds", type=float, default=DEFAULT_BURST_SECONDS)
    parser.add_argument("--fault-rate", type=float, default=0.0)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    proxy = DynamoDBProxy(args.upstream, port=args.port, burst_seconds=args.burst_seconds,
                          faults=FaultPlan(rate=args.fault_rate, seed=args.seed)).start()
    print(proxy.url, flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        proxy.stop()
        print(json.dumps({f"{o} {op}": n for (o, op), n in sorted(proxy.counts.items())}, indent=1))


if __name__ == "__main__":
    main()
