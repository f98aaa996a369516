"""The write path against its floor, and its memory as the job grows.

    python -m bench.write_floor [--rows 200000] [--threads 8] [--sizes 100000,1000000] [--copy-rows N]

A sink on loopback (``bench/replay.py`` in its own process: every BatchWriteItem accepted
at once, signatures not checked) is written to by:

1. **floor** — the rows as pre-encoded 25-item BatchWriteItem bodies, SigV4-signed
   (botocore's signer) and sent over a urllib3 pool from ``--threads`` threads: nothing
   but signing and HTTP;
2. **ddbsql from Parquet** — ``INSERT INTO sink SELECT * FROM parquet_table`` through a
   ddbsql connection, the same rows (4 columns) in a local Parquet file;
3. **ddbsql from a replayed DynamoDB table** — ``INSERT INTO sink SELECT * FROM src``
   where ``src`` is served by the same endpoint from recorded Scan pages (7 attributes,
   ~180 B of JSON a row);

the last two at each of ``--sizes`` rows, each run in a process of its own whose peak
RSS (``os.wait4``) is printed next to its rate.  ``--copy-rows`` adds one replayed copy
of that many rows (10 000 000: about 10 minutes) to show memory stays bounded.  Budgets
are lifted (``dynamodb.throughput.write=10000000``, ``write.percent=1``): the client is
what is measured.

    python -m bench.write_floor --case floor|parquet|replay --endpoint URL --rows N ...

runs one measurement and prints one JSON line (what the parent runs).
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.replay import save_recording  # noqa: E402

SINK = "bench_sink"
SOURCE = "bench_fastpath"
PARQUET_COLUMNS = (("id", "string"), ("n", "bigint"), ("price", "decimal(10,2)"), ("name", "string"))
LIFT_BUDGET = ("SET dynamodb.throughput.write=10000000", "SET dynamodb.throughput.write.percent=1")
#: rows of the recorded table the replay endpoint serves over and over
RECORDED_ROWS = 100_000


# --- data -------------------------------------------------------------------------------------

def parquet_table(rows: int):
    """``rows`` rows of the 4 Parquet columns, as an Arrow table."""
    import numpy as np
    import pyarrow as pa

    n = np.arange(rows, dtype=np.int64)
    ids = pa.array([f"item-{i:09d}" for i in range(rows)], pa.string())
    price = pa.array([f"{i % 1000}.{i % 100:02d}" for i in range(rows)], pa.string()).cast(pa.decimal128(10, 2))
    names = pa.array([f"product number {i}" for i in range(rows)], pa.string())
    return pa.table({"id": ids, "n": pa.array(n), "price": price, "name": names})


def write_parquet(path: Path, rows: int) -> None:
    import pyarrow.parquet as pq

    pq.write_table(parquet_table(rows), path, row_group_size=100_000)


def hive_bindings():
    from ddbsql.catalog.binding import ColumnBinding
    from ddbsql.types import parse_hive_type

    return [ColumnBinding(name, parse_hive_type(hive), name, None) for name, hive in PARQUET_COLUMNS]


# --- cases (each in a process of its own) --------------------------------------------------------

def case_floor(args) -> dict:
    """Pre-encoded bodies, signed and sent from ``--threads`` threads."""
    import urllib3
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    from ddbsql.exec.fastpath import batch_write_body, encode_batch_fast

    bodies = []
    for batch in parquet_table(args.rows).to_batches(max_chunksize=10_000):
        items, _, _ = encode_batch_fast(batch, hive_bindings(), key_attributes=("id",))
        for start in range(0, len(items), 25):
            request = {SINK: [{"PutRequest": {"Item": item}} for item in items[start:start + 25]]}
            bodies.append((len(request[SINK]), batch_write_body({"RequestItems": request,
                                                                  "ReturnConsumedCapacity": "TOTAL"})))
    url = args.endpoint.rstrip("/") + "/"
    signer = SigV4Auth(Credentials("bench", "bench"), "dynamodb", "us-east-1")
    pool = urllib3.PoolManager(maxsize=args.threads * 2)
    position = iter(range(len(bodies)))
    lock = threading.Lock()

    def send() -> int:
        done = 0
        while True:
            with lock:
                index = next(position, None)
            if index is None:
                return done
            count, body = bodies[index]
            request = AWSRequest(method="POST", url=url, data=body,
                                 headers={"Content-Type": "application/x-amz-json-1.0",
                                          "X-Amz-Target": "DynamoDB_20120810.BatchWriteItem"})
            signer.add_auth(request)
            response = pool.request("POST", url, body=request.body, headers=dict(request.headers))
            if response.status != 200 or json.loads(response.data).get("UnprocessedItems"):
                raise RuntimeError(f"HTTP {response.status}: {response.data[:200]!r}")
            done += count

    counts: list[int] = []

    def run() -> None:
        counts.append(send())

    started, cpu = time.perf_counter(), time.process_time()
    threads = [threading.Thread(target=run) for _ in range(args.threads)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    return {"rows": sum(counts), "seconds": elapsed, "cpu": time.process_time() - cpu}


def _connect(endpoint: str, home: Path, workers: int | None = None):
    import ddbsql

    conn = ddbsql.connect(endpoint_url=endpoint, region="us-east-1", metastore=home / "m.db", allow_local_files=True,
                          hiveconf={"ddbsql.reject.dir": str(home / "rejects")})
    cursor = conn.cursor()
    for statement in LIFT_BUDGET:
        cursor.execute(statement)
    if workers:
        cursor.execute(f"SET ddbsql.write.workers={workers}")
    return conn, cursor


def _insert(cursor, source: str) -> dict:
    started, cpu = time.perf_counter(), time.process_time()
    cursor.execute(f"INSERT INTO TABLE sink SELECT * FROM {source}")
    elapsed = time.perf_counter() - started
    return {"rows": cursor.rowcount, "seconds": elapsed, "cpu": time.process_time() - cpu,
            "messages": cursor.messages[-2:]}


def case_parquet(args) -> dict:
    columns = ", ".join(f"{name} {hive}" for name, hive in PARQUET_COLUMNS)
    with tempfile.TemporaryDirectory() as home:
        home = Path(home)
        conn, cursor = _connect(args.endpoint, home, args.workers)
        cursor.execute(f"CREATE EXTERNAL TABLE src ({columns}) STORED AS PARQUET LOCATION '{args.data}'")
        cursor.execute(f"""CREATE EXTERNAL TABLE sink ({columns})
            STORED BY 'org.apache.hadoop.hive.dynamodb.DynamoDBStorageHandler'
            TBLPROPERTIES ("dynamodb.table.name" = "{SINK}")""")
        result = _insert(cursor, "src")
        conn.close()
    return result


def case_replay(args) -> dict:
    from bench.fastpath import HIVE_COLUMNS

    columns = ", ".join(f"{name} {hive}" for name, hive in HIVE_COLUMNS)
    with tempfile.TemporaryDirectory() as home:
        home = Path(home)
        conn, cursor = _connect(args.endpoint, home, args.workers)
        for hive, ddb in (("src", SOURCE), ("sink", SINK)):
            cursor.execute(f"""CREATE EXTERNAL TABLE {hive} ({columns})
                STORED BY 'org.apache.hadoop.hive.dynamodb.DynamoDBStorageHandler'
                TBLPROPERTIES ("dynamodb.table.name" = "{ddb}")""")
        result = _insert(cursor, "src")
        conn.close()
    return result


CASES = {"floor": case_floor, "parquet": case_parquet, "replay": case_replay}


# --- the parent -----------------------------------------------------------------------------------

def run_child(*args: str) -> dict:
    """``python -m bench.write_floor --case …`` in a process of its own: its JSON line and peak RSS."""
    from bench.measure import run_json

    return run_json([sys.executable, "-m", "bench.write_floor", *args])


class Sink:
    """The replay endpoint, serving the recorded table ``repeat`` times over and accepting writes."""

    def __init__(self, recording: Path, repeat: int):
        from bench.__main__ import Replay

        self._replay = Replay(recording, repeat)
        self.url = self._replay.url

    def __enter__(self) -> "Sink":
        return self

    def __exit__(self, *exc) -> None:
        self._replay.stop()


def show(label: str, result: dict, floor: float | None) -> None:
    rate = result["rows"] / result["seconds"]
    ratio = f"{rate / floor:6.2f}x floor" if floor else "(floor)"
    cpu = 1e6 * result["cpu"] / max(1, result["rows"])
    print(f"  {label:<48} {result['rows']:>10,} rows {rate:>10,.0f} rows/s {cpu:5.1f} µs CPU/row "
          f"peak RSS {result['rss_mb']:5.0f} MB  {ratio}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--case", choices=sorted(CASES))
    parser.add_argument("--endpoint")
    parser.add_argument("--data", help="the folder of the Parquet table (--case parquet)")
    parser.add_argument("--rows", type=int, default=200_000, help="rows of the rate measurement")
    parser.add_argument("--threads", type=int, default=8, help="threads of the floor")
    parser.add_argument("--workers", type=int, help="ddbsql.write.workers (default: ddbsql's own)")
    parser.add_argument("--sizes", default="100000,1000000", help="rows of the RSS measurements")
    parser.add_argument("--copy-rows", type=int, default=0, help="one more replayed copy of this many rows")
    args = parser.parse_args()
    for key, value in (("AWS_ACCESS_KEY_ID", "bench"), ("AWS_SECRET_ACCESS_KEY", "bench"),
                       ("AWS_DEFAULT_REGION", "us-east-1")):
        os.environ.setdefault(key, value)  # any credentials do for local endpoints
    if args.case:
        from bench.measure import with_peak_rss

        print(json.dumps(with_peak_rss(CASES[args.case](args))), flush=True)
        return

    from bench.__main__ import synthetic_recording

    sizes = [int(s) for s in args.sizes.split(",") if s]
    largest = max(sizes + [args.rows, args.copy_rows])
    began = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="ddbsql-bench-") as work:
        recording = Path(work) / "recording.pickle"
        save_recording(recording, **synthetic_recording(RECORDED_ROWS))

        def data(rows: int) -> str:
            folder = Path(work) / f"parquet-{rows}"
            if not folder.exists():
                folder.mkdir()
                write_parquet(folder / "part-0.parquet", rows)
            return str(folder)
        with Sink(recording, repeat=max(1, -(-largest // RECORDED_ROWS))) as sink:
            print(f"python -m bench.write_floor: sink on loopback, {os.cpu_count()} cores; budgets lifted "
                  f"({'; '.join(LIFT_BUDGET)})")
            print(f"rate, {args.rows:,} rows of {len(PARQUET_COLUMNS)} columns")
            floor = run_child("--case", "floor", "--endpoint", sink.url, "--rows", str(args.rows),
                              "--threads", str(args.threads))
            show(f"floor: pre-encoded bodies, SigV4, {args.threads} threads", floor, None)
            floor_rate = floor["rows"] / floor["seconds"]
            workers = ("--workers", str(args.workers)) if args.workers else ()
            parquet = run_child("--case", "parquet", "--endpoint", sink.url, "--data", data(args.rows), *workers)
            show("ddbsql INSERT … SELECT from Parquet", parquet, floor_rate)
            if not args.workers:
                same = run_child("--case", "parquet", "--endpoint", sink.url, "--data", data(args.rows),
                                 "--workers", str(args.threads))
                show(f"the same, ddbsql.write.workers={args.threads} (the floor's)", same, floor_rate)
            print("memory as the job grows (each size in a process of its own)")
            for rows in sizes:
                result = run_child("--case", "parquet", "--endpoint", sink.url, "--data", data(rows), *workers)
                show(f"ddbsql from Parquet, {rows:,} rows", result, floor_rate)
            for rows in sizes + ([args.copy_rows] if args.copy_rows else []):
                with Sink(recording, repeat=max(1, rows // RECORDED_ROWS)) as source:
                    result = run_child("--case", "replay", "--endpoint", source.url, "--rows", str(rows), *workers)
                show(f"ddbsql from replayed DynamoDB, {rows:,} rows", result, floor_rate)
    print(f"total bench time {time.perf_counter() - began:.0f} s")


if __name__ == "__main__":
    main()
