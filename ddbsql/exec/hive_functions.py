"""Hive functions DuckDB lacks, installed on every DuckDB connection ddbsql opens.

The translator (``ddbsql.sql.translate``) emits calls to these names; each is written
in SQL (a macro) where SQL can say it exactly, else in Python over Arrow arrays.

``hash()``: Hive's ``ObjectInspectorUtils.hashCode`` per type -- the value of an
integer, ``(int)(v ^ v >>> 32)`` of a BIGINT or of a DOUBLE's bits, a FLOAT's bits,
``r = 31 * r + byte`` over a string's UTF-8 bytes (signed), 1/0 for booleans, days
since 1970 for a DATE, ``(s << 30 | nanos)`` folded for a TIMESTAMP, 0 for NULL --
with several arguments combined as ``r = 31 * r + hash(arg)`` in 32-bit arithmetic.
"""
from __future__ import annotations

import datetime
import struct

import duckdb
import pyarrow as pa

__all__ = ["install", "hash_string", "hash_double", "hash_float", "hash_timestamp"]

_MASK32 = 0xFFFFFFFF
_EPOCH = datetime.datetime(1970, 1, 1)


def _int32(value: int) -> int:
    value &= _MASK32
    return value - (1 << 32) if value >= 1 << 31 else value


def _fold64(bits: int) -> int:
    """Java's ``(int) (bits ^ (bits >>> 32))``."""
    bits &= (1 << 64) - 1
    return _int32(bits ^ (bits >> 32))


def hash_string(text: str | None) -> int:
    """Hive's hash of a STRING: ``r = 31 * r + b`` over the signed UTF-8 bytes."""
    if text is None:
        return 0
    r = 0
    for b in text.encode("utf-8"):
        r = (r * 31 + (b - 256 if b > 127 else b)) & _MASK32
    return _int32(r)


def hash_double(value: float | None) -> int:
    """Hive's hash of a DOUBLE: ``Double.hashCode`` (NaN canonical)."""
    if value is None:
        return 0
    if value != value:
        return _fold64(0x7FF8000000000000)
    return _fold64(struct.unpack("<q", struct.pack("<d", value))[0])


def hash_float(value: float | None) -> int:
    """Hive's hash of a FLOAT: ``Float.floatToIntBits``."""
    if value is None:
        return 0
    if value != value:
        return 0x7FC00000
    return struct.unpack("<i", struct.pack("<f", value))[0]


def hash_timestamp(value: datetime.datetime | None) -> int:
    """Hive's hash of a TIMESTAMP: seconds shifted left 30 bits, or'ed with the nanos."""
    if value is None:
        return 0
    delta = value.replace(tzinfo=None) - _EPOCH
    seconds = delta.days * 86400 + delta.seconds
    return _fold64((seconds << 30) | (delta.microseconds * 1000))


def _vectorised(fn, out_type=pa.int32()):
    def run(arr: pa.Array) -> pa.Array:
        return pa.array([fn(v) for v in arr.to_pylist()], type=out_type)
    return run


_PYTHON_FUNCTIONS = (
    ("hive_hash_string", hash_string, "VARCHAR"),
    ("hive_hash_double", hash_double, "DOUBLE"),
    ("hive_hash_float", hash_float, "FLOAT"),
    ("hive_hash_timestamp", hash_timestamp, "TIMESTAMP"),
)

#: SQL macros: (name, parameters, body).
_MACROS = (
    ("hive_int32", "v", "CAST(CASE WHEN (v & 4294967295) >= 2147483648"
                        " THEN (v & 4294967295) - 4294967296 ELSE (v & 4294967295) END AS INTEGER)"),
    ("hive_hash_bigint", "v", "COALESCE(hive_int32(xor(v >> 32, v)), 0)"),
    ("hive_hash_combine", "r, h", "hive_int32(CAST(r AS BIGINT) * 31 + h)"),
    # Java's int and long arithmetic: results wrap around
    ("hive_wrap32", "v", "CAST(CASE WHEN ((CAST(v AS HUGEINT) % 4294967296) + 4294967296) % 4294967296"
                         " >= 2147483648 THEN ((CAST(v AS HUGEINT) % 4294967296) + 4294967296) % 4294967296"
                         " - 4294967296 ELSE ((CAST(v AS HUGEINT) % 4294967296) + 4294967296) % 4294967296"
                         " END AS INTEGER)"),
    ("hive_wrap64", "v", "CAST(CASE WHEN ((v % 18446744073709551616) + 18446744073709551616)"
                         " % 18446744073709551616 >= 9223372036854775808"
                         " THEN ((v % 18446744073709551616) + 18446744073709551616) % 18446744073709551616"
                         " - 18446744073709551616"
                         " ELSE ((v % 18446744073709551616) + 18446744073709551616) % 18446744073709551616"
                         " END AS BIGINT)"),
    ("hive_floor_shift", "v, n", "CASE WHEN v >= 0 THEN v // (CAST(1 AS HUGEINT) << n)"
                                 " ELSE -((-v - 1) // (CAST(1 AS HUGEINT) << n)) - 1 END"),
    # shiftleft / shiftright / shiftrightunsigned of an int (32) or a bigint (64)
    ("hive_shiftleft32", "a, b", "hive_wrap32(CAST(a AS HUGEINT) * (CAST(1 AS HUGEINT) << (b & 31)))"),
    ("hive_shiftleft64", "a, b", "hive_wrap64(CAST(a AS HUGEINT) * (CAST(1 AS HUGEINT) << (b & 63)))"),
    ("hive_shiftright32", "a, b", "hive_wrap32(hive_floor_shift(CAST(a AS HUGEINT), b & 31))"),
    ("hive_shiftright64", "a, b", "hive_wrap64(hive_floor_shift(CAST(a AS HUGEINT), b & 63))"),
    ("hive_shiftrightunsigned32", "a, b",
     "hive_wrap32(((CAST(a AS HUGEINT) % 4294967296 + 4294967296) % 4294967296) >> (b & 31))"),
    ("hive_shiftrightunsigned64", "a, b",
     "hive_wrap64(((CAST(a AS HUGEINT) % 18446744073709551616 + 18446744073709551616)"
     " % 18446744073709551616) >> (b & 63))"),
    # months_between of two timestamps (Hive 2.1 GenericUDFMonthsBetween): whole months
    # when the days are equal or both month ends, else the day-and-time difference over
    # 31 days; HALF_UP to 8 decimals
    ("hive_months_between", "a, b",
     "CAST(ROUND(CAST((YEAR(a) - YEAR(b)) * 12 + MONTH(a) - MONTH(b) + CASE"
     " WHEN DAY(a) = DAY(b) OR (DAY(a) = DAY(LAST_DAY(a)) AND DAY(b) = DAY(LAST_DAY(b))) THEN 0"
     " ELSE ((DAY(a) - DAY(b)) * 86400 + (HOUR(a) - HOUR(b)) * 3600"
     " + (MINUTE(a) - MINUTE(b)) * 60 + (SECOND(a) - SECOND(b))) / 2678400.0 END"
     " AS DECIMAL(38, 18)), 8) AS DOUBLE)"),
    # interval_year_month('y-m') / interval_day_time('d h:m:s.f'): NULL when not one
    ("hive_interval_year_month", "s",
     "CASE WHEN regexp_full_match(trim(s), '[+-]?\\d+-\\d+') THEN TO_MONTHS(CAST("
     "(CASE WHEN starts_with(trim(s), '-') THEN -1 ELSE 1 END)"
     " * (CAST(regexp_extract(trim(s), '(\\d+)-(\\d+)', 1) AS BIGINT) * 12"
     " + CAST(regexp_extract(trim(s), '(\\d+)-(\\d+)', 2) AS BIGINT)) AS INTEGER)) END"),
    ("hive_interval_day_time", "s",
     "CASE WHEN regexp_full_match(trim(s), '[+-]?\\d+ \\d+:\\d+:\\d+(\\.\\d+)?') THEN"
     " (CASE WHEN starts_with(trim(s), '-') THEN -1 ELSE 1 END) * (TO_DAYS(CAST(regexp_extract(trim(s),"
     " '(\\d+) ', 1) AS INTEGER)) + TO_MICROSECONDS(CAST(ROUND((CAST(regexp_extract(trim(s),"
     " ' (\\d+):', 1) AS DECIMAL(38, 9)) * 3600 + CAST(regexp_extract(trim(s), ':(\\d+):', 1) AS"
     " DECIMAL(38, 9)) * 60 + CAST(regexp_extract(trim(s), ':([0-9.]+)$', 1) AS DECIMAL(38, 9)))"
     " * 1000000) AS BIGINT))) END"),
    # a Java time zone ID: names the zone database knows and GMT+h[:mm]; anything else is
    # GMT, as java.util.TimeZone.getTimeZone has it
    ("hive_time_zone", "z",
     "CASE WHEN z IS NULL THEN NULL WHEN z IN (SELECT name FROM pg_timezone_names())"
     " OR regexp_full_match(z, 'GMT[+-][0-9]{1,2}(:?[0-9]{2})?') THEN z ELSE 'UTC' END"),
    # the type is only known when the statement runs: dispatch on it
    ("hive_hash_any", "x", "CASE"
     " WHEN x IS NULL THEN 0"
     " WHEN typeof(x) IN ('TINYINT', 'SMALLINT', 'INTEGER', 'UTINYINT', 'USMALLINT')"
     " THEN TRY_CAST(x AS INTEGER)"
     " WHEN typeof(x) IN ('BIGINT', 'UINTEGER') THEN hive_hash_bigint(TRY_CAST(x AS BIGINT))"
     " WHEN typeof(x) = 'FLOAT' THEN hive_hash_float(TRY_CAST(x AS FLOAT))"
     " WHEN typeof(x) = 'DOUBLE' OR typeof(x) LIKE 'DECIMAL%' THEN hive_hash_double(TRY_CAST(x AS DOUBLE))"
     " WHEN typeof(x) = 'BOOLEAN' THEN CASE WHEN TRY_CAST(x AS BOOLEAN) THEN 1 ELSE 0 END"
     " WHEN typeof(x) = 'DATE' THEN CAST(TRY_CAST(x AS DATE) - DATE '1970-01-01' AS INTEGER)"
     " WHEN typeof(x) LIKE 'TIMESTAMP%' THEN hive_hash_timestamp(TRY_CAST(x AS TIMESTAMP))"
     " WHEN typeof(x) LIKE 'STRUCT%' OR typeof(x) LIKE 'MAP%' OR typeof(x) LIKE '%[]'"
     " THEN CAST(error('hash() of a struct, array or map is not supported') AS INTEGER)"
     " ELSE hive_hash_string(CAST(x AS VARCHAR)) END"),
)


def install(con: duckdb.DuckDBPyConnection) -> None:
    """Create ddbsql's Hive functions on ``con`` (idempotent)."""
    for name, fn, sql_type in _PYTHON_FUNCTIONS:
        try:
            con.create_function(name, _vectorised(fn), [sql_type], "INTEGER", type="arrow",
                                null_handling="special")
        except duckdb.NotImplementedException:  # already there
            pass
    for name, params, body in _MACROS:
        con.execute(f"CREATE OR REPLACE MACRO {name}({params}) AS {body}")
