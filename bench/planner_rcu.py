"""What reads cost: consumed RCU of a key lookup, a range query, an index query, a
filtered scan and a full scan of a 10 000-item table on DynamoDB Local, each with
EXPLAIN's estimate next to EXPLAIN ANALYZE's measurement (DynamoDB Local's own
ConsumedCapacity), before and after ``ANALYZE TABLE``.

    python -m bench.planner_rcu [--items 10000] [--customers 250]

Prints one line per query, then the ratio of a key lookup's RCU to a full scan's.
"""
from __future__ import annotations

import argparse
import random
import sys
import tempfile
from pathlib import Path

import boto3

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import ddbsql  # noqa: E402
from bench.servers import start_server  # noqa: E402

CREDENTIALS = {"aws_access_key_id": "bench", "aws_secret_access_key": "bench", "region_name": "us-east-1"}
TABLE = "bench_orders"
STATUSES = ["new", "paid", "shipped", "returned"]


def create_and_fill(client, items: int, customers: int) -> None:
    """Orders by Customer (S) and OrderNo (N), ~400 bytes each; GSI by_status (Status, Placed)."""
    client.create_table(
        TableName=TABLE, BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "Customer", "KeyType": "HASH"}, {"AttributeName": "OrderNo", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": n, "AttributeType": t} for n, t in
                              (("Customer", "S"), ("OrderNo", "N"), ("Status", "S"), ("Placed", "S"))],
        GlobalSecondaryIndexes=[{"IndexName": "by_status", "Projection": {"ProjectionType": "ALL"},
                                 "KeySchema": [{"AttributeName": "Status", "KeyType": "HASH"},
                                               {"AttributeName": "Placed", "KeyType": "RANGE"}]}])
    client.get_waiter("table_exists").wait(TableName=TABLE, WaiterConfig={"Delay": 0.2})
    rng = random.Random(1)
    batch = []
    for i in range(items):
        item = {"Customer": {"S": f"c{i % customers:04d}"}, "OrderNo": {"N": str(i)},
                "Status": {"S": rng.choice(STATUSES)},
                "Placed": {"S": f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T{rng.randint(0, 23):02d}:00:00"},
                "Total": {"N": str(rng.randint(1, 100_000) / 100)},
                "Note": {"S": "".join(rng.choice("abcdefghij ") for _ in range(rng.randint(250, 350)))}}
        batch.append({"PutRequest": {"Item": item}})
        if len(batch) == 25 or i == items - 1:
            request = {TABLE: batch}
            while request:
                request = client.batch_write_item(RequestItems=request).get("UnprocessedItems") or {}
            batch = []


def explain_analyze(cursor, sql: str) -> dict[str, str]:
    cursor.execute("EXPLAIN ANALYZE " + sql)
    rows = cursor.fetchall()
    source = next(s for s, _, _ in rows if s != "DuckDB")
    return {p: v for s, p, v in rows if s == source}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--customers", type=int, default=250)
    args = parser.parse_args()
    server = start_server("dynamodb-local")
    try:
        client = boto3.client("dynamodb", endpoint_url=server.url, **CREDENTIALS)
        create_and_fill(client, args.items, args.customers)
        per_customer = args.items // args.customers
        c = f"c{42:04d}"
        first = 42
        queries = [
            ("key lookup (GetItem)", f"SELECT * FROM orders WHERE customer = '{c}' AND order_no = {first}"),
            ("range query", f"SELECT * FROM orders WHERE customer = '{c}' AND order_no BETWEEN "
                            f"{first} AND {first + args.customers * (per_customer // 2)}"),
            ("index query", "SELECT * FROM orders WHERE status = 'returned' AND placed >= '2024-10'"),
            ("filtered scan", "SELECT order_no FROM orders WHERE total > 900"),
            ("full scan", "SELECT * FROM orders"),
        ]
        with tempfile.TemporaryDirectory() as tmp:
            conn = ddbsql.connect(endpoint_url=server.url, region="us-east-1", metastore=Path(tmp) / "m.db")
            cursor = conn.cursor()
            cursor.execute(f"""CREATE EXTERNAL TABLE orders (customer string, order_no bigint, status string,
                                   placed string, total decimal(10,2), note string)
                               STORED BY 'org.apache.hadoop.hive.dynamodb.DynamoDBStorageHandler'
                               TBLPROPERTIES ("dynamodb.table.name" = "{TABLE}", "dynamodb.column.mapping" =
                               "customer:Customer,order_no:OrderNo,status:Status,placed:Placed,total:Total,note:Note")""")
            measured: dict[str, float] = {}
            for phase in ("before ANALYZE", "after ANALYZE"):
                if phase == "after ANALYZE":
                    cursor.execute("ANALYZE TABLE orders COMPUTE STATISTICS")
                    print("  " + "\n  ".join(cursor.messages))
                print(f"\n{phase}:")
                print(f"  {'query':<22} {'operation':<32} {'est. RCU':>9} {'measured':>9} {'est/meas':>9}")
                for label, sql in queries:
                    plan = explain_analyze(cursor, sql)
                    rcu = float(plan["measured RCU (ConsumedCapacity)"])
                    measured[label] = rcu
                    print(f"  {label:<22} {plan['operation'][:32]:<32} {plan['estimated RCU']:>9} "
                          f"{rcu:>9g} {plan.get('estimated / measured RCU', '-'):>9}")
            conn.close()
        ratio = measured["key lookup (GetItem)"] / measured["full scan"]
        print(f"\nkey lookup / full scan RCU: {measured['key lookup (GetItem)']:g} / {measured['full scan']:g} "
              f"= {ratio:.4%} (target <= 1 %)")
        ratio = measured["range query"] / measured["full scan"]
        print(f"range query / full scan RCU: {ratio:.4%}")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
