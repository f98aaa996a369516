"""Write throughput within a budget, through the capacity-enforcing proxy
(``tests/support/ddb_proxy.py``) in front of DynamoDB Local.

    python -m bench.write_budget [--items 20000] [--wcu 100] [--percent 0.5] [--burst 1] [--quick]

1. ddbsql ``INSERT INTO dst SELECT * FROM src`` into a table provisioned with ``--wcu``
   at ``dynamodb.throughput.write.percent=--percent``: the achieved WCU/s (whole job and
   steady part) against the target, the largest 1-second consumption, the throttles the
   proxy returned and ddbsql's retries.
2. The same budget for boto3 and ddbsql: a table provisioned with wcu x percent, the
   proxy enforcing it; boto3 ``Table.batch_writer()`` (throttled by the proxy, retrying
   by itself) and ddbsql at ``write.percent=1.0``; both throughputs and their ratio.

Consumed capacity is what the proxy recorded per second.  The source table is filled
directly in DynamoDB Local and is on-demand (not limited by the proxy).
"""
from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
import time
from pathlib import Path

import boto3

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import ddbsql  # noqa: E402
from bench.copy_rate import fill  # noqa: E402
from bench.servers import make_table, start_server  # noqa: E402
from support.ddb_capacity import THROTTLE, WRITE  # noqa: E402
from support.ddb_proxy import DynamoDBProxy  # noqa: E402

CREDENTIALS = {"aws_access_key_id": "bench", "aws_secret_access_key": "bench", "region_name": "us-east-1"}
COLUMNS = "id string, n bigint, price decimal(10,2), name string, flag boolean"


def provisioned(client, name: str, wcu: int) -> None:
    client.create_table(TableName=name, KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                        ProvisionedThroughput={"ReadCapacityUnits": wcu, "WriteCapacityUnits": wcu})
    client.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 0.2})


class Run:
    """One copy's figures, from the proxy's per-second record of the target table."""

    def __init__(self, proxy: DynamoDBProxy, table: str, items: int, elapsed: float, budget: float,
                 retries: str = ""):
        record = proxy.record.per_second(table, WRITE)
        first = next((i for i, v in enumerate(record) if v > 0), 0)
        self.seconds = record[first:]
        self.items, self.elapsed, self.budget, self.retries = items, elapsed, budget, retries
        self.consumed = sum(self.seconds)
        self.throttles = int(proxy.record.total(table, THROTTLE))
        self.steady = self.seconds[2:-1] or self.seconds       # without the first seconds and the last one

    @property
    def rate(self) -> float:
        return self.consumed / self.elapsed

    @property
    def steady_rate(self) -> float:
        return sum(self.steady) / len(self.steady)

    def lines(self, label: str) -> list[str]:
        peak_all, peak_steady = max(self.seconds), max(self.steady)
        ok = lambda flag: "yes" if flag else "NO"  # noqa: E731
        return [
            f"{label}",
            f"  whole job     : {self.items} items, {self.consumed:,.0f} WCU in {self.elapsed:.1f} s = "
            f"{self.rate:.1f} WCU/s = {self.rate / self.budget:.3f} x {self.budget:g} "
            f"(within ±10 %: {ok(abs(self.rate / self.budget - 1) <= 0.10)})",
            f"  steady part   : {self.steady_rate:.1f} WCU/s = {self.steady_rate / self.budget:.3f} x budget "
            f"(within ±10 %: {ok(abs(self.steady_rate / self.budget - 1) <= 0.10)})",
            f"  1-second peak : {peak_all:.0f} WCU = {100 * peak_all / self.budget:.0f} % of budget over the whole "
            f"job, {peak_steady:.0f} WCU = {100 * peak_steady / self.budget:.0f} % after the first 2 s "
            f"(≤ 120 %: {ok(peak_all <= 1.2 * self.budget)} / {ok(peak_steady <= 1.2 * self.budget)})",
            f"  throttles returned by the proxy: {self.throttles}" + (f"; {self.retries}" if self.retries else ""),
        ]


def ddbsql_copy(proxy: DynamoDBProxy, home: Path, dst: str, percent: float, items: int, budget: float) -> Run:
    conn = ddbsql.connect(endpoint_url=proxy.url, region="us-east-1", metastore=home / f"{dst}.db",
                          hiveconf={"ddbsql.reject.dir": str(home / "rejects")})
    cur = conn.cursor()
    for hive, ddb in (("src", "bench_src"), ("dst", dst)):
        cur.execute(f"""CREATE EXTERNAL TABLE {hive} ({COLUMNS})
                        STORED BY 'org.apache.hadoop.hive.dynamodb.DynamoDBStorageHandler'
                        TBLPROPERTIES ("dynamodb.table.name" = "{ddb}")""")
    cur.execute(f"SET dynamodb.throughput.write.percent={percent}")
    started = time.perf_counter()
    cur.execute("INSERT INTO TABLE dst SELECT * FROM src")
    elapsed = time.perf_counter() - started
    assert cur.rowcount == items, cur.messages
    capacity = cur.messages[-1]
    found = re.search(r"(\d+) request\(s\) retried \((\d+) throttled\), (\d+) unprocessed", capacity)
    retries = (f"ddbsql retried {found.group(1)} request(s) ({found.group(2)} throttled), re-sent "
               f"{found.group(3)} unprocessed item(s)" if found else "ddbsql retried 0 requests")
    conn.close()
    return Run(proxy, dst, items, elapsed, budget, retries)


def boto3_copy(proxy: DynamoDBProxy, dst: str, items: int, budget: float) -> Run:
    """The usual script: paginated Scan, ``batch_writer`` (re-sends unprocessed items;
    botocore retries throttling with its own backoff)."""
    resource = boto3.resource("dynamodb", endpoint_url=proxy.url, **CREDENTIALS)
    source, table = resource.Table("bench_src"), resource.Table(dst)
    started = time.perf_counter()
    count, params = 0, {}
    with table.batch_writer() as writer:
        while True:
            page = source.scan(**params)
            for item in page["Items"]:
                writer.put_item(Item=item)
                count += 1
            if "LastEvaluatedKey" not in page:
                break
            params["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    elapsed = time.perf_counter() - started
    assert count == items
    return Run(proxy, dst, items, elapsed, budget)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--items", type=int, default=20000)
    parser.add_argument("--wcu", type=int, default=100, help="provisioned WCU of the first target")
    parser.add_argument("--percent", type=float, default=0.5, help="dynamodb.throughput.write.percent")
    parser.add_argument("--burst", type=float, default=1.0, help="seconds of unused capacity the proxy keeps")
    parser.add_argument("--quick", action="store_true", help="2000 items")
    args = parser.parse_args()
    items = 2000 if args.quick else args.items
    for key, value in (("AWS_ACCESS_KEY_ID", "bench"), ("AWS_SECRET_ACCESS_KEY", "bench")):
        os.environ.setdefault(key, value)
    budget = args.wcu * args.percent
    server = start_server("dynamodb-local")
    proxy = DynamoDBProxy(server.url, burst_seconds=args.burst).start()
    try:
        upstream = boto3.client("dynamodb", endpoint_url=server.url, **CREDENTIALS)
        make_table(upstream, "bench_src")
        fill(boto3.resource("dynamodb", endpoint_url=server.url, **CREDENTIALS).Table("bench_src"), items)
        provisioned(upstream, "bench_dst_budget", args.wcu)
        for name in ("bench_dst_boto3", "bench_dst_ddbsql"):
            provisioned(upstream, name, max(1, round(budget)))
        print(f"DynamoDB Local behind the proxy (burst {args.burst:g} s); {items} items of ~100 B (1 WCU each)",
              flush=True)
        with tempfile.TemporaryDirectory() as home:
            first = ddbsql_copy(proxy, Path(home), "bench_dst_budget", args.percent, items, budget)
            print("\n".join(first.lines(f"ddbsql INSERT … SELECT, {args.wcu} WCU provisioned x write.percent "
                                        f"{args.percent:g} = {budget:g} WCU/s target")), flush=True)
            throttles_before = proxy.count("capacity_throttle")
            baseline = boto3_copy(proxy, "bench_dst_boto3", items, budget)
            baseline.retries = (f"boto3 was refused {proxy.count('capacity_throttle') - throttles_before} time(s) "
                                f"and retried by itself")
            print("\n".join(baseline.lines(f"same budget: {budget:g} WCU provisioned, the proxy enforcing it\n"
                                           f"boto3 Table.batch_writer()")), flush=True)
            matched = ddbsql_copy(proxy, Path(home), "bench_dst_ddbsql", 1.0, items, budget)
            print("\n".join(matched.lines("ddbsql INSERT … SELECT, write.percent 1.0")), flush=True)
        print(f"throughput at {budget:g} WCU/s: boto3 {baseline.items / baseline.elapsed:.1f} items/s, "
              f"ddbsql {matched.items / matched.elapsed:.1f} items/s; "
              f"ratio ddbsql/boto3 {baseline.elapsed / matched.elapsed:.2f}x")
    finally:
        proxy.stop()
        server.stop()


if __name__ == "__main__":
    main()
