"""The pyarrow.json path gives exactly what the reference reader (Python's json module and
the SerDe value rules) gives: same rows, same NULLs, same reject entries with the same
line numbers, on generated files (keys in other cases, numbers that need rounding or do
not fit, strings where numbers are expected, nested values, malformed lines, blank lines,
headers, blocks that the fast path must hand back)."""
from __future__ import annotations

import decimal
import json
import math

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from ddbsql.catalog.model import Column, FileStorage
from ddbsql.exec.decode import DecodeWarnings
from ddbsql.files import compression
from ddbsql.files.formats import json_lines
from ddbsql.files.formats.json_lines import read_json_file
from ddbsql.files.locations import FileSystems, parse_location
from ddbsql.files.reading import ReadLog, ReadSpec
from ddbsql.types import parse_hive_type

TYPES = {"id": "int", "small": "tinyint", "name": "string", "amount": "decimal(10,2)", "big": "decimal(38,2)",
         "score": "double", "ratio": "float", "flag": "boolean", "ts": "timestamp", "day": "date",
         "code": "varchar(3)", "tags": "array<bigint>", "info": "struct<a:int,b:decimal(5,1),c:array<float>>"}
COLUMNS = [Column(name, parse_hive_type(kind)) for name, kind in TYPES.items()]

numbers = st.one_of(
    st.integers(-300, 300).map(str), st.integers(-(2 ** 70), 2 ** 70).map(str),
    st.from_regex(r"-?[0-9]{1,3}\.[0-9]{1,4}", fullmatch=True),
    st.sampled_from(["1.005", "0.5", "-0.0", "1e2", "1E-2", "2.5e1", "1e400", "1e-400", "9007199254740993",
                     "12345678901234567890123456789012345.67", "123456789012345678901234567890123456.789",
                     "99999999.995", "3.4028235e38", "3.4028236e38", "1.00000001", "0.1"]))
strings = st.one_of(
    st.sampled_from(["", "true", "FALSE", "1.5", " 1.5", "+1.5", "1e2", "12", "abc", "2024-01-02", "2024-1-2",
                     "2024-01-02 10:11:12.1234567", "2024-01-02T10:11:12", "2024-13-01", "NaN", "Infinity",
                     "a\\u00e9b", "\\u0041", "x\\\"y", "\\ud83d\\ude00"]),
    st.text(alphabet="abAB 1.-é中", max_size=5))
scalar = st.one_of(numbers, strings.map(lambda s: f'"{s}"'), st.sampled_from(["true", "false", "null"]))
value = st.recursive(scalar, lambda inner: st.one_of(
    st.lists(inner, max_size=3).map(lambda xs: "[" + ",".join(xs) + "]"),
    st.dictionaries(st.sampled_from(["a", "A", "b", "c", "z"]), inner, max_size=3).map(
        lambda d: "{" + ",".join(f'"{k}":{v}' for k, v in d.items()) + "}")), max_leaves=6)
key = st.sampled_from(list(TYPES) + ["ID", "Name", "AMOUNT", "extra", "\\u0069d", "Info"])
member = st.tuples(key, st.one_of(value, value, st.sampled_from(["NaN", "Infinity", "-Infinity", "Inf"])))
obj = st.lists(member, max_size=8).map(lambda ms: "{" + ", ".join(f'"{k}": {v}' for k, v in ms) + "}")
# objects of the columns' own kinds (mostly read by pyarrow), with values that still need care
quoted = strings.map(lambda s: f'"{s}"')
short_decimal = st.from_regex(r"-?(0|[1-9][0-9]{0,7})(\.[0-9]{1,2})?", fullmatch=True)
typed = {"id": st.integers(-(2 ** 31), 2 ** 31 - 1).map(str), "small": st.integers(-128, 127).map(str),
         "name": quoted, "amount": short_decimal, "big": st.from_regex(r"-?(0|[1-9][0-9]{0,35})(\.[0-9]{1,2})?", fullmatch=True),
         "score": numbers, "ratio": numbers, "flag": st.sampled_from(["true", "false"]), "ts": quoted, "day": quoted,
         "code": quoted, "tags": st.lists(st.integers(-(2 ** 63), 2 ** 63 - 1).map(str), max_size=3).map(
             lambda xs: "[" + ",".join(xs) + "]"),
         "info": st.fixed_dictionaries({}, optional={"a": st.integers(-5, 5).map(str), "b": short_decimal,
                                                     "c": st.lists(numbers, max_size=2).map(
                                                         lambda xs: "[" + ",".join(xs) + "]")}).map(
             lambda d: "{" + ",".join(f'"{k}":{v}' for k, v in d.items()) + "}")}
plain_obj = st.fixed_dictionaries({}, optional={k: st.one_of(v, st.just("null")) for k, v in typed.items()}).map(
    lambda d: "{" + ", ".join(f'"{k}": {v}' for k, v in d.items()) + "}")
clean_obj = st.fixed_dictionaries({}, optional={k: typed[k] for k in ("id", "small", "name", "amount", "flag", "tags")}
                                   | {"day": st.dates().map(lambda d: f'"{d}"')}).map(
    lambda d: "{" + ", ".join(f'"{k}": {v}' for k, v in d.items()) + "}")
oddity = st.sampled_from(["", "   ", "[1, 2]", "7", '{"id": 1', '{"id": 1}{"id": 2}', '{"id": 1,}', "not json",
                          '{"id": 1, "id": 2}', '\ufeff{"id": 1}', '{"id":', '2}', '{"a": {"b": 1}', '}'])


def read(tmp_path, body: str | bytes, header: int, fast: bool, columns=COLUMNS, serde=None):
    (tmp_path / "f.json").write_bytes(body if isinstance(body, bytes) else body.encode("utf-8"))
    location = parse_location(str(tmp_path), FileSystems(), allow_local=True)
    spec = ReadSpec(FileStorage(str(tmp_path), "json", serde_properties=serde or {}), "default.t", tuple(columns), (),
                    columns, {"skip.header.line.count": str(header)})
    rejects = tmp_path / ("fast" if fast else "reference")
    log = ReadLog(rejects, table="t", statement="test", warnings=DecodeWarnings())
    batches = list(read_json_file(location.fs, str(tmp_path / "f.json"), "f.json", spec, list(enumerate(columns)),
                                  log, fast=fast))
    log.close()
    rows = [_comparable(row) for b in batches if b.num_rows for row in pa.Table.from_batches([b]).to_pylist()]
    entries = [json.loads(x) for x in log.path.read_text().splitlines()] if log.path else []
    # a bad row is logged when it is met, a bad value when its batch is made: order within a file may differ
    entries.sort(key=lambda e: (e["line"], e["column"] or "", e["reason"]))
    return rows, entries, (log.values_nulled, log.rows_skipped, sorted(log.warnings.items()))


def _comparable(value):
    """``value`` with NaN as a string (NaN equals nothing, itself included)."""
    if isinstance(value, float) and math.isnan(value):
        return "NaN"
    if isinstance(value, dict):
        return {k: _comparable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_comparable(v) for v in value]
    return value


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=st.lists(st.one_of(plain_obj, plain_obj, plain_obj, obj, oddity), max_size=20), header=st.integers(0, 1),
       block_rows=st.sampled_from([2, 3, 1000]), ignore_malformed=st.booleans(), newline=st.sampled_from(["\n", "\r\n"]),
       bad_bytes=st.booleans())
def test_fast_and_reference_readers_agree(tmp_path_factory, lines, header, block_rows, ignore_malformed, newline,
                                          bad_bytes):
    tmp_path = tmp_path_factory.mktemp("json")
    body = (newline.join(lines) + (newline if lines else "")).encode("utf-8")
    if bad_bytes and lines:   # not UTF-8: both read the replacement character
        body = body.replace(b"a", b"a\xff", 1)
    serde = {"ignore.malformed.json": "true"} if ignore_malformed else None
    saved = compression.BATCH_ROWS
    compression.BATCH_ROWS = block_rows       # small blocks: fast and handed-back blocks interleave
    try:
        assert read(tmp_path, body, header, True, serde=serde) == read(tmp_path, body, header, False, serde=serde)
    finally:
        compression.BATCH_ROWS = saved


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=st.lists(st.one_of(plain_obj, plain_obj, plain_obj, plain_obj, st.just("")), max_size=20),
       block_rows=st.sampled_from([3, 1000]))
def test_objects_of_the_columns_kinds_agree(tmp_path_factory, lines, block_rows):
    """Lines mostly pyarrow reads itself (values that do not fit still hand a block back)."""
    tmp_path = tmp_path_factory.mktemp("json")
    body = "\n".join(lines) + ("\n" if lines else "")
    saved = compression.BATCH_ROWS
    compression.BATCH_ROWS = block_rows
    try:
        assert read(tmp_path, body, 0, True) == read(tmp_path, body, 0, False)
    finally:
        compression.BATCH_ROWS = saved


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=st.lists(st.one_of(numbers, strings.map(lambda s: f'"{s}"'), st.just("null")), min_size=1, max_size=12),
       kind=st.sampled_from(["int", "bigint", "smallint", "double", "float", "decimal(38,0)", "decimal(38,10)",
                             "decimal(5,3)", "decimal(20,2)", "boolean", "string", "timestamp", "date", "char(2)",
                             "binary", "array<decimal(38,2)>", "struct<n:double>"]))
def test_each_type_agrees(tmp_path_factory, values, kind):
    """One column of each type against JSON numbers and strings of every shape."""
    tmp_path = tmp_path_factory.mktemp("json")
    columns = [Column("v", parse_hive_type(kind))]
    if kind.startswith("array"):
        values = [f"[{v}]" for v in values]
    elif kind.startswith("struct"):
        values = [f'{{"n": {v}}}' for v in values]
    body = "".join(f'{{"v": {v}}}\n' for v in values)
    assert read(tmp_path, body, 0, True, columns) == read(tmp_path, body, 0, False, columns)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow, HealthCheck.data_too_large])
@given(lines=st.lists(st.integers(0, 99).flatmap(lambda n: (
           clean_obj if n < 85 else plain_obj if n < 92 else obj if n < 94 else oddity if n < 97 else
           st.sampled_from(['{"amount": 1.005}', '{"id": 1}{"id": 2}', '{"id": 3000000000}', '{"amount": "n/a"}',
                            '{"Id": 5}']))), min_size=40, max_size=400))
def test_long_runs_with_refusals_agree(tmp_path_factory, lines):
    """Runs long enough to be halved, refusals naming a row, a value or neither, and values
    refused in one block met again in the next."""
    tmp_path = tmp_path_factory.mktemp("json")
    body = "\n".join(lines) + "\n"
    saved = compression.BATCH_ROWS
    compression.BATCH_ROWS = 97
    try:
        assert read(tmp_path, body, 0, True) == read(tmp_path, body, 0, False)
    finally:
        compression.BATCH_ROWS = saved


def test_a_plain_file_is_read_by_pyarrow(tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(json_lines, "_reference_block", lambda *a, **k: calls.append(1))
    body = ('{"id": 1, "small": 5, "name": "a", "amount": 12.5, "big": 12345678901234567890123456789012345.67, '
            '"score": 0.1, "ratio": 0.1, "flag": true, "ts": "2024-01-02 03:04:05", "day": "2024-13-01", '
            '"code": "abcdef", "tags": [1, null], "info": {"a": 7, "b": 1.5, "c": [2.5]}, "other": {"x": [1]}}\n'
            '\n'
            '{"name": "caf\\u00e9"}\n')
    rows, entries, counts = read(tmp_path, body, 0, True)
    assert calls == []
    assert rows[0] == {"id": 1, "small": 5, "name": "a", "amount": decimal.Decimal("12.50"),
                       "big": decimal.Decimal("12345678901234567890123456789012345.67"), "score": 0.1,
                       "ratio": pytest.approx(0.1), "flag": True,
                       "ts": __import__("datetime").datetime(2024, 1, 2, 3, 4, 5), "day": None, "code": "abc",
                       "tags": [1, None], "info": {"a": 7, "b": decimal.Decimal("1.5"), "c": [2.5]}}
    assert rows[1]["name"] == "café" and rows[1]["id"] is None
    assert [(e["line"], e["column"], e["reason"]) for e in entries] == [(1, "day", "read as NULL: not a valid date")]


@pytest.mark.parametrize("body", [
    '{"ID": 1}\n',                        # another case: the SerDe matches it, pyarrow would not
    '{"\\u0069d": 1}\n',                   # the key spelt with an escape
    '{"info": {"A": 1}}\n',               # a struct field in another case
    '{"id": 1, "score": NaN}\n',          # json reads NaN, no column type takes it
    '{"amount": 1.005}\n',                # needs rounding half up
    '{"flag": "TRUE"}\n',                 # a boolean as a string
    '{"id": "12"}\n',                     # a number as a string
    '{"name": 12.50}\n',                  # a number for a string column keeps its text
])
def test_blocks_pyarrow_would_read_otherwise_go_to_the_reference_reader(tmp_path, monkeypatch, body):
    calls = []
    reference = json_lines._reference_block
    monkeypatch.setattr(json_lines, "_reference_block", lambda *a, **k: calls.append(1) or reference(*a, **k))
    fast = read(tmp_path, body, 0, True)
    assert calls == [1]
    assert fast == read(tmp_path, body, 0, False)


def test_map_columns_and_mapped_keys(tmp_path, monkeypatch):
    """A map column has no pyarrow conversion: the reference reader reads it; a key renamed by
    ``mapping.<column>`` is read by pyarrow under its JSON spelling."""
    columns = [Column("m", parse_hive_type("map<string,int>")), Column("user_id", parse_hive_type("bigint"))]
    body = '{"m": {"a": 1, "b": "x"}, "UserId": 5}\n'
    serde = {"mapping.user_id": "UserId"}
    assert read(tmp_path, body, 0, True, columns, serde) == read(tmp_path, body, 0, False, columns, serde)
    calls = []
    monkeypatch.setattr(json_lines, "_reference_block", lambda *a, **k: calls.append(1))
    rows, _, _ = read(tmp_path, body, 0, True, columns[1:], serde)
    assert calls == [] and rows == [{"user_id": 5}]
