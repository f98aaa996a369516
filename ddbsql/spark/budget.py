"""Sharing one table's throughput budget between the tasks of a Spark job.

Two rules, chosen per job:

``shared`` (the default once :func:`ddbsql.spark.register` has started a coordinator)
    One :class:`~ddbsql.exec.governor.Governor` per table lives in the driver process,
    in a :class:`BudgetServer` on a TCP port.  Every task's :class:`RemoteGovernor`
    reserves capacity there before each request and settles the real cost after it,
    so the units granted per second add up to the table's budget *whatever the number
    of tasks running*: two tasks get half each, a straggler left alone gets it all,
    and two jobs on one table share it.  Throttling halves the one shared rate (AIMD).
``split`` (no coordinator, or option ``budget=split``)
    Each task gets a governor of its own with ``budget / tasks`` (the ``tasks`` option,
    or the number of read partitions).  This is exact while ``tasks`` tasks run; when
    fewer are left (stragglers) the job runs below its budget, never above.

The server never sleeps for a client: a reservation answers at once with how long
to wait (the token bucket's debt), and the client waits, so one connection per task
suffices however many threads the task runs.
"""
from __future__ import annotations

import dataclasses
import json
import socket
import socketserver
import threading
import time
from typing import Any, Callable

from ..catalog.facts import TableFacts
from ..errors import DynamoDBError
from ..exec.clients import AwsOptions, ClientFactory
from ..exec.governor import READ, WRITE, DirectionStats, Governor, GovernorRegistry, ThroughputSpec
from ..exec.retry import RetryPolicy
from ..exec.tables import describe_table

#: Seconds a client reuses the rate it was told (request sizing only).
RATE_CACHE_SECONDS = 0.5


# -- plain-data forms of what a governor needs ---------------------------------------------

def facts_to_json(facts: TableFacts | None) -> dict | None:
    """``facts`` as JSON-ready data, without ANALYZE statistics (they shape plans, not
    budgets: the server needs none)."""
    return None if facts is None else facts.to_json()


def facts_from_json(data: dict | None) -> TableFacts | None:
    return None if data is None else TableFacts.from_json(data)


def split_spec(spec: ThroughputSpec, facts: TableFacts | None, tasks: int) -> ThroughputSpec:
    """``spec`` for one of ``tasks`` tasks: the capacity each percentage applies to, divided."""
    tasks = max(1, int(tasks))
    read_capacity = spec.capacity(READ, facts).units
    write_capacity = spec.capacity(WRITE, facts).units
    return dataclasses.replace(spec, read_capacity=read_capacity / tasks, write_capacity=write_capacity / tasks)


# -- the server (driver side) ----------------------------------------------------------------

class _Waits(threading.local):
    total = 0.0


class BudgetServer:
    """The table governors of a Spark application, served on ``host``:``port`` (0: any free port).

    Line-delimited JSON requests, one answer line each.  ``reports`` collects the job
    reports that writers' ``commit()`` sends.  Threads are daemons; :meth:`close` stops it.
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0):
        self._waits = _Waits()
        # The governors' sleep only records the wait: the client does the waiting.
        self.registry = GovernorRegistry(sleep=self._record)
        self.reports: list[dict] = []
        self._reports_lock = threading.Lock()
        self._clients: dict[tuple, Any] = {}
        server = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                for line in self.rfile:
                    try:
                        answer = server.answer(json.loads(line))
                    except Exception as exc:  # the client raises it, with the reason
                        answer = {"error": f"{type(exc).__name__}: {exc}"}
                    self.wfile.write(json.dumps(answer).encode() + b"\n")
                    self.wfile.flush()

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

        self._server = Server((host, port), Handler)
        self.host, self.port = self._server.server_address[:2]
        self._thread = threading.Thread(target=self._server.serve_forever, name="ddbsql-budget", daemon=True)
        self._thread.start()

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _record(self, seconds: float) -> None:
        self._waits.total += seconds

    def _describer(self, region: str, endpoint: str, table: str) -> Callable[[], TableFacts]:
        """DescribeTable of the table, with the driver's AWS credentials, for the shared
        governor's capacity refresh (auto-scaling is followed during a job)."""
        def describe() -> TableFacts:
            key = (region, endpoint)
            with self._reports_lock:
                client = self._clients.get(key)
                if client is None:
                    client = ClientFactory(AwsOptions(region=region or None, endpoint_url=endpoint or None)) \
                        .dynamodb(region or None)
                    self._clients[key] = client
            return describe_table(client, table, RetryPolicy(max_seconds=5.0), region=region)
        return describe

    def governor(self, key) -> Governor:
        return self.registry.get(*key)

    def answer(self, request: dict) -> dict:
        op = request["op"]
        if op == "report":
            with self._reports_lock:
                self.reports.append(request["report"])
            return {}
        key = tuple(request["key"])
        if op == "open":
            spec = ThroughputSpec(**request["spec"])
            governor = self.registry.get(*key, spec=spec, facts=facts_from_json(request.get("facts")),
                                         describe=self._describer(*key),
                                         refresh_seconds=request.get("refresh_seconds"))
            return {"budget": {READ: governor.budget(READ), WRITE: governor.budget(WRITE)}}
        governor = self.governor(key)
        kind = request["kind"]
        if op == "acquire":
            self._waits.total = 0.0
            governor.acquire(kind, float(request["units"]))
            return {"wait": self._waits.total}
        if op == "settle":
            actual = request.get("actual")
            return {"cost": governor.settle(kind, float(request["estimate"]), None if actual is None else float(actual))}
        if op == "throttled":
            governor.throttled(kind)
            return {}
        if op == "rate":
            return {"rate": governor.rate(kind), "budget": governor.budget(kind)}
        if op == "stats":
            return dataclasses.asdict(governor.stats(kind))
        raise ValueError(f"unknown request {op!r}")


# -- the client (task side) --------------------------------------------------------------------

class BudgetClient:
    """One connection to a :class:`BudgetServer`; thread-safe (calls are serialised,
    and the server answers each at once)."""

    def __init__(self, address: str, *, timeout: float = 30.0):
        host, _, port = address.rpartition(":")
        self.address = address
        self._sock = socket.create_connection((host, int(port)), timeout=timeout)
        self._file = self._sock.makefile("rwb")
        self._lock = threading.Lock()

    def call(self, **request: Any) -> dict:
        line = json.dumps(request).encode() + b"\n"
        with self._lock:
            try:
                self._file.write(line)
                self._file.flush()
                answer = self._file.readline()
            except OSError as exc:
                raise DynamoDBError(f"ddbsql budget coordinator at {self.address}: {exc}") from None
        if not answer:
            raise DynamoDBError(f"ddbsql budget coordinator at {self.address} closed the connection")
        data = json.loads(answer)
        if "error" in data:
            raise DynamoDBError(f"ddbsql budget coordinator at {self.address}: {data['error']}")
        return data

    def close(self) -> None:
        with self._lock:
            try:
                self._file.close()
                self._sock.close()
            except OSError:
                pass


class RemoteGovernor(Governor):
    """A :class:`~ddbsql.exec.governor.Governor` whose budget lives in a :class:`BudgetServer`.

    Costs, Scan page and batch sizing work as locally (they use the facts and the
    shared rate); every reservation, settlement and throttle goes to the server.
    """

    def __init__(self, client: BudgetClient, key: tuple, *, spec: ThroughputSpec, facts: TableFacts | None,
                 clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep,
                 refresh_seconds: float | None = None):
        super().__init__(key, spec=spec, facts=facts, clock=clock, sleep=sleep)
        self.client = client
        self._rates: dict[str, tuple[float, float, float]] = {}
        client.call(op="open", key=list(key), spec=dataclasses.asdict(spec), facts=facts_to_json(facts),
                    refresh_seconds=refresh_seconds)

    def acquire(self, kind: str, units: float, cancel=None) -> bool:
        wait = self.client.call(op="acquire", key=list(self.key), kind=kind, units=units)["wait"]
        if self.wait_out(wait, cancel):
            return True
        self.settle(kind, units, 0.0)  # gives the reservation back
        return False

    def settle(self, kind: str, estimate: float, actual: float | None) -> float:
        return self.client.call(op="settle", key=list(self.key), kind=kind, estimate=estimate, actual=actual)["cost"]

    def throttled(self, kind: str) -> None:
        self.client.call(op="throttled", key=list(self.key), kind=kind)

    def _rate(self, kind: str) -> tuple[float, float]:
        now = self.clock()
        cached = self._rates.get(kind)
        if cached is None or now - cached[0] > RATE_CACHE_SECONDS:
            answer = self.client.call(op="rate", key=list(self.key), kind=kind)
            cached = (now, answer["rate"], answer["budget"])
            self._rates[kind] = cached
        return cached[1], cached[2]

    def rate(self, kind: str) -> float:
        return self._rate(kind)[0]

    def budget(self, kind: str) -> float:
        return self._rate(kind)[1]

    def stats(self, kind: str) -> DirectionStats:
        return DirectionStats(**self.client.call(op="stats", key=list(self.key), kind=kind))


def task_governor(*, key: tuple, spec: ThroughputSpec, facts: TableFacts | None, coordinator: str | None,
                  tasks: int, refresh_seconds: float | None = None) -> tuple[Governor, BudgetClient | None, str]:
    """The governor one task uses, the connection to close after, and the rule in words.

    With a ``coordinator`` address: a :class:`RemoteGovernor` on the shared budget, whose
    capacity the coordinator re-reads every ``refresh_seconds``; else a local governor
    with ``1/tasks`` of it (at the capacity the job started with).
    """
    if coordinator:
        client = BudgetClient(coordinator)
        return RemoteGovernor(client, key, spec=spec, facts=facts, refresh_seconds=refresh_seconds), client, "shared"
    return Governor(key, spec=split_spec(spec, facts, tasks), facts=facts), None, f"split 1/{tasks}"
