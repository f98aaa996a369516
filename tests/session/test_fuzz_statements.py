"""Fuzzing statement text through the DB-API: whatever the text, the answer is a result or
a ddbsql error (a PEP 249 error other than InternalError), never another exception, and it
comes within a time bound."""
from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ddbsql

#: seconds one statement may take (the slowest honest ones here take milliseconds)
BOUND = 10.0

WORDS = ["SELECT", "FROM", "WHERE", "GROUP BY", "ORDER BY", "LIMIT", "JOIN", "ON", "UNION ALL", "INSERT INTO",
         "INSERT OVERWRITE TABLE", "VALUES", "CREATE TABLE", "CREATE DATABASE", "DROP TABLE", "ALTER TABLE",
         "DESCRIBE", "SHOW TABLES", "SHOW CREATE TABLE", "EXPLAIN", "SET", "USE", "LOAD DATA INPATH", "AS",
         "CASE", "WHEN", "THEN", "ELSE", "END", "CAST", "AND", "OR", "NOT", "IN", "LIKE", "IS NULL", "DISTINCT",
         "PARTITIONED BY", "STORED AS", "TEXTFILE", "PARQUET", "LOCATION", "TBLPROPERTIES", "LATERAL VIEW",
         "explode", "count(*)", "sum", "date_add", "concat", "substr", "t1", "a", "s", "x", "default", "int",
         "string", "decimal(38,2)", "array<int>", "map<string,int>", "(", ")", ",", ";", "=", "+", "-", "*", "/",
         "%", "<", ">", ".", "'", '"', "`", "--", "/*", "*/", "${", "}", "${hiveconf:x}", "${env:HOME}", "?",
         ":p", "!", "\\", "\n", "1", "0", "-1", "1e308", "99999999999999999999999999999999999999999",
         "'2020-01-01'", "'x'", "NULL", "TRUE", "interval 1 day", "(((", ")))"]

statements = st.one_of(
    st.lists(st.sampled_from(WORDS), min_size=1, max_size=14).map(" ".join),
    st.text(min_size=1, max_size=80),
    st.lists(st.sampled_from(WORDS) | st.text(max_size=6), min_size=1, max_size=10).map(" ".join),
)


@pytest.fixture(scope="module")
def cursor(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fuzz")
    connection = ddbsql.connect(metastore=folder / "metastore.db", region="us-east-1",
                                hiveconf={"ddbsql.reject.dir": str(folder / "rejects")})
    cursor = connection.cursor()
    cursor.execute("CREATE TABLE t1 (a int, s string)")
    cursor.execute("INSERT INTO TABLE t1 VALUES (1, 'x'), (2, NULL), (3, 'z')")
    yield cursor
    connection.close()


@settings(max_examples=150, deadline=None, database=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(text=statements)
def test_any_statement_text_gives_a_result_or_a_ddbsql_error(cursor, text):
    started = time.monotonic()
    try:
        cursor.execute(text)
        if cursor.description is not None:
            cursor.fetchall()
    except ddbsql.InternalError as exc:
        pytest.fail(f"internal error for {text!r}: {exc}")
    except ddbsql.Error as exc:
        assert str(exc).strip()
    elapsed = time.monotonic() - started
    assert elapsed < BOUND, f"{text!r} took {elapsed:.1f} s"
