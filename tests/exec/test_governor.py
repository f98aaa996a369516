"""The throughput governor, on a simulated clock: rates, burst, budgets, AIMD, costs."""
from __future__ import annotations

import dataclasses
import threading

import pytest

from ddbsql.catalog.facts import IndexFacts, TableFacts, Throughput
from ddbsql.config import Settings
from ddbsql.exec.encode import item_size
from ddbsql.exec.governor import (READ, WRITE, Governor, GovernorRegistry, ThroughputSpec, TokenBucket,
                                  WriteCoster, index_write_units)
from ddbsql.progress import RateMeter, progress_line
from ddbsql.planner.capacity import NEW_ON_DEMAND_READ, NEW_ON_DEMAND_WRITE
from ddbsql.planner.units import consumed_units, read_units, write_units


class FakeClock:
    """Time that moves only when someone sleeps."""

    def __init__(self, start: float = 1000.0):
        self.now = start
        self.slept = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        assert seconds >= 0
        self.now += seconds
        self.slept += seconds


def facts(wcu: int = 100, rcu: int = 200, *, billing: str = "PROVISIONED", indexes=(), items: int = 0,
          size: int = 0) -> TableFacts:
    return TableFacts(table_name="t", hash_key="pk", range_key="sk", attribute_types={"pk": "S", "sk": "S"},
                      billing_mode=billing, read_capacity=rcu if billing == "PROVISIONED" else 0,
                      write_capacity=wcu if billing == "PROVISIONED" else 0, item_count=items, size_bytes=size,
                      indexes=tuple(indexes))


def make_governor(clock: FakeClock, table_facts: TableFacts | None = None, spec: ThroughputSpec | None = None,
                  **kwargs) -> Governor:
    return Governor(("us-east-1", "", "t"), spec=spec or ThroughputSpec(), facts=table_facts or facts(),
                    clock=clock, sleep=clock.sleep, **kwargs)


def run_for(governor: Governor, clock: FakeClock, seconds: float, cost: float, kind: str = WRITE) -> list[tuple]:
    """Acquire ``cost`` repeatedly for ``seconds`` of simulated time; the (send time, cost) log."""
    log = []
    end = clock.now + seconds
    while clock.now < end:
        governor.acquire(kind, cost)
        log.append((clock.now, cost))
        governor.settle(kind, cost, cost)
    return log


def peak_per_second(log: list[tuple], start: float, end: float) -> float:
    peak = 0.0
    t = start
    while t + 1 <= end:
        peak = max(peak, sum(c for when, c in log if t <= when < t + 1))
        t += 0.1
    return peak


# --- costs ------------------------------------------------------------------------------

@pytest.mark.parametrize("nbytes, consistent, units", [
    (0, False, 0.5), (1, False, 0.5), (4096, False, 0.5), (4097, False, 1.0), (4097, True, 2.0),
    (1024 * 1024, False, 128.0), (1024 * 1024, True, 256.0), (10_000, True, 3.0),
])
def test_read_units_are_4kb_rounded_up_and_halved_when_eventual(nbytes, consistent, units):
    assert read_units(nbytes, consistent=consistent) == units


@pytest.mark.parametrize("nbytes, units", [(0, 1), (1, 1), (50, 1), (1024, 1), (1025, 2), (3520, 4), (400 * 1024, 400)])
def test_write_units_are_1kb_rounded_up_per_item(nbytes, units):
    assert write_units(nbytes) == units


def test_gsi_write_cost_counts_indexes_whose_keys_are_in_the_item():
    gsi_keys = IndexFacts("by_g", "GSI", "g", None, "KEYS_ONLY")
    gsi_all = IndexFacts("by_h", "GSI", "h", "r", "ALL")
    lsi = IndexFacts("by_l", "LSI", "pk", "l", "INCLUDE", ("extra",))
    coster = WriteCoster(facts(indexes=[gsi_keys, gsi_all, lsi]))
    big = "x" * 2500
    base = {"pk": {"S": "a"}, "sk": {"S": "b"}, "body": {"S": big}}
    assert item_size(base) == 2 + 1 + 2 + 1 + 4 + 2500
    assert coster.put(base) == 3                              # 2.5 KB, no index key present
    with_g = dict(base, g={"S": "1"})
    assert coster.put(with_g) == 3 + 1                        # KEYS_ONLY entry is tiny
    with_h_only = dict(base, h={"S": "1"})
    assert coster.put(with_h_only) == 3                       # the GSI's sort key is missing: not indexed
    with_h_r = dict(base, h={"S": "1"}, r={"S": "2"})
    assert coster.put(with_h_r) == 3 + 3                      # ALL projects the 2.5 KB item
    with_l = dict(base, l={"S": "1"}, extra={"S": "y" * 1500})
    # the LSI entry holds the keys, its sort key and the included attribute: ~1.5 KB -> 2 units
    assert coster.put(with_l) == write_units(item_size(with_l)) + 2
    assert index_write_units(with_g, [gsi_keys], ("pk", "sk")) == 1
    assert coster.delete({"pk": {"S": "a"}, "sk": {"S": "b"}}) == 1


def test_consumed_capacity_of_single_and_batch_responses():
    assert consumed_units({"ConsumedCapacity": {"TableName": "t", "CapacityUnits": 2.5}}) == 2.5
    assert consumed_units({"ConsumedCapacity": [{"TableName": "a", "CapacityUnits": 3.0},
                                                {"TableName": "b", "CapacityUnits": 1.0}]}) == 4.0
    indexes_only = {"ConsumedCapacity": {"Table": {"CapacityUnits": 1.0},
                                         "GlobalSecondaryIndexes": {"g": {"CapacityUnits": 2.0}}}}
    assert consumed_units(indexes_only) == 3.0
    assert consumed_units({"Items": []}) is None
    assert consumed_units({"ConsumedCapacity": []}) is None
    assert consumed_units(None) is None


# --- budgets -----------------------------------------------------------------------------

def spec_from(settings: dict[str, str], properties: dict[str, str] | None = None) -> ThroughputSpec:
    return ThroughputSpec.resolve(Settings(settings).get, properties or {})


def test_default_budget_is_half_the_provisioned_capacity():
    spec = spec_from({})
    assert spec.budget(WRITE, facts(wcu=100)) == 50
    assert spec.budget(READ, facts(rcu=200)) == 100


def test_percent_is_a_fraction_as_in_emr():
    spec = spec_from({"dynamodb.throughput.write.percent": "1.5", "dynamodb.throughput.read.percent": "0.1"})
    assert spec.budget(WRITE, facts(wcu=100)) == pytest.approx(150)
    assert spec.budget(READ, facts(rcu=200)) == pytest.approx(20)


def test_explicit_throughput_replaces_the_capacity_and_the_percent_applies_to_it():
    spec = spec_from({"dynamodb.throughput.write": "1000"})
    assert spec.budget(WRITE, facts(wcu=100)) == 500
    assert spec.capacity(WRITE, facts(wcu=100)) == (1000, "dynamodb.throughput.write")
    absolute = spec_from({"dynamodb.throughput.write": "40", "dynamodb.throughput.write.percent": "1"})
    assert absolute.budget(WRITE, facts(wcu=100)) == 40
    assert absolute.budget(READ, facts(rcu=200)) == 100       # reads untouched


def test_table_properties_win_over_set_for_their_table():
    settings = {"dynamodb.throughput.write.percent": "0.2", "dynamodb.throughput.write": "500"}
    assert spec_from(settings).budget(WRITE, facts()) == 100
    props = {"dynamodb.throughput.write.percent": "0.8"}
    assert spec_from(settings, props).budget(WRITE, facts()) == pytest.approx(400)
    props = {"dynamodb.throughput.write": "50"}
    assert spec_from(settings, props).budget(WRITE, facts()) == pytest.approx(10)


def test_on_demand_tables_without_warm_throughput_get_aws_starting_values():
    on_demand = facts(billing="PAY_PER_REQUEST")
    spec = spec_from({})
    assert spec.budget(WRITE, on_demand) == 0.5 * NEW_ON_DEMAND_WRITE == 2000
    assert spec.budget(READ, on_demand) == 0.5 * NEW_ON_DEMAND_READ == 6000
    assert spec.capacity(WRITE, on_demand).source.startswith("new on-demand table throughput (AWS documented")
    assert spec_from({"dynamodb.throughput.write": "10000"}).budget(WRITE, on_demand) == 5000


def test_on_demand_budget_follows_warm_throughput_on_refresh():
    warm = lambda r, w: dataclasses.replace(facts(billing="PAY_PER_REQUEST"),  # noqa: E731
                                            throughput=Throughput(warm_read=r, warm_write=w))
    clock = FakeClock()
    answers = [warm(400, 200), warm(800, 600)]
    governor = Governor(("r", "", "t"), spec=spec_from({}), facts=warm(400, 200), describe=lambda: answers.pop(),
                        clock=clock, sleep=clock.sleep, refresh_seconds=5)
    assert governor.budget(READ) == 200 and governor.budget(WRITE) == 100
    assert governor.stats(READ).budget_text("RCU") == "200 RCU/s = 0.5 x 400 warm throughput (DescribeTable)"
    clock.sleep(6)
    governor.acquire(WRITE, 1)
    assert governor.budget(READ) == 400 and governor.budget(WRITE) == 300


def test_budget_is_never_below_one_unit():
    assert spec_from({"dynamodb.throughput.write.percent": "0.1"}).budget(WRITE, facts(wcu=1)) == 1


# --- the bucket ----------------------------------------------------------------------------

@pytest.mark.parametrize("cost", [1, 7, 25, 60])
def test_rate_stays_within_5_percent_of_budget_over_simulated_minutes(cost):
    clock = FakeClock()
    governor = make_governor(clock, facts(wcu=100))       # budget 50 WCU/s
    start = clock.now
    log = run_for(governor, clock, 300, cost)
    elapsed = clock.now - start
    rate = sum(c for _, c in log) / elapsed
    assert rate == pytest.approx(50, rel=0.05)


def test_one_second_peaks_are_capped_in_steady_state_and_after_idle():
    clock = FakeClock()
    governor = make_governor(clock, facts(wcu=100))       # 50 WCU/s, 0.1 s of burst
    request = governor.request_units(WRITE, workers=4)
    assert request == 5                                   # a tenth of a second's budget, not 50 / 4
    log = run_for(governor, clock, 60, request)
    start = log[0][0]
    # from the very first second: no 1-s window holds more than the budget, the saved
    # tenth and one request
    assert peak_per_second(log, start, clock.now) <= 50 * 1.2
    clock.sleep(120)                                      # idle: at most 0.1 s of budget is saved
    burst_start = clock.now
    free = 0
    while True:
        before = clock.now
        governor.acquire(WRITE, 1)
        if clock.now > before:
            break
        free += 1
    assert 4 <= free <= 5
    log = run_for(governor, clock, 10, request)
    # the worst second after idle
    assert peak_per_second([(burst_start, free)] + log, burst_start, clock.now) <= 50 * 1.2


def test_a_request_bigger_than_the_bucket_waits_for_its_cost():
    clock = FakeClock()
    governor = make_governor(clock, facts(wcu=20))        # 10 WCU/s, bucket holds 1
    governor.acquire(WRITE, 1)                            # the saved tenth of a second
    t0 = clock.now
    governor.acquire(WRITE, 100)
    assert clock.now - t0 == pytest.approx(10, rel=0.01)


def test_settling_with_the_consumed_capacity_corrects_the_rate():
    clock = FakeClock()
    governor = make_governor(clock, facts(wcu=100))
    start = clock.now
    consumed = 0.0
    while clock.now - start < 120:
        governor.acquire(WRITE, 10)                        # estimates 10, really costs 20
        consumed += governor.settle(WRITE, 10, 20)
    assert consumed / (clock.now - start) == pytest.approx(50, rel=0.05)
    start, consumed = clock.now, 0.0
    while clock.now - start < 120:
        governor.acquire(WRITE, 10)                        # estimates 10, really costs 5
        consumed += governor.settle(WRITE, 10, 5)
    assert consumed / (clock.now - start) == pytest.approx(50, rel=0.05)
    assert governor.stats(WRITE).consumed == pytest.approx(governor.stats(WRITE).consumed)


def test_reads_and_writes_have_separate_budgets():
    clock = FakeClock()
    governor = make_governor(clock, facts(wcu=10, rcu=1000))
    start = clock.now
    for _ in range(100):
        governor.acquire(READ, 5)                         # 500 units at 500/s: about a second
    assert clock.now - start <= 1.01
    assert governor.budget(READ) == 500 and governor.budget(WRITE) == 5


def test_token_bucket_unit():
    bucket = TokenBucket(10, burst_seconds=1.0, now=0.0, full=False)
    assert bucket.reserve(5, 0.0) == pytest.approx(0.5)
    assert bucket.reserve(5, 0.5) == pytest.approx(0.5)    # queued behind the first
    bucket.refund(100, 10.0)
    assert bucket.tokens == 10                             # capped at one second
    bucket.set_rate(2, 10.0)
    assert bucket.tokens == 2


def test_cancel_while_waiting_gives_the_units_back():
    clock = FakeClock()
    governor = make_governor(clock, facts(wcu=2))         # 1 WCU/s
    governor.acquire(WRITE, 1)
    slept = clock.slept
    cancel = threading.Event()
    cancel.set()
    assert governor.acquire(WRITE, 50, cancel=cancel) is False
    assert clock.slept == slept
    before = clock.now
    governor.acquire(WRITE, 1)
    assert clock.now - before <= 1.0 + 1e-9


# --- capacity refresh --------------------------------------------------------------------------

def test_capacity_changes_are_followed_within_a_minute():
    clock = FakeClock()
    current = {"facts": facts(wcu=100)}
    calls = []

    def describe():
        calls.append(clock.now)
        return current["facts"]

    governor = make_governor(clock, facts(wcu=100), describe=describe)
    run_for(governor, clock, 20, 5)
    changed_at = clock.now
    current["facts"] = facts(wcu=400)                      # auto-scaling raised the table to 400
    while governor.budget(WRITE) != 200:
        governor.acquire(WRITE, 5)
        assert clock.now - changed_at <= 60 + 1
    start = clock.now
    log = run_for(governor, clock, 60, 5)
    assert sum(c for _, c in log) / (clock.now - start) == pytest.approx(200, rel=0.05)
    # DescribeTable is called at most once a minute
    assert all(b - a >= 60 for a, b in zip(calls, calls[1:]))
    current["facts"] = facts(wcu=10)                       # and lowered
    run_for(governor, clock, 61, 1)
    assert governor.budget(WRITE) == 5


def test_a_failing_describe_keeps_the_last_capacity():
    clock = FakeClock()

    def describe():
        raise RuntimeError("network down")

    governor = make_governor(clock, facts(wcu=100), describe=describe)
    run_for(governor, clock, 130, 5)
    assert governor.budget(WRITE) == 50


def test_switch_to_on_demand_is_followed():
    clock = FakeClock()
    governor = make_governor(clock, facts(wcu=100), describe=lambda: facts(billing="PAY_PER_REQUEST"))
    run_for(governor, clock, 61, 5)
    assert governor.budget(WRITE) == 0.5 * NEW_ON_DEMAND_WRITE


# --- AIMD ----------------------------------------------------------------------------------------

def test_throttling_halves_the_rate_then_it_climbs_back_additively():
    clock = FakeClock()
    governor = make_governor(clock, facts(wcu=2000))  # 1000 WCU/s
    governor.throttled(WRITE)
    assert governor.rate(WRITE) == pytest.approx(500)
    for _ in range(7):                                  # a storm from several workers in the same second
        governor.throttled(WRITE)
    assert governor.rate(WRITE) == pytest.approx(500)
    clock.sleep(1.0)
    governor.throttled(WRITE)                           # throttled again a second later
    assert governor.rate(WRITE) == pytest.approx(0.5 * (500 + 50))
    clock.sleep(2.0)
    assert governor.rate(WRITE) == pytest.approx(275 + 2 * 50)     # +5 % of the budget per second
    start = clock.now
    log = run_for(governor, clock, 10, 10)
    achieved = sum(c for _, c in log) / (clock.now - start)
    assert 375 < achieved < 1000
    clock.sleep(30)
    assert governor.rate(WRITE) == 1000                 # never above the budget
    assert governor.stats(WRITE).throttles == 9


def test_throttling_never_drops_below_the_floor():
    clock = FakeClock()
    governor = make_governor(clock, facts(wcu=100))    # 50 WCU/s
    for _ in range(30):
        governor.throttled(WRITE)
        clock.sleep(1.0)
        governor.throttled(WRITE)
    assert governor.rate(WRITE) >= 1.0
    start = clock.now
    log = run_for(governor, clock, 120, 1)
    assert sum(c for _, c in log) / (clock.now - start) > 1.0


def test_rate_under_throttling_stays_within_the_budget_over_minutes():
    clock = FakeClock()
    governor = make_governor(clock, facts(billing="PAY_PER_REQUEST"))
    start = clock.now
    total = 0.0
    n = 0
    while clock.now - start < 180:
        governor.acquire(WRITE, 25)
        total += governor.settle(WRITE, 25, 25)
        n += 1
        if n % 200 == 0:
            governor.throttled(WRITE)
    assert total / (clock.now - start) < 1000


# --- registry, scan sizing, progress -------------------------------------------------------------------

def test_registry_has_one_governor_per_region_endpoint_and_table():
    clock = FakeClock()
    registry = GovernorRegistry(clock=clock, sleep=clock.sleep)
    a = registry.get("us-east-1", None, "t", spec=ThroughputSpec(), facts=facts())
    assert registry.get("us-east-1", None, "t") is a
    assert registry.get("us-east-1", "http://x", "t") is not a
    assert registry.get("eu-west-1", None, "t") is not a
    assert registry.get("us-east-1", None, "u") is not a
    registry.get("us-east-1", None, "t", spec=ThroughputSpec(write_percent=1.0), facts=facts(wcu=100))
    assert a.budget(WRITE) == 100                      # the last statement's settings apply
    assert len(registry.governors()) == 4


def test_shared_governor_holds_the_total_rate_for_concurrent_users():
    """Two "statements" alternating on one governor get the budget between them, not each."""
    clock = FakeClock()
    registry = GovernorRegistry(clock=clock, sleep=clock.sleep)
    first = registry.get("r", None, "t", spec=ThroughputSpec(), facts=facts(wcu=100))
    second = registry.get("r", None, "t", spec=ThroughputSpec(), facts=facts(wcu=100))
    start = clock.now
    total = 0
    while clock.now - start < 60:
        for governor in (first, second):
            governor.acquire(WRITE, 5)
            total += 5
    assert total / (clock.now - start) == pytest.approx(50, rel=0.05)


def test_scan_limit_sizes_a_page_to_a_share_of_the_budget():
    clock = FakeClock()
    governor = make_governor(clock, facts(rcu=100))    # 50 RCU/s
    # 2 KB items read eventually consistent: 0.25 RCU each; 2 workers share 50 RCU/s
    assert governor.scan_limit(0.25, workers=2) == 100
    assert governor.scan_limit(0.25, workers=100) == 4     # at least one unit per request
    big = make_governor(clock, facts(rcu=100000))
    assert big.scan_limit(0.25, workers=1) is None     # a full 1 MB page fits: no Limit
    assert make_governor(clock, facts(items=10, size=20480)).average_item_bytes == 2048
    assert make_governor(clock, facts()).average_item_bytes is None


def test_rate_meter_and_progress_line():
    clock = FakeClock()
    meter = RateMeter(clock, window=5)
    meter.sample(0, 0)
    clock.sleep(2)
    assert meter.sample(200, 100) == (100, 50)
    line = progress_line(rows_read=500, rows_written=400, rates=(100, 50), consumed_rate=24.8, budget=25,
                         unit="WCU", elapsed=65, total=1000)
    assert line.startswith(" 50.0% read 500 rows (100/s), wrote 400 (50/s), 24.8 of 25 WCU/s, 1:05 elapsed")
    assert line.endswith("ETA 0:05")
    assert "ETA" not in progress_line(rows_read=5, rows_written=5, rates=(1, 1), consumed_rate=1, budget=2,
                                      unit="WCU", elapsed=1)


def test_a_new_governor_rereads_capacity_soon_and_statements_do_not_bring_back_stale_facts():
    clock = FakeClock()
    registry = GovernorRegistry(clock=clock, sleep=clock.sleep)
    current = {"facts": facts(wcu=400)}                 # the table was scaled up after the session cached facts
    stale = facts(wcu=100)
    governor = registry.get("r", None, "t", spec=ThroughputSpec(), facts=stale, describe=lambda: current["facts"])
    assert governor.budget(WRITE) == 50
    run_for(governor, clock, 11, 5)                    # the first refresh comes 10 s after creation
    assert governor.budget(WRITE) == 200
    registry.get("r", None, "t", spec=ThroughputSpec(), facts=stale)   # the next statement's cached facts
    assert governor.budget(WRITE) == 200
