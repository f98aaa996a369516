"""The fast path's measurements, one case per process (so each has its own peak RSS).

    python -m bench.fastpath CASE --recording FILE [--endpoint URL] [--segments N] [--seconds S]

prints one JSON line: ``{"items": ..., "seconds": ..., "rate": ...}``.  ``python -m bench``
runs every case and prints the comparison; see bench/README.md.

Cases
-----
decode-boto3      botocore's parser + TypeDeserializer + ``pa.Table.from_pylist`` on recorded pages
decode-reference  botocore's parser + ddbsql's reference ``decode_page``
decode-fast       ``decode_body`` on the same pages, one thread
decode-fast-mt    ``decode_body`` on a thread per core
scan-boto3        paginated, segmented ``client.scan`` (boto3 defaults) + TypeDeserializer + from_pylist
scan-fast         segmented ``raw_scan`` (ddbsql's client settings)
scan-floor        segmented SigV4-signed HTTP requests read to the end, no decoding (only the
                  members around Items, to follow LastEvaluatedKey)
sql-count/sql-star  ``SELECT count(*)`` / ``SELECT *`` to Arrow through a ddbsql connection, with the
                  scanner as it is (``…-reference``) and with the two-line drop-in applied (``…-fast``)
write-boto3       ``Table.batch_writer()`` put_item of Python rows (boto3's usual loader)
write-reference   ``encode_batch`` + ``client.batch_write_item`` of 25-item batches
write-fast        ``encode_batch_fast`` + ``raw_batch_write`` of 25-item batches (``--threads``)
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pyarrow as pa

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.replay import load_recording  # noqa: E402

CREDENTIALS = {"aws_access_key_id": "bench", "aws_secret_access_key": "bench", "region_name": "us-east-1"}
HIVE_COLUMNS = (("id", "string"), ("n", "bigint"), ("price", "decimal(10,2)"), ("name", "string"),
                ("flag", "boolean"), ("qty", "int"), ("updated", "string"))


def bindings():
    from ddbsql.catalog.binding import ColumnBinding
    from ddbsql.types import parse_hive_type

    return [ColumnBinding(name, parse_hive_type(hive), name, "S") for name, hive in HIVE_COLUMNS]


def make_item(i: int) -> dict:
    """One low-level item of the benchmark table (~180 bytes of JSON)."""
    return {"id": {"S": f"item-{i:08d}"}, "n": {"N": str(i)}, "price": {"N": f"{i % 1000}.{i % 100:02d}"},
            "name": {"S": f"product number {i}"}, "flag": {"BOOL": i % 2 == 0}, "qty": {"N": str(i * 7 % 1000)},
            "updated": {"S": f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}T{i % 24:02d}:{i % 60:02d}:{i * 7 % 60:02d}.{i % 1000:03d}"}}


def make_batch(start: int, count: int) -> pa.RecordBatch:
    """The same rows as an Arrow batch typed like the Hive columns."""
    from ddbsql.exec.decode import decode_page

    return decode_page([make_item(i) for i in range(start, start + count)], bindings())


# --- helpers -------------------------------------------------------------------------------

def repeat_for(seconds: float, run) -> tuple[int, float]:
    """Run ``run()`` (returns items done) for ``seconds`` after one warm-up run; the
    ``(items, seconds)`` of the fastest run (the machine may be shared: the best run is
    the least disturbed one, for every case alike)."""
    run()
    best, started = None, time.perf_counter()
    while True:
        began = time.perf_counter()
        items = run()
        elapsed = time.perf_counter() - began
        if best is None or items / elapsed > best[0] / best[1]:
            best = (items, elapsed)
        if time.perf_counter() - started >= seconds:
            return best


def botocore_parser():
    import botocore.session
    from botocore.parsers import create_parser

    model = botocore.session.get_session().get_service_model("dynamodb")
    parser = create_parser(getattr(model, "resolved_protocol", model.protocol))
    shape = model.operation_model("Scan").output_shape
    return lambda body: parser.parse({"body": body, "headers": {}, "status_code": 200}, shape)


def boto3_rows_to_arrow(items: list[dict]) -> pa.Table:
    from boto3.dynamodb.types import TypeDeserializer

    deserialize = TypeDeserializer().deserialize
    return pa.Table.from_pylist([{k: deserialize(v) for k, v in item.items()} for item in items])


def fast_client(endpoint: str):
    from ddbsql.exec.clients import AwsOptions, ClientFactory

    return ClientFactory(AwsOptions(region="us-east-1", endpoint_url=endpoint, local=True)).dynamodb()


def boto3_client(endpoint: str):
    import boto3
    from botocore.config import Config

    return boto3.client("dynamodb", endpoint_url=endpoint, config=Config(max_pool_connections=64), **CREDENTIALS)


def segmented(segments: int, table: str, page, projection: bool = False) -> int:
    """Scan every segment in its own thread; ``page(params) -> (rows, last key)``.
    ``projection``: name every column in a ProjectionExpression, as ddbsql's planner does."""
    def run(segment: int) -> int:
        params = {"TableName": table}
        if projection:
            names = {f"#c{i}": name for i, (name, _) in enumerate(HIVE_COLUMNS)}
            params.update(ProjectionExpression=", ".join(names), ExpressionAttributeNames=names)
        if segments > 1:
            params.update(Segment=segment, TotalSegments=segments)
        rows = 0
        while True:
            n, last = page(params)
            rows += n
            if not last:
                return rows
            params["ExclusiveStartKey"] = last

    with ThreadPoolExecutor(segments) as pool:
        return sum(pool.map(run, range(segments)))


# --- cases ---------------------------------------------------------------------------------

def case_decode(args, recording) -> tuple[int, float]:
    pages = recording["pages"]
    kind = args.case
    if kind == "decode-boto3":
        parse = botocore_parser()
        return repeat_for(args.seconds, lambda: sum(boto3_rows_to_arrow(parse(b)["Items"]).num_rows for b in pages))
    if kind == "decode-reference":
        from ddbsql.exec.decode import DecodeWarnings, decode_page
        parse, cols = botocore_parser(), bindings()
        return repeat_for(args.seconds, lambda: sum(decode_page(parse(b)["Items"], cols, DecodeWarnings()).num_rows
                                                    for b in pages))
    from ddbsql.exec.decode import DecodeWarnings
    from ddbsql.exec.fastpath import decode_body
    cols = bindings()
    if kind == "decode-fast":
        return repeat_for(args.seconds, lambda: sum(decode_body(b, cols, warnings=DecodeWarnings())[0].num_rows
                                                    for b in pages))
    pool = ThreadPoolExecutor(args.threads)
    work = pages * 4
    return repeat_for(args.seconds, lambda: sum(pool.map(
        lambda b: decode_body(b, cols, warnings=DecodeWarnings())[0].num_rows, work)))


def case_scan(args, recording) -> tuple[int, float]:
    table = recording["table_name"]
    if args.case == "scan-boto3":
        client = boto3_client(args.endpoint)

        def page(params):
            response = client.scan(**params)
            return boto3_rows_to_arrow(response["Items"]).num_rows, response.get("LastEvaluatedKey")
    elif args.case == "scan-fast":
        from ddbsql.exec.decode import DecodeWarnings
        from ddbsql.exec.fastpath import raw_scan
        client, cols, warnings = fast_client(args.endpoint), bindings(), DecodeWarnings()

        def page(params):
            batch, meta = raw_scan(client, params, cols, warnings)
            return batch.num_rows, meta.get("LastEvaluatedKey")
    else:
        page = _floor_page(args.endpoint)
    return repeat_for(args.seconds, lambda: segmented(args.segments, table, page, args.projection))


def _floor_page(endpoint: str):
    """Signed HTTP with botocore's signer and urllib3, the body only read (the floor)."""
    import urllib3
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    from ddbsql.exec.fastpath.meta import split_body

    signer = SigV4Auth(Credentials("bench", "bench"), "dynamodb", "us-east-1")
    pool = urllib3.PoolManager(maxsize=64)
    url = endpoint.rstrip("/") + "/"

    def page(params):
        request = AWSRequest(method="POST", url=url, data=json.dumps(params).encode(),
                             headers={"Content-Type": "application/x-amz-json-1.0",
                                      "X-Amz-Target": "DynamoDB_20120810.Scan"})
        signer.add_auth(request)
        response = pool.request("POST", url, body=request.body, headers=dict(request.headers))
        if response.status != 200:
            raise RuntimeError(f"HTTP {response.status}: {response.data[:200]!r}")
        members, _ = split_body(response.data)
        return members.get("Count", 0), members.get("LastEvaluatedKey")

    return page


def case_sql(args, recording) -> tuple[int, float]:
    import ddbsql
    from ddbsql.exec import scanner
    from ddbsql.exec.clients import ClientFactory

    if args.case.endswith("-fast"):  # the two-line integration, applied from outside
        from ddbsql.exec import fastpath

        class _Client:
            def __init__(self, client):
                self._client = client

            def scan(self, **params):
                return fastpath.scan_page(self._client, params)

            def __getattr__(self, name):
                return getattr(self._client, name)

        original = ClientFactory.dynamodb
        ClientFactory.dynamodb = lambda self, *a, **k: _Client(original(self, *a, **k))
        scanner.decode_page = fastpath.decode_page
    columns = ", ".join(f"{name} {hive}" for name, hive in HIVE_COLUMNS)
    star = args.case.startswith("sql-star")
    with tempfile.TemporaryDirectory() as home:
        conn = ddbsql.connect(endpoint_url=args.endpoint, region="us-east-1", metastore=Path(home) / "m.db")
        cursor = conn.cursor()
        cursor.execute(f"""CREATE EXTERNAL TABLE t ({columns})
            STORED BY 'org.apache.hadoop.hive.dynamodb.DynamoDBStorageHandler'
            TBLPROPERTIES ("dynamodb.table.name" = "{recording['table_name']}",
                           "dynamodb.scan.segments" = "{args.segments}",
                           "dynamodb.throughput.read" = "100000000", "dynamodb.throughput.read.percent" = "1")""")

        def run() -> int:
            if star:
                cursor.execute("SELECT * FROM t")
                return cursor.fetch_arrow_table().num_rows
            cursor.execute("SELECT count(*) FROM t")
            return cursor.fetchone()[0]

        result = repeat_for(args.seconds, run)
        conn.close()
    return result


def case_write(args, recording) -> tuple[int, float]:
    table = recording["table_name"]
    count = args.items
    batches = [make_batch(start, min(5000, count - start)) for start in range(0, count, 5000)]
    cols = bindings()
    if args.case == "write-boto3":
        import boto3
        rows = [row for batch in batches for row in batch.to_pylist()]
        resource = boto3.resource("dynamodb", endpoint_url=args.endpoint, **CREDENTIALS)

        def run() -> int:
            with resource.Table(table).batch_writer() as writer:
                for row in rows:
                    writer.put_item(Item=row)
            return len(rows)
    elif args.case == "write-reference":
        from ddbsql.exec.encode import encode_batch
        client = fast_client(args.endpoint)

        def run() -> int:
            done = 0
            for batch in batches:
                items, _ = encode_batch(batch, cols, key_attributes=("id",))
                for start in range(0, len(items), 25):
                    request = {table: [{"PutRequest": {"Item": i}} for i in items[start:start + 25]]}
                    while request:
                        request = client.batch_write_item(RequestItems=request,
                                                          ReturnConsumedCapacity="TOTAL").get("UnprocessedItems")
                done += len(items)
            return done
    else:
        from ddbsql.exec.fastpath import encode_batch_fast, raw_batch_write
        client = fast_client(args.endpoint)
        pool = ThreadPoolExecutor(args.threads)

        def send(items):
            for start in range(0, len(items), 25):
                request = {table: [{"PutRequest": {"Item": i}} for i in items[start:start + 25]]}
                while request:
                    request = raw_batch_write(client, RequestItems=request,
                                              ReturnConsumedCapacity="TOTAL").get("UnprocessedItems")
            return len(items)

        def run() -> int:
            done = 0
            for batch in batches:
                items, _, _ = encode_batch_fast(batch, cols, key_attributes=("id",))
                share = (len(items) + args.threads - 1) // args.threads
                done += sum(pool.map(send, [items[k:k + share] for k in range(0, len(items), share)]))
            return done
    return repeat_for(args.seconds, run)


CASES = {
    "decode-boto3": case_decode, "decode-reference": case_decode, "decode-fast": case_decode,
    "decode-fast-mt": case_decode,
    "scan-boto3": case_scan, "scan-fast": case_scan, "scan-floor": case_scan,
    "sql-count-reference": case_sql, "sql-count-fast": case_sql, "sql-star-reference": case_sql,
    "sql-star-fast": case_sql,
    "write-boto3": case_write, "write-reference": case_write, "write-fast": case_write,
}


def main() -> None:
    parser = argparse.ArgumentParser(description="one fast-path measurement")
    parser.add_argument("case", choices=sorted(CASES))
    parser.add_argument("--recording", required=True)
    parser.add_argument("--endpoint")
    parser.add_argument("--segments", type=int, default=4)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--items", type=int, default=10000)
    parser.add_argument("--seconds", type=float, default=1.5)
    parser.add_argument("--projection", action="store_true", help="scans name every column, as ddbsql's SQL does")
    args = parser.parse_args()
    for key, value in (("AWS_ACCESS_KEY_ID", "bench"), ("AWS_SECRET_ACCESS_KEY", "bench"),
                       ("AWS_DEFAULT_REGION", "us-east-1")):
        os.environ.setdefault(key, value)  # any credentials do for local endpoints
    recording = load_recording(Path(args.recording))
    items, seconds = CASES[args.case](args, recording)
    from bench.measure import with_peak_rss

    print(json.dumps(with_peak_rss({"items": items, "seconds": seconds, "rate": items / seconds})), flush=True)


if __name__ == "__main__":
    main()
