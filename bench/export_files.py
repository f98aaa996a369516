"""Export rate and peak memory: ddbsql writing a DynamoDB table to files against the usual
script (paginated boto3 Scan + ``TypeDeserializer`` + a pyarrow Parquet writer), then the
round trip back into DynamoDB checked item for item.

    python -m bench.export_files [--items 100000] [--server dynamodb-local|moto] [--skip-import]

Each export runs in its own process (so its peak RSS is its own), against the same table
on the same server, writing to a local folder; the rate is measured over the data
movement only (not interpreter and connection start-up).  Prints rows/s, peak RSS and the ratio to
the baseline for: ddbsql -> Parquet (typed columns), ddbsql -> DynamoDB export format
(whole items), ddbsql -> Parquet (whole items).  Then, unless ``--skip-import``, the
Parquet and export copies are loaded into fresh tables and compared with the source.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import boto3

from bench.servers import make_table, start_server

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

CREDENTIALS = {"aws_access_key_id": "bench", "aws_secret_access_key": "bench", "region_name": "us-east-1"}
HANDLER = "'org.apache.hadoop.hive.dynamodb.DynamoDBStorageHandler'"
#: local servers enforce no capacity: let ddbsql's governor use as much as they take
UNTHROTTLED = {"dynamodb.throughput.read": "1000000", "dynamodb.throughput.read.percent": "1",
               "dynamodb.throughput.write": "1000000", "dynamodb.throughput.write.percent": "1"}
TYPED = "id string, n bigint, price decimal(38,2), name string, flag boolean, tags array<string>"
MAPPING = '"dynamodb.type.mapping"="tags:SS"'


def fill(client, name: str, items: int) -> None:
    from concurrent.futures import ThreadPoolExecutor

    def put(start: int) -> None:
        batch = [{"PutRequest": {"Item": {
            "id": {"S": f"item-{i:08d}"}, "n": {"N": str(i)}, "price": {"N": f"{i % 100000}.{i % 100:02d}"},
            "name": {"S": f"product number {i}"}, "flag": {"BOOL": i % 2 == 0},
            "tags": {"SS": ["a", f"t{i % 7}"]}}}} for i in range(start, min(start + 25, items))]
        request = {name: batch}
        while request:
            request = client.batch_write_item(RequestItems=request).get("UnprocessedItems") or {}

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(put, range(0, items, 25)))


# --------------------------------------------------------------------------- child processes

def child_baseline(url: str, table: str, out: str) -> int:
    """The usual script: Scan pages, TypeDeserializer, pyarrow Table per page, ParquetWriter."""
    import pyarrow as pa
    import pyarrow.parquet as pq
    from boto3.dynamodb.types import TypeDeserializer

    client = boto3.client("dynamodb", endpoint_url=url, **CREDENTIALS)
    deserializer = TypeDeserializer()
    started = time.perf_counter()
    schema = pa.schema([("id", pa.string()), ("n", pa.int64()), ("price", pa.decimal128(38, 2)),
                        ("name", pa.string()), ("flag", pa.bool_()), ("tags", pa.list_(pa.string()))])
    rows = 0
    with pq.ParquetWriter(out, schema) as writer:
        for page in client.get_paginator("scan").paginate(TableName=table):
            records = []
            for item in page["Items"]:
                plain = {k: deserializer.deserialize(v) for k, v in item.items()}
                plain["tags"] = sorted(plain.get("tags", ()))
                records.append(plain)
            writer.write_table(pa.Table.from_pylist(records, schema=schema))
            rows += len(records)
    return rows, time.perf_counter() - started


def child_ddbsql(url: str, table: str, out: str, kind: str) -> int:
    import ddbsql

    with tempfile.TemporaryDirectory() as home:
        conn = ddbsql.connect(endpoint_url=url, region="us-east-1", metastore=Path(home) / "m.db",
                              allow_local_files=True, hiveconf={"ddbsql.reject.dir": str(Path(home) / "rej"), **UNTHROTTLED})
        cur = conn.cursor()
        columns = TYPED if kind == "parquet-typed" else "item map<string,string>"
        props = f", {MAPPING}" if kind == "parquet-typed" else ""
        cur.execute(f'CREATE EXTERNAL TABLE src ({columns}) STORED BY {HANDLER} '
                    f'TBLPROPERTIES ("dynamodb.table.name"="{table}"{props})')
        stored = "DYNAMODB_EXPORT" if kind == "export" else "PARQUET"
        cur.execute(f"CREATE EXTERNAL TABLE dst ({columns}) STORED AS {stored} LOCATION '{out}'"
                    + (f" TBLPROPERTIES ({MAPPING})" if kind == "parquet-typed" else ""))
        started = time.perf_counter()
        cur.execute("INSERT OVERWRITE TABLE dst SELECT * FROM src")
        elapsed = time.perf_counter() - started
        rows = cur.rowcount
        conn.close()
    return rows, elapsed


def child(argv: list[str]) -> None:
    what, url, table, out = argv
    rows, elapsed = child_baseline(url, table, out) if what == "baseline" else child_ddbsql(url, table, out, what)
    from bench.measure import peak_rss_mb

    print(json.dumps({"rows": rows, "seconds": elapsed, "peak_mb": peak_rss_mb()}))


def measure(what: str, url: str, table: str, out: str) -> dict:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-m", "bench.export_files", "--child", what, url, table, out],
                          capture_output=True, text=True, env=env, cwd=str(ROOT))
    if done.returncode:
        raise SystemExit(f"{what} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# --------------------------------------------------------------------------- round trip

def normal(value):
    """Items compared as DynamoDB compares them: set members in any order, numbers by value
    (moto keeps "0.00" as written where DynamoDB stores 0)."""
    from decimal import Decimal

    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if k == "N":
                out[k] = Decimal(v).normalize()
            elif k == "NS":
                out[k] = sorted(Decimal(x).normalize() for x in v)
            elif k in ("SS", "BS"):
                out[k] = sorted(v)
            else:
                out[k] = normal(v)
        return out
    if isinstance(value, list):
        return [normal(v) for v in value]
    return value


def scan_all(client, table: str) -> list[dict]:
    items = client.get_paginator("scan").paginate(TableName=table).build_full_result()["Items"]
    return sorted((normal(i) for i in items), key=lambda i: i["id"]["S"])


def round_trip(url: str, client, table: str, folder: Path) -> list[str]:
    import ddbsql

    lines = []
    source = scan_all(client, table)
    for kind, stored in (("export", "DYNAMODB_EXPORT"), ("parquet-items", "PARQUET")):
        name = f"bench_back_{kind.replace('-', '_')}"
        make_table(client, name)
        with tempfile.TemporaryDirectory() as home:
            conn = ddbsql.connect(endpoint_url=url, region="us-east-1", metastore=Path(home) / "m.db",
                                  allow_local_files=True, hiveconf={"ddbsql.reject.dir": str(Path(home) / "rej"), **UNTHROTTLED})
            cur = conn.cursor()
            cur.execute(f"CREATE EXTERNAL TABLE f (item map<string,string>) STORED AS {stored} "
                        f"LOCATION '{folder / kind}'")
            cur.execute(f'CREATE EXTERNAL TABLE d (item map<string,string>) STORED BY {HANDLER} '
                        f'TBLPROPERTIES ("dynamodb.table.name"="{name}")')
            started = time.perf_counter()
            cur.execute("INSERT INTO TABLE d SELECT * FROM f")
            elapsed = time.perf_counter() - started
            conn.close()
        back = scan_all(client, name)
        equal = back == source
        lines.append(f"re-import from {kind:<14}: {len(back)} items in {elapsed:.1f} s, "
                     f"{'equal to the source' if equal else 'DIFFERENT from the source'}")
    return lines


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2:])
        return
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--server", choices=["dynamodb-local", "moto"], default="dynamodb-local")
    parser.add_argument("--skip-import", action="store_true")
    args = parser.parse_args()
    server = start_server(args.server)
    try:
        client = boto3.client("dynamodb", endpoint_url=server.url, **CREDENTIALS)
        make_table(client, "bench_export_src")
        started = time.perf_counter()
        fill(client, "bench_export_src", args.items)
        print(f"server: {args.server}, items: {args.items} (filled in {time.perf_counter() - started:.1f} s)")
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            base = measure("baseline", server.url, "bench_export_src", str(folder / "baseline.parquet"))
            rate0 = base["rows"] / base["seconds"]
            print(f"{'boto3 Scan + TypeDeserializer + ParquetWriter':<46}: {rate0:9.0f} rows/s  "
                  f"peak {base['peak_mb']:6.0f} MB  (baseline)")
            for kind, label in (("parquet-typed", "ddbsql -> Parquet (typed columns)"),
                                ("export", "ddbsql -> DynamoDB export (whole items)"),
                                ("parquet-items", "ddbsql -> Parquet (whole items)")):
                got = measure(kind, server.url, "bench_export_src", str(folder / kind))
                rate = got["rows"] / got["seconds"]
                print(f"{label:<46}: {rate:9.0f} rows/s  peak {got['peak_mb']:6.0f} MB  "
                      f"ratio {rate / rate0:.2f}x")
            if not args.skip_import:
                for line in round_trip(server.url, client, "bench_export_src", folder):
                    print(line)
    finally:
        server.stop()


if __name__ == "__main__":
    main()
