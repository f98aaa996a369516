"""Table-to-table copy rate: ddbsql ``INSERT INTO dst SELECT * FROM src`` against a plain
boto3 copy (paginated Scan + ``batch_writer``) of the same table, on the same server.

    python -m bench.copy_rate [--items 20000] [--server dynamodb-local|moto]

Prints items/s of each and ddbsql's ratio to the baseline.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import boto3

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import ddbsql  # noqa: E402
from bench.servers import make_table, start_server  # noqa: E402

CREDENTIALS = {"aws_access_key_id": "bench", "aws_secret_access_key": "bench", "region_name": "us-east-1"}


def fill(resource_table, items: int) -> None:
    with resource_table.batch_writer() as writer:
        for i in range(items):
            writer.put_item(Item={"id": f"item-{i:08d}", "n": i, "price": f"{i % 1000}.{i % 100:02d}",
                                  "name": f"product number {i}", "flag": i % 2 == 0})


def boto3_copy(client, src: str, dst: str) -> int:
    """The usual script: paginated Scan, 25-item BatchWriteItem, unprocessed items re-sent."""
    count = 0
    for page in client.get_paginator("scan").paginate(TableName=src):
        items = page["Items"]
        for start in range(0, len(items), 25):
            request = {dst: [{"PutRequest": {"Item": item}} for item in items[start:start + 25]]}
            while request:
                request = client.batch_write_item(RequestItems=request).get("UnprocessedItems") or {}
        count += len(items)
    return count


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=20000)
    parser.add_argument("--server", choices=["dynamodb-local", "moto"], default="dynamodb-local")
    args = parser.parse_args()
    server = start_server(args.server)
    try:
        client = boto3.client("dynamodb", endpoint_url=server.url, **CREDENTIALS)
        resource = boto3.resource("dynamodb", endpoint_url=server.url, **CREDENTIALS)
        for name in ("bench_src", "bench_dst_boto3", "bench_dst_ddbsql"):
            make_table(client, name)
        fill(resource.Table("bench_src"), args.items)

        started = time.perf_counter()
        copied = boto3_copy(client, "bench_src", "bench_dst_boto3")
        baseline = copied / (time.perf_counter() - started)

        with tempfile.TemporaryDirectory() as home:
            conn = ddbsql.connect(endpoint_url=server.url, region="us-east-1", metastore=Path(home) / "m.db")
            cur = conn.cursor()
            for hive, ddb in (("src", "bench_src"), ("dst", "bench_dst_ddbsql")):
                cur.execute(f"""CREATE EXTERNAL TABLE {hive} (id string, n bigint, price decimal(10,2),
                                name string, flag boolean)
                                STORED BY 'org.apache.hadoop.hive.dynamodb.DynamoDBStorageHandler'
                                TBLPROPERTIES ("dynamodb.table.name" = "{ddb}")""")
            started = time.perf_counter()
            cur.execute("INSERT INTO TABLE dst SELECT * FROM src")
            elapsed = time.perf_counter() - started
            written = cur.rowcount
            conn.close()
        rate = written / elapsed
        print(f"server: {args.server}, items: {args.items}")
        print(f"boto3 Scan + BatchWriteItem copy: {baseline:10.0f} items/s  (baseline)")
        print(f"ddbsql INSERT … SELECT copy    : {rate:10.0f} items/s  ratio {rate / baseline:.2f}x")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
