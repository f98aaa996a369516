"""File tables, file output and DynamoDB's file layouts, end to end (S3 is moto's server over HTTP)."""
from __future__ import annotations

import bz2
import datetime as dt
import gzip
import json
import uuid
from decimal import Decimal

import boto3
import pytest

import ddbsql

from support.ddb_env import Env, open_connection

pytestmark = pytest.mark.e2e

HANDLER = "'org.apache.hadoop.hive.dynamodb.DynamoDBStorageHandler'"


def s3_client(url: str):
    return boto3.client("s3", endpoint_url=url, region_name="us-east-1", aws_access_key_id="AKIDTEST",
                        aws_secret_access_key="secret")


@pytest.fixture
def bucket(moto_endpoint, aws_credentials):
    """A fresh bucket on moto's S3 (the server outlives the test, so names are unique)."""
    name = f"ddbsql-files-{uuid.uuid4().hex[:12]}"
    s3_client(moto_endpoint).create_bucket(Bucket=name)
    return name


@pytest.fixture
def s3(moto_endpoint):
    return s3_client(moto_endpoint)


def normal(item):
    """An item with set members sorted (DynamoDB sets have no order)."""
    if isinstance(item, dict):
        return {k: (sorted(v) if k in ("SS", "NS", "BS") else normal(v)) for k, v in item.items()}
    if isinstance(item, list):
        return [normal(v) for v in item]
    return item


def scanned(env, table: str, key: str = "id") -> list[dict]:
    return sorted((normal(i) for i in env.scan_items(table)), key=lambda i: i[key]["S"])


def keys(s3, bucket: str, prefix: str) -> list[str]:
    return sorted(o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix=prefix).get("Contents", [])
                  if not o["Key"].endswith("/"))


def body(s3, bucket: str, key: str) -> bytes:
    return s3.get_object(Bucket=bucket, Key=key)["Body"].read()


# ------------------------------------------------------------------ reading

def test_delimited_s3_table_headers_compression_and_rejects(moto_env, bucket, s3):
    text = "id,name,amount\n1,alice,10.5\n2,bob,oops\n"
    s3.put_object(Bucket=bucket, Key="sales/a.csv", Body=text.encode())
    s3.put_object(Bucket=bucket, Key="sales/b.csv.gz", Body=gzip.compress(b"id,name,amount\n3,carol,7\n"))
    s3.put_object(Bucket=bucket, Key="sales/c.csv.bz2", Body=bz2.compress(b"id,name,amount\n4,dave,1e2\n"))
    s3.put_object(Bucket=bucket, Key="sales/_SUCCESS", Body=b"")
    moto_env.run(f"""CREATE EXTERNAL TABLE sales (id int, name string, amount double)
                     ROW FORMAT DELIMITED FIELDS TERMINATED BY ','
                     LOCATION 's3://{bucket}/sales/' TBLPROPERTIES ("skip.header.line.count"="1")""")
    rows, cursor = moto_env.run("SELECT id, name, amount FROM sales ORDER BY id")
    assert rows == [(1, "alice", 10.5), (2, "bob", None), (3, "carol", 7.0), (4, "dave", 100.0)]
    assert "WARNING: sales.amount: 1 value(s) read as NULL (not a valid number)" in cursor.messages
    rejects = [json.loads(line) for p in (moto_env.tmp / "rejects").iterdir() for line in p.read_text().splitlines()]
    assert [(r["file"], r["line"], r["column"], r["text"]) for r in rejects] == \
        [(f"s3://{bucket}/sales/a.csv", 3, "amount", "2,bob,oops")]
    assert moto_env.rows("SELECT count(*), sum(amount) FROM sales") == [(4, 117.5)]


FORMATS = {
    "text": "",
    "csv": "ROW FORMAT SERDE 'org.apache.hadoop.hive.serde2.OpenCSVSerde'",
    "json": "STORED AS JSONFILE",
    "parquet": "STORED AS PARQUET",
    "orc": "STORED AS ORC",
}
COLUMNS = ("id int, name string, price decimal(20,4), ok boolean, day date, at timestamp, score double, "
           "tags array<string>, attrs map<string,int>, pos struct<x:int,y:string>")
ROW_SQL = ("SELECT 1, 'a,b \"q\"', 12345678901234.5678, true, DATE '2024-02-29', "
           "TIMESTAMP '2024-01-02 03:04:05.25', 1.5e10, array('x', 'y'), map('k', 7), named_struct('x', 1, 'y', 'z') "
           "UNION ALL SELECT 2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL")
EXPECTED = [(1, 'a,b "q"', Decimal("12345678901234.5678"), True, dt.date(2024, 2, 29),
             dt.datetime(2024, 1, 2, 3, 4, 5, 250000), 1.5e10, ["x", "y"], {"k": 7}, {"x": 1, "y": "z"}),
            (2, None, None, None, None, None, None, None, None, None)]


@pytest.mark.parametrize("where", ["local", "s3"])
@pytest.mark.parametrize("fmt", list(FORMATS))
def test_each_format_writes_and_reads_back(moto_env, bucket, fmt, where):
    location = moto_env.tmp / f"t_{fmt}" if where == "local" else f"s3://{bucket}/t_{fmt}"
    columns = COLUMNS if fmt != "csv" else "id int, name string, price decimal(20,4), ok boolean, day date, " \
                                           "at timestamp, score double"
    moto_env.run(f"CREATE EXTERNAL TABLE t ({columns}) {FORMATS[fmt]} LOCATION '{location}'")
    source = ROW_SQL if fmt != "csv" else ROW_SQL.replace(
        ", array('x', 'y'), map('k', 7), named_struct('x', 1, 'y', 'z')", "").replace(
        ", NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL", ", NULL, NULL, NULL, NULL, NULL, NULL")
    _, cursor = moto_env.run(f"INSERT OVERWRITE TABLE t {source}")
    assert cursor.rowcount == 2
    rows = moto_env.rows("SELECT * FROM t ORDER BY id")
    expected = EXPECTED if fmt != "csv" else [r[:7] for r in EXPECTED]
    if fmt == "csv":   # OpenCSVSerde has no NULL: empty fields read back as '' for strings
        expected = [expected[0], (2, "") + expected[1][2:]]
    assert rows == expected


def test_partitions_msck_add_drop_and_pruning(moto_env, bucket, s3):
    moto_env.run(f"""CREATE EXTERNAL TABLE events (id int, v string) PARTITIONED BY (dt string, h int)
                     STORED AS PARQUET LOCATION 's3://{bucket}/events'""")
    _, cursor = moto_env.run("""INSERT OVERWRITE TABLE events PARTITION (dt, h)
                                SELECT 1, 'a', '2024-01-01', 1 UNION ALL SELECT 2, 'b', '2024-01-01', 2
                                UNION ALL SELECT 3, 'c', '2024-01-02', 1""")
    assert cursor.rowcount == 3 and "3 partition(s)" in cursor.messages[-1]
    assert moto_env.rows("SHOW PARTITIONS events") == [("dt=2024-01-01/h=1",), ("dt=2024-01-01/h=2",),
                                                        ("dt=2024-01-02/h=1",)]
    # another table over the same files sees nothing until MSCK REPAIR TABLE registers the folders
    moto_env.run(f"""CREATE EXTERNAL TABLE events2 (id int, v string) PARTITIONED BY (dt string, h int)
                     STORED AS PARQUET LOCATION 's3://{bucket}/events/'""")
    assert moto_env.rows("SELECT count(*) FROM events2") == [(0,)]
    _, cursor = moto_env.run("MSCK REPAIR TABLE events2")
    assert "Repair: Added partition to metastore events2:dt=2024-01-02/h=1" in cursor.messages
    assert moto_env.rows("SELECT dt, h, id FROM events2 ORDER BY id") == [("2024-01-01", 1, 1), ("2024-01-01", 2, 2),
                                                                         ("2024-01-02", 1, 3)]
    # a broken file in a partition the WHERE clause excludes is never opened
    s3.put_object(Bucket=bucket, Key="events/dt=2024-01-02/h=1/broken", Body=b"not parquet")
    assert moto_env.rows("SELECT id FROM events2 WHERE dt = '2024-01-01' AND h IN (2, 3)") == [(2,)]
    with pytest.raises(ddbsql.Error, match="not a readable Parquet file"):
        moto_env.rows("SELECT id FROM events2 WHERE dt = '2024-01-02'")
    moto_env.run("ALTER TABLE events2 DROP PARTITION (dt='2024-01-02')")
    moto_env.run(f"ALTER TABLE events2 ADD IF NOT EXISTS PARTITION (dt='x', h=9) LOCATION 's3://{bucket}/extra' "
                 "PARTITION (dt='2024-01-01', h=1)")
    moto_env.run("INSERT INTO TABLE events2 PARTITION (dt='x', h=9) SELECT 9, 'nine'")
    assert keys(s3, bucket, "extra/") == ["extra/000000_0"]
    assert moto_env.rows("SELECT dt, count(*) FROM events2 GROUP BY dt ORDER BY dt") == [("2024-01-01", 2), ("x", 1)]
    described = moto_env.rows("DESCRIBE events2")
    assert described[-3:] == [("", "", ""), ("dt", "string", ""), ("h", "int", "")]


def test_insert_overwrite_directory_compressed_and_bounded(moto_env, bucket, s3):
    moto_env.script("""
        SET hive.exec.compress.output=true;
        SET mapred.output.compression.codec=org.apache.hadoop.io.compress.GzipCodec;
        SET ddbsql.output.file.max.bytes=2000;
    """)
    _, cursor = moto_env.run(f"""INSERT OVERWRITE DIRECTORY 's3://{bucket}/export/'
                                 ROW FORMAT DELIMITED FIELDS TERMINATED BY ','
                                 SELECT id, concat('row-', CAST(id AS string)) FROM range(0, 1000) AS r(id)""")
    assert cursor.rowcount == 1000 and cursor.messages[-1].endswith(", gzip")
    names = keys(s3, bucket, "export/")
    assert len(names) > 1 and names[0] == "export/000000_0.gz" and all(n.endswith(".gz") for n in names)
    lines = [line for n in names for line in gzip.decompress(body(s3, bucket, n)).decode().splitlines()]
    assert sorted(lines, key=lambda x: int(x.split(",")[0]))[:2] == ["0,row-0", "1,row-1"] and len(lines) == 1000
    # overwriting again replaces every old file
    moto_env.script("SET hive.exec.compress.output=false; SET ddbsql.output.file.max.bytes=256m")
    moto_env.run(f"INSERT OVERWRITE DIRECTORY 's3://{bucket}/export' SELECT 'only', 1")
    assert keys(s3, bucket, "export/") == ["export/000000_0"]
    assert body(s3, bucket, "export/000000_0") == b"only\x011\n"   # Hive's default \001 separator


def test_local_directory_and_ctas_show_create_round_trip(moto_env):
    out = moto_env.tmp / "out"
    moto_env.script(f"""
        SET hive.exec.compress.output=true;
        SET mapreduce.output.fileoutputformat.compress.codec=org.apache.hadoop.io.compress.BZip2Codec;
        INSERT OVERWRITE LOCAL DIRECTORY '{out}' ROW FORMAT DELIMITED FIELDS TERMINATED BY '\\t'
            COLLECTION ITEMS TERMINATED BY '|' NULL DEFINED AS '' SELECT 1, array('a', 'b'), CAST(NULL AS string);
        SET hive.exec.compress.output=false;
    """)
    assert [p.name for p in out.iterdir()] == ["000000_0.bz2"]
    assert bz2.decompress((out / "000000_0.bz2").read_bytes()) == b"1\ta|b\t\n"
    moto_env.run(f"CREATE TABLE snap STORED AS ORC LOCATION '{moto_env.tmp / 'snap'}' AS SELECT 1 AS a, 'x' AS b")
    ddl = "\n".join(r[0] for r in moto_env.rows("SHOW CREATE TABLE snap"))
    assert "STORED AS ORC" in ddl and "LOCATION" in ddl
    moto_env.run("DROP TABLE snap")
    assert (moto_env.tmp / "snap" / "000000_0").exists()        # an external table's files stay
    moto_env.run(ddl)
    assert moto_env.rows("SELECT a, b FROM snap") == [(1, "x")]


def _bad_export(env, s3, bucket: str) -> None:
    """An export whose second data file has one item more than its manifest says."""
    env.run(f"CREATE EXTERNAL TABLE src_export (item map<string,string>) STORED AS DYNAMODB_EXPORT "
            f"LOCATION 's3://{bucket}/ddb'")
    env.run("SET ddbsql.output.file.max.bytes=100")
    env.run("INSERT OVERWRITE TABLE src_export SELECT map('id', concat('{\"s\":\"', CAST(id AS string), '\"}')) "
            "FROM range(0, 20) AS r(id)")
    env.run("SET ddbsql.output.file.max.bytes=256m")
    data = [k for k in keys(s3, bucket, "ddb/") if "/data/" in k]
    assert len(data) > 2
    damaged = gzip.decompress(body(s3, bucket, data[-1])) + b'{"Item":{"id":{"S":"extra"}}}\n'
    s3.put_object(Bucket=bucket, Key=data[-1], Body=gzip.compress(damaged))


def test_failed_overwrite_leaves_old_data(moto_env, bucket, s3):
    _bad_export(moto_env, s3, bucket)
    moto_env.run(f"CREATE EXTERNAL TABLE target (item map<string,string>) STORED AS JSONFILE "
                 f"LOCATION 's3://{bucket}/target'")
    moto_env.run("INSERT OVERWRITE TABLE target SELECT map('id', '{\"s\":\"old\"}')")
    before = keys(s3, bucket, "target/")
    with pytest.raises(ddbsql.Error, match="item\\(s\\), but manifest-files.json says"):
        moto_env.run("INSERT OVERWRITE TABLE target SELECT item FROM src_export")
    assert keys(s3, bucket, "target/") == before
    assert moto_env.rows("SELECT item['id'] FROM target") == [('{"s":"old"}',)]
    with pytest.raises(ddbsql.Error, match="manifest-files.json says"):
        moto_env.run(f"INSERT OVERWRITE DIRECTORY 's3://{bucket}/target' SELECT item FROM src_export")
    assert keys(s3, bucket, "target/") == before


def test_load_data_local_and_from_s3(moto_env, bucket, s3):
    moto_env.run(f"""CREATE TABLE logs (n int, s string) PARTITIONED BY (dt string)
                     ROW FORMAT DELIMITED FIELDS TERMINATED BY ',' LOCATION 's3://{bucket}/logs'""")
    source = moto_env.tmp / "a.txt"
    source.write_text("1,x\n2,y\n")
    moto_env.run(f"LOAD DATA LOCAL INPATH '{source}' INTO TABLE logs PARTITION (dt='d1')")
    moto_env.run(f"LOAD DATA LOCAL INPATH '{source}' INTO TABLE logs PARTITION (dt='d1')")
    assert keys(s3, bucket, "logs/") == ["logs/dt=d1/a.txt", "logs/dt=d1/a_copy_1.txt"]
    assert source.exists()                                     # LOCAL copies
    s3.put_object(Bucket=bucket, Key="incoming/b.txt", Body=b"3,z\n")
    moto_env.run(f"LOAD DATA INPATH 's3://{bucket}/incoming/b.txt' OVERWRITE INTO TABLE logs PARTITION (dt='d1')")
    assert keys(s3, bucket, "logs/") == ["logs/dt=d1/b.txt"]
    assert keys(s3, bucket, "incoming/") == []                  # not LOCAL: moved, as Hive does
    assert moto_env.rows("SELECT n, s, dt FROM logs") == [(3, "z", "d1")]


def test_local_paths_need_permission_and_missing_bucket(moto_backend, tmp_path):
    conn = open_connection(moto_backend, tmp_path)
    conn.session.options.allow_local_files = False
    env = Env(moto_backend, conn, tmp_path)
    try:
        with pytest.raises(ddbsql.ProgrammingError, match="local path; local files are not allowed"):
            env.run(f"CREATE EXTERNAL TABLE t (a string) LOCATION '{tmp_path}'")
        with pytest.raises(ddbsql.ProgrammingError, match="local files are not allowed"):
            env.run(f"INSERT OVERWRITE LOCAL DIRECTORY '{tmp_path}/x' SELECT 1")
        with pytest.raises(ddbsql.Error, match="statement 2.*S3 bucket 'no-such-bucket-ddbsql' does not exist"):
            env.script("SELECT 1;\nCREATE EXTERNAL TABLE t (a string) LOCATION 's3://no-such-bucket-ddbsql/x';")
    finally:
        conn.close()


# ------------------------------------------------------------------ DynamoDB <-> files

ALL_TYPES = [
    {"id": {"S": "a"}, "big": {"N": "12345678901234567890123456789012345678"},
     "tiny": {"N": "-0.00000000000000000000000000000000000001"}, "ss": {"SS": ["x", "y"]},
     "ns": {"NS": ["1", "2.5"]}, "bs": {"BS": [b"\x00\x01", b"\xff"]}, "b": {"B": b"\x00bin\xff"},
     "l": {"L": [{"S": "q"}, {"N": "1"}, {"NULL": True}, {"M": {"k": {"BOOL": False}}}]},
     "m": {"M": {"deep": {"L": [{"SS": ["z"]}]}, "empty": {"S": ""}}}, "nul": {"NULL": True},
     "t": {"BOOL": True}, "es": {"S": ""}, "uni": {"S": "héllo\tworld\n\u2028"}},
    {"id": {"S": "b"}, "n": {"N": "1E+125"}},
    {"id": {"S": "c"}},
]


@pytest.fixture
def files_env(ddb_backend, moto_endpoint, tmp_path):
    """A connection on each DynamoDB backend whose S3 is moto's server."""
    conn = open_connection(ddb_backend, tmp_path, s3_endpoint_url=moto_endpoint)
    yield Env(ddb_backend, conn, tmp_path)
    conn.close()


LAYOUTS = {
    "parquet": "STORED AS PARQUET",
    "json": "STORED AS JSONFILE",
    "emr-text": "ROW FORMAT DELIMITED FIELDS TERMINATED BY '\\t' LINES TERMINATED BY '\\n'",
    "dynamodb-export": "STORED AS DYNAMODB_EXPORT",
    "emr-export": "STORED AS EMR_DYNAMODB_EXPORT",
}


def test_dynamodb_to_files_and_back_keeps_every_item(files_env, bucket, unique_table_name):
    env = files_env
    src = unique_table_name("src")
    env.create_ddb_table(src)
    env.put_items(src, ALL_TYPES)
    env.run(f'CREATE EXTERNAL TABLE src (item map<string,string>) STORED BY {HANDLER} '
            f'TBLPROPERTIES ("dynamodb.table.name"="{src}")')
    expected = scanned(env, src)
    for name, clauses in LAYOUTS.items():
        hive = name.replace("-", "_")
        dst = unique_table_name(hive)
        env.create_ddb_table(dst)
        env.run(f"CREATE EXTERNAL TABLE f_{hive} (item map<string,string>) {clauses} "
                f"LOCATION 's3://{bucket}/{hive}/'")
        env.run(f"INSERT OVERWRITE TABLE f_{hive} SELECT * FROM src")
        env.run(f'CREATE EXTERNAL TABLE d_{hive} (item map<string,string>) STORED BY {HANDLER} '
                f'TBLPROPERTIES ("dynamodb.table.name"="{dst}")')
        _, cursor = env.run(f"INSERT INTO TABLE d_{hive} SELECT * FROM f_{hive}")
        assert cursor.rowcount == 3, (name, cursor.messages)
        assert scanned(env, dst) == expected, name


def test_typed_columns_through_json_and_export(files_env, bucket, unique_table_name):
    env = files_env
    src, dst = unique_table_name("src"), unique_table_name("dst")
    for table in (src, dst):
        env.create_ddb_table(table, ("Id", "S"))
    items = [{"Id": {"S": "k1"}, "Big": {"N": "9999999999999999999999999999999999999.9"},
              "Tags": {"SS": ["a", "b"]}, "Raw": {"B": b"\x00\xff"}, "Ok": {"BOOL": False},
              "Props": {"M": {"x": {"N": "1"}}}},
             {"Id": {"S": "k2"}, "Big": {"N": "-0.5"}}]
    env.put_items(src, items)
    columns = "id string, big decimal(38,1), tags array<string>, raw binary, ok boolean, props map<string,bigint>"
    mapping = '"dynamodb.column.mapping"="id:Id,big:Big,tags:Tags,raw:Raw,ok:Ok,props:Props", ' \
              '"dynamodb.type.mapping"="tags:SS"'
    for name, table in (("s", src), ("d", dst)):
        env.run(f"CREATE EXTERNAL TABLE {name} ({columns}) STORED BY {HANDLER} "
                f'TBLPROPERTIES ("dynamodb.table.name"="{table}", {mapping})')
    env.run(f"CREATE EXTERNAL TABLE j ({columns}) STORED AS JSONFILE LOCATION 's3://{bucket}/j'")
    env.run("INSERT OVERWRITE TABLE j SELECT * FROM s")
    env.run(f"CREATE EXTERNAL TABLE x ({columns}) STORED AS DYNAMODB_EXPORT LOCATION 's3://{bucket}/x' "
            f"TBLPROPERTIES ({mapping})")
    env.run("INSERT OVERWRITE TABLE x SELECT * FROM j")
    env.run("INSERT INTO TABLE d SELECT * FROM x")
    got = scanned(env, dst, "Id")
    assert got[0] == {"Id": {"S": "k1"}, "Big": {"N": "9999999999999999999999999999999999999.9"},
                      "Tags": {"SS": ["a", "b"]}, "Raw": {"B": b"\x00\xff"}, "Ok": {"BOOL": False},
                      "Props": {"M": {"x": {"N": "1"}}}}
    assert got[1] == {"Id": {"S": "k2"}, "Big": {"N": "-0.5"}}


def test_emr_doc_patterns_join_and_import_with_rejects(moto_env, bucket, s3, unique_table_name):
    ddb = unique_table_name("orders")
    moto_env.create_ddb_table(ddb, ("Id", "S"))
    moto_env.put_items(ddb, [{"Id": {"S": "o1"}, "Customer": {"S": "c1"}}, {"Id": {"S": "o2"}, "Customer": {"S": "c2"}}])
    moto_env.run(f"CREATE EXTERNAL TABLE orders (id string, customer string) STORED BY {HANDLER} "
                 f'TBLPROPERTIES ("dynamodb.table.name"="{ddb}", "dynamodb.column.mapping"="id:Id,customer:Customer")')
    s3.put_object(Bucket=bucket, Key="customers/c.json", Body=(
        '{"id": "c1", "name": "Ann"}\n{"id": "c2", "name": "Bob"}\n{oops\n').encode())
    moto_env.run(f"CREATE EXTERNAL TABLE customers (id string, name string) STORED AS JSONFILE "
                 f"LOCATION 's3://{bucket}/customers'")
    rows, cursor = moto_env.run("SELECT o.id, c.name FROM orders o JOIN customers c ON o.customer = c.id ORDER BY o.id")
    assert rows == [("o1", "Ann"), ("o2", "Bob")]
    assert any("1 value(s) read as NULL (row skipped: malformed JSON" in m for m in cursor.messages)
    # import from S3 into DynamoDB: a row without the key is rejected, the counts add up
    s3.put_object(Bucket=bucket, Key="new/n.txt", Body=b"o3\x01c3\n\x01c4\no5\x01c5\n")
    moto_env.run(f"CREATE EXTERNAL TABLE new_orders (id string, customer string) LOCATION 's3://{bucket}/new'")
    _, cursor = moto_env.run("INSERT INTO TABLE orders SELECT * FROM new_orders")
    assert cursor.rowcount == 2
    assert any("from 3 input row(s); 1 row(s) rejected" in m for m in cursor.messages), cursor.messages
    assert len(moto_env.scan_items(ddb)) == 4
    # multi-insert: one read of DynamoDB, a directory and a file table written
    moto_env.run(f"CREATE EXTERNAL TABLE by_customer (id string) PARTITIONED BY (customer string) "
                 f"STORED AS PARQUET LOCATION 's3://{bucket}/by_customer'")
    _, cursor = moto_env.run(f"""FROM orders
                                 INSERT OVERWRITE DIRECTORY 's3://{bucket}/ids' SELECT id
                                 INSERT OVERWRITE TABLE by_customer PARTITION (customer) SELECT id, customer""")
    assert cursor.rowcount == 8
    assert sorted(body(s3, bucket, "ids/000000_0").decode().split()) == ["o1", "o2", "o3", "o5"]
    assert moto_env.rows("SELECT count(*) FROM by_customer WHERE customer = 'c5'") == [(1,)]
