"""PEP 249 conformance of ``ddbsql.connect()`` against a real local DynamoDB (moto over HTTP).

Every check that reads DynamoDB data back goes through the server: items are put and
read with plain boto3 (the independent side), tables are mapped with CREATE EXTERNAL
TABLE, and the DB-API connection talks to the server on loopback.
"""
from __future__ import annotations

import datetime
import decimal
import socket
from pathlib import Path
from urllib.parse import urlparse

import pyarrow as pa
import pytest

import ddbsql
import ddbsql.dbapi
from ddbsql import errors

pytestmark = pytest.mark.e2e

HANDLER = "'org.apache.hadoop.hive.dynamodb.DynamoDBStorageHandler'"
ROWS = [(i, f"s{i}") for i in range(1, 8)]          # the rows of both tables `d` and `t`
HIVECONF_X = "SUBSTITUTED-hiveconf"
HIVEVAR_X = "SUBSTITUTED-hivevar"


# -- helpers and fixtures ---------------------------------------------------------------

def connect(backend, tmp: Path, **kwargs) -> ddbsql.Connection:
    """A connection with DB-API defaults (no shell, no local files) on ``backend``."""
    hiveconf = {"ddbsql.reject.dir": str(tmp / "rejects"), "x": HIVECONF_X}
    hiveconf.update(kwargs.pop("hiveconf", {}))
    hivevar = {"x": HIVEVAR_X}
    hivevar.update(kwargs.pop("hivevar", {}))
    return ddbsql.connect(endpoint_url=backend.url, region="us-east-1", metastore=tmp / "metastore.db",
                          warehouse=tmp / "warehouse.duckdb", hiveconf=hiveconf, hivevar=hivevar, **kwargs)


_CLIENTS: dict[str, object] = {}


def ddb_client(backend):
    """A boto3 client for ``backend``, made once (making one takes longer than most checks)."""
    if backend.url not in _CLIENTS:
        _CLIENTS[backend.url] = backend.client()
    return _CLIENTS[backend.url]


def create_ddb_table(client, name: str, key=("a", "N")) -> None:
    client.create_table(TableName=name, KeySchema=[{"AttributeName": key[0], "KeyType": "HASH"}],
                        AttributeDefinitions=[{"AttributeName": key[0], "AttributeType": key[1]}],
                        BillingMode="PAY_PER_REQUEST")
    client.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 0.1, "MaxAttempts": 100})


def rows(cursor, sql: str, parameters=None) -> list[tuple]:
    cursor.execute(sql, parameters)
    return cursor.fetchall()


@pytest.fixture
def conn(moto_backend, tmp_path):
    connection = connect(moto_backend, tmp_path)
    yield connection
    connection.close()


class World:
    """The tables of one test: DynamoDB table ``ddb_name`` mapped as ``d (a int, s string)``
    and the local managed table ``t (a int, s string)``, both holding :data:`ROWS`."""

    def __init__(self, conn, backend, ddb_name: str):
        self.conn = conn
        self.client = ddb_client(backend)
        self.ddb_name = ddb_name
        create_ddb_table(self.client, ddb_name)
        self.client.batch_write_item(RequestItems={ddb_name: [
            {"PutRequest": {"Item": {"a": {"N": str(a)}, "s": {"S": s}}}} for a, s in ROWS]})
        cursor = conn.cursor()
        cursor.execute(f"""CREATE EXTERNAL TABLE d (a int, s string) STORED BY {HANDLER}
                           TBLPROPERTIES ("dynamodb.table.name" = "{ddb_name}",
                                          "dynamodb.column.mapping" = "a:a,s:s")""")
        cursor.execute("CREATE TABLE t (a int, s string)")
        cursor.execute("INSERT INTO TABLE t VALUES " + ", ".join(f"({a}, '{s}')" for a, s in ROWS))
        assert cursor.rowcount == len(ROWS)

    def ddb_item(self, a: int) -> dict | None:
        return self.client.get_item(TableName=self.ddb_name, Key={"a": {"N": str(a)}}, ConsistentRead=True).get("Item")

    def assert_intact(self) -> None:
        """Both tables and all their original rows are still there (nothing was dropped or rewritten)."""
        cursor = self.conn.cursor()
        assert {"d", "t"} <= {r[0] for r in rows(cursor, "SHOW TABLES")}
        for table in ("d", "t"):
            got = rows(cursor, f"SELECT a, s FROM {table} WHERE a <= {len(ROWS)}")
            assert sorted(got) == ROWS, table
        self.client.describe_table(TableName=self.ddb_name)


@pytest.fixture
def world(conn, moto_backend, unique_table_name) -> World:
    return World(conn, moto_backend, unique_table_name)


@pytest.fixture(params=["d", "t"], ids=["dynamodb-table", "local-table"])
def source(request, world) -> str:
    """The name of a table holding :data:`ROWS`: DynamoDB-backed, then local."""
    return request.param


# -- module globals ----------------------------------------------------------------------

def test_module_globals():
    for module in (ddbsql, ddbsql.dbapi):
        assert module.apilevel == "2.0"
        assert module.threadsafety in (0, 1, 2, 3)
        assert module.paramstyle == "qmark"
    assert callable(ddbsql.connect)


EXCEPTION_TREE = [
    ("Warning", Exception), ("Error", Exception),
    ("InterfaceError", "Error"), ("DatabaseError", "Error"),
    ("DataError", "DatabaseError"), ("OperationalError", "DatabaseError"), ("IntegrityError", "DatabaseError"),
    ("InternalError", "DatabaseError"), ("ProgrammingError", "DatabaseError"),
    ("NotSupportedError", "DatabaseError"),
]


@pytest.mark.parametrize("name, parent", EXCEPTION_TREE, ids=[n for n, _ in EXCEPTION_TREE])
def test_exception_tree(name, parent):
    cls = getattr(ddbsql, name)
    assert cls is getattr(ddbsql.dbapi, name)
    parent_cls = parent if isinstance(parent, type) else getattr(ddbsql, parent)
    assert issubclass(cls, parent_cls)
    assert name in ddbsql.__all__


def test_warning_is_not_an_error_and_interface_error_is_not_a_database_error():
    assert not issubclass(ddbsql.Warning, ddbsql.Error)
    assert not issubclass(ddbsql.InterfaceError, ddbsql.DatabaseError)
    assert not issubclass(ddbsql.ProgrammingError, ddbsql.OperationalError)


def test_type_objects_and_constructors():
    assert ddbsql.STRING == "string" and ddbsql.STRING == "varchar(10)" and ddbsql.STRING != "bigint"
    assert ddbsql.NUMBER == "decimal(38,2)" and ddbsql.NUMBER == "bigint" and ddbsql.NUMBER == "double"
    assert ddbsql.NUMBER != "string" and ddbsql.NUMBER != "array<int>"
    assert ddbsql.BINARY == "binary" and ddbsql.BINARY != "string"
    assert ddbsql.DATETIME == "timestamp" and ddbsql.DATETIME == "date" and ddbsql.DATETIME != "string"
    assert ddbsql.Date(2020, 1, 2) == datetime.date(2020, 1, 2)
    assert ddbsql.Timestamp(2020, 1, 2, 3, 4, 5) == datetime.datetime(2020, 1, 2, 3, 4, 5)
    assert ddbsql.Binary(b"\x00") == b"\x00"
    assert ddbsql.DateFromTicks(86400) == datetime.date(1970, 1, 2)
    assert ddbsql.TimestampFromTicks(86400 + 61) == datetime.datetime(1970, 1, 2, 0, 1, 1)
    assert ddbsql.TimeFromTicks(3661) == datetime.time(1, 1, 1)


# -- Connection --------------------------------------------------------------------------

def test_connection_cursor_commit_and_close(moto_backend, tmp_path):
    connection = connect(moto_backend, tmp_path)
    cursor = connection.cursor()
    assert isinstance(cursor, ddbsql.Cursor) and cursor.connection is connection
    assert rows(cursor, "SELECT 1") == [(1,)]
    assert connection.commit() is None              # every statement is applied as it runs
    connection.close()
    connection.close()                              # closing twice is harmless
    for use in (connection.cursor, connection.commit, connection.rollback,
                lambda: cursor.execute("SELECT 1"), cursor.fetchone):
        with pytest.raises(ddbsql.InterfaceError, match="closed"):
            use()


def test_rollback_does_nothing_as_there_are_no_transactions(conn):
    """Connection pools (SQLAlchemy's) call rollback() on every connection they take back."""
    assert conn.rollback() is None
    assert rows(conn.cursor(), "SELECT 2") == [(2,)]  # the connection is still usable


def test_exception_classes_are_connection_attributes(conn):
    for name in ("Warning", "Error", "InterfaceError", "DatabaseError", "DataError", "OperationalError",
                 "IntegrityError", "InternalError", "ProgrammingError", "NotSupportedError"):
        assert getattr(conn, name) is getattr(ddbsql, name)
    with pytest.raises(conn.ProgrammingError):
        conn.cursor().execute("SELEC 1")


def test_context_manager_closes_the_connection(moto_backend, tmp_path):
    with connect(moto_backend, tmp_path) as connection:
        assert rows(connection.cursor(), "SELECT 1") == [(1,)]
    with pytest.raises(ddbsql.InterfaceError):
        connection.cursor()
    with pytest.raises(ZeroDivisionError):
        with connect(moto_backend, tmp_path) as connection:
            1 / 0
    with pytest.raises(ddbsql.InterfaceError):
        connection.cursor()


def test_data_written_survives_reconnect(moto_backend, tmp_path, unique_table_name):
    with connect(moto_backend, tmp_path) as connection:
        World(connection, moto_backend, unique_table_name)
        connection.commit()
    with connect(moto_backend, tmp_path) as connection:
        cursor = connection.cursor()
        assert sorted(rows(cursor, "SELECT a, s FROM t")) == ROWS
        assert sorted(rows(cursor, "SELECT a, s FROM d")) == ROWS


# -- Cursor ------------------------------------------------------------------------------

def test_execute_returns_the_cursor_and_describes_columns(conn, source):
    cursor = conn.cursor()
    assert cursor.description is None and cursor.rowcount == -1
    assert cursor.execute(f"SELECT a, s, a * 2 FROM {source}") is cursor
    description = cursor.description
    assert [len(column) for column in description] == [7, 7, 7]
    assert [column[0] for column in description] == ["a", "s", "_c2"]
    assert description[0][1] == ddbsql.NUMBER and description[0][1] != ddbsql.STRING
    assert description[1][1] == ddbsql.STRING and description[1][1] != ddbsql.NUMBER
    assert description[2][1] == ddbsql.NUMBER


def test_type_codes_of_every_family(conn):
    cursor = conn.cursor()
    cursor.execute("SELECT 'x', CAST(1 AS tinyint), 1, CAST(1 AS bigint), 1.5, CAST(1 AS decimal(10,2)), true,"
                   " CAST('ab' AS binary), CAST('2020-01-02' AS date), CAST('2020-01-02 03:04:05' AS timestamp)")
    codes = [column[1] for column in cursor.description]
    assert codes[0] == ddbsql.STRING
    assert all(code == ddbsql.NUMBER for code in codes[1:6]), codes
    assert codes[6] == "boolean" and codes[6] != ddbsql.NUMBER      # a boolean is not a number
    family = {ddbsql.STRING: "s", ddbsql.NUMBER: "n", ddbsql.BINARY: "b", ddbsql.DATETIME: "d"}
    assert [family.get(code) for code in codes] == ["s", "n", "n", "n", "n", "n", None, "b", "d", "d"]
    assert cursor.description[5][4:6] == (10, 2)           # precision and scale of the decimal
    assert cursor.description[3][4:6] == (None, None)
    assert codes[7] == ddbsql.BINARY and codes[7] != ddbsql.STRING
    assert codes[8] == ddbsql.DATETIME and codes[9] == ddbsql.DATETIME
    assert codes[5] == "decimal(10,2)"
    assert cursor.fetchall() == [("x", 1, 1, 1, 1.5, decimal.Decimal("1.00"), True, b"ab",
                                  datetime.date(2020, 1, 2), datetime.datetime(2020, 1, 2, 3, 4, 5))]


def test_rowcount_of_a_select_is_the_rows_fetched_once_exhausted(conn, source):
    cursor = conn.cursor()
    cursor.execute(f"SELECT a, s FROM {source}")
    assert cursor.rowcount == -1        # not known before the stream is read
    assert sorted(cursor.fetchall()) == ROWS
    assert cursor.rowcount == len(ROWS)
    cursor.execute(f"SELECT a FROM {source} WHERE a > 100")
    assert cursor.fetchall() == [] and cursor.rowcount == 0


def test_fetchone_until_none(conn, source):
    cursor = conn.cursor()
    cursor.execute(f"SELECT a, s FROM {source} ORDER BY a")
    got = []
    while (row := cursor.fetchone()) is not None:
        assert isinstance(row, tuple)
        got.append(row)
    assert got == ROWS
    assert cursor.fetchone() is None and cursor.fetchall() == [] and cursor.fetchmany(3) == []
    assert cursor.rowcount == len(ROWS)


def test_arraysize_and_fetchmany(conn, source):
    cursor = conn.cursor()
    assert cursor.arraysize == 1
    cursor.execute(f"SELECT a, s FROM {source} ORDER BY a")
    assert cursor.fetchmany() == ROWS[:1]
    cursor.arraysize = 3
    assert cursor.fetchmany() == ROWS[1:4]
    assert cursor.fetchmany(2) == ROWS[4:6]
    assert cursor.fetchmany(10) == ROWS[6:]
    assert cursor.fetchmany() == []


def test_mixed_fetches_continue_where_the_last_stopped(conn, source):
    cursor = conn.cursor()
    cursor.execute(f"SELECT a, s FROM {source} ORDER BY a")
    assert cursor.fetchone() == ROWS[0]
    assert cursor.fetchmany(2) == ROWS[1:3]
    assert next(cursor) == ROWS[3]
    assert cursor.fetchall() == ROWS[4:]


def test_iteration(conn, source):
    cursor = conn.cursor()
    cursor.execute(f"SELECT a, s FROM {source} ORDER BY a")
    assert iter(cursor) is cursor       # PEP 249: __iter__ returns self, __next__ fetches
    assert next(cursor) == ROWS[0]
    assert list(cursor) == ROWS[1:]
    with pytest.raises(StopIteration):
        next(cursor)
    assert [row for row in cursor.execute(f"SELECT a FROM {source} ORDER BY a")] == [(a,) for a, _ in ROWS]


def test_fetch_arrow_table(conn, source):
    cursor = conn.cursor()
    cursor.execute(f"SELECT a, s FROM {source} ORDER BY a")
    table = cursor.fetch_arrow_table()
    assert isinstance(table, pa.Table)
    assert table.column_names == ["a", "s"]
    assert pa.types.is_integer(table.schema.field("a").type) and pa.types.is_string(table.schema.field("s").type)
    assert list(zip(table.column("a").to_pylist(), table.column("s").to_pylist())) == ROWS
    assert cursor.rowcount == len(ROWS)
    assert cursor.fetchall() == []


def test_fetch_record_batches(conn, source):
    cursor = conn.cursor()
    cursor.execute(f"SELECT a, s FROM {source}")
    reader = cursor.fetch_record_batches()
    assert isinstance(reader, pa.RecordBatchReader) and reader.schema.names == ["a", "s"]
    batches = list(reader)
    assert batches and all(isinstance(b, pa.RecordBatch) for b in batches)
    table = pa.Table.from_batches(batches)
    assert sorted(zip(table.column("a").to_pylist(), table.column("s").to_pylist())) == ROWS
    assert cursor.rowcount == len(ROWS)


def test_fetch_df(conn, source):
    pandas = pytest.importorskip("pandas")
    cursor = conn.cursor()
    cursor.execute(f"SELECT a, s FROM {source} ORDER BY a")
    frame = cursor.fetch_df()
    assert isinstance(frame, pandas.DataFrame)
    assert list(frame.columns) == ["a", "s"]
    assert list(frame.itertuples(index=False, name=None)) == ROWS


def test_statements_without_rows_have_no_description_and_cannot_be_fetched(conn, world):
    cursor = conn.cursor()
    cursor.execute("CREATE TABLE nothing (a int)")
    assert cursor.description is None and cursor.rowcount == -1
    for fetch in (cursor.fetchone, cursor.fetchall, cursor.fetchmany, cursor.fetch_arrow_table):
        with pytest.raises(ddbsql.Error):
            fetch()


def test_rowcount_of_inserts(conn, world):
    cursor = conn.cursor()
    cursor.execute("INSERT INTO TABLE t VALUES (100, 'p'), (101, 'q')")
    assert cursor.rowcount == 2 and cursor.description is None
    cursor.execute("INSERT INTO TABLE d SELECT a + 100, s FROM t WHERE a <= 3")
    assert cursor.rowcount == 3 and cursor.description is None
    assert world.ddb_item(103) == {"a": {"N": "103"}, "s": {"S": "s3"}}
    cursor.executemany("INSERT INTO TABLE t VALUES (?, ?)", [(200, "x"), (201, "y"), (202, "z")])
    assert cursor.rowcount == 3
    assert rows(cursor, "SELECT count(*) FROM t WHERE a >= 200") == [(3,)]


def test_cursor_close(conn):
    cursor = conn.cursor()
    cursor.execute("SELECT 1")
    cursor.close()
    with pytest.raises(ddbsql.InterfaceError):
        cursor.execute("SELECT 1")
    with pytest.raises(ddbsql.InterfaceError):
        cursor.fetchone()
    with conn.cursor() as other:
        assert rows(other, "SELECT 2") == [(2,)]
    with pytest.raises(ddbsql.InterfaceError):
        other.execute("SELECT 1")
    assert rows(conn.cursor(), "SELECT 3") == [(3,)]   # closing cursors leaves the connection open


def test_cursors_of_one_connection_do_not_lose_each_others_rows(conn, source):
    outer, inner = conn.cursor(), conn.cursor()
    outer.execute(f"SELECT a, s FROM {source} ORDER BY a")
    seen = []
    for a, s in outer:                    # the classic pattern: a query per row of another
        seen.append((a, s, rows(inner, "SELECT upper(?)", [s])[0][0]))
    assert seen == [(a, s, s.upper()) for a, s in ROWS]
    assert outer.rowcount == len(ROWS)
    first = conn.cursor()
    first.execute(f"SELECT a FROM {source} ORDER BY a")
    conn.cursor().execute("SELECT 1")     # another statement before `first` read anything
    assert first.fetchall() == [(a,) for a, _ in ROWS]


# -- parameters --------------------------------------------------------------------------

BIG_DECIMAL = decimal.Decimal("12345678901234567890.123456789012345678")     # 38 significant digits
VALUES = [
    (None, None), (True, "boolean"), (False, "boolean"), (0, None), (-5, None), (2 ** 31, "bigint"),
    (2 ** 63 - 1, "bigint"), (1.5, "double"), (-0.25, "double"), (1e300, "double"),
    (BIG_DECIMAL, "decimal(38,18)"), (decimal.Decimal("-0.5"), "decimal(1,1)"),
    (decimal.Decimal("99999999999999999999999999999999999999"), "decimal(38,0)"),
    (decimal.Decimal("1E+5"), "decimal(6,0)"),
    ("", "string"), ("it's", "string"), ("back\\slash \\' \\\\", "string"), ('"double"', "string"),
    ("é 😀 中文 \u0000 nul", "string"), ("line\nbreak\ttab", "string"),
    (b"", "binary"), (b"\x00\xff'\\", "binary"),
    (datetime.date(1999, 12, 31), "date"), (datetime.datetime(2020, 2, 29, 23, 59, 59, 999999), "timestamp"),
]


@pytest.mark.parametrize("value, code", VALUES, ids=[repr(v.values[0] if hasattr(v, "values") else v[0])[:40]
                                                     for v in VALUES])
def test_python_values_round_trip_in_the_select_list(conn, value, code):
    cursor = conn.cursor()
    for statement, parameters in (("SELECT ?", [value]), ("SELECT ?", (value,)),
                                  ("SELECT :value AS v", {"value": value})):
        got = rows(cursor, statement, parameters)
        assert got == [(value,)], parameters
        assert type(got[0][0]) is type(value)
        if code is not None:
            assert cursor.description[0][1] == code


def test_parameters_in_where(conn, source):
    cursor = conn.cursor()
    assert rows(cursor, f"SELECT a FROM {source} WHERE s = ?", ["s3"]) == [(3,)]
    assert rows(cursor, f"SELECT a FROM {source} WHERE s = :s AND a > :low", {"s": "s4", "low": 1}) == [(4,)]
    assert sorted(rows(cursor, f"SELECT a FROM {source} WHERE a IN (?, ?) OR s = ?", [1, 2, "s7"])) == \
        [(1,), (2,), (7,)]
    assert rows(cursor, f"SELECT count(*) FROM {source} WHERE a BETWEEN :x AND :x", {"x": 5}) == [(1,)]
    assert rows(cursor, f"SELECT count(*) FROM {source} WHERE s = ?", [None]) == [(0,)]


def test_parameters_in_the_select_list_over_a_table(conn, source):
    cursor = conn.cursor()
    got = rows(cursor, f"SELECT a * :m, concat(s, :suffix), :k FROM {source} WHERE a = :a",
               {"m": 10, "suffix": "-x", "k": "k", "a": 2})
    assert got == [(20, "s2-x", "k")]
    assert rows(cursor, f"SELECT ?, a FROM {source} WHERE a = ?", ["k", 2]) == [("k", 2)]


@pytest.mark.parametrize("sql, parameters, expected", [
    pytest.param("SELECT a * ?, concat(s, ?), ? FROM {source} WHERE a = 2", [10, "-x", "k"], [(20, "s2-x", "k")],
                 id="select-list-nesting"),
    pytest.param("SELECT a FROM {source} WHERE a > ? ORDER BY a LIMIT ?", [2, 3], [(3,), (4,), (5,)],
                 id="where-then-limit"),
    pytest.param("SELECT ?, a FROM {source} WHERE a = ?", ["k", 2], [("k", 2)], id="select-then-where"),
])
def test_qmark_parameters_bind_in_textual_order(conn, source, sql, parameters, expected):
    assert rows(conn.cursor(), sql.format(source=source), parameters) == expected


def test_parameters_in_limit(conn, source):
    cursor = conn.cursor()
    assert len(rows(cursor, f"SELECT a FROM {source} LIMIT ?", [3])) == 3
    assert rows(cursor, f"SELECT a FROM {source} ORDER BY a LIMIT :n", {"n": 2}) == [(1,), (2,)]


def test_parameters_in_insert_values(conn, world):
    cursor = conn.cursor()
    cursor.execute("INSERT INTO TABLE t VALUES (?, ?), (?, 'b')", [50, "a", 51])
    assert cursor.rowcount == 2
    cursor.execute("INSERT INTO TABLE t VALUES (:a, :s)", {"a": 52, "s": "c"})
    assert sorted(rows(cursor, "SELECT a, s FROM t WHERE a >= 50")) == [(50, "a"), (51, "b"), (52, "c")]


def test_every_type_through_a_local_table(conn):
    cursor = conn.cursor()
    cursor.execute("CREATE TABLE typed (b boolean, i bigint, f double, d decimal(38,18), s string, bin binary,"
                   " dt date, ts timestamp)")
    values = (True, 2 ** 63 - 1, 0.1, BIG_DECIMAL, "it's \\ é", b"\x00\xff'",
              datetime.date(2020, 1, 2), datetime.datetime(2020, 1, 2, 3, 4, 5, 123456))
    cursor.execute("INSERT INTO TABLE typed VALUES (?, ?, ?, ?, ?, ?, ?, ?)", values)
    cursor.execute("INSERT INTO TABLE typed VALUES (:b, :i, :f, :d, :s, :bin, :dt, :ts)",
                   dict.fromkeys(["b", "i", "f", "d", "s", "bin", "dt", "ts"]))
    assert sorted(rows(cursor, "SELECT * FROM typed"), key=lambda r: r[0] is None) == [values, (None,) * 8]


def test_every_type_through_a_dynamodb_insert_select(conn, moto_backend, unique_table_name):
    client = ddb_client(moto_backend)
    create_ddb_table(client, unique_table_name, ("id", "S"))
    cursor = conn.cursor()
    cursor.execute(f"""CREATE EXTERNAL TABLE typed (id string, b boolean, i bigint, f double, d decimal(38,18),
                                                    bin binary) STORED BY {HANDLER}
                       TBLPROPERTIES ("dynamodb.table.name" = "{unique_table_name}",
                                      "dynamodb.column.mapping" = "id:id,b:b,i:i,f:f,d:d,bin:bin")""")
    values = ["k'1", True, 2 ** 63 - 1, 0.1, BIG_DECIMAL, b"\x00\xff'"]
    cursor.execute("INSERT INTO TABLE typed SELECT ?, ?, ?, ?, ?, ?", values)
    assert cursor.rowcount == 1
    cursor.execute("INSERT INTO TABLE typed SELECT :id, :b, :i, :f, :d, :bin",
                   {"id": "k2", "b": None, "i": None, "f": None, "d": None, "bin": None})
    items = {item["id"]["S"]: item for item in client.scan(TableName=unique_table_name, ConsistentRead=True)["Items"]}
    assert items == {
        "k'1": {"id": {"S": "k'1"}, "b": {"BOOL": True}, "i": {"N": "9223372036854775807"}, "f": {"N": "0.1"},
                "d": {"N": str(BIG_DECIMAL)}, "bin": {"B": b"\x00\xff'"}},
        "k2": {"id": {"S": "k2"}},
    }
    assert rows(cursor, "SELECT * FROM typed WHERE id = ?", ["k'1"]) == [tuple(values)]


def test_parameters_in_a_dynamodb_insert_select_from_a_table(conn, world):
    cursor = conn.cursor()
    cursor.execute("INSERT INTO TABLE d SELECT a + :add, concat(s, :suffix) FROM t WHERE a <= :top",
                   {"add": 1000, "suffix": "!", "top": 2})
    assert cursor.rowcount == 2
    assert world.ddb_item(1001) == {"a": {"N": "1001"}, "s": {"S": "s1!"}}
    assert world.ddb_item(1002) == {"a": {"N": "1002"}, "s": {"S": "s2!"}}
    cursor.execute("INSERT INTO TABLE d SELECT a + ?, s FROM t WHERE a = ?", [2000, 5])
    assert cursor.rowcount == 1 and world.ddb_item(2005) == {"a": {"N": "2005"}, "s": {"S": "s5"}}


@pytest.mark.parametrize("sql, parameters, message", [
    ("SELECT ?, ?", [1], "2 placeholder"),
    ("SELECT ?", [1, 2], "1 placeholder"),
    ("SELECT 1", [1], "0 placeholder"),
    ("SELECT ?", None, "placeholder"),
    ("SELECT ?", [], "placeholder"),
    ("SELECT :a, :b", {"a": 1}, ":b"),
    ("SELECT :a", [1], "mapping"),
    ("SELECT ?", {"a": 1}, "sequence"),
    ("SET k = v", [1], "SQL statements"),
    ("SELECT ?", "x", "sequence or a mapping"),
    ("SELECT ?", [datetime.time(1, 2)], "time"),
])
def test_wrong_parameters_are_programming_errors(conn, sql, parameters, message):
    cursor = conn.cursor()
    with pytest.raises(ddbsql.ProgrammingError, match=message):
        cursor.execute(sql, parameters)
    assert rows(cursor, "SELECT 1") == [(1,)]


def test_empty_parameters_are_accepted_by_any_statement(conn):
    cursor = conn.cursor()
    for empty in ((), [], {}):
        cursor.execute("SET my.key = v", empty)
        assert rows(cursor, "SET my.key", empty) == [("my.key=v",)]
        assert rows(cursor, "SELECT 1", empty) == [(1,)]


# -- injection ---------------------------------------------------------------------------

HOSTILE = [
    "x'; DROP TABLE t; --",
    "' OR '1'='1",
    "\\'",
    "\\",
    "\\'); DROP TABLE d; INSERT INTO t VALUES (1, '",
    '"; DROP TABLE t; --',
    "${env:HOME}",
    "${hiveconf:x}",
    "${hivevar:x} ${x} ${system:user.name}",
    "? :s /* comment */ -- more",
    "line\n; DROP TABLE t;\n",
    "é 😀 \u0000",
]


@pytest.mark.parametrize("value", HOSTILE, ids=[repr(h) for h in HOSTILE])
def test_hostile_parameters_are_only_ever_data(conn, world, value):
    cursor = conn.cursor()
    # SELECT list, both styles
    assert rows(cursor, "SELECT ?", [value]) == [(value,)]
    assert rows(cursor, "SELECT :v AS v, :v", {"v": value}) == [(value, value)]
    # WHERE: compared as a value, matching nothing, then exactly its own row
    for table in ("d", "t"):
        assert rows(cursor, f"SELECT count(*) FROM {table} WHERE s = ?", [value]) == [(0,)], table
        assert rows(cursor, f"SELECT count(*) FROM {table} WHERE s <> :v", {"v": value}) == [(len(ROWS),)], table
    world.client.put_item(TableName=world.ddb_name, Item={"a": {"N": "100"}, "s": {"S": value}})
    assert rows(cursor, "SELECT a, s FROM d WHERE s = ?", [value]) == [(100, value)]
    # INSERT ... VALUES into a local table
    cursor.execute("INSERT INTO TABLE t VALUES (?, ?)", [100, value])
    assert cursor.rowcount == 1
    cursor.execute("INSERT INTO TABLE t VALUES (:a, :s)", {"a": 101, "s": value})
    assert rows(cursor, "SELECT a, s FROM t WHERE s = ? ORDER BY a", [value]) == [(100, value), (101, value)]
    # INSERT ... SELECT into DynamoDB: read back with boto3
    cursor.execute("INSERT INTO TABLE d SELECT ?, ?", [200, value])
    cursor.execute("INSERT INTO TABLE d SELECT :a, :s", {"a": 201, "s": value})
    assert world.ddb_item(200) == {"a": {"N": "200"}, "s": {"S": value}}
    assert world.ddb_item(201) == {"a": {"N": "201"}, "s": {"S": value}}
    # CREATE TABLE AS SELECT
    cursor.execute("CREATE TABLE copy AS SELECT ? AS v", [value])
    assert rows(cursor, "SELECT v FROM copy") == [(value,)]
    # LIMIT: a string is no count; it fails as data, it does not run
    for parameters, sql in (([value], "SELECT a FROM t LIMIT ?"), ({"n": value}, "SELECT a FROM d LIMIT :n")):
        with pytest.raises(ddbsql.DatabaseError):
            cursor.execute(sql, parameters)
            cursor.fetchall()
    # non-SQL statements take no parameters at all
    with pytest.raises(ddbsql.ProgrammingError):
        cursor.execute("SET k = ?", [value])
    world.assert_intact()
    assert rows(cursor, "SELECT count(*) FROM t") == [(len(ROWS) + 2,)]


def test_variables_in_the_text_are_substituted_but_not_in_parameters(conn):
    cursor = conn.cursor()
    got = rows(cursor, "SELECT '${hiveconf:x}', '${hivevar:x}', ?, ?", ["${hiveconf:x}", "${hivevar:x}"])
    assert got == [(HIVECONF_X, HIVEVAR_X, "${hiveconf:x}", "${hivevar:x}")]
    assert not cursor.messages


# -- errors ------------------------------------------------------------------------------

def test_unknown_table_is_a_programming_error_with_line_and_column(conn):
    with pytest.raises(ddbsql.ProgrammingError) as info:
        conn.cursor().execute("SELECT *\n  FROM nowhere")
    message = str(info.value)
    assert "\n" not in message
    assert "nowhere" in message and "line 2, column 8" in message
    original = info.value.original
    assert isinstance(original, errors.DdbsqlError) and isinstance(original, errors.SemanticError)
    assert (original.line, original.col) == (2, 8)


def test_syntax_error_is_a_programming_error(conn):
    with pytest.raises(ddbsql.ProgrammingError) as info:
        conn.cursor().execute("SELECT a FROM t WHERE")
    assert "\n" not in str(info.value)
    assert isinstance(info.value.original, errors.ParseError)
    assert info.value.original.line == 1 and info.value.original.col is not None
    assert "line 1" in str(info.value)
    with pytest.raises(ddbsql.ProgrammingError):
        conn.cursor().execute("SELEC 1")


def test_external_table_over_a_missing_dynamodb_table(conn, unique_table_name):
    cursor = conn.cursor()
    with pytest.raises(ddbsql.ProgrammingError) as info:
        cursor.execute(f"""CREATE EXTERNAL TABLE ghost (id string) STORED BY {HANDLER}
                           TBLPROPERTIES ("dynamodb.table.name" = "{unique_table_name}")""")
    assert "does not exist" in str(info.value) and unique_table_name in str(info.value)
    assert "\n" not in str(info.value)
    assert isinstance(info.value.original, errors.CatalogError)
    assert rows(cursor, "SHOW TABLES") == []         # nothing half-created


def test_a_failed_statement_leaves_the_cursor_usable(conn, world):
    cursor = conn.cursor()
    cursor.execute("SELECT a FROM t")
    with pytest.raises(ddbsql.ProgrammingError):
        cursor.execute("SELECT a FROM missing")
    assert cursor.description is None
    with pytest.raises(ddbsql.Error):
        cursor.fetchall()
    assert len(rows(cursor, "SELECT a FROM t")) == len(ROWS)


# -- safety switches ---------------------------------------------------------------------

def test_shell_and_source_are_refused_by_default(conn, tmp_path):
    script = tmp_path / "script.q"
    script.write_text("CREATE TABLE made_by_script (a int);\n", encoding="utf-8")
    cursor = conn.cursor()
    with pytest.raises(ddbsql.ProgrammingError, match="allow_shell"):
        cursor.execute("!echo hi")
    with pytest.raises(ddbsql.ProgrammingError, match="allow_local_files"):
        cursor.execute(f"source {script}")
    with pytest.raises(ddbsql.ProgrammingError, match="allow_local_files"):
        cursor.executescript(f"source {script};")
    assert rows(cursor, "SHOW TABLES") == []


def test_shell_and_source_when_allowed(moto_backend, tmp_path):
    script = tmp_path / "script.q"
    script.write_text("CREATE TABLE made_by_script (a int);\nINSERT INTO TABLE made_by_script VALUES (7);\n",
                      encoding="utf-8")
    with connect(moto_backend, tmp_path, allow_shell=True, allow_local_files=True) as connection:
        cursor = connection.cursor()
        assert rows(cursor, "!echo hi") == [("hi",)]
        with pytest.raises(ddbsql.ProgrammingError):
            cursor.execute("!echo ?", ["; touch pwned"])   # parameters never reach a shell command
        ran = []
        cursor.executescript(f"SELECT 0;\nsource {script};\nSELECT a FROM made_by_script",
                             on_result=lambda statement, c: ran.append(c.fetchall() if c.description else c.kind))
        assert ran == [[(0,)], "ddl", "insert", [(7,)]]
    with connect(moto_backend, tmp_path, allow_shell=True) as connection:
        with pytest.raises(ddbsql.ProgrammingError, match="allow_local_files"):
            connection.cursor().execute(f"source {script}")


# -- connect() options -------------------------------------------------------------------

def _port_open(url: str) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname, parsed.port), timeout=1):
            return True
    except OSError:
        return False


def test_local_connection_needs_no_endpoint(unique_table_name):
    connection = ddbsql.connect(local=True)
    try:
        url = connection.session.options.aws.endpoint_url
        assert url and _port_open(url)
        cursor = connection.cursor()
        cursor.execute(f"""CREATE EXTERNAL TABLE kv (k string, v bigint) STORED BY {HANDLER}
                           TBLPROPERTIES ("dynamodb.table.name" = "{unique_table_name}", "ddbsql.create" = "true",
                                          "ddbsql.hash.key" = "k")""")
        cursor.execute("INSERT INTO TABLE kv SELECT ?, ?", ["a", 1])
        assert cursor.rowcount == 1
        assert rows(cursor, "SELECT k, v FROM kv") == [("a", 1)]
        # an EMR script's AWS endpoint is the embedded one too: a local run never reaches AWS
        cursor.execute(f"""CREATE EXTERNAL TABLE kv_eu (k string, v bigint) STORED BY {HANDLER}
                           TBLPROPERTIES ("dynamodb.table.name" = "{unique_table_name}",
                                          "dynamodb.endpoint" = "dynamodb.us-east-1.amazonaws.com")""")
        assert rows(cursor, "SELECT k, v FROM kv_eu") == [("a", 1)]
    finally:
        connection.close()
    assert not _port_open(url)
    with pytest.raises(ddbsql.InterfaceError):
        connection.cursor()


def test_hiveconf_and_hivevar_at_connect(moto_backend, tmp_path):
    with connect(moto_backend, tmp_path, hiveconf={"my.key": "v1", "dynamodb.scan.segments": "3"},
                 hivevar={"n": "42", "tbl": "t"}) as connection:
        cursor = connection.cursor()
        assert rows(cursor, "SET my.key") == [("my.key=v1",)]
        assert rows(cursor, "SET dynamodb.scan.segments") == [("dynamodb.scan.segments=3",)]
        assert rows(cursor, "SET hivevar:n") == [("hivevar:n=42",)]
        assert rows(cursor, "SELECT ${hivevar:n} + 1, ${n}, '${hiveconf:my.key}'") == [(43, 42, "v1")]
        cursor.execute("CREATE TABLE ${hivevar:tbl} (a int)")
        assert rows(cursor, "SHOW TABLES") == [("t",)]
        cursor.execute("SET my.key = v2")
        assert rows(cursor, "SELECT '${hiveconf:my.key}'") == [("v2",)]


def test_connect_to_a_missing_database_is_a_programming_error(moto_backend, tmp_path):
    with pytest.raises(ddbsql.ProgrammingError, match="does not exist"):
        connect(moto_backend, tmp_path, database="no_such_db")


# -- executescript -----------------------------------------------------------------------

def test_executescript_runs_statements_in_order(conn, world):
    seen = []

    def on_result(statement, cursor):
        seen.append((statement.number, statement.line, cursor.kind,
                     cursor.fetchall() if cursor.description else cursor.rowcount))

    conn.cursor().executescript("""CREATE TABLE s (a int);
INSERT INTO TABLE s VALUES (1), (2);
-- a comment
INSERT INTO TABLE s SELECT max(a) + 1 FROM s;
SELECT a FROM s ORDER BY a;
SELECT count(*) FROM d
""", on_result=on_result)
    assert seen == [(1, 1, "ddl", -1), (2, 2, "insert", 2), (3, 4, "insert", 1),
                    (4, 5, "query", [(1,), (2,), (3,)]), (5, 6, "query", [(len(ROWS),)])]


def test_executescript_errors_name_statement_and_line(conn):
    cursor = conn.cursor()
    seen = []
    with pytest.raises(ddbsql.ProgrammingError) as info:
        cursor.executescript("SELECT 1;\nSELECT 2;\nSELECT *\n  FROM missing;\nSELECT 4",
                             source="job.q", on_result=lambda s, c: seen.append(c.fetchall()))
    assert seen == [[(1,)], [(2,)]]                   # stopped at the failure
    original = info.value.original
    assert (original.statement, original.line, original.col) == (3, 4, 8)
    message = str(info.value)
    assert "job.q" in message and "statement 3" in message and "line 4, column 8" in message
    assert "\n" not in message


def test_executescript_on_error_true_goes_on(conn):
    cursor = conn.cursor()
    seen, failures = [], []

    def on_error(statement, error):
        failures.append((statement.number, type(error), error.original.statement))
        return True

    cursor.executescript("SELECT 1; SELECT * FROM missing; SELEC oops; SELECT 4",
                         on_result=lambda s, c: seen.append((s.number, c.fetchall())), on_error=on_error)
    assert seen == [(1, [(1,)]), (4, [(4,)])]
    assert failures == [(2, ddbsql.ProgrammingError, 2), (3, ddbsql.ProgrammingError, 3)]


def test_executescript_on_error_false_raises(conn):
    calls = []
    with pytest.raises(ddbsql.ProgrammingError):
        conn.cursor().executescript("SELECT * FROM missing; SELECT 2",
                                    on_error=lambda s, e: calls.append(s.number) or False)
    assert calls == [1]


def test_pandas_read_sql_through_the_dbapi(tmp_path):
    import warnings

    import pandas

    with ddbsql.connect(local=True, metastore=tmp_path / "m.db") as connection:
        cursor = connection.cursor()
        cursor.execute("CREATE TABLE pets (name string, legs int)")
        cursor.execute("INSERT INTO TABLE pets VALUES ('cat', 4), ('bird', 2)")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)   # pandas prefers SQLAlchemy; plain DB-API works
            frame = pandas.read_sql("SELECT name, legs FROM pets WHERE legs > ? ORDER BY legs", connection,
                                    params=[1])
    assert frame.to_dict("records") == [{"name": "bird", "legs": 2}, {"name": "cat", "legs": 4}]
