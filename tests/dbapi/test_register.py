"""``Connection.register``: DataFrames and Arrow data read by name, joined with DynamoDB
tables and inserted into them (moto's DynamoDB over HTTP; items checked with boto3)."""
from __future__ import annotations

import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import ddbsql

pytestmark = pytest.mark.e2e

HANDLER = "'org.apache.hadoop.hive.dynamodb.DynamoDBStorageHandler'"


@pytest.fixture
def conn(moto_backend, tmp_path):
    connection = ddbsql.connect(endpoint_url=moto_backend.url, region="us-east-1", metastore=tmp_path / "m.db",
                                warehouse=tmp_path / "w.duckdb",
                                hiveconf={"ddbsql.reject.dir": str(tmp_path / "rejects")})
    yield connection
    connection.close()


@pytest.fixture
def customers(conn, moto_backend, unique_table_name):
    """DynamoDB table mapped as ``customers (id bigint, name string)`` holding ids 1..5."""
    client = moto_backend.client()
    client.create_table(TableName=unique_table_name, KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "N"}],
                        BillingMode="PAY_PER_REQUEST")
    for i in range(1, 6):
        client.put_item(TableName=unique_table_name, Item={"id": {"N": str(i)}, "name": {"S": f"c{i}"}})
    conn.cursor().execute(f"""CREATE EXTERNAL TABLE customers (id bigint, name string) STORED BY {HANDLER}
                              TBLPROPERTIES ("dynamodb.table.name" = "{unique_table_name}")""")
    return client, unique_table_name


class CStream:
    """Only the Arrow PyCapsule stream interface, as other libraries offer it."""

    def __init__(self, table: pa.Table):
        self.table = table

    def __arrow_c_stream__(self, requested_schema=None):
        return self.table.__arrow_c_stream__(requested_schema)


ORDERS = {"customer": [1, 2, 2, 9], "total": [10.5, 1.25, 3.0, 7.0]}


@pytest.mark.parametrize("make", [
    pytest.param(lambda: pd.DataFrame(ORDERS), id="pandas"),
    pytest.param(lambda: pl.DataFrame(ORDERS), id="polars"),
    pytest.param(lambda: pa.table(ORDERS), id="arrow-table"),
    pytest.param(lambda: pa.table(ORDERS).to_batches()[0], id="record-batch"),
    pytest.param(lambda: CStream(pa.table(ORDERS)), id="arrow-c-stream"),
])
def test_registered_frames_join_dynamodb_tables(conn, customers, make):
    conn.register("orders", make())
    cursor = conn.cursor()
    cursor.execute("""SELECT c.name, sum(o.total) AS spent FROM orders o JOIN customers c ON c.id = o.customer
                      GROUP BY c.name ORDER BY c.name""")
    assert cursor.fetchall() == [("c1", 10.5), ("c2", 4.25)]
    cursor.execute("SELECT count(*) FROM orders")   # read again: a fresh stream each statement
    assert cursor.fetchone() == (4,)


def test_insert_into_dynamodb_from_a_dataframe(conn, customers):
    client, name = customers
    conn.register("new_people", pd.DataFrame({"ID": [6, 7], "Name": ["f", "g"]}))
    cursor = conn.cursor()
    cursor.execute("INSERT INTO customers SELECT id, name FROM new_people")
    assert cursor.rowcount == 2
    assert client.get_item(TableName=name, Key={"id": {"N": "7"}}, ConsistentRead=True)["Item"]["name"] == {"S": "g"}


def test_a_record_batch_reader_is_read_once(conn):
    conn.register("stream", pa.table({"x": [1, 2]}).to_reader())
    cursor = conn.cursor()
    cursor.execute("SELECT sum(x) FROM stream")
    assert cursor.fetchone() == (3,)
    with pytest.raises(ddbsql.ProgrammingError, match="already read; register it again"):
        cursor.execute("SELECT sum(x) FROM stream")


def test_unregister_and_shadowing(conn):
    cursor = conn.cursor()
    cursor.execute("CREATE TABLE t (a int)")
    cursor.execute("INSERT INTO t VALUES (1)")
    conn.register("t", pa.table({"a": [5, 6]}))
    cursor.execute("SELECT sum(a) FROM t")
    assert cursor.fetchone() == (11,)
    cursor.execute("SELECT sum(a) FROM default.t")      # qualified: the catalog table
    assert cursor.fetchone() == (1,)
    conn.unregister("T")
    cursor.execute("SELECT sum(a) FROM t")
    assert cursor.fetchone() == (1,)
    with pytest.raises(ddbsql.ProgrammingError, match="not registered"):
        conn.unregister("t")


def test_unknown_columns_and_bad_objects_are_programming_errors(conn):
    conn.register("f", pa.table({"a": [1]}))
    with pytest.raises(ddbsql.ProgrammingError, match="Invalid column reference 'b'"):
        conn.cursor().execute("SELECT b FROM f")
    with pytest.raises(ddbsql.ProgrammingError, match="cannot register a builtins.list"):
        conn.register("g", [1, 2])
    with pytest.raises(ddbsql.ProgrammingError, match="letters, digits"):
        conn.register("no such", pa.table({"a": [1]}))
    with pytest.raises(ddbsql.ProgrammingError, match="reserved"):
        conn.register("__ddbsql_rows_x", pa.table({"a": [1]}))


def test_registered_data_works_with_duckdb_external_access_off(conn):
    """Registered objects are in-memory streams: no file or network access is needed
    (ddbsql's DuckDB always runs with external access off and its configuration locked)."""
    duck = conn.session.engine.con
    assert duck.execute("SELECT current_setting('enable_external_access'), "
                        "current_setting('lock_configuration')").fetchall() == [(False, True)]
    conn.register("p", pl.DataFrame({"k": [1, 2, 3], "v": ["a", "b", "c"]}))
    conn.register("q", pd.DataFrame({"k": [2, 3], "w": [20, 30]}))
    cursor = conn.cursor()
    cursor.execute("CREATE TABLE local_out (k int, v string, w int)")
    cursor.execute("INSERT INTO local_out SELECT p.k, p.v, q.w FROM p JOIN q ON p.k = q.k")
    cursor.execute("SELECT * FROM local_out ORDER BY k")
    assert cursor.fetchall() == [(2, "b", 20), (3, "c", 30)]


def test_explain_names_a_registered_source(conn):
    conn.register("f", pa.table({"a": [1]}))
    cursor = conn.cursor()
    cursor.execute("EXPLAIN SELECT a FROM f")
    assert cursor.fetchall()
