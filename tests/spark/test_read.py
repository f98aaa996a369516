"""Reading DynamoDB Local through format ddbsql equals ddbsql's own SELECT; filters on
the key become GetItem/BatchGetItem/Query (counted at the HTTP layer)."""
from __future__ import annotations

import base64
import decimal

import pytest

from support.ddb_env import Env

pytestmark = pytest.mark.e2e

HANDLER = "'org.apache.hadoop.hive.dynamodb.DynamoDBStorageHandler'"
COLUMNS = ("id string, n bigint, x double, d decimal(38,10), b boolean, bin binary, tags array<string>, "
           "m map<string,bigint>, s struct<a:string,c:bigint>")


@pytest.fixture
def env(local_env):
    return local_env


def item(i: int) -> dict:
    value = {"id": {"S": f"k{i}"}}
    if i % 7 != 3:
        value["n"] = {"N": str(i * 1_000_000_007)}
    if i % 11 == 5:
        value["n"] = {"S": "not a number"}              # reads as NULL, on both sides
    value["x"] = {"N": str(i / 3)}
    value["d"] = {"N": f"{i}23456789012345678901234567.123456789{i % 10}"}   # 37 digits, exact
    value["b"] = {"BOOL": i % 2 == 0}
    value["bin"] = {"B": bytes([i % 256, 0, 255])}
    if i % 5:
        value["tags"] = {"L": [{"S": f"t{j}"} for j in range(i % 4)]}
    value["m"] = {"M": {"a": {"N": str(i)}, "b": {"N": "-1"}}}
    value["s"] = {"M": {"a": {"S": f"s{i}"}, "c": {"N": str(i * 2)}}}
    return value


def make_table(env: Env, name: str, items: int = 60) -> None:
    env.create_ddb_table(name)
    env.put_items(name, [item(i) for i in range(items)])
    env.run(f"CREATE EXTERNAL TABLE t ({COLUMNS}) STORED BY {HANDLER} "
            f"TBLPROPERTIES ('dynamodb.table.name' = '{name}')")


def plain(value):
    """Spark's and DB-API's Python values in one comparable form."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return ("bytes", base64.b64encode(bytes(value)).decode())
    if hasattr(value, "asDict"):
        return plain(value.asDict())
    if isinstance(value, dict):
        return tuple(sorted((k, plain(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return tuple(plain(v) for v in value)
    if isinstance(value, decimal.Decimal):
        return ("dec", value.normalize())
    return value


def rows_of(rows) -> list:
    return sorted((tuple(plain(v) for v in row) for row in rows), key=repr)


def load(spark, env: Env, endpoint: str | None = None, **options):
    reader = (spark.read.format("ddbsql").option("table", "t").option("metastore", str(env.tmp / "metastore.db"))
              .option("endpoint", endpoint or env.backend.url).option("region", "us-east-1"))
    return reader.options(**options).load()


def test_read_equals_ddbsql_select(spark, registration, env, unique_table_name):
    make_table(env, unique_table_name)
    df = load(spark, env, segments="3")
    assert [f.simpleString() for f in df.schema.fields][3] == "d:decimal(38,10)"
    expected = rows_of(env.rows("SELECT * FROM t"))
    assert len(expected) == 60
    assert rows_of(df.collect()) == expected


def test_inline_definition_reads_the_same(spark, registration, env, unique_table_name):
    make_table(env, unique_table_name, items=20)
    df = (spark.read.format("ddbsql").option("columns", "ID string, N bigint")
          .option("dynamodb.table.name", unique_table_name).option("dynamodb.column.mapping", "id:id,n:n")
          .option("endpoint", env.backend.url).option("region", "us-east-1").load())
    assert rows_of(df.collect()) == rows_of(env.rows("SELECT id, n FROM t"))


#: WHERE clauses and the request DynamoDB must see for them
PUSHED = [
    ("id = 'k5'", "GetItem"),
    ("id IN ('k1', 'k2', 'k40', 'nope')", "BatchGetItem"),
    ("id = 'k7' AND n > 5", "GetItem"),
    ("n > 20000000000 AND b", "Scan"),
]


def test_filters_are_pushed_and_results_equal(spark, registration, env, proxy, unique_table_name):
    make_table(env, unique_table_name)
    for where, operation in PUSHED:
        expected = rows_of(env.rows(f"SELECT * FROM t WHERE {where}"))
        proxy.reset()
        # a fresh DataFrame per query: Spark 4.x keeps the last pushed read on a reused one
        got = rows_of(load(spark, env, endpoint=proxy.url).where(where).collect())
        counts = dict(proxy.counts)
        assert got == expected, where
        assert counts.get(operation, 0) >= 1, (where, counts)
        if operation != "Scan":
            assert counts.get("Scan", 0) == 0, (where, counts)          # a key lookup, never a Scan
    proxy.reset()
    rows = load(spark, env, endpoint=proxy.url).where("id = 'k9'").collect()
    assert [r.id for r in rows] == ["k9"]
    assert proxy.counts["GetItem"] == 1 and proxy.counts["Scan"] == 0 and proxy.counts["Query"] == 0
