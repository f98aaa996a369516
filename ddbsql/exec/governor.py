"""The throughput governor: one per DynamoDB table per process, for reads and for writes.

Every worker and statement of the process that reads or writes a table asks the
table's :class:`Governor` before each request and tells it afterwards what the request
really cost.  The governor spends *capacity units* the way DynamoDB charges them and
keeps the rate within the table's budget.

Costs (DynamoDB's rules)
    * reads: one unit per 4 KB read, rounded up per request (Scan and Query: the total
      size of the items *read*, not returned), half a unit when eventually consistent;
    * writes: one unit per 1 KB of item, rounded up per item, plus one write per
      secondary index the item lands in (a GSI whose key attributes are all in the item,
      an LSI whose sort key is), sized by what the index projects.
    Estimates are corrected with the ``ConsumedCapacity`` DynamoDB returns
    (``ReturnConsumedCapacity=TOTAL``); a reported value below what DynamoDB could
    possibly charge (moto reports 1 unit per BatchWriteItem) is raised to that floor.

Budget, per table (or GSI) and direction (read, write)
    ``dynamodb.throughput.write.percent`` (a fraction, 0.1-1.5, default 0.5) of the
    capacity :func:`ddbsql.planner.capacity.capacity` finds in what DynamoDB reports:
    provisioned WCU; for an on-demand table its ``WarmThroughput`` (or AWS's documented
    4 000 write / 12 000 read units/s of a new on-demand table when the endpoint reports
    none), capped by ``OnDemandThroughput`` and the account's per-table maximum
    (``DescribeLimits``).  DescribeTable is re-read at most every :data:`REFRESH_SECONDS`
    so auto-scaling and warming are followed.  ``dynamodb.throughput.write`` replaces the
    capacity, exactly as in the EMR connector (the percentage applies on top:
    ``throughput.write=1000`` with ``percent=0.5`` is 500 WCU/s; set the percentage to 1
    for an absolute budget).  Same for reads.  TBLPROPERTIES win over ``SET`` for their
    table.  A Query on a GSI is paced by the GSI's own capacity (its own governor).

Throttling: additive increase, multiplicative decrease
    When DynamoDB throttles a request (or leaves items unprocessed) the rate is halved
    (at most once per second, never below :data:`MIN_RATE_FRACTION` of the budget); it
    then climbs back by :data:`RECOVERY_PER_SECOND` of the budget per second, never above
    the budget.  This applies to every table; it matters most on on-demand tables.

Burst and peaks
    Unused budget is saved for at most :data:`BURST_SECONDS` (a tenth of a second), and
    a write request costs at most :data:`WRITE_REQUEST_SHARE` of a second's budget, so
    no second — the first, or one after an idle spell — sees much more than the budget
    (at most the budget plus the saved tenth plus one request: about 120 %).  A request
    costing more than the saved tokens waits until its cost is paid at the budget rate;
    the long-run rate is exactly the budget whatever the request sizes.

Clock and sleep are injectable: the tests run simulated minutes in milliseconds.
"""
from __future__ import annotations

import dataclasses
import threading
import time
from typing import Callable, Mapping, Sequence

from ..catalog.facts import IndexFacts, TableFacts
from ..planner.capacity import Capacity, budget_text, capacity as table_capacity
from ..planner.units import MAX_PAGE_BYTES, read_units, write_units
from .encode import item_size

DEFAULT_PERCENT = 0.5
#: Seconds between two DescribeTable calls that re-read the provisioned capacity.
REFRESH_SECONDS = 60.0
#: Seconds after its creation a governor first re-reads the capacity itself (the facts it
#: was created with may be up to a minute old).
FIRST_REFRESH_SECONDS = 10.0
#: Seconds of unused budget the bucket saves (and starts with).
BURST_SECONDS = 0.1
#: A request (a Scan page, a write batch) of one of n workers aims at 1/n of this many
#: seconds of budget...
REQUEST_SECONDS = 1.0
#: ... and a write request at no more than this share of a second's budget: a second
#: then holds its budget plus at most one such request, however the requests fall.
#: (Reads keep larger pages: each page rounds its size up to 4 KB, so small pages cost more.)
WRITE_REQUEST_SHARE = 0.1
#: AIMD: the rate is multiplied by this on throttling...
DECREASE_FACTOR = 0.5
#: ... at most once per this many seconds (a burst of throttles from many workers is one event)...
DECREASE_COOLDOWN = 1.0
#: ... and grows back by this fraction of the budget per second.
RECOVERY_PER_SECOND = 0.05
#: AIMD never goes below this fraction of the budget (nor below 1 unit/s).
MIN_RATE_FRACTION = 0.02

READ = "read"
WRITE = "write"


# --- costs ----------------------------------------------------------------------------

def _attribute_size(name: str, value: dict) -> int:
    return item_size({name: value})


def index_write_units(item: Mapping[str, dict], indexes: Sequence[IndexFacts], table_keys: Sequence[str],
                      *, item_bytes: int | None = None) -> int:
    """Write units the secondary indexes add when ``item`` is put (new or unchanged keys).

    A GSI is written when all its key attributes are in the item; an LSI when its sort
    key is.  The index entry holds the table's and the index's keys plus what the index
    projects (ALL: the whole item; INCLUDE: the listed attributes).
    """
    total = 0
    for index in indexes:
        keys = [index.hash_key] + ([index.range_key] if index.range_key else [])
        if index.kind == "LSI":
            if index.range_key and index.range_key not in item:
                continue
        elif any(k not in item for k in keys):
            continue
        if index.projection == "ALL":
            size = item_bytes if item_bytes is not None else item_size(dict(item))
        else:
            names = dict.fromkeys(list(table_keys) + keys
                                  + (list(index.projected) if index.projection == "INCLUDE" else []))
            size = sum(_attribute_size(n, item[n]) for n in names if n in item)
        total += write_units(size)
    return total


class WriteCoster:
    """Write units of items put into one table, indexes included."""

    def __init__(self, facts: TableFacts | None):
        self.indexes = tuple(facts.indexes) if facts else ()
        self.table_keys = facts.key_attributes if facts else ()

    def put(self, item: Mapping[str, dict], item_bytes: int | None = None) -> int:
        size = item_bytes if item_bytes is not None else item_size(dict(item))
        units = write_units(size)
        if self.indexes:
            units += index_write_units(item, self.indexes, self.table_keys, item_bytes=size)
        return units

    def delete(self, key: Mapping[str, dict]) -> int:
        """A delete is charged by the size of the item deleted, unknown here: one unit,
        corrected by the ConsumedCapacity of the response."""
        return 1


# --- budget ---------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class ThroughputSpec:
    """What the user asked for one table: percentages and optional capacity overrides."""

    read_percent: float = DEFAULT_PERCENT
    write_percent: float = DEFAULT_PERCENT
    #: ``dynamodb.throughput.read``: the capacity the percentage applies to (EMR)
    read_capacity: float | None = None
    write_capacity: float | None = None

    @classmethod
    def resolve(cls, setting: Callable[[str, str | None], object], properties: Mapping[str, str]) -> "ThroughputSpec":
        """From ``setting(key, override)`` (:meth:`ddbsql.config.Settings.get`) and the
        table's TBLPROPERTIES: each key's table property wins over its ``SET``."""
        def get(key: str):
            return setting(key, properties.get(key))
        read_percent = get("dynamodb.throughput.read.percent")
        write_percent = get("dynamodb.throughput.write.percent")
        return cls(read_percent=DEFAULT_PERCENT if read_percent is None else float(read_percent),
                   write_percent=DEFAULT_PERCENT if write_percent is None else float(write_percent),
                   read_capacity=get("dynamodb.throughput.read"), write_capacity=get("dynamodb.throughput.write"))

    def capacity(self, kind: str, facts: TableFacts | None, index: str | None = None) -> Capacity:
        """The capacity the percentage applies to, and where it comes from."""
        explicit = self.read_capacity if kind == READ else self.write_capacity
        return table_capacity(kind, facts, index=index, explicit=explicit)

    def percent(self, kind: str) -> float:
        return self.read_percent if kind == READ else self.write_percent

    def budget(self, kind: str, facts: TableFacts | None, index: str | None = None) -> float:
        """Units per second for ``kind`` (``"read"`` or ``"write"``), at least 1."""
        return max(1.0, self.capacity(kind, facts, index).units * self.percent(kind))


# --- the token bucket -----------------------------------------------------------------

class TokenBucket:
    """Tokens accrue at ``rate`` per second up to ``rate * burst_seconds``.

    :meth:`reserve` takes a request's cost at once, letting the balance go negative,
    and answers how long to wait until the debt is paid: requests are never refused,
    only delayed, so concurrent callers queue in arrival order and the long-run rate is
    exactly ``rate``.  Not thread-safe by itself (the governor holds a lock).
    """

    def __init__(self, rate: float, *, burst_seconds: float = BURST_SECONDS, now: float = 0.0,
                 full: bool = True):
        self.rate = float(rate)
        self.burst_seconds = burst_seconds
        self.tokens = self.capacity if full else 0.0
        self.stamp = now

    @property
    def capacity(self) -> float:
        return self.rate * self.burst_seconds

    def refill(self, now: float) -> None:
        if now > self.stamp:
            self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
            self.stamp = now

    def set_rate(self, rate: float, now: float) -> None:
        self.refill(now)
        self.rate = float(rate)
        self.tokens = min(self.tokens, self.capacity)

    def reserve(self, cost: float, now: float) -> float:
        """Take ``cost`` tokens; seconds until the balance is back to zero."""
        self.refill(now)
        self.tokens -= cost
        return 0.0 if self.tokens >= 0 else -self.tokens / self.rate

    def refund(self, units: float, now: float) -> None:
        """Give ``units`` back (negative: charge more), after a request's real cost is known."""
        self.refill(now)
        self.tokens = min(self.capacity, self.tokens + units)


# --- one direction of one table ---------------------------------------------------------

class _Direction:
    """Budget, AIMD state, bucket and totals of reads or of writes of one table."""

    def __init__(self, kind: str, budget: float, now: float, burst_seconds: float):
        self.kind = kind
        self.ceiling = budget                   # the budget from settings and capacity
        self.bucket = TokenBucket(budget, burst_seconds=burst_seconds, now=now)
        self.recover_from: tuple[float, float] | None = None   # (time, rate) of the last decrease
        self.consumed = 0.0
        self.requests = 0
        self.throttles = 0
        self.waited = 0.0

    def limit(self, now: float) -> float:
        """The rate allowed now: the ceiling, or less while recovering from throttling."""
        if self.recover_from is None:
            return self.ceiling
        since, rate = self.recover_from
        allowed = rate + self.ceiling * RECOVERY_PER_SECOND * max(0.0, now - since)
        if allowed >= self.ceiling:
            self.recover_from = None
            return self.ceiling
        return allowed

    def sync(self, now: float) -> None:
        rate = self.limit(now)
        if abs(rate - self.bucket.rate) > 1e-9:
            self.bucket.set_rate(rate, now)

    def throttled(self, now: float) -> bool:
        self.throttles += 1
        if self.recover_from is not None and now - self.recover_from[0] < DECREASE_COOLDOWN:
            return False
        floor = max(1.0, self.ceiling * MIN_RATE_FRACTION)
        self.recover_from = (now, max(floor, min(self.ceiling, self.limit(now) * DECREASE_FACTOR)))
        self.sync(now)
        return True


@dataclasses.dataclass(frozen=True)
class DirectionStats:
    """Totals of one direction, for reports and progress."""

    budget: float            # the configured budget (units/s)
    rate: float              # the rate allowed now (below budget while recovering from throttling)
    consumed: float          # units consumed since the governor was created
    requests: int
    throttles: int
    waited: float            # seconds callers spent waiting for capacity
    capacity: float          # the capacity the percentage applies to
    source: str              # where the capacity comes from (see ddbsql.planner.capacity)
    percent: float = DEFAULT_PERCENT

    def budget_text(self, unit: str) -> str:
        """``6,000 RCU/s = 0.5 x 12,000 warm throughput (DescribeTable)``."""
        return budget_text(self.budget, self.percent, Capacity(self.capacity, self.source), unit)


class Governor:
    """Rate limiter of one DynamoDB table (region, endpoint, name) or of one of its GSIs
    (``index``: reads of a GSI spend its own capacity), reads and writes.

    Callers do ``estimate = ...; governor.acquire(WRITE, estimate)``; send the request;
    ``governor.settle(WRITE, estimate, actual)``; and ``governor.throttled(WRITE)`` when
    DynamoDB pushed back.  All methods are thread-safe.
    """

    def __init__(self, key: tuple, *, spec: ThroughputSpec | None = None, facts: TableFacts | None = None,
                 describe: Callable[[], TableFacts] | None = None, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep, refresh_seconds: float = REFRESH_SECONDS,
                 burst_seconds: float = BURST_SECONDS, index: str | None = None):
        self.key = key
        self.index = index
        self.clock = clock
        self.sleep = sleep
        self.refresh_seconds = refresh_seconds
        self.burst_seconds = burst_seconds
        self._lock = threading.Lock()
        self._refreshing = False
        self.spec = spec or ThroughputSpec()
        self.facts = facts
        self.describe = describe
        now = clock()
        self._refreshed_at = now - max(0.0, refresh_seconds - FIRST_REFRESH_SECONDS)
        self._dirs = {kind: _Direction(kind, self.spec.budget(kind, facts, index), now, burst_seconds)
                      for kind in (READ, WRITE)}

    # configuration
    def configure(self, spec: ThroughputSpec, facts: TableFacts | None = None,
                  describe: Callable[[], TableFacts] | None = None,
                  refresh_seconds: float | None = None) -> "Governor":
        """Apply a statement's settings (the last statement's win for the whole process)
        and the DescribeTable callable.  ``facts`` are used only by a governor that has
        none: one that has refreshes them itself (a statement's may be older).
        ``refresh_seconds`` (when given) replaces the interval between capacity re-reads."""
        with self._lock:
            self.spec = spec
            if refresh_seconds is not None:
                self.refresh_seconds = refresh_seconds
            if describe is not None:
                self.describe = describe
            if facts is not None and self.facts is None:
                self.facts = facts
            self._apply_budgets(self.clock())
        return self

    def _apply_budgets(self, now: float) -> None:
        for kind, direction in self._dirs.items():
            direction.ceiling = self.spec.budget(kind, self.facts, self.index)
            direction.sync(now)

    def _maybe_refresh(self) -> None:
        """Re-read the table's capacity when :attr:`refresh_seconds` have passed."""
        if self.describe is None:
            return
        with self._lock:
            now = self.clock()
            if self._refreshing or now - self._refreshed_at < self.refresh_seconds:
                return
            self._refreshing = True
            describe = self.describe
        facts = None
        try:
            facts = describe()
        except Exception:  # keep the last known capacity; try again after the interval
            facts = None
        finally:
            with self._lock:
                self._refreshing = False
                self._refreshed_at = self.clock()
                if facts is not None:
                    self.facts = facts
                    self._apply_budgets(self._refreshed_at)

    # spending
    def acquire(self, kind: str, units: float, cancel: threading.Event | Callable[[], bool] | None = None) -> bool:
        """Take ``units`` of ``kind`` capacity, waiting as long as the budget requires.

        Returns False (and gives the units back) when ``cancel`` (an event, or a function
        answering whether to stop) is set while waiting.
        """
        self._maybe_refresh()
        direction = self._dirs[kind]
        with self._lock:
            now = self.clock()
            direction.sync(now)
            wait = direction.bucket.reserve(units, now)
            direction.requests += 1
            direction.waited += wait
        if self.wait_out(wait, cancel):
            return True
        with self._lock:
            direction.bucket.refund(units, self.clock())
        return False

    def wait_out(self, wait: float, cancel: threading.Event | Callable[[], bool] | None) -> bool:
        """Sleep ``wait`` seconds in short steps; False as soon as ``cancel`` is set."""
        cancelled = cancel.is_set if isinstance(cancel, threading.Event) else cancel
        while wait > 0:
            if cancelled is not None and cancelled():
                return False
            step = min(wait, 0.25)
            self.sleep(step)
            wait -= step
        return True

    def settle(self, kind: str, estimate: float, actual: float | None) -> float:
        """Correct the bucket once a request's real cost is known; returns the cost counted."""
        cost = estimate if actual is None else actual
        direction = self._dirs[kind]
        with self._lock:
            direction.consumed += cost
            if cost != estimate:
                direction.bucket.refund(estimate - cost, self.clock())
        return cost

    def throttled(self, kind: str) -> None:
        """DynamoDB throttled a request of ``kind``: slow down (AIMD)."""
        with self._lock:
            self._dirs[kind].throttled(self.clock())

    # reading the state
    def budget(self, kind: str) -> float:
        return self._dirs[kind].ceiling

    def rate(self, kind: str) -> float:
        with self._lock:
            return self._dirs[kind].limit(self.clock())

    def stats(self, kind: str) -> DirectionStats:
        with self._lock:
            d = self._dirs[kind]
            found = self.spec.capacity(kind, self.facts, self.index)
            return DirectionStats(d.ceiling, d.limit(self.clock()), d.consumed, d.requests, d.throttles, d.waited,
                                  found.units, found.source, self.spec.percent(kind))

    @property
    def average_item_bytes(self) -> float | None:
        facts = self.facts
        if facts and facts.item_count > 0 and facts.size_bytes > 0:
            return facts.size_bytes / facts.item_count
        return None

    def write_coster(self) -> WriteCoster:
        return WriteCoster(self.facts)

    def request_units(self, kind: str, workers: int = 1) -> float:
        """The cost one of ``workers`` concurrent requests should aim at: an equal share of
        one second's budget, for writes at most :data:`WRITE_REQUEST_SHARE` of it (never
        under one unit)."""
        share = self.rate(kind) * REQUEST_SECONDS / max(1, workers)
        if kind == WRITE:
            share = min(share, self.rate(kind) * WRITE_REQUEST_SHARE)
        return max(1.0, share)

    def scan_limit(self, units_per_item: float, *, workers: int = 1, consistent: bool = False) -> int | None:
        """A Scan ``Limit`` making one page cost about :meth:`request_units`; None when a
        full 1 MB page already fits."""
        page_max = read_units(MAX_PAGE_BYTES, consistent=consistent)
        target = self.request_units(READ, workers)
        if target >= page_max or units_per_item <= 0:
            return None
        return max(1, int(target / units_per_item))


class Unlimited:
    """A stand-in governor that never waits (no budget configured, or tests)."""

    def acquire(self, kind: str, units: float, cancel=None) -> bool:
        return True

    def settle(self, kind: str, estimate: float, actual: float | None) -> float:
        return estimate if actual is None else actual

    def throttled(self, kind: str) -> None:
        pass


# --- the registry -------------------------------------------------------------------------

class GovernorRegistry:
    """The governors of one process, keyed by (region, endpoint, table name)."""

    def __init__(self, *, clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep,
                 refresh_seconds: float = REFRESH_SECONDS, burst_seconds: float = BURST_SECONDS):
        self.clock = clock
        self.sleep = sleep
        self.refresh_seconds = refresh_seconds
        self.burst_seconds = burst_seconds
        self._lock = threading.Lock()
        self._governors: dict[tuple, Governor] = {}

    def get(self, region: str, endpoint: str | None, table: str, *, spec: ThroughputSpec | None = None,
            facts: TableFacts | None = None, describe: Callable[[], TableFacts] | None = None,
            refresh_seconds: float | None = None, index: str | None = None,
            account: str | None = None) -> Governor:
        """The table's governor (``index``: its GSI's), created on first use;
        ``spec``/``facts``/``describe`` (when given) reconfigure it; ``refresh_seconds``
        (``ddbsql.capacity.refresh.seconds``) replaces the registry's interval between
        capacity re-reads.  ``account`` tells same-named tables of other accounts (reached
        with another role or profile) apart."""
        key = (region, endpoint or "", table) + ((index,) if index else ()) + ((account,) if account else ())
        with self._lock:
            governor = self._governors.get(key)
            if governor is None:
                governor = Governor(key, spec=spec, facts=facts, describe=describe, clock=self.clock,
                                    sleep=self.sleep,
                                    refresh_seconds=self.refresh_seconds if refresh_seconds is None
                                    else refresh_seconds,
                                    burst_seconds=self.burst_seconds, index=index)
                self._governors[key] = governor
                return governor
        if spec is not None:
            governor.configure(spec, facts, describe, refresh_seconds=refresh_seconds)
        return governor

    def governors(self) -> list[Governor]:
        with self._lock:
            return list(self._governors.values())


_PROCESS_REGISTRY = GovernorRegistry()


def process_registry() -> GovernorRegistry:
    """The registry every session of this process shares."""
    return _PROCESS_REGISTRY
