"""scan_batches under a governor: Limit sized to the budget, costs settled, throttles reported."""
from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from ddbsql.catalog.binding import ColumnBinding
from ddbsql.catalog.facts import TableFacts
from ddbsql.exec.decode import DecodeWarnings
from ddbsql.exec.governor import READ, Governor, ThroughputSpec
from ddbsql.exec.retry import RetryPolicy
from ddbsql.exec.scanner import ScanStats, scan_batches, scan_keys
from ddbsql.planner.scan import plan_scan
from ddbsql.types import parse_hive_type
from support.clocks import FakeClock


class FakeTable:
    """Serves ``count`` items of ``item_bytes`` each, honouring Limit, charging like DynamoDB."""

    def __init__(self, count: int, item_bytes: int, throttle_first: int = 0):
        self.items = [{"id": {"S": f"k{i:05d}"}, "body": {"S": "x" * (item_bytes - 8)}} for i in range(count)]
        self.item_bytes = item_bytes
        self.requests: list[dict] = []
        self.throttle_first = throttle_first

    def scan(self, **params):
        self.requests.append(dict(params))
        if self.throttle_first:
            self.throttle_first -= 1
            raise ClientError({"Error": {"Code": "ProvisionedThroughputExceededException", "Message": "slow"},
                               "ResponseMetadata": {"HTTPStatusCode": 400}}, "Scan")
        start = int(params.get("ExclusiveStartKey", {}).get("id", {}).get("S", "k-0001")[1:]) + 1
        limit = params.get("Limit", 10_000)
        page, size = [], 0
        for item in self.items[start:]:
            if len(page) >= limit or size >= 1024 * 1024:
                break
            page.append(item)
            size += self.item_bytes
        factor = 1.0 if params.get("ConsistentRead") else 0.5
        response = {"Items": page, "Count": len(page), "ScannedCount": len(page),
                    "ConsumedCapacity": {"TableName": "t", "CapacityUnits": max(1, -(-size // 4096)) * factor}}
        if start + len(page) < len(self.items):
            response["LastEvaluatedKey"] = {"id": page[-1]["id"]}
        return response


def facts(rcu: int, count: int = 0, size: int = 0) -> TableFacts:
    return TableFacts("t", "id", None, {"id": "S"}, "PROVISIONED", read_capacity=rcu, write_capacity=10,
                      item_count=count, size_bytes=size)


BINDINGS = [ColumnBinding("id", parse_hive_type("string"), "id", None),
            ColumnBinding("body", parse_hive_type("string"), "body", None)]


def test_pages_are_sized_and_paced_to_the_read_budget():
    clock = FakeClock()
    table = FakeTable(2000, 2048)                        # 4 MB: 500 RCU eventually consistent
    governor = Governor(("r", "", "t"), spec=ThroughputSpec(), facts=facts(100, 2000, 2000 * 2048), clock=clock,
                        sleep=clock.sleep)               # 50 RCU/s
    stats = ScanStats()
    retry = RetryPolicy(sleep=clock.sleep, clock=clock)
    rows = sum(b.num_rows for b in scan_batches(table, plan_scan(facts(100), BINDINGS), retry,
                                                warnings=DecodeWarnings(), stats=stats, governor=governor))
    assert rows == 2000
    # a page costs about one second of budget: 50 RCU = 200 items of 2 KB read eventually consistent,
    # not a 1 MB page (128 RCU)
    assert {r.get("Limit") for r in table.requests} == {200}
    assert stats.consumed_capacity == pytest.approx(500)
    saved = 50 * governor.burst_seconds                 # the bucket starts with its saved budget
    assert (stats.consumed_capacity - saved) / clock.now == pytest.approx(50, rel=0.05)
    assert governor.stats(READ).consumed == pytest.approx(500)


def test_unknown_item_size_is_learnt_from_the_first_pages():
    clock = FakeClock()
    table = FakeTable(3000, 400)
    governor = Governor(("r", "", "t"), spec=ThroughputSpec(), facts=facts(20), clock=clock, sleep=clock.sleep)
    retry = RetryPolicy(sleep=clock.sleep, clock=clock)
    rows = sum(b.num_rows for b in scan_batches(table, plan_scan(facts(20), BINDINGS), retry,
                                                warnings=DecodeWarnings(), governor=governor))
    assert rows == 3000
    limits = [r.get("Limit") for r in table.requests]
    assert limits[0] == 80                               # 10 RCU at the assumed 1 KB per item
    assert limits[-1] > 150                              # then about 10 RCU of 400-byte items


def test_throttled_pages_slow_the_governor_down():
    clock = FakeClock()
    table = FakeTable(50, 100, throttle_first=2)
    governor = Governor(("r", "", "t"), spec=ThroughputSpec(), facts=facts(1000), clock=clock, sleep=clock.sleep)
    retry = RetryPolicy(sleep=clock.sleep, clock=clock)
    stats = ScanStats()
    rows = sum(b.num_rows for b in scan_batches(table, plan_scan(facts(1000), BINDINGS), retry,
                                                warnings=DecodeWarnings(), stats=stats, governor=governor))
    assert rows == 50
    assert (stats.retries, stats.throttles) == (2, 2)
    assert governor.stats(READ).throttles == 2
    assert governor.rate(READ) < governor.budget(READ)


def test_without_a_governor_nothing_is_limited():
    table = FakeTable(300, 100)
    rows = sum(b.num_rows for b in scan_batches(table, plan_scan(facts(1), BINDINGS), RetryPolicy(),
                                                warnings=DecodeWarnings()))
    assert rows == 300
    assert all("Limit" not in r for r in table.requests)


def test_scan_keys_projects_keys_and_reads_consistently():
    clock = FakeClock()
    table = FakeTable(120, 100)
    governor = Governor(("r", "", "t"), spec=ThroughputSpec(), facts=facts(10), clock=clock, sleep=clock.sleep)
    keys = list(scan_keys(table, "t", ["id"], RetryPolicy(sleep=clock.sleep, clock=clock), governor=governor))
    assert len(keys) == 120
    first = table.requests[0]
    assert first["ConsistentRead"] is True
    assert first["ProjectionExpression"] == "#k0" and first["ExpressionAttributeNames"] == {"#k0": "id"}


def test_a_page_size_from_the_plan_is_never_exceeded():
    import dataclasses
    clock = FakeClock()
    table = FakeTable(100, 100)
    governor = Governor(("r", "", "t"), spec=ThroughputSpec(), facts=facts(100000), clock=clock, sleep=clock.sleep)
    plan = plan_scan(facts(100000), BINDINGS)
    if "limit" not in {f.name for f in dataclasses.fields(plan)}:
        pytest.skip("this ScanPlan has no page size")
    plan = dataclasses.replace(plan, limit=7)
    rows = sum(b.num_rows for b in scan_batches(table, plan, RetryPolicy(sleep=clock.sleep, clock=clock),
                                                warnings=DecodeWarnings(), governor=governor))
    assert rows == 100
    assert {r.get("Limit") for r in table.requests} == {7}
