"""The small-scale inputs of docs/scale.md, measured: Spark over DynamoDB Local.

    .venv/bin/python -m bench.spark_rate [--items 6000] [--segments 2] [--wcu 200]

(a) read: every item of an on-demand table through format ddbsql with an unlimited
    budget, ``--segments`` partitions on local[2]: items/s, per partition, and the
    read units DynamoDB charged per item;
(b) write: the same rows into a provisioned table at ``--wcu`` x 1.0 from 2 tasks:
    WCU/s against the budget, measured by the job report and by counting items.
DynamoDB Local never throttles and runs on the same 2 cores as Spark, so (a) is a
floor for one machine, not DynamoDB's speed.
"""
from __future__ import annotations

import argparse
import os
import time

import boto3

from .servers import make_table, start_server


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=6000)
    parser.add_argument("--segments", type=int, default=2)
    parser.add_argument("--wcu", type=int, default=200)
    args = parser.parse_args()
    os.environ.update(AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench", AWS_DEFAULT_REGION="us-east-1")
    server = start_server("dynamodb-local")
    import ddbsql.spark

    spark = ddbsql.spark.local_session("local[2]", "ddbsql-bench")
    registration = ddbsql.spark.register(spark)
    try:
        client = boto3.client("dynamodb", endpoint_url=server.url, region_name="us-east-1")
        source = f"bench_src_{int(time.time())}"
        make_table(client, source)
        body = "x" * 900                                       # ~1 KB items: 1 WCU each
        for start in range(0, args.items, 25):
            request = {source: [{"PutRequest": {"Item": {"id": {"S": f"k{i}"}, "n": {"N": str(i)},
                                                         "body": {"S": body}}}}
                                for i in range(start, min(args.items, start + 25))]}
            while request:
                request = client.batch_write_item(RequestItems=request).get("UnprocessedItems") or {}
        options = {"columns": "id string, n bigint, body string", "endpoint": server.url, "region": "us-east-1",
                   "dynamodb.throughput.read": "1000000", "dynamodb.throughput.read.percent": "1.0"}
        frame = spark.read.format("ddbsql").options(**options, **{"dynamodb.table.name": source},
                                                     segments=str(args.segments)).load()
        frame.count()                                          # warm the Python workers
        started = time.monotonic()
        count = spark.read.format("ddbsql").options(**options, **{"dynamodb.table.name": source},
                                                     segments=str(args.segments)).load().count()
        elapsed = time.monotonic() - started
        rate = count / elapsed
        print(f"(a) read {count} items of ~1 KB in {elapsed:.1f} s with {args.segments} partitions on local[2]: "
              f"{rate:,.0f} items/s, {rate / args.segments:,.0f} items/s per partition "
              f"(0.125 RCU per item eventually consistent: {rate * 0.125:,.0f} RCU/s)")

        target = f"bench_dst_{int(time.time())}"
        client.create_table(TableName=target, KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                            ProvisionedThroughput={"ReadCapacityUnits": 1000, "WriteCapacityUnits": args.wcu})
        client.get_waiter("table_exists").wait(TableName=target, WaiterConfig={"Delay": 0.2})
        started = time.monotonic()
        (frame.repartition(2).write.format("ddbsql").mode("append")
         .options(**{k: v for k, v in options.items() if not k.startswith("dynamodb.throughput")})
         .option("dynamodb.table.name", target).option("dynamodb.throughput.write.percent", "1.0").save())
        elapsed = time.monotonic() - started
        report = registration.reports[-1]
        print(f"(b) write {report['written']} items from {report['tasks']} tasks at a budget of {report['budget']:g} "
              f"WCU/s: {report['rate']:.1f} WCU/s over {report['wall_seconds']:.1f} s of task time "
              f"({report['rate'] / report['budget'] * 100:.1f} % of budget); {elapsed:.1f} s with Spark's overhead")
    finally:
        registration.close()
        spark.stop()
        server.stop()


if __name__ == "__main__":
    main()
