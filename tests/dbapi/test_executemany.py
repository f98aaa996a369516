"""``Cursor.executemany``: INSERT … VALUES over many parameter rows runs as one statement,
against moto's DynamoDB over HTTP; items read back with plain boto3."""
from __future__ import annotations

import datetime
import decimal
from pathlib import Path

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
def table(conn, moto_backend, unique_table_name):
    """DynamoDB table ``unique_table_name`` mapped as ``d (k bigint, s string, amount decimal(38,10),
    at string, flag boolean)``; returns a boto3 client and the table's name."""
    client = moto_backend.client()
    client.create_table(TableName=unique_table_name, KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
                        AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "N"}],
                        BillingMode="PAY_PER_REQUEST")
    conn.cursor().execute(f"""CREATE EXTERNAL TABLE d (k bigint, s string, amount decimal(38,10), at string,
                              flag boolean) STORED BY {HANDLER}
                              TBLPROPERTIES ("dynamodb.table.name" = "{unique_table_name}")""")
    return client, unique_table_name


def items(client, name: str) -> dict[int, dict]:
    found, start = {}, {}
    while True:
        page = client.scan(TableName=name, ConsistentRead=True, **start)
        for item in page["Items"]:
            found[int(item["k"]["N"])] = item
        if "LastEvaluatedKey" not in page:
            return found
        start = {"ExclusiveStartKey": page["LastEvaluatedKey"]}


def job_count(conn) -> int:
    return len(conn.session.metastore.jobs().jobs())


def test_executemany_insert_is_one_statement_and_one_job(conn, table):
    client, name = table
    rows = [(i, f"s{i}", decimal.Decimal(f"{i}.0123456789"), datetime.datetime(2024, 1, 1, 0, 0, i % 60), i % 2 == 0)
            for i in range(500)]
    cursor = conn.cursor()
    cursor.executemany("INSERT INTO d VALUES (?, ?, ?, ?, ?)", rows)
    assert cursor.rowcount == 500
    assert job_count(conn) == 1
    assert len(cursor.write_reports) == 1 and cursor.write_reports[0]["written"] == 500
    got = items(client, name)
    assert sorted(got) == list(range(500))
    assert got[7]["s"] == {"S": "s7"}
    assert got[7]["amount"] == {"N": "7.0123456789"}       # exact: no float on the way
    assert got[8]["flag"] == {"BOOL": True} and got[7]["flag"] == {"BOOL": False}
    cursor.execute("SELECT at FROM d WHERE k = 61")
    assert cursor.fetchall() == [("2024-01-01 00:00:01",)]


def test_same_as_one_row_at_a_time(conn, table, moto_backend, unique_table_name):
    """Each value lands as execute() with the same parameters would land it."""
    client, name = table
    rows = [(1, "x", decimal.Decimal("1.5"), None, True), (2, None, decimal.Decimal("12.25"), None, None),
            (3, "it's", None, datetime.datetime(2020, 2, 29, 12, 0, tzinfo=datetime.timezone.utc), False)]
    conn.cursor().executemany("INSERT INTO d VALUES (?, ?, ?, ?, ?)", rows)
    many = items(client, name)
    other = unique_table_name("single")
    client.create_table(TableName=other, KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
                        AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "N"}],
                        BillingMode="PAY_PER_REQUEST")
    cursor = conn.cursor()
    cursor.execute(f"""CREATE EXTERNAL TABLE d1 (k bigint, s string, amount decimal(38,10), at string,
                       flag boolean) STORED BY {HANDLER} TBLPROPERTIES ("dynamodb.table.name" = "{other}")""")
    for row in rows:
        cursor.execute("INSERT INTO d1 VALUES (?, ?, ?, ?, ?)", row)
    assert many == items(client, other)


def test_named_parameters_expressions_and_a_column_list(conn, table):
    client, name = table
    cursor = conn.cursor()
    cursor.executemany("INSERT INTO d (s, k) VALUES (upper(:name), :key * 10)",
                       [{"key": 1, "name": "a"}, {"key": 2, "name": "b"}])
    assert cursor.rowcount == 2 and job_count(conn) == 1
    got = items(client, name)
    assert {k: v["s"]["S"] for k, v in got.items()} == {10: "A", 20: "B"}


def test_parameters_stay_data(conn, table):
    client, name = table
    hostile = "x'); DROP TABLE d; --"
    conn.cursor().executemany("INSERT INTO d (k, s) VALUES (?, ?)", [(1, hostile), (2, "${hiveconf:x}")])
    got = items(client, name)
    assert got[1]["s"] == {"S": hostile} and got[2]["s"] == {"S": "${hiveconf:x}"}
    conn.cursor().execute("SELECT count(*) FROM d")


def test_values_arrow_cannot_type_together_still_insert(conn, table):
    """A column mixing strings and numbers cannot be one Arrow column: the rows run one by one."""
    client, name = table
    cursor = conn.cursor()
    cursor.executemany("INSERT INTO d (k, s) VALUES (?, ?)", [(1, "one"), (2, 2)])
    assert cursor.rowcount == 2
    assert {k: v["s"]["S"] for k, v in items(client, name).items()} == {1: "one", 2: "2"}


def test_different_rows_are_different_jobs(conn, table):
    cursor = conn.cursor()
    cursor.executemany("INSERT INTO d (k) VALUES (?)", [(1,), (2,)])
    cursor.executemany("INSERT INTO d (k) VALUES (?)", [(3,), (4,)])
    assert job_count(conn) == 2


def test_into_a_local_table_and_statements_that_are_not_batched(conn):
    cursor = conn.cursor()
    cursor.execute("CREATE TABLE t (a int, s string)")
    cursor.executemany("INSERT INTO t VALUES (?, ?)", [(i, str(i)) for i in range(50)])
    assert cursor.rowcount == 50
    cursor.executemany("INSERT INTO t VALUES (?, 'a'), (?, 'b')", [(100, 101), (102, 103)])
    assert cursor.rowcount == 4
    cursor.executemany("SELECT * FROM t WHERE a = ?", [(1,), (2,)])
    assert cursor.fetchall() == [(2, "2")]
    cursor.execute("SELECT count(*) FROM t")
    assert cursor.fetchone() == (54,)


@pytest.mark.parametrize("sql, rows, message", [
    ("INSERT INTO t VALUES (?, ?)", [(1, "a"), (2,)], "parameter row 2"),
    ("INSERT INTO t VALUES (:a, :b)", [{"a": 1, "b": "x"}, {"a": 2}], "no value for parameter :b"),
    ("INSERT INTO t VALUES (?, ?)", [(1, "a"), {"a": 1}], "every parameter row"),
    ("INSERT INTO t VALUES (?, ?)", ["ab"], "not str"),
])
def test_bad_parameter_rows_are_programming_errors(conn, sql, rows, message):
    cursor = conn.cursor()
    cursor.execute("CREATE TABLE t (a int, s string)")
    with pytest.raises(ddbsql.ProgrammingError, match=message):
        cursor.executemany(sql, rows)
    cursor.execute("SELECT count(*) FROM t")
    assert cursor.fetchone() == (0,)


def test_no_rows_runs_nothing(conn):
    cursor = conn.cursor()
    cursor.executemany("INSERT INTO nowhere VALUES (?)", [])
    assert cursor.rowcount == 0


def test_executemany_after_a_cancel_runs(conn, table):
    """A cancel ends the statement it reached; the next executemany has its own."""
    client, name = table
    conn.cancel()
    cursor = conn.cursor()
    cursor.executemany("INSERT INTO d (k) VALUES (?)", [(1,), (2,)])
    assert cursor.rowcount == 2 and sorted(items(client, name)) == [1, 2]


def test_executemany_does_not_read_the_environment_unless_allowed(conn, monkeypatch):
    """${env:X} in the statement text is refused under the DB-API default, as execute refuses it."""
    monkeypatch.setenv("DDBSQL_TEST_SECRET_VALUE", "leaked")
    cursor = conn.cursor()
    cursor.execute("CREATE TABLE t (a int, s string)")
    with pytest.raises(ddbsql.ProgrammingError, match="Not permitted"):
        cursor.executemany("INSERT INTO t VALUES (?, '${env:DDBSQL_TEST_SECRET_VALUE}')", [(1,), (2,)])
    cursor.execute("SELECT count(*) FROM t")
    assert cursor.fetchone() == (0,)
