"""What a new user meets with no tuning, against baselines measured in the same run on
DynamoDB Local:

* a full-table aggregate (``SELECT count(*), sum(elev), max(name) FROM t``) with default
  settings, against the raw floor (8 Scan segments of SigV4-signed HTTP, bodies parsed
  for their count, no typing) and the boto3 path (8 threads of ``client.scan`` +
  ``TypeDeserializer`` + ``pa.Table.from_pylist``);
* start-up: median wall time of ``ddbsql -e "select 1"``;
* a default table copy (``INSERT INTO dst SELECT * FROM src``) against a plain boto3 copy,
  with the budget line ddbsql printed.

    python -m bench.defaults [--items 100000] [--copy-items 10000] [--repeat 3]
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import boto3

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import ddbsql  # noqa: E402
from bench.copy_rate import boto3_copy  # noqa: E402
from bench.fastpath import _floor_page, boto3_client, boto3_rows_to_arrow, segmented  # noqa: E402
from bench.servers import make_table, start_server  # noqa: E402

CREDENTIALS = {"aws_access_key_id": "bench", "aws_secret_access_key": "bench", "region_name": "us-east-1"}
HANDLER = "'org.apache.hadoop.hive.dynamodb.DynamoDBStorageHandler'"
QUERY = "SELECT count(*), sum(elev), max(name) FROM t"


def fill(client, table: str, items: int) -> None:
    """``items`` items of ~83 bytes, written by 8 threads."""
    def chunk(start: int) -> None:
        request = {table: [{"PutRequest": {"Item": {"id": {"S": f"station-{i:07d}"}, "elev": {"N": str(i % 4000)},
                                                    "name": {"S": f"weather station {i:07d}"}}}}
                           for i in range(start, min(items, start + 25))]}
        while request:
            request = client.batch_write_item(RequestItems=request).get("UnprocessedItems") or {}
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(chunk, range(0, items, 25)))


def best_of(repeat: int, run) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return min(times)


def ddbsql_query(url: str, home: Path) -> tuple[float, str]:
    """Seconds of the default aggregate in a fresh connection; the read budget EXPLAIN names."""
    conn = ddbsql.connect(endpoint_url=url, region="us-east-1", metastore=home / "m.db")
    cur = conn.cursor()
    cur.execute(f"""CREATE EXTERNAL TABLE IF NOT EXISTS t (id string, elev bigint, name string) STORED BY {HANDLER}
                    TBLPROPERTIES ("dynamodb.table.name" = "bench_defaults")""")
    cur.execute("EXPLAIN " + QUERY)
    plan = {key: value for _, key, value in cur.fetchall()}
    budget, operation = plan.get("read budget", ""), plan.get("operation", "")
    started = time.perf_counter()
    cur.execute(QUERY)
    cur.fetchall()
    elapsed = time.perf_counter() - started
    conn.close()
    return elapsed, f"{operation}; read budget {budget}"


def startup(repeat: int) -> float:
    command = [sys.executable, "-m", "ddbsql", "-e", "select 1"]
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def copy(url: str, client, items: int, home: Path) -> tuple[float, float, str]:
    resource = boto3.resource("dynamodb", endpoint_url=url, **CREDENTIALS)
    for name in ("bench_copy_src", "bench_copy_boto3", "bench_copy_ddbsql"):
        make_table(client, name)
    fill(client, "bench_copy_src", items)
    del resource
    started = time.perf_counter()
    copied = boto3_copy(client, "bench_copy_src", "bench_copy_boto3")
    baseline = copied / (time.perf_counter() - started)
    conn = ddbsql.connect(endpoint_url=url, region="us-east-1", metastore=home / "copy.db")
    cur = conn.cursor()
    for hive, ddb in (("src", "bench_copy_src"), ("dst", "bench_copy_ddbsql")):
        cur.execute(f"""CREATE EXTERNAL TABLE {hive} (id string, elev bigint, name string) STORED BY {HANDLER}
                        TBLPROPERTIES ("dynamodb.table.name" = "{ddb}")""")
    started = time.perf_counter()
    cur.execute("INSERT INTO TABLE dst SELECT * FROM src")
    rate = cur.rowcount / (time.perf_counter() - started)
    budget = next((m for m in cur.messages if m.startswith("Write capacity")), "")
    conn.close()
    return baseline, rate, budget


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--copy-items", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    server = start_server("dynamodb-local")
    try:
        client = boto3.client("dynamodb", endpoint_url=server.url, **CREDENTIALS)
        make_table(client, "bench_defaults")
        fill(client, "bench_defaults", args.items)
        floor_page = _floor_page(server.url)
        floor = best_of(args.repeat, lambda: segmented(8, "bench_defaults", floor_page))
        b3 = boto3_client(server.url)

        def boto3_page(params):
            response = b3.scan(**params)
            return boto3_rows_to_arrow(response["Items"]).num_rows, response.get("LastEvaluatedKey")

        boto3_time = best_of(args.repeat, lambda: segmented(8, "bench_defaults", boto3_page))
        with tempfile.TemporaryDirectory() as home:
            runs = [ddbsql_query(server.url, Path(home)) for _ in range(args.repeat)]
            ours, plan = min(r[0] for r in runs), runs[0][1]
            start = startup(args.repeat)
            baseline, rate, budget = copy(server.url, client, args.copy_items, Path(home))
        print(f"DynamoDB Local, {args.items} items of ~83 B, on-demand table, default settings (best of {args.repeat})")
        print(f"raw floor (8 segments, signed HTTP): {floor:6.2f} s  (baseline)")
        print(f"boto3 path (8 threads)             : {boto3_time:6.2f} s  floor/boto3 {floor / boto3_time:.2f}x")
        print(f"ddbsql {QUERY}: {ours:6.2f} s  {ours / floor:.2f}x the floor's time, "
              f"{boto3_time / ours:.2f}x faster than boto3")
        print(f"  plan: {plan}")
        print(f"start-up (ddbsql -e 'select 1', median): {start:.2f} s (target <= 1 s)")
        print(f"copy of {args.copy_items} items: boto3 {baseline:8.0f} items/s (baseline); ddbsql default "
              f"{rate:8.0f} items/s, ratio {rate / baseline:.2f}x")
        print(f"  {budget}")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
