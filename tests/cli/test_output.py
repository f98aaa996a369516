"""Tests for ddbsql.cli.output: Hive value text, the five writers, DESCRIBE layout."""
from __future__ import annotations

import base64
import csv
import datetime
import io
import json
import struct
from decimal import Decimal

import pyarrow as pa
import pytest

from ddbsql.cli.output import (FORMATS, display_width, format_describe, java_double_str,
                               make_writer, render_value_hive)

BIG = Decimal("1234567890123456789012345678.1234567890")  # 38 digits, scale 10
NEG = Decimal("-9999999999999999999999999999.9999999999")  # 38 digits

SCHEMA = pa.schema([
    ("s", pa.string()),
    ("i", pa.int64()),
    ("d", pa.float64()),
    ("dec", pa.decimal128(38, 10)),
    ("b", pa.bool_()),
    ("bin", pa.binary()),
    ("dt", pa.date32()),
    ("ts", pa.timestamp("us")),
    ("arr", pa.list_(pa.string())),
    ("m", pa.map_(pa.string(), pa.int64())),
    ("st", pa.struct([("a", pa.int64()), ("b", pa.string())])),
])

ROWS = [
    # full row
    {"s": "hello", "i": 42, "d": 3.5, "dec": BIG, "b": True, "bin": b"raw\xffbytes",
     "dt": datetime.date(2024, 1, 2), "ts": datetime.datetime(2024, 1, 2, 3, 4, 5, 120000),
     "arr": ["a", "b"], "m": [("k", 1), ("k2", 2)], "st": {"a": 1, "b": "x"}},
    # NULL everywhere
    {name: None for name in SCHEMA.names},
    # NULLs inside complex values, odd scalars
    {"s": 'has,comma "quote"\nnewline', "i": -7, "d": 1e10, "dec": NEG, "b": False,
     "bin": b"", "dt": datetime.date(1999, 12, 31), "ts": datetime.datetime(2000, 1, 1),
     "arr": ["x", None], "m": [("n", None)], "st": {"a": None, "b": None}},
]


def make_batch(rows=ROWS, schema=SCHEMA) -> pa.RecordBatch:
    return pa.RecordBatch.from_pylist(rows, schema=schema)


def run(fmt: str, batches, *, header: bool = True, null_text: str = "NULL",
        names=None) -> str:
    out = io.StringIO()
    writer = make_writer(fmt, out, header=header, null_text=null_text)
    batches = [batches] if isinstance(batches, pa.RecordBatch) else batches
    writer.write_header(names if names is not None else batches[0].schema.names)
    for batch in batches:
        writer.write_batch(batch)
    writer.close()
    return out.getvalue()


def f32(x: float) -> float:
    return struct.unpack("<f", struct.pack("<f", x))[0]


# --------------------------------------------------------------------------- render_value_hive

@pytest.mark.parametrize("value, arrow_type, expected", [
    (None, pa.string(), "NULL"),
    (None, pa.int64(), "NULL"),
    (None, pa.list_(pa.int64()), "NULL"),
    (None, pa.map_(pa.string(), pa.string()), "NULL"),
    (None, pa.struct([("a", pa.int64())]), "NULL"),
    (True, pa.bool_(), "true"),
    (False, pa.bool_(), "false"),
    ("plain text", pa.string(), "plain text"),
    ('tab\tand "quotes"', pa.string(), 'tab\tand "quotes"'),
    ("", pa.string(), ""),
    (0, pa.int64(), "0"),
    (-9223372036854775808, pa.int64(), "-9223372036854775808"),
    (7, pa.int8(), "7"),
    (Decimal("1E+3"), pa.decimal128(10, 0), "1000"),
    (Decimal("12.50"), pa.decimal128(10, 2), "12.50"),
    (Decimal("1E-12"), pa.decimal128(20, 12), "0.000000000001"),
    (BIG, pa.decimal128(38, 10), "1234567890123456789012345678.1234567890"),
    (NEG, pa.decimal128(38, 10), "-9999999999999999999999999999.9999999999"),
    (1.0, pa.float64(), "1.0"),
    (3.5, pa.float64(), "3.5"),
    (-2.25, pa.float64(), "-2.25"),
    (100.0, pa.float64(), "100.0"),
    (1e10, pa.float64(), "1.0E10"),
    (1.234e-5, pa.float64(), "1.234E-5"),
    (0.001, pa.float64(), "0.001"),
    (0.000999, pa.float64(), "9.99E-4"),
    (9999999.0, pa.float64(), "9999999.0"),
    (1e7, pa.float64(), "1.0E7"),
    (-1e7, pa.float64(), "-1.0E7"),
    (123456789.123, pa.float64(), "1.23456789123E8"),
    (0.1, pa.float64(), "0.1"),
    (0.0, pa.float64(), "0.0"),
    (-0.0, pa.float64(), "-0.0"),
    (float("nan"), pa.float64(), "NaN"),
    (float("inf"), pa.float64(), "Infinity"),
    (float("-inf"), pa.float64(), "-Infinity"),
    (1.7976931348623157e308, pa.float64(), "1.7976931348623157E308"),
    (5e-324, pa.float64(), "4.9E-324"),  # Java: Double.MIN_VALUE
    (f32(0.1), pa.float32(), "0.1"),  # Float.toString, not the widened double
    (f32(1.1), pa.float32(), "1.1"),
    (f32(16777216.0), pa.float32(), "1.6777216E7"),
    (f32(3.4028235e38), pa.float32(), "3.4028235E38"),
    (f32(1.4e-45), pa.float32(), "1.4E-45"),
    (b"raw bytes", pa.binary(), "raw bytes"),
    ("é".encode(), pa.binary(), "é"),
    (b"bad\xff", pa.binary(), "bad\ufffd"),
    (datetime.date(2024, 1, 2), pa.date32(), "2024-01-02"),
    (datetime.date(1, 1, 1), pa.date32(), "0001-01-01"),
    (datetime.datetime(2024, 1, 2, 3, 4, 5), pa.timestamp("us"), "2024-01-02 03:04:05"),
    (datetime.datetime(2024, 1, 2, 3, 4, 5, 120000), pa.timestamp("us"),
     "2024-01-02 03:04:05.12"),
    (datetime.datetime(2024, 1, 2, 3, 4, 5, 123456), pa.timestamp("us"),
     "2024-01-02 03:04:05.123456"),
    (datetime.datetime(2024, 1, 2, 3, 4, 5, 1000), pa.timestamp("ms"),
     "2024-01-02 03:04:05.001"),
    (["a", "b"], pa.list_(pa.string()), '["a","b"]'),
    ([1, 2], pa.list_(pa.int64()), "[1,2]"),
    ([], pa.list_(pa.int64()), "[]"),
    ([1, None], pa.list_(pa.int64()), "[1,null]"),
    ([None, "x"], pa.list_(pa.string()), '[null,"x"]'),
    ([1.0, 1e10, float("nan")], pa.list_(pa.float64()), "[1.0,1.0E10,NaN]"),
    ([True, False, None], pa.list_(pa.bool_()), "[true,false,null]"),
    (['q"uote', "back\\slash", "line\nbreak", "\x01"], pa.list_(pa.string()),
     '["q\\"uote","back\\\\slash","line\\nbreak","\\u0001"]'),
    ([Decimal("1E+3"), Decimal("12.50")], pa.list_(pa.decimal128(10, 2)), "[1000,12.50]"),
    ([datetime.date(2024, 1, 2)], pa.list_(pa.date32()), '["2024-01-02"]'),
    ([datetime.datetime(2024, 1, 2, 3, 4, 5, 500000)], pa.list_(pa.timestamp("us")),
     '["2024-01-02 03:04:05.5"]'),
    ([b"bin"], pa.list_(pa.binary()), "[bin]"),  # Hive prints nested binary raw, unquoted
    ([[1, 2], None, []], pa.list_(pa.list_(pa.int64())), "[[1,2],null,[]]"),
    ([("k", "v"), ("k2", "w")], pa.map_(pa.string(), pa.string()), '{"k":"v","k2":"w"}'),
    ([("k", 1), ("k2", None)], pa.map_(pa.string(), pa.int64()), '{"k":1,"k2":null}'),
    ([(1, "a")], pa.map_(pa.int64(), pa.string()), '{1:"a"}'),
    ([], pa.map_(pa.string(), pa.int64()), "{}"),
    ([("k", [1, 2])], pa.map_(pa.string(), pa.list_(pa.int64())), '{"k":[1,2]}'),
    ({"a": 1, "b": "x"}, pa.struct([("a", pa.int64()), ("b", pa.string())]), '{"a":1,"b":"x"}'),
    ({"a": None, "b": None}, pa.struct([("a", pa.int64()), ("b", pa.string())]),
     '{"a":null,"b":null}'),
    ({"a": {"c": True}, "d": 2.5},
     pa.struct([("a", pa.struct([("c", pa.bool_())])), ("d", pa.float64())]),
     '{"a":{"c":true},"d":2.5}'),
])
def test_render_value_hive(value, arrow_type, expected):
    assert render_value_hive(value, arrow_type) == expected


def test_render_value_hive_values_from_arrow():
    """Every column of the sample batch, values straight from ``to_pylist``."""
    batch = make_batch()
    got = {name: [render_value_hive(v, batch.schema.field(name).type)
                  for v in batch.column(name).to_pylist()] for name in batch.schema.names}
    assert got == {
        "s": ["hello", "NULL", 'has,comma "quote"\nnewline'],
        "i": ["42", "NULL", "-7"],
        "d": ["3.5", "NULL", "1.0E10"],
        "dec": [str(BIG), "NULL", str(NEG)],
        "b": ["true", "NULL", "false"],
        "bin": ["raw\ufffdbytes", "NULL", ""],
        "dt": ["2024-01-02", "NULL", "1999-12-31"],
        "ts": ["2024-01-02 03:04:05.12", "NULL", "2000-01-01 00:00:00"],
        "arr": ['["a","b"]', "NULL", '["x",null]'],
        "m": ['{"k":1,"k2":2}', "NULL", '{"n":null}'],
        "st": ['{"a":1,"b":"x"}', "NULL", '{"a":null,"b":null}'],
    }


def test_render_nanosecond_timestamp():
    arr = pa.array([1_700_000_000_123_456_789, 1_700_000_000_000_000_000], pa.timestamp("ns"))
    assert [render_value_hive(v, arr.type) for v in arr.to_pylist()] == [
        "2023-11-14 22:13:20.123456789", "2023-11-14 22:13:20"]


def test_render_dictionary_and_large_types():
    dict_arr = pa.array(["a", None, "b"]).dictionary_encode()
    assert [render_value_hive(v, dict_arr.type) for v in dict_arr.to_pylist()] == ["a", "NULL", "b"]
    assert render_value_hive(["x"], pa.large_list(pa.large_string())) == '["x"]'
    assert render_value_hive(b"y", pa.large_binary()) == "y"


def test_java_double_str_single_and_double_differ():
    x = f32(0.1)
    assert java_double_str(x) == "0.10000000149011612"
    assert java_double_str(x, single=True) == "0.1"


# --------------------------------------------------------------------------- tsv

EXPECTED_TSV_ROWS = [
    "hello\t42\t3.5\t1234567890123456789012345678.1234567890\ttrue\traw\ufffdbytes\t2024-01-02"
    '\t2024-01-02 03:04:05.12\t["a","b"]\t{"k":1,"k2":2}\t{"a":1,"b":"x"}',
    "\t".join(["NULL"] * 11),
    'has,comma "quote"\nnewline\t-7\t1.0E10\t-9999999999999999999999999999.9999999999\tfalse\t'
    '\t1999-12-31\t2000-01-01 00:00:00\t["x",null]\t{"n":null}\t{"a":null,"b":null}',
]


def test_tsv_with_header():
    out = run("tsv", make_batch())
    assert out == "s\ti\td\tdec\tb\tbin\tdt\tts\tarr\tm\tst\n" + "\n".join(EXPECTED_TSV_ROWS) + "\n"


def test_tsv_without_header_and_null_text():
    out = run("tsv", make_batch(), header=False, null_text=r"\N")
    lines = out.split("\n")
    assert lines[0].startswith("hello\t42\t")
    assert "\t".join([r"\N"] * 11) in lines
    # NULL inside complex values stays Hive's lower-case null
    assert '["x",null]' in out


def test_tsv_several_batches_and_empty_result():
    batch = make_batch()
    out = run("tsv", [batch.slice(0, 1), batch.slice(1, 0), batch.slice(1, 2)], header=False)
    assert out == "\n".join(EXPECTED_TSV_ROWS) + "\n"
    assert run("tsv", batch.slice(0, 0)) == "s\ti\td\tdec\tb\tbin\tdt\tts\tarr\tm\tst\n"
    assert run("tsv", batch.slice(0, 0), header=False) == ""


def test_header_taken_from_batch_when_write_header_not_called():
    out = io.StringIO()
    writer = make_writer("tsv", out, header=True)
    writer.write_batch(pa.record_batch({"x": pa.array([1, 2])}))
    writer.close()
    assert out.getvalue() == "x\n1\n2\n"


# --------------------------------------------------------------------------- csv

def test_csv_round_trip():
    out = run("csv", make_batch())
    assert out.endswith("\r\n")
    assert out.startswith("s,i,d,dec,b,bin,dt,ts,arr,m,st\r\n")
    rows = list(csv.reader(io.StringIO(out, newline="")))
    assert rows[0] == SCHEMA.names
    assert rows[1] == ["hello", "42", "3.5", str(BIG), "true", "raw\ufffdbytes", "2024-01-02",
                       "2024-01-02 03:04:05.12", '["a","b"]', '{"k":1,"k2":2}',
                       '{"a":1,"b":"x"}']
    assert rows[2] == [""] * 11  # NULL -> empty field
    assert rows[3] == ['has,comma "quote"\nnewline', "-7", "1.0E10", str(NEG), "false", "",
                       "1999-12-31", "2000-01-01 00:00:00", '["x",null]', '{"n":null}',
                       '{"a":null,"b":null}']
    assert len(rows) == 4


def test_csv_quoting_is_minimal():
    out = run("csv", make_batch(ROWS[:1]), header=False)
    # plain fields unquoted; complex values quoted because they contain quotes/commas
    assert out.startswith("hello,42,3.5,")
    assert ',"[""a"",""b""]",' in out
    assert '"{""a"":1,""b"":""x""}"\r\n' in out
    out = run("csv", make_batch(ROWS[2:]), header=False)
    assert out.startswith('"has,comma ""quote""\nnewline",-7,')


def test_csv_without_header():
    out = run("csv", make_batch(ROWS[1:2]), header=False)
    assert out == "," * 10 + "\r\n"


# --------------------------------------------------------------------------- json

def test_json_lines():
    out = run("json", make_batch())
    lines = out.splitlines()
    assert len(lines) == 3 and out.endswith("\n")
    rows = [json.loads(line, parse_float=Decimal) for line in lines]
    first, empty, third = rows
    assert list(first) == SCHEMA.names
    assert first["s"] == "hello"
    assert first["i"] == 42 and isinstance(first["i"], int)
    assert first["d"] == Decimal("3.5")
    assert first["dec"] == BIG and str(first["dec"]) == "1234567890123456789012345678.1234567890"
    assert first["b"] is True
    assert base64.b64decode(first["bin"]) == b"raw\xffbytes"
    assert first["dt"] == "2024-01-02"
    assert datetime.datetime.fromisoformat(first["ts"]) == datetime.datetime(2024, 1, 2, 3, 4, 5,
                                                                              120000)
    assert first["arr"] == ["a", "b"]
    assert first["m"] == {"k": 1, "k2": 2}
    assert first["st"] == {"a": 1, "b": "x"}
    assert empty == {name: None for name in SCHEMA.names}
    assert third["s"] == 'has,comma "quote"\nnewline'
    assert third["d"] == Decimal("1E10") and isinstance(json.loads(lines[2])["d"], float)
    assert third["dec"] == NEG
    assert third["b"] is False
    assert third["bin"] == ""
    assert third["ts"] == "2000-01-01T00:00:00"
    assert third["arr"] == ["x", None]
    assert third["m"] == {"n": None}
    assert third["st"] == {"a": None, "b": None}


def test_json_decimal_is_exact_text_not_float():
    out = run("json", make_batch(ROWS[:1]))
    assert '"dec":1234567890123456789012345678.1234567890,' in out
    # a float would have lost digits
    assert float(BIG) != BIG


def test_json_other_values():
    schema = pa.schema([("f", pa.float32()), ("nan", pa.float64()), ("tz", pa.timestamp("us", "UTC")),
                        ("mi", pa.map_(pa.int64(), pa.decimal128(5, 2))),
                        ("nested", pa.list_(pa.struct([("x", pa.binary())]))),
                        ("ds", pa.list_(pa.date32()))])
    batch = pa.RecordBatch.from_pylist([{
        "f": 0.1, "nan": float("nan"),
        "tz": datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc),
        "mi": [(1, Decimal("1.50"))], "nested": [{"x": b"\x00\x01"}, None],
        "ds": [datetime.date(2020, 2, 29), None]}], schema=schema)
    line = run("json", batch).rstrip("\n")
    row = json.loads(line, parse_float=Decimal)
    assert '"f":0.1,' in line  # single precision printed shortest
    assert row["nan"] == "NaN"  # not a JSON number
    assert row["tz"] == "2024-01-02T03:04:05Z"
    assert row["mi"] == {"1": Decimal("1.50")}
    assert row["nested"] == [{"x": base64.b64encode(b"\x00\x01").decode()}, None]
    assert row["ds"] == ["2020-02-29", None]


def test_json_ignores_header_flag():
    batch = make_batch(ROWS[:1])
    assert run("json", batch, header=True) == run("json", batch, header=False)


# --------------------------------------------------------------------------- table

def test_table_layout():
    batch = pa.RecordBatch.from_pylist(
        [{"id": 1, "name": "alice", "score": Decimal("12.50")},
         {"id": 1000, "name": None, "score": None}],
        schema=pa.schema([("id", pa.int64()), ("name", pa.string()),
                          ("score", pa.decimal128(10, 2))]))
    assert run("table", batch) == (
        "+------+-------+-------+\n"
        "| id   | name  | score |\n"
        "+------+-------+-------+\n"
        "|    1 | alice | 12.50 |\n"
        "| 1000 | NULL  |  NULL |\n"
        "+------+-------+-------+\n")
    assert run("table", batch, header=False, null_text="") == (
        "+------+-------+-------+\n"
        "|    1 | alice | 12.50 |\n"
        "| 1000 |       |       |\n"
        "+------+-------+-------+\n")


def test_table_all_types_aligned():
    out = run("table", [make_batch(ROWS[:2]), make_batch(ROWS[2:])])
    lines = out.splitlines()
    assert len(lines) == 3 + 3 + 1  # rule, header, rule, 3 rows, rule
    assert len({display_width(line) for line in lines}) == 1
    assert lines[0].startswith("+-") and lines[0] == lines[2] == lines[-1]
    assert lines[1].startswith("| s ")
    # newline inside a value is escaped so the row stays on one line
    assert 'has,comma "quote"\\nnewline' in lines[5]
    # numbers right-aligned, text left-aligned
    assert [line.split("|")[2] for line in lines[1:2] + lines[3:6]] == [
        " i    ", "   42 ", " NULL ", "   -7 "]
    assert [line.split("|")[1] for line in lines[3:5]] == [
        " hello" + " " * 21 + " ", " NULL" + " " * 22 + " "]
    assert '["a","b"]' in lines[3] and '{"a":null,"b":null}' in lines[5]


def test_table_wide_unicode():
    batch = pa.RecordBatch.from_pylist([{"k": "日本語"}, {"k": "ab"}, {"k": "e\u0301"}],
                                       schema=pa.schema([("k", pa.string())]))
    assert run("table", batch) == (
        "+--------+\n"
        "| k      |\n"
        "+--------+\n"
        "| 日本語 |\n"
        "| ab     |\n"
        "| e\u0301      |\n"
        "+--------+\n")


def test_table_empty_result_and_buffering():
    batch = make_batch().slice(0, 0)
    out = io.StringIO()
    writer = make_writer("table", out, header=True)
    writer.write_header(["a", "bb"])
    writer.write_batch(pa.record_batch({"a": pa.array([1]), "bb": pa.array(["x"])}))
    assert out.getvalue() == ""  # buffered until close
    writer.close()
    assert out.getvalue().splitlines()[1] == "| a | bb |"
    assert run("table", batch).count("\n") == 3  # header box only


# --------------------------------------------------------------------------- vertical

def test_vertical():
    batch = make_batch()
    out = run("vertical", [batch.slice(0, 2), batch.slice(2, 1)])
    stars = "*" * 27
    lines = out.split("\n")
    assert lines[0] == f"{stars} 1. row {stars}"
    assert lines[1:12] == [
        "  s: hello", "  i: 42", "  d: 3.5", f"dec: {BIG}", "  b: true",
        "bin: raw\ufffdbytes", " dt: 2024-01-02", " ts: 2024-01-02 03:04:05.12",
        'arr: ["a","b"]', '  m: {"k":1,"k2":2}', ' st: {"a":1,"b":"x"}']
    assert lines[12] == f"{stars} 2. row {stars}"
    assert lines[13:24] == [f"{name.rjust(3)}: NULL" for name in SCHEMA.names]
    assert lines[24] == f"{stars} 3. row {stars}"  # numbering continues across batches
    assert lines[25] == '  s: has,comma "quote"'
    assert lines[26] == "newline"  # values are printed raw, as MySQL does
    assert out.endswith(' st: {"a":null,"b":null}\n')


def test_vertical_null_text_and_empty():
    batch = make_batch(ROWS[1:2])
    assert "\n  s: \n" in run("vertical", batch, null_text="")
    assert run("vertical", batch.slice(0, 0)) == ""


# --------------------------------------------------------------------------- make_writer

def test_formats_constant():
    assert FORMATS == ("tsv", "csv", "json", "table", "vertical")


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_writes_every_type(fmt):
    out = run(fmt, make_batch())
    assert out  # nothing raised, something written
    assert ("hello" in out)


def test_unknown_format():
    with pytest.raises(ValueError) as info:
        make_writer("xml", io.StringIO(), header=True)
    message = str(info.value)
    assert "xml" in message
    for name in FORMATS:
        assert name in message


def test_format_name_case_insensitive():
    assert run("TSV", pa.record_batch({"x": pa.array([1])}), header=False) == "1\n"


def test_close_flushes_without_closing_stream_and_is_idempotent():
    class Stream(io.StringIO):
        flushes = 0

        def flush(self):
            Stream.flushes += 1
            super().flush()

    for fmt in FORMATS:
        stream = Stream()
        writer = make_writer(fmt, stream, header=True)
        writer.write_batch(pa.record_batch({"x": pa.array([1])}))
        before = Stream.flushes
        writer.close()
        text = stream.getvalue()
        writer.close()
        assert not stream.closed
        assert Stream.flushes > before
        assert stream.getvalue() == text  # second close writes nothing


# --------------------------------------------------------------------------- DESCRIBE

def test_format_describe_hive_layout():
    lines = format_describe([("customerid", "string", "from deserializer"),
                             ("amount", "decimal(38,10)", ""),
                             ("tags", "array<string>", None)])
    assert lines == [
        "customerid          \tstring              \tfrom deserializer   ",
        "amount              \tdecimal(38,10)      \t" + " " * 20,
        "tags                \tarray<string>       \t" + " " * 20,
    ]


def test_format_describe_long_fields_not_cut():
    long_type = "map<string,struct<a:bigint,b:array<string>>>"
    [line] = format_describe([("a_very_long_column_name_here", long_type, "comment")])
    assert line == f"a_very_long_column_name_here\t{long_type}\tcomment" + " " * 13
    assert line.split("\t") == ["a_very_long_column_name_here", long_type, "comment" + " " * 13]


def test_format_describe_multiline_comment():
    lines = format_describe([("c", "int", "first line\nsecond")])
    assert lines == ["c" + " " * 19 + "\tint" + " " * 17 + "\tfirst line" + " " * 10,
                     " " * 20 + "\t" + " " * 20 + "\tsecond" + " " * 14]


def test_format_describe_empty():
    assert format_describe([]) == []
