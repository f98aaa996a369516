"""Write jobs and reads through the fault-injecting, capacity-enforcing proxy
(``support.ddb_proxy``) in front of DynamoDB Local.

ddbsql talks only to the proxy; every check of what the table holds is a plain boto3
Scan of DynamoDB Local itself.  Rates are measured by the proxy's per-second record of
consumed capacity.
"""
from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest

from support.ddb_env import Env, Upstream, open_connection
from support.ddb_proxy import KINDS, DynamoDBProxy, FaultPlan
from support.ddb_capacity import WRITE

pytestmark = pytest.mark.e2e

HANDLER = "'org.apache.hadoop.hive.dynamodb.DynamoDBStorageHandler'"
ROWS = 2000
#: rows DynamoDB refuses for good: over 400 KB, an empty key, a hash key over 2048 bytes
#: (the first two caught by ddbsql's encoder, the last one only by DynamoDB)
BAD = {7: "big", 13: "empty", 21: "longkey"}


@pytest.fixture
def upstream(dynamodb_local_endpoint, aws_credentials):
    return Upstream(dynamodb_local_endpoint)


def start_proxy(upstream: Upstream, **options) -> DynamoDBProxy:
    return DynamoDBProxy(upstream.url, **options).start()


@pytest.fixture
def faulty(upstream, tmp_path):
    """(proxy with burst 1 s and no faults yet, ddbsql Env through it)."""
    proxy = start_proxy(upstream, burst_seconds=1)
    conn = open_connection(Upstream(proxy.url), tmp_path)
    yield proxy, Env(Upstream(proxy.url), conn, tmp_path)
    conn.close()
    proxy.stop()


def create_table(client, name: str, rcu: int | None = None, wcu: int | None = None) -> None:
    capacity = ({"ProvisionedThroughput": {"ReadCapacityUnits": rcu, "WriteCapacityUnits": wcu}} if wcu
                else {"BillingMode": "PAY_PER_REQUEST"})
    client.create_table(TableName=name, KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}], **capacity)
    client.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 100})


def external(env: Env, hive: str, table: str) -> None:
    env.run(f"""CREATE EXTERNAL TABLE {hive} (id string, n bigint, body string) STORED BY {HANDLER}
                TBLPROPERTIES ("dynamodb.table.name" = "{table}", "dynamodb.column.mapping" = "id:id,n:n,body:body")""")


def scan(client, name: str) -> dict[str, dict]:
    items, params = {}, {"TableName": name, "ConsistentRead": True}
    while True:
        page = client.scan(**params)
        items.update({item["id"]["S"]: item for item in page["Items"]})
        if "LastEvaluatedKey" not in page:
            return items
        params["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def report_of(messages: list[str]) -> dict[str, int]:
    """The counts of a write's summary line."""
    text = next(m for m in messages if m.startswith("Loaded "))
    written, rows = map(int, re.match(r"Loaded (\d+) row\(s\) .* from (\d+) input row\(s\)", text).groups())
    counts = {"rows": rows, "written": written, "skipped": 0, "rejected": 0, "duplicates": 0}
    for name, pattern in (("skipped", r"(\d+) row\(s\) skipped"), ("rejected", r"(\d+) row\(s\) rejected"),
                          ("duplicates", r"(\d+) row\(s\) repeated")):
        found = re.search(pattern, text)
        if found:
            counts[name] = int(found.group(1))
    return counts


def source_sql(rows: int) -> str:
    """``rows`` rows (id, n, body) numbered from 0, the :data:`BAD` ones among them."""
    return (f"SELECT CASE i WHEN 13 THEN '' WHEN 21 THEN repeat('k', 2100) ELSE concat('k', cast(i AS string)) END, "
            f"i, CASE i WHEN 7 THEN repeat('x', 410000) ELSE concat('row ', cast(i AS string)) END "
            f"FROM (SELECT explode(sequence(0, {rows - 1})) AS i) t")


def expected_key(i: int) -> str | None:
    return None if i in BAD else f"k{i}"


def check_rejects(tmp_path: Path, report: dict) -> None:
    files = list((tmp_path / "rejects").glob("*.jsonl"))
    assert len(files) == 1
    rejects = [json.loads(line) for line in files[0].read_text().splitlines()]
    assert sorted(r["row"] for r in rejects) == sorted(BAD) and report["rejected"] == len(BAD)
    reasons = {r["row"]: r["reason"] for r in rejects}
    assert "400 KB" in reasons[7] and "empty" in reasons[13]
    assert reasons[21].startswith("ValidationException")        # DynamoDB's own answer, through the proxy


def fault_summary(proxy: DynamoDBProxy) -> str:
    return ", ".join(f"{kind} {proxy.count(kind)}" for kind in KINDS) + f", requests {proxy.count('request')}"


def test_write_job_with_20_percent_faults_adds_up(faulty, upstream, unique_table_name, tmp_path, capsys):
    proxy, env = faulty
    create_table(upstream.client(), unique_table_name)
    external(env, "dst", unique_table_name)
    env.run("SET dynamodb.throughput.write=4000")                 # a 2000 WCU/s budget: each throttle halves it
    proxy.faults = FaultPlan(rate=0.2, seed=11)
    _, cursor = env.run(f"INSERT INTO TABLE dst {source_sql(ROWS)}")
    proxy.faults = FaultPlan()
    report = report_of(cursor.messages)
    with capsys.disabled():
        print(f"\n[faults] put: {report}; proxy: {fault_summary(proxy)}; {cursor.messages[-1]}")
    assert report["rows"] == ROWS == report["written"] + report["skipped"] + report["rejected"] + report["duplicates"]
    assert cursor.rowcount == report["written"] == ROWS - len(BAD)
    check_rejects(tmp_path, report)
    items = scan(upstream.client(), unique_table_name)
    assert set(items) == {expected_key(i) for i in range(ROWS)} - {None}
    assert all(items[f"k{i}"] == {"id": {"S": f"k{i}"}, "n": {"N": str(i)}, "body": {"S": f"row {i}"}}
               for i in range(ROWS) if i not in BAD)
    assert all(proxy.count(kind) > 0 for kind in KINDS)           # every kind of fault happened


def test_insert_if_absent_with_faults_counts_skipped_rows(faulty, upstream, unique_table_name, tmp_path, capsys):
    proxy, env = faulty
    client = upstream.client()
    create_table(client, unique_table_name)
    rows = 1000                                                    # one PutItem each: slower than batches
    existing = {f"k{i}" for i in range(0, rows, 5) if i not in BAD}       # 200 items already there
    for start in range(0, len(existing), 25):
        chunk = sorted(existing)[start:start + 25]
        client.batch_write_item(RequestItems={unique_table_name: [
            {"PutRequest": {"Item": {"id": {"S": k}, "body": {"S": "before"}}}} for k in chunk]})
    external(env, "dst", unique_table_name)
    env.run("SET ddbsql.write.mode=insert-if-absent")
    env.run("SET dynamodb.throughput.write=4000")
    proxy.faults = FaultPlan(rate=0.2, seed=12)
    _, cursor = env.run(f"INSERT INTO TABLE dst {source_sql(rows)}")
    proxy.faults = FaultPlan()
    report = report_of(cursor.messages)
    with capsys.disabled():
        print(f"\n[faults] insert-if-absent: {report}; proxy: {fault_summary(proxy)}")
    assert report["rows"] == rows == report["written"] + report["skipped"] + report["rejected"]
    check_rejects(tmp_path, report)
    items = scan(client, unique_table_name)
    assert set(items) == {expected_key(i) for i in range(rows)} - {None}
    assert all(items[k]["body"] == {"S": "before"} for k in existing)   # left alone
    # A reset after the item was written upstream: the retry finds the item there.  The
    # writer asks DynamoDB for the item that failed the condition and counts the row as
    # written when that item is exactly the row it was putting.
    assert proxy.count("reset_after", "PutItem") > 0
    assert report["skipped"] == len(existing)
    assert report["written"] == rows - len(BAD) - len(existing) == cursor.rowcount


def fill(client, name: str, count: int, body: str = "y" * 900) -> None:
    for start in range(0, count, 25):
        request = {name: [{"PutRequest": {"Item": {"id": {"S": f"k{i}"}, "n": {"N": str(i)}, "body": {"S": body}}}}
                          for i in range(start, min(count, start + 25))]}
        while request:
            request = client.batch_write_item(RequestItems=request).get("UnprocessedItems") or {}


def test_reads_with_faults_equal_the_fault_free_answers(faulty, upstream, unique_table_name, capsys):
    proxy, env = faulty
    client = upstream.client()
    create_table(client, unique_table_name)
    fill(client, unique_table_name, 2000)                         # ~1 KB each
    truth = sorted((int(i["n"]["N"]), i["id"]["S"], i["body"]["S"]) for i in scan(client, unique_table_name).values())
    external(env, "src", unique_table_name)
    # a small read budget and many segments make small pages: many requests for the faults to hit
    env.run("SET dynamodb.throughput.read=100")
    env.run("SET dynamodb.throughput.read.percent=1.0")
    env.run("SET dynamodb.scan.segments=8")
    proxy.faults = FaultPlan(rate=0.2, seed=13)
    count = env.rows("SELECT count(*) FROM src")
    rows = env.rows("SELECT n, id, body FROM src ORDER BY n")
    keys = ", ".join(f"'k{i}'" for i in range(0, 2000, 7))
    looked_up = env.rows(f"SELECT n FROM src WHERE id IN ({keys}) ORDER BY n")
    proxy.faults = FaultPlan()
    with capsys.disabled():
        print(f"\n[faults] reads: proxy: {fault_summary(proxy)}; Scan requests {proxy.count('request', 'Scan')}, "
              f"BatchGetItem requests {proxy.count('request', 'BatchGetItem')}")
    assert count == [(2000,)]
    assert rows == truth
    assert looked_up == [(i,) for i in range(0, 2000, 7)]
    assert proxy.count("request", "Scan") >= 30
    assert sum(proxy.count(kind, "Scan") for kind in KINDS) >= 3


def seconds_of(proxy: DynamoDBProxy, table: str) -> list[float]:
    """WCU consumed in each second from the first second with a write."""
    record = proxy.record.per_second(table, WRITE)
    first = next(i for i, v in enumerate(record) if v > 0)
    return record[first:]


def test_capacity_raised_mid_run_is_followed(upstream, unique_table_name, tmp_path, capsys):
    client = upstream.client()
    create_table(client, unique_table_name, rcu=20, wcu=20)
    proxy = start_proxy(upstream, burst_seconds=5)
    conn = open_connection(Upstream(proxy.url), tmp_path)
    env = Env(Upstream(proxy.url), conn, tmp_path)
    try:
        external(env, "dst", unique_table_name)
        env.run("SET dynamodb.throughput.write.percent=1.0")
        env.run("SET ddbsql.capacity.refresh.seconds=2")
        raised_at = proxy.once_consumed(unique_table_name, WRITE, 140,                # ~6 s at 20 WCU/s
                                        lambda: proxy.set_capacity(unique_table_name, rcu=20, wcu=60))
        _, cursor = env.run("INSERT INTO TABLE dst SELECT concat('k', cast(i AS string)), i, 'x' "
                            "FROM (SELECT explode(sequence(1, 850)) AS i) t")
    finally:
        conn.close()
        proxy.stop()
    record = proxy.record.per_second(unique_table_name, WRITE)
    change = int(raised_at[0])
    before = record[change - 5:change]
    follow = next(s for s in range(change, len(record) - 2) if sum(record[s:s + 3]) / 3 >= 0.85 * 60)
    after = record[follow:-1]
    with capsys.disabled():
        print(f"\n[faults] capacity 20 -> 60 WCU at second {raised_at[0]:.1f}: per second {record}; followed "
              f"after {follow - change} s; capacity throttles {proxy.count('capacity_throttle')}")
    assert cursor.rowcount == 850
    assert sum(before) / len(before) == pytest.approx(20, rel=0.15)
    assert follow - change <= 3 * 2 + 1                           # a few refresh intervals
    assert sum(after) / len(after) == pytest.approx(60, rel=0.15)
    assert len(scan(client, unique_table_name)) == 850


def test_no_throttle_reaches_the_user_at_half_the_capacity(upstream, unique_table_name, tmp_path, capsys):
    client = upstream.client()
    create_table(client, unique_table_name, rcu=100, wcu=100)
    proxy = start_proxy(upstream, burst_seconds=1)                  # hardly any burst to lean on
    conn = open_connection(Upstream(proxy.url), tmp_path)
    env = Env(Upstream(proxy.url), conn, tmp_path)
    try:
        external(env, "dst", unique_table_name)
        env.run("SET dynamodb.throughput.write.percent=0.5")
        started = time.monotonic()
        _, cursor = env.run("INSERT INTO TABLE dst SELECT concat('k', cast(i AS string)), i, 'x' "
                            "FROM (SELECT explode(sequence(1, 900)) AS i) t")
        elapsed = time.monotonic() - started
    finally:
        conn.close()
        proxy.stop()
    per_second = seconds_of(proxy, unique_table_name)
    steady = per_second[2:-1]
    with capsys.disabled():
        print(f"\n[faults] 100 WCU provisioned, write.percent 0.5: 900 rows in {elapsed:.1f} s; per second "
              f"{per_second}; steady {sum(steady) / len(steady):.1f} WCU/s, peak {max(per_second):.0f}; "
              f"capacity throttles {proxy.count('capacity_throttle')}; {cursor.messages[-1]}")
    assert cursor.rowcount == 900
    assert proxy.count("capacity_throttle") == 0
    assert "throttled" not in cursor.messages[-1]
    assert sum(steady) / len(steady) == pytest.approx(50, rel=0.1)
    # a second can hold its budget plus one request (a worker's share: 12.5 WCU) of jitter
    assert max(steady) <= 50 * 1.25
