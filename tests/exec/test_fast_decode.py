"""The fast decoder (ddbsql.exec.fastpath) equals the reference decode_page bit for bit.

Every test builds a Scan response body as DynamoDB sends it (binary as base64 text),
decodes it with ``decode_body`` and compares with ``decode_page`` on the items botocore
would have parsed from the same body (binary as bytes): same schema, same values (floats
compared by their bits, so -0.0 is not 0.0), same warning counts.
"""
from __future__ import annotations

import base64
import datetime as dt
import json
import random
import struct
from decimal import Decimal

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ddbsql.catalog.binding import ColumnBinding, TimeEncoding
from ddbsql.exec.decode import DecodeWarnings, decode_page
from ddbsql.exec.fastpath import decode_body, decoder, fast_columns
from ddbsql.exec.fastpath.meta import botocore_items, split_body
from ddbsql.types import parse_hive_type

# One column per Hive type the decoder knows, each on its own attribute.
COLUMN_TYPES = [
    "string", "varchar(5)", "tinyint", "smallint", "int", "bigint", "float", "double",
    "decimal(38,0)", "decimal(10,2)", "decimal(5,5)", "decimal(38,10)", "decimal(3,1)",
    "boolean", "binary", "timestamp", "date",
    "array<string>", "array<bigint>", "array<decimal(10,2)>", "array<array<int>>", "array<boolean>",
    "array<double>", "array<binary>", "array<timestamp>", "array<date>",
    "map<string,int>", "struct<a:int,b:string>", "array<struct<x:string>>",
]
BINDINGS = [ColumnBinding(f"c{i}", parse_hive_type(t), f"a{i}", "S") for i, t in enumerate(COLUMN_TYPES)]
# timestamp/date columns kept as epoch milliseconds and seconds (N)
BINDINGS += [ColumnBinding(f"c{len(BINDINGS) + i}", parse_hive_type(t), f"a{len(BINDINGS) + i}", "N", encoding)
             for i, (t, encoding) in enumerate([("timestamp", TimeEncoding.EPOCH_MILLIS),
                                                ("date", TimeEncoding.EPOCH_MILLIS),
                                                ("timestamp", TimeEncoding.EPOCH_SECONDS)])]
ITEM = ColumnBinding("item", parse_hive_type("map<string,string>"), None, "ITEM")


# --- values ------------------------------------------------------------------------------

EDGE_NUMBERS = [
    "0", "-0", "0.0", "-0.00", "1", "-1", "1E+125", "-1E+125", "1E-130", "-1E-130", "9.9999999999999999999999999999999999999E+125",
    "9" * 38, "-" + "9" * 38, "1" + "0" * 37, "0." + "0" * 36 + "1", "12345678901234567890.123456789012345678",
    "0.1", "1.5", "2.5", "-2.5", "0.005", "0.015", "-0.005", "0.045", "99.995", "-99.995", "999.95", "1e2", "1E2", "1E+2",
    "1.0", "10", "100", "007", "-007", "0x1F", "+5", " 5", "5 ", "1_000", "abc", "", "NaN", "-NaN", "Infinity",
    "inf", "-inf", "1.", ".5", "-.5", "9223372036854775807", "9223372036854775808", "-9223372036854775808",
    "-9223372036854775809", "1e400", "1e-400", "127", "128", "-128", "-129", "32767", "32768", "2147483647",
    "2147483648", "-2147483648", "-2147483649", "3.4028235e38", "3.5e38", "1e-46", "1.4e-45",
    "1600000000", "-1600000000", "1600000000.5", "1600000000.0000005", "1600000000.0000015", "253402300799",
    "253402300800", "-62135596800", "-62135596801", "86399", "86400", "-1", "-86400", "-86401",
    "0.1234567", "1e-7", "1E-7", "5E-7", "2", "0E+5", "1.00", "12.345", "-12.345", "123.45",
]
EDGE_TEXTS = [
    "", "a", "héllo", "日本語", "emoji 🎉", "quote \" backslash \\ slash /", "ctrl \x00\x01\x1f", "\u2028\u2029",
    "line\nbreak\r\ttab", "]", "}", '"Items":[', "true", "false", "True", "1", "0",
    "2021-01-01", "2021-01-01T00:00:00", "2021-01-01T12:34:56.123", "2021-01-01T12:34:56.123456",
    "2021-01-01T12:34:56.1", "2021-01-01T12:34:56.1234567", "2021-01-01 12:34:56", "2021-01-01T12:34:56Z",
    "2021-01-01T12:34:56+02:00", "2021-01-01T12:34:56.5-05:30", "2021-02-30", "2021-02-30T00:00:00",
    "2021-13-01", "2020-02-29", "2019-02-29T00:00:00", "0000-01-01", "0001-01-01", "9999-12-31T23:59:59.999999",
    "2021-01-01T24:00:00", "2021-01-01T23:59:60", "20210101", "2021-W01-1", "2021-001", "2021-1-1",
    "  2021-01-01", "2021-01-01T00:00", "2021-01-01T00", "1970-01-01T00:00:00.000",
]


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


number_texts = st.one_of(
    st.sampled_from(EDGE_NUMBERS),
    st.integers(min_value=-(10 ** 40), max_value=10 ** 40).map(str),
    st.integers(min_value=-300, max_value=300).map(str),
    st.decimals(allow_nan=False, allow_infinity=False).map(str),
    st.builds(lambda sign, digits, exp: str(Decimal((sign, tuple(digits), exp))),
              st.integers(0, 1), st.lists(st.integers(0, 9), min_size=1, max_size=38), st.integers(-135, 130)),
    st.builds(lambda sign, digits, exp: format(Decimal((sign, tuple(digits), exp)), "f"),
              st.integers(0, 1), st.lists(st.integers(0, 9), min_size=1, max_size=38), st.integers(-40, 5)),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
    st.floats(allow_nan=False, allow_infinity=False, width=32).map(repr),
    st.integers(min_value=-(10 ** 12), max_value=10 ** 12).map(str),
)
datetimes = st.datetimes(min_value=dt.datetime(1, 1, 2), max_value=dt.datetime(9999, 12, 30))
string_texts = st.one_of(
    st.sampled_from(EDGE_TEXTS),
    st.text(max_size=12),
    datetimes.map(lambda d: d.isoformat()),
    datetimes.map(lambda d: d.isoformat(timespec="milliseconds")),
    datetimes.map(lambda d: d.isoformat(sep=" ")),
    datetimes.map(lambda d: d.isoformat() + "Z"),
    datetimes.map(lambda d: d.date().isoformat()),
    st.sampled_from(["0", "1", "true", "FALSE", "-5", "7"]),
)
binaries = st.binary(max_size=12)


def scalar_values():
    return st.one_of(
        st.builds(lambda s: {"S": s}, string_texts),
        st.builds(lambda n: {"N": n}, number_texts),
        st.builds(lambda b: {"B": b}, binaries),
        st.builds(lambda b: {"BOOL": b}, st.booleans()),
        st.just({"NULL": True}),
        st.builds(lambda v: {"SS": v}, st.lists(string_texts, max_size=4, unique=True)),
        st.builds(lambda v: {"NS": v}, st.lists(number_texts, max_size=4, unique=True)),
        st.builds(lambda v: {"BS": v}, st.lists(binaries, max_size=3, unique=True)),
    )


attribute_values = st.recursive(
    scalar_values(),
    lambda inner: st.one_of(
        st.builds(lambda v: {"L": v}, st.lists(inner, max_size=4)),
        st.builds(lambda v: {"M": v}, st.dictionaries(st.sampled_from(["a", "b", "A", "x", "k1", "2", "true"]),
                                                    inner, max_size=3)),
    ),
    max_leaves=6,
)


def typed_value(hive: str):
    """Values mostly of the shape the column reads, so the fast paths are exercised."""
    if hive.startswith("array<"):
        inner = hive[len("array<"):-1]
        elements = st.lists(st.one_of(typed_value(inner), attribute_values), max_size=5)
        return st.one_of(
            st.builds(lambda v: {"L": v}, elements),
            st.builds(lambda v: {"SS": v}, st.lists(string_texts, max_size=4, unique=True)),
            st.builds(lambda v: {"NS": v}, st.lists(number_texts, max_size=4, unique=True)),
            st.builds(lambda v: {"BS": v}, st.lists(binaries, max_size=3, unique=True)),
        )
    if hive in ("string", "varchar(5)"):
        return st.builds(lambda s: {"S": s}, string_texts)
    if hive == "boolean":
        return st.one_of(st.builds(lambda b: {"BOOL": b}, st.booleans()),
                         st.builds(lambda n: {"N": n}, st.sampled_from(["0", "1", "1.0", "0E+3", "2", "-1", "x"])))
    if hive == "binary":
        return st.builds(lambda b: {"B": b}, binaries)
    if hive in ("timestamp", "date"):
        return st.one_of(st.builds(lambda s: {"S": s}, string_texts), st.builds(lambda n: {"N": n}, number_texts))
    if hive.startswith("map") or hive.startswith("struct"):
        return st.builds(lambda v: {"M": v}, st.dictionaries(st.sampled_from(["a", "b", "A", "B", "1", "x"]),
                                                            attribute_values, max_size=3))
    return st.builds(lambda n: {"N": n}, number_texts)


def items_strategy(max_items: int):
    columns = {b.attribute: st.one_of(typed_value(str(b.hive_type)), typed_value(str(b.hive_type)),
                                      attribute_values)
               for b in BINDINGS}
    item = st.fixed_dictionaries({}, optional=columns)
    return st.lists(item, min_size=0, max_size=max_items)


# --- bodies and comparison -------------------------------------------------------------

def wire(av):
    """An attribute value as it travels in JSON: binary as base64 text."""
    out = {}
    for tag, value in av.items():
        if tag == "B":
            value = b64(value)
        elif tag == "BS":
            value = [b64(v) for v in value]
        elif tag == "L":
            value = [wire(v) for v in value]
        elif tag == "M":
            value = {k: wire(v) for k, v in value.items()}
        out[tag] = value
    return out


def body_of(items, **members) -> bytes:
    response = {"Items": [{k: wire(v) for k, v in item.items()} for item in items], "Count": len(items),
                "ScannedCount": len(items), **members}
    return json.dumps(response).encode()


def float_bits(array: pa.Array) -> list:
    fmt = "f" if array.type == pa.float32() else "d"
    return [None if v is None else struct.pack(fmt, v) for v in array.to_pylist()]


def assert_same_column(expected: pa.Array, actual: pa.Array, name: str) -> None:
    assert actual.type == expected.type, name
    assert actual.equals(expected), (name, expected.to_pylist()[:20], actual.to_pylist()[:20])
    if pa.types.is_floating(expected.type):
        assert float_bits(actual) == float_bits(expected), name
    elif pa.types.is_list(expected.type) and pa.types.is_floating(expected.type.value_type):
        assert float_bits(actual.flatten()) == float_bits(expected.flatten()), name


def assert_fast_equals_reference(body: bytes, bindings) -> tuple[pa.RecordBatch, dict]:
    """Twice: with a fresh plan (reads only the tags the columns read, then again with
    every tag where a page holds others) and with the plan that page taught."""
    low_level = botocore_items(json.loads(body)["Items"])
    expected_warnings = DecodeWarnings()
    expected = decode_page(low_level, bindings, expected_warnings)
    decoder._plan.cache_clear()
    for _ in range(2):
        actual_warnings = DecodeWarnings()
        actual, meta = decode_body(body, bindings, warnings=actual_warnings)
        assert actual.schema == expected.schema
        assert actual.num_rows == expected.num_rows
        for i, binding in enumerate(bindings):
            assert_same_column(expected.column(i), actual.column(i), binding.name)
        assert actual_warnings.items() == expected_warnings.items()
    return actual, meta


# --- properties ------------------------------------------------------------------------------

@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(items_strategy(30))
def test_fast_decoder_equals_reference_on_generated_pages(items):
    assert_fast_equals_reference(body_of(items), BINDINGS + [ITEM])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.fixed_dictionaries({}, optional={"x": attribute_values, "y": attribute_values}), max_size=20),
       st.sampled_from(COLUMN_TYPES))
def test_any_attribute_value_under_any_type(items, hive):
    bindings = [ColumnBinding("c", parse_hive_type(hive), "x", "S"), ColumnBinding("d", parse_hive_type(hive), "y", "S")]
    assert_fast_equals_reference(body_of(items), bindings)


def _random_av(rng: random.Random, depth: int = 0) -> dict:
    kind = rng.random()
    if kind < 0.25:
        return {"S": rng.choice(EDGE_TEXTS) if rng.random() < 0.5 else "".join(
            rng.choice("abcxyz éü日🎉\"\\") for _ in range(rng.randrange(8)))}
    if kind < 0.55:
        if rng.random() < 0.5:
            return {"N": rng.choice(EDGE_NUMBERS)}
        digits = "".join(rng.choice("0123456789") for _ in range(rng.randrange(1, 39)))
        text = str(Decimal(f"{rng.choice(['', '-'])}{digits}E{rng.randrange(-40, 20)}"))
        return {"N": text}
    if kind < 0.62:
        return {"BOOL": rng.random() < 0.5}
    if kind < 0.66:
        return {"NULL": True}
    if kind < 0.72:
        return {"B": bytes(rng.randrange(256) for _ in range(rng.randrange(6)))}
    if kind < 0.78:
        return {"SS": sorted({rng.choice(EDGE_TEXTS) for _ in range(rng.randrange(4))})}
    if kind < 0.84:
        return {"NS": sorted({rng.choice(EDGE_NUMBERS) for _ in range(rng.randrange(4))})}
    if kind < 0.86:
        return {"BS": [bytes([i]) for i in range(rng.randrange(3))]}
    if depth > 2:
        return {"S": "deep"}
    if kind < 0.94:
        return {"L": [_random_av(rng, depth + 1) for _ in range(rng.randrange(5))]}
    return {"M": {rng.choice("abAB12x"): _random_av(rng, depth + 1) for _ in range(rng.randrange(4))}}


def test_fast_decoder_equals_reference_on_twelve_thousand_random_items():
    rng = random.Random(20260523)
    for page in range(6):
        items = []
        for _ in range(2000):
            item = {}
            for binding in BINDINGS:
                if rng.random() < 0.85:
                    item[binding.attribute] = _random_av(rng)
            items.append(item)
        assert_fast_equals_reference(body_of(items), BINDINGS)


# --- the common shapes take the vectorised path --------------------------------------------

def test_scalar_and_list_columns_are_fast_maps_structs_and_item_are_not():
    typed = BINDINGS[:len(COLUMN_TYPES)]
    fast = dict(zip([str(b.hive_type) for b in typed], fast_columns(typed)))
    assert all(fast[t] for t in COLUMN_TYPES if not t.startswith(("map", "struct", "array<struct")))
    assert not any(fast[t] for t in ("map<string,int>", "struct<a:int,b:string>", "array<struct<x:string>>"))
    assert fast_columns([ITEM]) == [False]
    # epoch milliseconds are read by the reference decoder; epoch seconds by the vectorised one
    assert fast_columns(BINDINGS[len(COLUMN_TYPES):]) == [False, False, True]


def test_typical_page_values():
    items = [{"id": {"S": f"k{i}"}, "n": {"N": str(i * 7)}, "price": {"N": f"{i}.{i % 100:02d}5"},
              "flag": {"BOOL": i % 2 == 0}, "tags": {"SS": ["a", "b"]}, "when": {"S": "2024-05-01T10:00:00"},
              "blob": {"B": bytes([i % 256])}} for i in range(300)]
    bindings = [ColumnBinding("id", parse_hive_type("string"), "id", "S"),
                ColumnBinding("n", parse_hive_type("int"), "n", "N"),
                ColumnBinding("price", parse_hive_type("decimal(12,2)"), "price", "N"),
                ColumnBinding("flag", parse_hive_type("boolean"), "flag", "BOOL"),
                ColumnBinding("tags", parse_hive_type("array<string>"), "tags", "SS"),
                ColumnBinding("when", parse_hive_type("timestamp"), "when", "S"),
                ColumnBinding("blob", parse_hive_type("binary"), "blob", "B")]
    batch, meta = assert_fast_equals_reference(body_of(items), bindings)
    assert batch.column(2)[1].as_py() == Decimal("1.02")  # 1.015 rounds half up
    assert meta.count == 300 and meta.scanned_count == 300


def test_two_columns_on_one_attribute_with_different_types():
    items = [{"a": {"N": "12.5"}}, {"a": {"S": "x"}}, {"a": {"L": [{"N": "1"}]}}]
    bindings = [ColumnBinding("x", parse_hive_type("double"), "a", "N"),
                ColumnBinding("y", parse_hive_type("string"), "a", "S"),
                ColumnBinding("z", parse_hive_type("array<int>"), "a", "L"),
                ColumnBinding("w", parse_hive_type("double"), "a", "N")]
    assert_fast_equals_reference(body_of(items), bindings)


def test_attribute_names_with_odd_characters_and_case():
    items = [{"Name": {"S": "upper"}, "name": {"S": "lower"}, "a.b": {"N": "1"}, "é 日": {"S": "u"}, "": {"S": "e"}}]
    bindings = [ColumnBinding("u", parse_hive_type("string"), "Name", "S"),
                ColumnBinding("l", parse_hive_type("string"), "name", "S"),
                ColumnBinding("d", parse_hive_type("int"), "a.b", "N"),
                ColumnBinding("x", parse_hive_type("string"), "é 日", "S")]
    assert_fast_equals_reference(body_of(items), bindings)


def test_plans_learn_which_tags_to_keep():
    bindings = [ColumnBinding("x", parse_hive_type("bigint"), "x", "N"),
                ColumnBinding("y", parse_hive_type("string"), "y", "S"),
                ColumnBinding("z", parse_hive_type("array<int>"), "z", "L")]
    assert_fast_equals_reference(body_of([{"x": {"N": "1"}, "y": {"S": "a"}, "z": {"L": [{"N": "1"}]}}]), bindings)
    plan = decoder._plan(tuple(bindings))
    assert plan.levels == [decoder.READ_TAGS] * 3
    decode_body(body_of([{"x": {"NULL": True}, "y": {"BOOL": True}, "z": {"L": [{"NULL": True}]}}]), bindings)
    assert plan.levels == [decoder.WITH_NULL, decoder.EVERY_TAG, decoder.WITH_NULL]
    warnings = DecodeWarnings()
    batch, _ = decode_body(body_of([{"x": {"NULL": True}, "y": {"N": "1"}, "z": {"L": [{"S": "q"}]}}]), bindings,
                           warnings=warnings)
    assert batch.to_pylist() == [{"x": None, "y": None, "z": [None]}]
    assert warnings.items() == [("y", "expected S, found N", 1), ("z", "array element: expected N, found S", 1)]
    assert plan.levels == [decoder.WITH_NULL, decoder.EVERY_TAG, decoder.EVERY_TAG]


def test_empty_page_and_no_bindings():
    assert_fast_equals_reference(body_of([]), BINDINGS)
    assert_fast_equals_reference(body_of([{"a0": {"S": "x"}}]), [])


# --- the members around Items ------------------------------------------------------------------

def test_members_in_any_order_with_whitespace_and_lookalikes():
    items = [{"Items": {"S": "an attribute called Items"}, "k": {"S": "]}],\"Items\":["}}]
    wire_items = [{k: wire(v) for k, v in item.items()} for item in items]
    key = {"k": {"S": "a ] b"}, "Items": {"B": b64(b"\x00]")}}
    members = {"LastEvaluatedKey": key, "Count": 1, "ScannedCount": 5,
               "ConsumedCapacity": {"TableName": "Items", "CapacityUnits": 0.5,
                                    "GlobalSecondaryIndexes": {"Items": {"CapacityUnits": 0.5}}}}
    binding = [ColumnBinding("items", parse_hive_type("string"), "Items", "S")]
    for order in (["LastEvaluatedKey", "ConsumedCapacity", "Items", "Count", "ScannedCount"],
                  ["Items", "LastEvaluatedKey", "Count", "ScannedCount", "ConsumedCapacity"],
                  ["Count", "ScannedCount", "ConsumedCapacity", "LastEvaluatedKey", "Items"]):
        response = {name: (wire_items if name == "Items" else members[name]) for name in order}
        for dumps in (lambda r: json.dumps(r), lambda r: json.dumps(r, separators=(",", ":")),
                      lambda r: json.dumps(r, indent=2)):
            body = dumps(response).encode()
            batch, meta = decode_body(body, binding)
            assert batch.column(0).to_pylist() == ["an attribute called Items"]
            assert meta["LastEvaluatedKey"] == {"k": {"S": "a ] b"}, "Items": {"B": b"\x00]"}}
            assert meta.last_evaluated_key is meta["LastEvaluatedKey"]
            assert meta.count == 1 and meta.scanned_count == 5
            assert meta.consumed_capacity["CapacityUnits"] == 0.5
            assert "Items" not in meta


def test_split_body_finds_the_items_span():
    body = b'{"Count":2,"Items":[{"a":{"S":"]"}},{"a":{"L":[]}}],"ScannedCount":3}'
    members, span = split_body(body)
    assert members == {"Count": 2, "ScannedCount": 3}
    assert json.loads(body[span[0]:span[1]]) == [{"a": {"S": "]"}}, {"a": {"L": []}}]


def test_response_without_items_select_count():
    batch, meta = decode_body(b'{"Count":7,"ScannedCount":9}', BINDINGS[:2])
    assert batch.num_rows == 0 and meta.count == 7 and meta.scanned_count == 9
    assert meta.last_evaluated_key is None


def test_not_a_json_object_raises():
    with pytest.raises(ValueError):
        decode_body(b"[1,2]", BINDINGS[:1])
    with pytest.raises(ValueError):
        decode_body(b"not json", BINDINGS[:1])


def test_values_arrow_cannot_read_fall_back_to_the_reference():
    # a string where a list is expected, a number where a string is: not DynamoDB's JSON,
    # but decoded the way the reference decodes what botocore would hand it
    body = b'{"Items":[{"a0":{"S":"x"},"a17":{"SS":"oops"}},{"a0":{"S":"y"}}],"Count":2}'
    bindings = [BINDINGS[0]]
    batch, meta = decode_body(body, bindings)
    assert batch.column(0).to_pylist() == ["x", "y"]
