"""DB-API ``executemany`` against one ``INSERT … VALUES`` of the same rows.

    python -m bench.executemany [--rows 2000] [--server dynamodb-local|moto] [--repeat 3]

Both write the same ``--rows`` rows into their own fresh on-demand table on the same
server, with the write budget raised out of the way (``dynamodb.throughput.write=100000``)
so the client is what is measured.  Prints the fastest of ``--repeat`` runs of each,
their ratio (target: at most 1.5), and the write-job records each executemany left
(target: 1).  With ``--loop N`` it also times N rows executed one statement per row,
as executemany ran before, for scale.
"""
from __future__ import annotations

import argparse
import decimal
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
HANDLER = "'org.apache.hadoop.hive.dynamodb.DynamoDBStorageHandler'"


def parameter_rows(count: int) -> list[tuple]:
    return [(f"item-{i:08d}", i, decimal.Decimal(i % 1000) / 100, f"product number {i}", i % 2 == 0)
            for i in range(count)]


def values_sql(rows: list[tuple]) -> str:
    def text(value) -> str:
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, str):
            return "'" + value.replace("'", "''") + "'"
        return str(value)
    return ", ".join("(" + ", ".join(text(v) for v in row) + ")" for row in rows)


def mapped(cur, hive: str, ddb: str) -> None:
    cur.execute(f"""CREATE EXTERNAL TABLE {hive} (id string, n bigint, price decimal(10,2), name string,
                    flag boolean) STORED BY {HANDLER} TBLPROPERTIES ("dynamodb.table.name" = "{ddb}")""")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--server", choices=["dynamodb-local", "moto"], default="dynamodb-local")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--loop", type=int, default=0, help="also time this many rows one statement per row")
    args = parser.parse_args()
    server = start_server(args.server)
    rows = parameter_rows(args.rows)
    many_times, single_times, jobs_per_call = [], [], []
    try:
        client = boto3.client("dynamodb", endpoint_url=server.url, **CREDENTIALS)
        with tempfile.TemporaryDirectory() as home:
            conn = ddbsql.connect(endpoint_url=server.url, region="us-east-1", metastore=Path(home) / "m.db",
                                  hiveconf={"dynamodb.throughput.write": "100000"})
            cur = conn.cursor()
            for run in range(args.repeat):
                for kind in ("many", "single"):
                    name = f"bench_{kind}_{run}"
                    make_table(client, name)
                    mapped(cur, name, name)
                    if kind == "many":
                        before = len(conn.session.metastore.jobs().jobs())
                        started = time.perf_counter()
                        cur.executemany(f"INSERT INTO {name} VALUES (?, ?, ?, ?, ?)", rows)
                        many_times.append(time.perf_counter() - started)
                        jobs_per_call.append(len(conn.session.metastore.jobs().jobs()) - before)
                    else:
                        sql = f"INSERT INTO {name} VALUES {values_sql(rows)}"
                        started = time.perf_counter()
                        cur.execute(sql)
                        single_times.append(time.perf_counter() - started)
                    assert cur.rowcount == len(rows), (kind, cur.rowcount)
            loop_rate = None
            if args.loop:
                make_table(client, "bench_loop")
                mapped(cur, "bench_loop", "bench_loop")
                started = time.perf_counter()
                for row in rows[:args.loop]:
                    cur.execute("INSERT INTO bench_loop VALUES (?, ?, ?, ?, ?)", row)
                loop_rate = args.loop / (time.perf_counter() - started)
            conn.close()
    finally:
        server.stop()
    many, single = min(many_times), min(single_times)
    print(f"server: {args.server}; rows: {args.rows}; fastest of {args.repeat} runs each")
    print(f"one INSERT ... VALUES of the rows : {single:7.3f} s  ({args.rows / single:,.0f} rows/s)  baseline")
    print(f"executemany                      : {many:7.3f} s  ({args.rows / many:,.0f} rows/s)  "
          f"ratio {many / single:.2f} (target <= 1.50)")
    print(f"write-job records per executemany: {', '.join(map(str, jobs_per_call))} (target: 1)")
    if loop_rate is not None:
        print(f"one statement per row ({args.loop} rows): {loop_rate:,.0f} rows/s  "
              f"ratio {(args.rows / many) / loop_rate:.1f}x slower than executemany")


if __name__ == "__main__":
    main()
