"""Results as Arrow streams: the cursor's ``__arrow_c_stream__`` read by pyarrow, Polars and
DuckDB, and ``fetch_record_batches()`` as a ``pyarrow.RecordBatchReader``."""
from __future__ import annotations

import decimal

import duckdb
import polars as pl
import pyarrow as pa
import pytest

import ddbsql


@pytest.fixture
def cursor(tmp_path):
    with ddbsql.connect(metastore=tmp_path / "m.db", region="us-east-1") as connection:
        cur = connection.cursor()
        cur.execute("CREATE TABLE t (a int, s string, d decimal(38,18))")
        cur.execute("INSERT INTO t VALUES (1, 'x', 12345678901234567890.123456789012345678), (2, NULL, NULL)")
        yield cur


def test_polars_reads_the_cursor(cursor):
    cursor.execute("SELECT a, s, d FROM t ORDER BY a")
    frame = pl.DataFrame(cursor)              # through __arrow_c_stream__
    assert frame.columns == ["a", "s", "d"]
    assert frame["a"].to_list() == [1, 2] and frame["s"].to_list() == ["x", None]
    assert frame["d"].to_list()[0] == decimal.Decimal("12345678901234567890.123456789012345678")
    assert cursor.fetchall() == []            # the stream was consumed
    cursor.execute("SELECT a, s, d FROM t ORDER BY a")
    assert pl.from_arrow(cursor.fetch_record_batches()).equals(frame)
    cursor.execute("SELECT a, s, d FROM t ORDER BY a")
    assert pl.from_arrow(cursor.fetch_arrow_table()).equals(frame)
    cursor.execute("SELECT a, s, d FROM t ORDER BY a")
    # Polars reads any Arrow stream that is not a pyarrow object as one Series of row structs
    assert pl.from_arrow(cursor).struct.unnest().equals(frame)
    cursor.execute("SELECT a, s, d FROM t WHERE a > 5")
    empty = pl.DataFrame(cursor)              # an empty result keeps its columns and types
    assert empty.shape == (0, 3) and empty.schema == frame.schema
    cursor.execute("SELECT a, s, d FROM t WHERE a > 5")
    assert pl.from_arrow(cursor.fetch_record_batches()).equals(empty)   # one batch of no rows


def test_pyarrow_and_duckdb_read_the_cursor(cursor):
    cursor.execute("SELECT a, s FROM t ORDER BY a")
    assert pa.table(cursor).to_pylist() == [{"a": 1, "s": "x"}, {"a": 2, "s": None}]
    cursor.execute("SELECT a, s FROM t ORDER BY a")
    assert duckdb.sql("SELECT sum(a) FROM cursor").fetchall() == [(3,)]   # DuckDB's scan of the stream


def test_description_carries_decimal_precision_and_scale(cursor):
    cursor.execute("SELECT d, a FROM t")
    assert cursor.description[0][:6] == ("d", "decimal(38,18)", None, None, 38, 18)
    assert cursor.description[1][4:6] == (None, None)


def test_a_failure_in_the_stream_is_a_dbapi_error(cursor):
    schema = pa.schema([("x", pa.int64())])

    def failing():
        for _ in range(4):
            yield pa.record_batch([pa.array(range(100_000))], schema=schema)
        raise OSError("the source broke")

    cursor.connection.register("broken", pa.RecordBatchReader.from_batches(schema, failing()))
    with pytest.raises(ddbsql.Error, match="the source broke"):
        cursor.execute("SELECT x FROM broken")
        cursor.fetch_record_batches().read_all()
