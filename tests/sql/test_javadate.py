"""Java SimpleDateFormat compilation: the two-digit-year window moves with the date
each statement is translated on."""
from __future__ import annotations

import datetime

import duckdb

from ddbsql.sql.translate import parse_hive, to_duckdb
from ddbsql.sql.translate.javadate import epoch_sql


def _run(sql: str, today: datetime.date):
    tree = parse_hive(f"SELECT {sql}")[0]
    return duckdb.connect().execute(to_duckdb(tree, today=today)).fetchone()[0]


def test_two_digit_year_window_is_read_per_call():
    expr = "from_unixtime(unix_timestamp('50-06-01', 'yy-MM-dd'), 'yyyy')"
    assert _run(expr, datetime.date(2026, 1, 1)) == "1950"   # window 1946..2045
    assert _run(expr, datetime.date(2140, 1, 1)) == "2150"   # window 2060..2159


def test_century_start_changes_the_sql_not_a_cached_copy():
    assert epoch_sql("yy", 1946) != epoch_sql("yy", 2060)
    assert "1900" in epoch_sql("yy", 1946) and "2000" in epoch_sql("yy", 2060)
