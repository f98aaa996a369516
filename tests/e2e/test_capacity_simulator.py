"""Default settings against the DynamoDB capacity simulator (``support.ddb_proxy`` with its
on-demand model) in front of DynamoDB Local: the budget comes from the WarmThroughput the
table reports, reads and writes reach it without throttling, a warm-up is followed, and a
write job whose input is sorted by partition key is spread over the table's partitions.

ddbsql talks only to the proxy; rates are the proxy's per-second record of the capacity
it charged; row checks are plain boto3 Scans of DynamoDB Local itself.
"""
from __future__ import annotations

import time

import pytest

from support.ddb_capacity import READ, WRITE
from support.ddb_env import Env, Upstream, open_connection
from support.ddb_proxy import DynamoDBProxy
from support.rates import count_items

pytestmark = pytest.mark.e2e

HANDLER = "'org.apache.hadoop.hive.dynamodb.DynamoDBStorageHandler'"


@pytest.fixture
def simulated(dynamodb_local_endpoint, aws_credentials, tmp_path):
    """(proxy modelling on-demand tables, ddbsql Env through it, plain client of the upstream)."""
    upstream = Upstream(dynamodb_local_endpoint)
    proxy = DynamoDBProxy(upstream.url, burst_seconds=1, model_on_demand=True).start()
    conn = open_connection(Upstream(proxy.url), tmp_path)
    yield proxy, Env(Upstream(proxy.url), conn, tmp_path), upstream.client()
    conn.close()
    proxy.stop()


def on_demand_table(client, name: str, range_key: bool = False) -> None:
    keys = [{"AttributeName": "id", "KeyType": "HASH"}]
    attrs = [{"AttributeName": "id", "AttributeType": "S"}]
    if range_key:
        keys.append({"AttributeName": "n", "KeyType": "RANGE"})
        attrs.append({"AttributeName": "n", "AttributeType": "N"})
    client.create_table(TableName=name, KeySchema=keys, AttributeDefinitions=attrs, BillingMode="PAY_PER_REQUEST")
    client.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 100})


def external(env: Env, hive: str, table: str) -> None:
    env.run(f"""CREATE EXTERNAL TABLE {hive} (id string, n bigint, body string) STORED BY {HANDLER}
                TBLPROPERTIES ("dynamodb.table.name" = "{table}",
                               "dynamodb.column.mapping" = "id:id,n:n,body:body")""")


def active(record: list[float]) -> list[float]:
    """Per-second units from the first second with any."""
    first = next(i for i, v in enumerate(record) if v > 0)
    return record[first:]


def fill(client, name: str, count: int, body: str) -> None:
    for start in range(0, count, 25):
        request = {name: [{"PutRequest": {"Item": {"id": {"S": f"k{i}"}, "n": {"N": str(i)}, "body": {"S": body}}}}
                          for i in range(start, min(count, start + 25))]}
        while request:
            request = client.batch_write_item(RequestItems=request).get("UnprocessedItems") or {}


def test_default_copy_runs_at_half_the_warm_write_throughput(simulated, unique_table_name, capsys):
    proxy, env, client = simulated
    on_demand_table(client, unique_table_name)
    proxy.set_on_demand(unique_table_name, read=400, write=200)
    external(env, "dst", unique_table_name)
    started = time.monotonic()
    _, cursor = env.run("INSERT INTO TABLE dst SELECT concat('k', cast(i AS string)), i, 'x' "
                        "FROM (SELECT explode(sequence(1, 3000)) AS i) t")
    elapsed = time.monotonic() - started
    seconds = active(proxy.record.per_second(unique_table_name, WRITE))
    throttles = proxy.count("capacity_throttle")
    rate = 3000 / elapsed
    with capsys.disabled():
        print(f"\n[simulator] on-demand, warm 200 WCU/s: 3000 rows in {elapsed:.1f} s = {rate:.1f} WCU/s; "
              f"per second {[round(v) for v in seconds]}; throttled requests {throttles}; {cursor.messages[-1]}")
    assert cursor.rowcount == 3000
    assert count_items(client, unique_table_name) == 3000
    assert "budget 100 WCU/s = 0.5 x 200 warm throughput (DescribeTable)" in cursor.messages[-1]
    assert 90 <= rate <= 110
    assert throttles <= 3
    assert seconds[1] >= 0.9 * 100                  # at the budget from the second second on


def test_default_scan_runs_at_half_the_warm_read_throughput(simulated, unique_table_name, capsys):
    proxy, env, client = simulated
    on_demand_table(client, unique_table_name)
    fill(client, unique_table_name, 6000, "y" * 2000)             # ~12 MB: ~1 500 RCU eventually consistent
    proxy.set_on_demand(unique_table_name, read=400, write=200)
    external(env, "src", unique_table_name)
    explain = "\n".join(str(r) for r in env.rows("EXPLAIN SELECT count(*), max(body) FROM src"))
    started = time.monotonic()
    rows = env.rows("SELECT count(*), max(length(body)) FROM src")
    elapsed = time.monotonic() - started
    seconds = active(proxy.record.per_second(unique_table_name, READ))
    total = proxy.record.total(unique_table_name, READ)
    throttles = proxy.count("capacity_throttle")
    with capsys.disabled():
        print(f"\n[simulator] on-demand, warm 400 RCU/s: scan of {total:.0f} RCU in {elapsed:.1f} s = "
              f"{total / elapsed:.1f} RCU/s; per second {[round(v) for v in seconds]}; throttled {throttles}")
    assert rows == [(6000, 2000)]
    assert "200 RCU/s = 0.5 x 400 warm throughput (DescribeTable)" in explain
    assert "parallel segments" in explain
    assert 180 <= total / elapsed <= 220
    assert throttles == 0
    # a read page is a worker's share of a second's budget (25 RCU here): one second holds 7, 8 or 9
    # pages by phase alone, so the rate is judged over two whole seconds (15 or more pages: >= 93 %)
    assert sum(seconds[1:3]) / 2 >= 0.9 * 200


def test_warm_throughput_raised_mid_job_is_followed(simulated, unique_table_name, capsys):
    proxy, env, client = simulated
    on_demand_table(client, unique_table_name)
    proxy.set_on_demand(unique_table_name, read=400, write=100)
    external(env, "dst", unique_table_name)
    env.run("SET ddbsql.capacity.refresh.seconds=2")
    raised_at = proxy.once_consumed(unique_table_name, WRITE, 250,                      # ~5 s at 50 WCU/s
                                    lambda: proxy.set_on_demand(unique_table_name, read=400, write=300))
    _, cursor = env.run("INSERT INTO TABLE dst SELECT concat('k', cast(i AS string)), i, 'x' "
                        "FROM (SELECT explode(sequence(1, 1300)) AS i) t")
    record = proxy.record.per_second(unique_table_name, WRITE)
    change = int(raised_at[0])
    before = record[change - 3:change]
    follow = next(s for s in range(change, len(record) - 2) if sum(record[s:s + 2]) / 2 >= 0.85 * 150)
    after = record[follow:-1]
    with capsys.disabled():
        print(f"\n[simulator] warm 100 -> 300 WCU/s at second {raised_at[0]:.1f}: per second "
              f"{[round(v) for v in record]}; followed after {follow - change} s; "
              f"throttled {proxy.count('capacity_throttle')}")
    assert cursor.rowcount == 1300
    assert sum(before) / len(before) == pytest.approx(50, rel=0.15)
    assert follow - change <= 2 + 1                                   # one refresh interval
    assert sum(after) / len(after) == pytest.approx(150, rel=0.15)
    assert proxy.count("capacity_throttle") <= 3


def test_sorted_keys_are_spread_over_the_partitions(simulated, unique_table_name, capsys):
    proxy, env, client = simulated
    on_demand_table(client, unique_table_name, range_key=True)
    # 400 WCU/s of warm throughput on 4 partitions of 100 WCU/s each; budget 200 WCU/s
    proxy.set_on_demand(unique_table_name, read=1600, write=400)
    proxy.set_partitions(unique_table_name, 4, read=400, write=100)
    external(env, "dst", unique_table_name)
    started = time.monotonic()
    # sorted by partition key: 8 keys of 375 items each (two keys a partition), one key after the other
    _, cursor = env.run("INSERT INTO TABLE dst SELECT concat('p', lpad(cast(i div 375 AS string), 3, '0')), i, 'x' "
                        "FROM (SELECT explode(sequence(0, 2999)) AS i) t ORDER BY i")
    elapsed = time.monotonic() - started
    rate = 3000 / elapsed
    with capsys.disabled():
        print(f"\n[simulator] sorted keys into 4 partitions of 100 WCU/s, budget 200 WCU/s: {rate:.1f} WCU/s; "
              f"partition throttles {proxy.count('partition_throttle')}, items held back "
              f"{proxy.count('partition_unprocessed')}; {cursor.messages[-1]}")
    assert cursor.rowcount == 3000
    assert count_items(client, unique_table_name) == 3000
    assert rate >= 0.8 * 200
    assert proxy.count("partition_throttle") == 0
    assert proxy.count("partition_unprocessed") == 0


def test_provisioned_tables_are_unchanged_by_the_on_demand_model(simulated, unique_table_name, capsys):
    proxy, env, client = simulated
    client.create_table(TableName=unique_table_name, KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                        ProvisionedThroughput={"ReadCapacityUnits": 100, "WriteCapacityUnits": 100})
    client.get_waiter("table_exists").wait(TableName=unique_table_name, WaiterConfig={"Delay": 0.2})
    external(env, "dst", unique_table_name)
    started = time.monotonic()
    _, cursor = env.run("INSERT INTO TABLE dst SELECT concat('k', cast(i AS string)), i, 'x' "
                        "FROM (SELECT explode(sequence(1, 400)) AS i) t")
    elapsed = time.monotonic() - started
    with capsys.disabled():
        print(f"\n[simulator] provisioned 100 WCU: 400 rows in {elapsed:.1f} s; {cursor.messages[-1]}")
    assert "budget 50 WCU/s = 0.5 x 100 provisioned (DescribeTable)" in cursor.messages[-1]
    assert 400 / elapsed == pytest.approx(50, rel=0.2)
    assert proxy.count("capacity_throttle") == 0
