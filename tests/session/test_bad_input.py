"""Bad statements through the DB-API: each is one clear PEP 249 error (never an internal
error or another exception), or Hive's answer."""
from __future__ import annotations

import copy
import threading
import time

import pytest

import ddbsql
from ddbsql.exec.pump import pump
from ddbsql.sql import translate


@pytest.fixture
def conn(tmp_path):
    connection = ddbsql.connect(metastore=tmp_path / "metastore.db", region="us-east-1")
    cursor = connection.cursor()
    cursor.execute("CREATE TABLE t1 (a int, s string)")
    cursor.execute("INSERT INTO TABLE t1 VALUES (1, 'x')")
    yield connection
    connection.close()


def failure(connection, statement: str) -> ddbsql.Error:
    cursor = connection.cursor()
    with pytest.raises(ddbsql.Error) as caught:
        cursor.execute(statement)
        cursor.fetchall()
    error = caught.value
    assert not isinstance(error, ddbsql.InternalError), error
    assert "\n" not in str(error) and "<class" not in str(error)
    return error


def rows(connection, statement: str) -> list[tuple]:
    cursor = connection.cursor()
    cursor.execute(statement)
    return cursor.fetchall()


# unsupported statements that reached an AttributeError
@pytest.mark.parametrize("statement", ["LOAD httpfs", "ALTER TABLE t1", "ALTER TABLE t1 UNSET TBLPROPERTIES ('x')"])
def test_unsupported_statements_say_so(conn, statement):
    error = failure(conn, statement)
    assert isinstance(error, ddbsql.ProgrammingError)
    assert "unsupported statement: " + statement.split()[0] in str(error)


# dates outside years 1-9999
@pytest.mark.parametrize("statement", ["SELECT cast('9999-12-31' as date) + interval 1 day",
                                       "SELECT date_add('2020-01-01', 999999999)",
                                       "SELECT date_sub('0001-01-01', 1)",
                                       "SELECT cast('9999-12-31 23:59:59' as timestamp) + interval 1 day"])
def test_dates_outside_the_years_1_to_9999_are_an_error(conn, statement):
    error = failure(conn, statement)
    assert isinstance(error, ddbsql.DataError)
    assert "outside the years 1 to 9999" in str(error)


def test_dates_at_the_edges_are_fine(conn):
    import datetime
    assert rows(conn, "SELECT cast('9999-12-31' as date), cast('0001-01-01' as date)") == [
        (datetime.date(9999, 12, 31), datetime.date(1, 1, 1))]


# whole numbers beyond 38 digits
def test_a_50_digit_literal_is_a_double_as_in_hive(conn):
    [(value,)] = rows(conn, "SELECT 12345678901234567890123456789012345678901234567890")
    assert isinstance(value, float) and value == 1.2345678901234567e49
    [(value,)] = rows(conn, "SELECT -" + "9" * 45)
    assert value == -1e45


def test_a_38_digit_literal_stays_exact(conn):
    import decimal
    [(value,)] = rows(conn, "SELECT " + "9" * 38)
    assert value == decimal.Decimal("9" * 38)


# messages
def test_a_mistyped_keyword_is_named(conn):
    error = failure(conn, "SELEC * FROM t1")
    assert "'SELEC' does not start a HiveQL statement" in str(error)
    assert "line 1, column 1" in str(error)


def test_an_unterminated_string_is_reported_at_its_quote(conn):
    error = failure(conn, "SELECT a,\n  'abc FROM t1")
    assert "unterminated string" in str(error) and "line 2, column 3" in str(error)


def test_set_without_a_key(conn):
    error = failure(conn, "SET =x")
    assert isinstance(error, ddbsql.ProgrammingError) and "SET needs a key" in str(error)
    assert rows(conn, "SET") == [r for r in rows(conn, "SET") if not r[0].startswith("=")]


@pytest.mark.parametrize("storage", ["STORED AS TEXTFILE", "STORED AS PARQUET", ""])
def test_bucketed_tables_are_refused_as_documented(conn, storage):
    error = failure(conn, f"CREATE TABLE b (a int) CLUSTERED BY (a) INTO 4 BUCKETS {storage}")
    assert "CLUSTERED BY" in str(error)
    assert ("b",) not in rows(conn, "SHOW TABLES")


def test_deep_nesting_is_one_error(conn):
    error = failure(conn, "SELECT " + "(" * 3000 + "1" + ")" * 3000)
    assert isinstance(error, ddbsql.ProgrammingError) and "nests too deeply" in str(error)
    assert rows(conn, "SELECT " + "(" * 20 + "1" + ")" * 20) == [(1,)]


# bounded settings
@pytest.mark.parametrize("assignment", ["dynamodb.scan.segments=1000001", "dynamodb.scan.segments=0",
                                        "ddbsql.write.workers=100000000", "ddbsql.write.workers=0",
                                        "dynamodb.throughput.write=1e309", "dynamodb.throughput.read=inf",
                                        "dynamodb.throughput.write=nan", "ddbsql.retry.max.seconds=1e400",
                                        "ddbsql.scan.max.rcu=inf", "ddbsql.capacity.refresh.seconds=-inf"])
def test_settings_are_bounded(conn, assignment):
    error = failure(conn, "SET " + assignment)
    assert isinstance(error, ddbsql.ProgrammingError)
    key = assignment.split("=")[0]
    assert rows(conn, f"SET {key}")[0][0] != f"{assignment}"


def test_the_limits_themselves_are_accepted(conn):
    for assignment in ("dynamodb.scan.segments=1000000", "ddbsql.write.workers=64", "dynamodb.throughput.write=1e9"):
        conn.cursor().execute("SET " + assignment)


def test_tasks_in_flight_stay_bounded_whatever_their_number():
    started = []
    lock = threading.Lock()

    def task(index):
        def run(put, stopped):
            with lock:
                started.append(index)
            put(index)
        return run

    begun = time.monotonic()
    stream = pump((task(i) for i in range(1_000_000)), "bounded", 8, None)
    first = [next(stream) for _ in range(20)]
    stream.close()
    assert len(first) == 20
    assert time.monotonic() - begun < 5
    with lock:
        assert len(started) < 100   # a few batches of 8, never the million


def test_long_sums_translate_in_linear_time():
    """Each operator of 1+1+…+1 once copied the whole chain below it: count node copies."""
    copies = []
    original = copy.deepcopy

    def count(n: int) -> int:
        copies.clear()
        tree = translate.parse_hive("SELECT " + "+".join(["1"] * n))[0]
        real = translate.exp.Expression.__deepcopy__

        def counting(self, memo):
            copies.append(1)
            return real(self, memo)

        translate.exp.Expression.__deepcopy__ = counting
        try:
            translate.to_duckdb(tree)
        finally:
            translate.exp.Expression.__deepcopy__ = real
        return len(copies)

    small, large = count(200), count(400)
    assert original is copy.deepcopy
    assert large < 2.5 * small + 100, (small, large)


@pytest.mark.e2e
@pytest.mark.parametrize("folder", ["/proc/ddbsql-rejects", "{tmp}/a-file/rejects"])
def test_an_unwritable_reject_folder_is_refused_before_writing(tmp_path, folder, moto_backend, unique_table_name):
    (tmp_path / "a-file").write_text("")
    folder = folder.format(tmp=tmp_path)
    client = moto_backend.client()
    client.create_table(TableName=unique_table_name, KeySchema=[{"AttributeName": "a", "KeyType": "HASH"}],
                        AttributeDefinitions=[{"AttributeName": "a", "AttributeType": "N"}],
                        BillingMode="PAY_PER_REQUEST")
    with ddbsql.connect(metastore=tmp_path / "metastore.db", region="us-east-1", endpoint_url=moto_backend.url,
                        hiveconf={"ddbsql.reject.dir": folder}) as connection:
        cursor = connection.cursor()
        cursor.execute(f"""CREATE EXTERNAL TABLE d (a int) STORED BY
                           'org.apache.hadoop.hive.dynamodb.DynamoDBStorageHandler'
                           TBLPROPERTIES ("dynamodb.table.name"="{unique_table_name}")""")
        with pytest.raises(ddbsql.ProgrammingError, match="ddbsql.reject.dir=.*(cannot be written|is not a folder)"):
            cursor.execute("INSERT INTO TABLE d VALUES (1)")
    assert client.scan(TableName=unique_table_name)["Count"] == 0
