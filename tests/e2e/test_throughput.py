"""The governor against DynamoDB Local (which never throttles: the pace is all ddbsql's).

Rates are measured from outside: a sampler thread counts the target's items twice a
second with plain boto3.  Each test takes well under a minute.
"""
from __future__ import annotations

import time

import boto3
import pytest

from ddbsql.catalog.binding import ColumnBinding
from ddbsql.catalog.facts import TableFacts
from ddbsql.exec.decode import DecodeWarnings
from ddbsql.exec.governor import READ, GovernorRegistry, ThroughputSpec
from ddbsql.exec.retry import RetryPolicy
from ddbsql.exec.scanner import ScanStats, scan_batches
from ddbsql.exec.tables import describe_table
from ddbsql.planner.scan import plan_scan
from ddbsql.types import parse_hive_type
from support.rates import Sampler, create_provisioned, peak_rate, steady_rate

pytestmark = pytest.mark.e2e

HANDLER = "'org.apache.hadoop.hive.dynamodb.DynamoDBStorageHandler'"


def test_write_rate_follows_write_percent_of_provisioned_capacity(local_env, unique_table_name, capsys):
    env = local_env
    client = env.client()
    create_provisioned(client, unique_table_name, rcu=100, wcu=100)
    env.run(f"""CREATE EXTERNAL TABLE dst (id string, n bigint) STORED BY {HANDLER}
                TBLPROPERTIES ("dynamodb.table.name" = "{unique_table_name}", "dynamodb.column.mapping" = "id:id,n:n")""")
    env.run("SET dynamodb.throughput.write.percent=0.5")           # 100 WCU x 0.5 = 50 WCU/s
    total = 1500                                                    # small items: 1 WCU each
    sampler = Sampler(client, unique_table_name)
    sampler.start()
    started = time.monotonic()
    _, cursor = env.run(f"INSERT INTO TABLE dst SELECT concat('k', cast(i AS string)), i "
                        f"FROM (SELECT explode(sequence(1, {total})) AS i) t")
    elapsed = time.monotonic() - started
    sampler.stop.set()
    sampler.join()
    sampler.sample()
    assert cursor.rowcount == total
    overall = total / elapsed
    steady = steady_rate(sampler.samples, total)
    start = next(t for t, n in sampler.samples if n > 0)
    # after the first seconds (the bucket starts with one second of budget saved)
    peak = peak_rate([(t, n) for t, n in sampler.samples if t >= start], skip=2.0)
    with capsys.disabled():
        print(f"\n[throughput] write budget 50 WCU/s: {total} items in {elapsed:.1f} s = {overall:.1f} WCU/s overall, "
              f"{steady:.1f} WCU/s steady, {peak:.1f} WCU/s peak over 3 s in steady state; {cursor.messages[-1]}")
    assert steady == pytest.approx(50, rel=0.15)
    assert overall == pytest.approx(50, rel=0.15)
    assert peak <= 50 * 1.25           # by design: the budget plus at most one request (12.5 WCU) of jitter
    capacity = cursor.messages[-1]
    assert "budget 50 WCU/s = 0.5 x 100 provisioned" in capacity
    # progress reached the callback about once a second, with the budget
    lines = env.progress_lines
    assert len(lines) >= elapsed * 0.6
    assert all("of 50 WCU/s" in line for line in lines)


def test_scan_rate_follows_read_percent(dynamodb_local_endpoint, aws_credentials, unique_table_name, capsys):
    client = boto3.client("dynamodb", endpoint_url=dynamodb_local_endpoint, region_name="us-east-1")
    create_provisioned(client, unique_table_name, rcu=40, wcu=1000)
    body = "x" * 2000                                               # ~2 KB items
    for start in range(0, 400, 25):
        request = {unique_table_name: [{"PutRequest": {"Item": {"id": {"S": f"k{i}"}, "body": {"S": body}}}}
                                       for i in range(start, start + 25)]}
        while request:
            request = client.batch_write_item(RequestItems=request).get("UnprocessedItems") or {}
    retry = RetryPolicy()
    facts: TableFacts = describe_table(client, unique_table_name, retry, region="us-east-1")
    registry = GovernorRegistry()
    governor = registry.get("us-east-1", dynamodb_local_endpoint, unique_table_name, spec=ThroughputSpec(),
                            facts=facts)                            # 40 RCU x 0.5 = 20 RCU/s
    bindings = [ColumnBinding("id", parse_hive_type("string"), "id", None),
                ColumnBinding("body", parse_hive_type("string"), "body", None)]
    plan = plan_scan(facts, bindings, segments=2)
    stats = ScanStats()
    started = time.monotonic()
    rows = sum(b.num_rows for b in scan_batches(client, plan, retry, warnings=DecodeWarnings(), stats=stats,
                                                governor=governor))
    elapsed = time.monotonic() - started
    consumed = stats.consumed_capacity
    with capsys.disabled():
        print(f"\n[throughput] read budget 20 RCU/s: {rows} items, {consumed:.1f} RCU in {elapsed:.1f} s = "
              f"{consumed / elapsed:.1f} RCU/s over {stats.pages} pages")
    assert rows == 400
    # 400 x ~2 KB read eventually consistent is ~100 RCU: about 5 s after the saved tenth of a second
    assert consumed >= 90
    saved = 20 * governor.burst_seconds
    assert (consumed - saved) / elapsed == pytest.approx(20, rel=0.2)
    assert stats.pages > 4                                          # pages were sized to the budget
    assert governor.stats(READ).consumed == pytest.approx(consumed)
