"""encode_batch and item_size: Arrow rows to DynamoDB items under the connector's rules."""
from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

import pyarrow as pa
import pytest
from boto3.dynamodb.types import TypeSerializer
from hypothesis import given, settings
from hypothesis import strategies as st

from ddbsql.catalog.binding import ColumnBinding
from ddbsql.exec.decode import DecodeWarnings, decode_page
from ddbsql.exec.encode import MAX_ITEM_BYTES, encode_batch, item_size, parse_item_value
from ddbsql.types import parse_hive_type

KEY = ColumnBinding("id", parse_hive_type("string"), "Id", "S")
ITEM = ColumnBinding("item", parse_hive_type("map<string,string>"), None, "ITEM")


def col(hive: str, attribute: str = "a", ddb_type: str = "S", name: str = "c") -> ColumnBinding:
    return ColumnBinding(name, parse_hive_type(hive), attribute, ddb_type)


def batch_of(bindings, columns, types=None) -> pa.RecordBatch:
    types = types or [b.hive_type.to_arrow() for b in bindings]
    arrays = [pa.array(values, type=t) for values, t in zip(columns, types)]
    return pa.RecordBatch.from_arrays(arrays, names=[b.name for b in bindings])


def encode_column(binding, values, *, arrow_type=None, null_serialization=False):
    """Encode one keyed column: returns (attribute value per row or None if absent, rejects)."""
    bindings = [KEY, binding]
    types = None if arrow_type is None else [pa.string(), arrow_type]
    batch = batch_of(bindings, [[f"k{i}" for i in range(len(values))], values], types)
    items, rejects = encode_batch(batch, bindings, key_attributes=["Id"],
                                  null_serialization=null_serialization)
    by_key = {item["Id"]["S"]: item.get(binding.attribute) for item in items}
    return [by_key.get(f"k{i}") for i in range(len(values))], [(r, reason) for r, _, reason in rejects]


def encode_one(binding, value, **kwargs):
    values, rejects = encode_column(binding, [value], **kwargs)
    assert rejects == []
    return values[0]


# --- scalars ---------------------------------------------------------------------

def test_strings_are_s_and_empty_is_allowed_outside_keys():
    values, rejects = encode_column(col("string"), ["héllo", "", None])
    assert values == [{"S": "héllo"}, {"S": ""}, None]
    assert rejects == []


def test_integers_are_exact_n_text():
    assert encode_column(col("bigint", ddb_type="N"), [0, -(2 ** 63), 2 ** 63 - 1])[0] == \
        [{"N": "0"}, {"N": "-9223372036854775808"}, {"N": "9223372036854775807"}]
    assert encode_one(col("tinyint", ddb_type="N"), -128) == {"N": "-128"}


def test_integer_arrow_type_narrower_than_binding_is_tolerated():
    assert encode_one(col("bigint", ddb_type="N"), 7, arrow_type=pa.int32()) == {"N": "7"}


def test_double_is_shortest_round_trip_text():
    values, rejects = encode_column(col("double", ddb_type="N"),
                                    [0.1, 1 / 3, 1e16, 1.5e-7, -2.0, 1e125, -1e-130])
    assert rejects == []
    assert [v["N"] for v in values] == ["0.1", "0.3333333333333333", "1E+16", "0.00000015", "-2.0",
                                        "1E+125", "-1E-130"]
    assert [float(v["N"]) for v in values] == [0.1, 1 / 3, 1e16, 1.5e-7, -2.0, 1e125, -1e-130]


def test_negative_zero_is_written_as_zero():
    assert encode_one(col("double", ddb_type="N"), -0.0) == {"N": "0"}
    assert encode_one(col("decimal(10,2)", ddb_type="N"), Decimal("-0.00")) == {"N": "0"}


def test_nan_and_infinity_are_rejected():
    values, rejects = encode_column(col("double", ddb_type="N"), [math.nan, math.inf, -math.inf, 1.0])
    assert values == [None, None, None, {"N": "1.0"}]
    reason = "column 'c': DynamoDB numbers cannot be NaN or Infinity"
    assert rejects == [(0, reason), (1, reason), (2, reason)]


def test_doubles_outside_dynamodb_range_are_rejected():
    values, rejects = encode_column(col("double", ddb_type="N"), [1e200, -1e-200, 5e-324])
    assert values == [None, None, None]
    assert [r for r, _ in rejects] == [0, 1, 2]
    assert all("outside DynamoDB's number range" in reason for _, reason in rejects)


def test_float_column_writes_shortest_float32_text():
    assert encode_one(col("float", ddb_type="N"), 1.1) == {"N": "1.1"}
    assert encode_one(col("float", ddb_type="N"), 3.4028234663852886e38) == {"N": "3.4028235E+38"}


def test_decimals_keep_their_exact_text():
    binding = col("decimal(38,2)", ddb_type="N")
    values, rejects = encode_column(binding, [Decimal("12.50"), Decimal("-0.01"),
                                              Decimal("123456789012345678901234567890123456.78")])
    assert rejects == []
    assert values == [{"N": "12.50"}, {"N": "-0.01"}, {"N": "123456789012345678901234567890123456.78"}]
    assert encode_one(col("decimal(38,38)", ddb_type="N"),
                      Decimal("-0.12345678901234567890123456789012345678")) == \
        {"N": "-0.12345678901234567890123456789012345678"}


def test_numbers_over_38_significant_digits_are_rejected():
    binding = col("decimal(38,0)", ddb_type="N")
    values, rejects = encode_column(
        binding, [Decimal("1234567890123456789012345678901234567891"), Decimal(10) ** 39],
        arrow_type=pa.decimal256(40, 0))
    assert values == [None, {"N": "1000000000000000000000000000000000000000"}]
    assert rejects == [(0, "column 'c': 1234567890123456789012345678901234567891 has 40 "
                           "significant digits; DynamoDB numbers hold 38")]


def test_booleans_are_bool_or_n_when_bound_to_numbers():
    assert encode_column(col("boolean", ddb_type="BOOL"), [True, False])[0] == \
        [{"BOOL": True}, {"BOOL": False}]
    assert encode_column(col("boolean", ddb_type="N"), [True, False])[0] == [{"N": "1"}, {"N": "0"}]


def test_binary_is_b_bytes():
    assert encode_column(col("binary", ddb_type="B"), [b"\x00\xff", b""])[0] == \
        [{"B": b"\x00\xff"}, {"B": b""}]


def test_timestamp_and_date_are_iso_text_or_epoch_seconds():
    moment = dt.datetime(2020, 1, 2, 3, 4, 5, 500000)
    assert encode_one(col("timestamp"), moment) == {"S": "2020-01-02T03:04:05.500000"}
    assert encode_one(col("timestamp", ddb_type="N"), moment) == {"N": "1577934245.5"}
    assert encode_one(col("date"), dt.date(2020, 1, 2)) == {"S": "2020-01-02"}
    assert encode_one(col("date", ddb_type="N"), dt.date(1970, 1, 2)) == {"N": "86400"}
    assert encode_one(col("timestamp", ddb_type="N"), dt.datetime(1969, 12, 31, 23, 59, 59, 250000)) \
        == {"N": "-0.75"}


# --- NULLs ------------------------------------------------------------------------

def test_null_is_omitted_or_dynamodb_null_with_null_serialization():
    assert encode_column(col("bigint", ddb_type="N"), [None])[0] == [None]
    assert encode_column(col("bigint", ddb_type="N"), [None], null_serialization=True)[0] == \
        [{"NULL": True}]


# --- arrays -----------------------------------------------------------------------

def test_arrays_are_lists_with_null_elements_kept():
    binding = col("array<array<bigint>>", ddb_type="L")
    assert encode_one(binding, [[1, None], None, []]) == \
        {"L": [{"L": [{"N": "1"}, {"NULL": True}]}, {"NULL": True}, {"L": []}]}


def test_sets_drop_duplicates_and_keep_order():
    assert encode_one(col("array<string>", ddb_type="SS"), ["b", "a", "b", ""]) == {"SS": ["b", "a", ""]}
    assert encode_one(col("array<bigint>", ddb_type="NS"), [3, 1, 3]) == {"NS": ["3", "1"]}
    assert encode_one(col("array<binary>", ddb_type="BS"), [b"x", b"x", b"y"]) == {"BS": [b"x", b"y"]}


def test_number_set_duplicates_are_by_value():
    binding = col("array<decimal(10,2)>", ddb_type="NS")
    assert encode_one(binding, [Decimal("1.00"), Decimal("1.0"), Decimal("2.50")]) == \
        {"NS": ["1.00", "2.50"]}
    assert parse_item_value('{"nS":["1","1.0","2","1E+0"]}') == {"NS": ["1", "2"]}


def test_empty_set_is_omitted_or_null():
    binding = col("array<string>", ddb_type="SS")
    assert encode_column(binding, [[]])[0] == [None]
    assert encode_column(binding, [[]], null_serialization=True)[0] == [{"NULL": True}]


def test_null_element_in_a_set_rejects_the_row():
    values, rejects = encode_column(col("array<string>", ddb_type="SS"), [["a", None], ["b"]])
    assert values == [None, {"SS": ["b"]}]
    assert rejects == [(0, "column 'c': NULL element in a SS set")]


def test_set_of_values_without_that_scalar_form_rejects():
    _, rejects = encode_column(col("array<string>", ddb_type="NS"), [["1"]])
    assert rejects == [(0, "column 'c': string values cannot be members of a NS set")]


# --- maps and structs -------------------------------------------------------------

def test_maps_are_m_with_text_keys_and_null_values_kept():
    assert encode_one(col("map<string,bigint>", ddb_type="M"), [("a", 1), ("b", None)]) == \
        {"M": {"a": {"N": "1"}, "b": {"NULL": True}}}
    assert encode_one(col("map<bigint,boolean>", ddb_type="M"), [(10, True)]) == \
        {"M": {"10": {"BOOL": True}}}


def test_structs_are_m_and_null_fields_follow_null_serialization():
    binding = col("struct<a:string,b:decimal(10,2),c:array<int>>", ddb_type="M")
    value = {"a": "x", "b": None, "c": [1]}
    assert encode_one(binding, value) == {"M": {"a": {"S": "x"}, "c": {"L": [{"N": "1"}]}}}
    assert encode_one(binding, value, null_serialization=True) == \
        {"M": {"a": {"S": "x"}, "b": {"NULL": True}, "c": {"L": [{"N": "1"}]}}}


# --- keys, size, rejects ----------------------------------------------------------

def test_missing_or_empty_key_rejects():
    bindings = [KEY, col("bigint", "n", "N", name="n")]
    batch = batch_of(bindings, [["ok", None, ""], [1, 2, 3]])
    items, rejects = encode_batch(batch, bindings, key_attributes=["Id"])
    assert items == [{"Id": {"S": "ok"}, "n": {"N": "1"}}]
    assert rejects == [(1, {"n": {"N": "2"}}, "missing key attribute 'Id'"),
                       (2, {"Id": {"S": ""}, "n": {"N": "3"}}, "empty string in key attribute 'Id'")]


def test_null_key_with_null_serialization_is_still_missing():
    batch = batch_of([KEY], [[None]])
    items, rejects = encode_batch(batch, [KEY], key_attributes=["Id"], null_serialization=True)
    assert items == []
    assert rejects == [(0, {"Id": {"NULL": True}}, "missing key attribute 'Id'")]


def test_every_key_attribute_is_checked():
    bindings = [KEY, col("binary", "Sk", "B", name="sk")]
    batch = batch_of(bindings, [["a", "b"], [None, b""]])
    _, rejects = encode_batch(batch, bindings, key_attributes=["Id", "Sk"])
    assert [(row, reason) for row, _, reason in rejects] == [
        (0, "missing key attribute 'Sk'"), (1, "empty binary value in key attribute 'Sk'")]


def test_item_over_400_kb_is_rejected_and_at_limit_accepted():
    bindings = [KEY, col("string", "d", name="d")]
    # Size: "Id" (2) + "k" (1) + "d" (1) + the value.
    fits = "x" * (MAX_ITEM_BYTES - 4)
    batch = batch_of(bindings, [["k", "k"], [fits, fits + "é"]])
    items, rejects = encode_batch(batch, bindings, key_attributes=["Id"])
    assert len(items) == 1 and item_size(items[0]) == MAX_ITEM_BYTES
    assert [(row, reason) for row, _, reason in rejects] == [
        (1, f"item is {MAX_ITEM_BYTES + 2} bytes, over DynamoDB's 400 KB limit")]


def test_a_bad_value_rejects_only_its_row_with_partial_item():
    bindings = [KEY, col("double", "x", "N", name="x")]
    batch = batch_of(bindings, [["a", "b", "c"], [1.0, math.nan, 2.0]])
    items, rejects = encode_batch(batch, bindings, key_attributes=["Id"])
    assert [i["Id"]["S"] for i in items] == ["a", "c"]
    assert rejects == [(1, {"Id": {"S": "b"}}, "column 'x': DynamoDB numbers cannot be NaN or Infinity")]


def test_batch_width_must_match_bindings():
    with pytest.raises(ValueError):
        encode_batch(batch_of([KEY], [["a"]]), [KEY, col("string")], key_attributes=["Id"])


# --- the whole-item column ---------------------------------------------------------

def test_item_column_parses_connector_json():
    entries = [("Id", '{"s":"k"}'), ("n", '{"n":"12"}'), ("b", '{"b":"AP8="}'), ("t", '{"bOOL":true}'),
               ("z", '{"nULLValue":true}'), ("ss", '{"sS":["x","y","x"]}'), ("ns", '{"nS":["1","2.5"]}'),
               ("bs", '{"bS":["YQ=="]}'), ("l", '{"l":[{"s":"x"},{"nULLValue":true}]}'),
               ("m", '{"m":{"a":{"s":"x"},"in":{"m":{}}}}'), ("none", None)]
    items, rejects = encode_batch(batch_of([ITEM], [[entries]]), [ITEM], key_attributes=["Id"])
    assert rejects == []
    assert items == [{
        "Id": {"S": "k"}, "n": {"N": "12"}, "b": {"B": b"\x00\xff"}, "t": {"BOOL": True},
        "z": {"NULL": True}, "ss": {"SS": ["x", "y"]}, "ns": {"NS": ["1", "2.5"]},
        "bs": {"BS": [b"a"]}, "l": {"L": [{"S": "x"}, {"NULL": True}]},
        "m": {"M": {"a": {"S": "x"}, "in": {"M": {}}}},
    }]


def test_item_column_accepts_dynamodb_json_and_sdk_v2_connector_form():
    assert parse_item_value('{"S":"x"}') == {"S": "x"}
    assert parse_item_value('{"N":"1E+5"}') == {"N": "1E+5"}
    assert parse_item_value('{"B":"AP8="}') == {"B": b"\x00\xff"}
    assert parse_item_value('{"NULL":true}') == {"NULL": True}
    assert parse_item_value('{"BOOL":false}') == {"BOOL": False}
    assert parse_item_value('{"bool":true}') == {"BOOL": True}
    assert parse_item_value('{"ss":["a"]}') == {"SS": ["a"]}
    assert parse_item_value('{"L":[{"M":{"k":{"NS":["1"]}}}]}') == {"L": [{"M": {"k": {"NS": ["1"]}}}]}
    assert parse_item_value('{"sS":[]}') is None


@pytest.mark.parametrize("text,reason", [
    ("not json", "not JSON"),
    ('{"x":"1"}', "not a serialized DynamoDB attribute value"),
    ('"plain"', "not a serialized DynamoDB attribute value"),
    ('{"n":"abc"}', "invalid number 'abc'"),
    ('{"n":"1E+200"}', "outside DynamoDB's number range"),
    ('{"b":"%%%"}', "invalid base64 binary value"),
    ('{"l":[{"sS":[]}]}', "empty set inside a list or map"),
])
def test_item_column_bad_values_reject_the_row(text, reason):
    entries = [("Id", '{"s":"k"}'), ("bad", text)]
    items, rejects = encode_batch(batch_of([ITEM], [[entries]]), [ITEM], key_attributes=["Id"])
    assert items == []
    [(row, partial, message)] = rejects
    assert row == 0 and partial is None
    assert message.startswith("column 'item', attribute 'bad': ") and reason in message


def test_explicit_columns_override_the_item_column():
    bindings = [KEY, col("bigint", "n", "N", name="n"), col("string", "s", name="s"), ITEM]
    entries = [("Id", '{"s":"from item"}'), ("n", '{"n":"1"}'), ("s", '{"s":"kept"}'),
               ("other", '{"bOOL":true}')]
    batch = batch_of(bindings, [["k"], [2], [None], [entries]])
    items, rejects = encode_batch(batch, bindings, key_attributes=["Id"])
    assert rejects == []
    assert items == [{"Id": {"S": "k"}, "n": {"N": "2"}, "s": {"S": "kept"}, "other": {"BOOL": True}}]
    items, _ = encode_batch(batch, bindings, key_attributes=["Id"], null_serialization=True)
    assert items[0]["s"] == {"NULL": True}


# --- item size --------------------------------------------------------------------

@pytest.mark.parametrize("item,size", [
    ({"id": {"S": "abc"}}, 2 + 3),
    ({"é": {"S": "ü"}}, 2 + 2),
    ({"n": {"N": "123.45"}}, 1 + 3 + 1),     # 5 significant digits: 3 bytes, plus 1
    ({"n": {"N": "1000"}}, 1 + 1 + 1),       # trailing zeros trimmed: 1 digit
    ({"n": {"N": "-0.0012"}}, 1 + 1 + 1),    # leading zeros trimmed: 2 digits
    ({"n": {"N": "0"}}, 1 + 1),
    ({"b": {"B": b"\x00\x01\x02"}}, 1 + 3),
    ({"t": {"BOOL": True}, "z": {"NULL": True}}, (1 + 1) + (1 + 1)),
    ({"l": {"L": []}}, 1 + 3),
    ({"l": {"L": [{"S": "ab"}, {"N": "1"}]}}, 1 + 3 + (2 + 1) + (2 + 1)),
    ({"m": {"M": {"k": {"S": "v"}, "kk": {"BOOL": False}}}}, 1 + 3 + (1 + 1 + 1) + (2 + 1 + 1)),
    ({"ss": {"SS": ["a", "bc"]}, "ns": {"NS": ["1", "22"]}, "bs": {"BS": [b"xyz"]}},
     (2 + 3) + (2 + 2 + 2) + (2 + 3)),
])
def test_item_size_follows_dynamodb_rules(item, size):
    assert item_size(item) == size


# --- round trips and agreement with boto3 -----------------------------------------

ROUND_TRIP = [
    KEY,
    col("bigint", "big", "N", name="big"),
    col("double", "dbl", "N", name="dbl"),
    col("decimal(38,0)", "d0", "N", name="d0"),
    col("decimal(38,2)", "d2", "N", name="d2"),
    col("decimal(38,38)", "d38", "N", name="d38"),
    col("boolean", "flag", "BOOL", name="flag"),
    col("binary", "bin", "B", name="bin"),
    col("string", "str", name="str"),
    col("array<bigint>", "arr", "L", name="arr"),
    col("map<string,double>", "mp", "M", name="mp"),
    col("struct<a:string,b:decimal(10,2),c:array<string>>", "st", "M", name="st"),
]


def _decimal(scale: int, digits: int = 38):
    bound = 10 ** digits - 1
    return st.integers(-bound, bound).map(lambda i: Decimal(f"{i}E-{scale}"))


def _nullable(strategy):
    return st.none() | strategy


_doubles = st.floats(min_value=-1e125, max_value=1e125, allow_nan=False).map(
    lambda f: 0.0 if abs(f) < 1e-130 else f)
_rows = st.fixed_dictionaries({
    "id": st.text(min_size=1, max_size=10),
    "big": _nullable(st.integers(-(2 ** 63), 2 ** 63 - 1)),
    "dbl": _nullable(_doubles),
    "d0": _nullable(_decimal(0)),
    "d2": _nullable(_decimal(2)),
    "d38": _nullable(_decimal(38)),
    "flag": _nullable(st.booleans()),
    "bin": _nullable(st.binary(max_size=10)),
    "str": _nullable(st.text(max_size=10)),
    "arr": _nullable(st.lists(_nullable(st.integers(-(2 ** 63), 2 ** 63 - 1)), max_size=4)),
    "mp": _nullable(st.dictionaries(st.text(max_size=5), _nullable(_doubles), max_size=3)
                    .map(lambda d: list(d.items()))),
    "st": _nullable(st.fixed_dictionaries({
        "a": _nullable(st.text(max_size=5)), "b": _nullable(_decimal(2, 10)),
        "c": _nullable(st.lists(_nullable(st.text(max_size=5)), max_size=3))})),
})


@settings(max_examples=120, deadline=None)
@given(rows=st.lists(_rows, min_size=1, max_size=5), null_serialization=st.booleans())
def test_encode_then_decode_round_trips(rows, null_serialization):
    batch = pa.RecordBatch.from_pylist(rows, schema=pa.schema(
        [pa.field(b.name, b.hive_type.to_arrow()) for b in ROUND_TRIP]))
    items, rejects = encode_batch(batch, ROUND_TRIP, key_attributes=["Id"],
                                  null_serialization=null_serialization)
    assert rejects == []
    warnings = DecodeWarnings()
    assert decode_page(items, ROUND_TRIP, warnings).to_pylist() == batch.to_pylist()
    assert warnings.total() == 0


def _attribute_values(depth: int = 2):
    numbers = _decimal(3, 20).map(lambda d: format(d, "f"))
    scalars = st.one_of(
        st.text(max_size=8).map(lambda s: {"S": s}), numbers.map(lambda n: {"N": n}),
        st.binary(max_size=6).map(lambda b: {"B": b}), st.booleans().map(lambda b: {"BOOL": b}),
        st.just({"NULL": True}),
        st.lists(st.text(max_size=4), min_size=1, max_size=3, unique=True).map(lambda v: {"SS": v}),
        st.lists(st.integers(-999, 999), min_size=1, max_size=3, unique=True)
        .map(lambda v: {"NS": [str(n) for n in v]}),
        st.lists(st.binary(max_size=4), min_size=1, max_size=3, unique=True).map(lambda v: {"BS": v}))
    return st.recursive(scalars, lambda inner: st.one_of(
        st.lists(inner, max_size=3).map(lambda v: {"L": v}),
        st.dictionaries(st.text(max_size=4), inner, max_size=3).map(lambda v: {"M": v})),
        max_leaves=8)


def _same_numbers(av):
    """Numbers compared by value: the encoder writes canonical text ("-0.000" as "0")."""
    tag, value = next(iter(av.items()))
    if tag == "N":
        return {"N": Decimal(value)}
    if tag == "NS":
        return {"NS": [Decimal(v) for v in value]}
    if tag == "L":
        return {"L": [_same_numbers(v) for v in value]}
    if tag == "M":
        return {"M": {k: _same_numbers(v) for k, v in value.items()}}
    return av


@settings(max_examples=120, deadline=None)
@given(attributes=st.dictionaries(st.text(min_size=1, max_size=6), _attribute_values(), max_size=5))
def test_item_column_round_trips_any_item(attributes):
    item = {"Id": {"S": "k"}, **attributes}
    read = decode_page([item], [ITEM])
    written, rejects = encode_batch(read, [ITEM], key_attributes=["Id"])
    assert rejects == []
    assert {k: _same_numbers(v) for k, v in written[0].items()} == \
        {k: _same_numbers(v) for k, v in item.items()}


SERIALIZER_COLUMNS = [
    KEY,
    col("bigint", "i", "N", name="i"),
    col("decimal(38,6)", "d", "N", name="d"),
    col("boolean", "b", "BOOL", name="b"),
    col("binary", "y", "B", name="y"),
    col("array<bigint>", "l", "L", name="l"),
    col("map<string,string>", "m", "M", name="m"),
    col("array<string>", "ss", "SS", name="ss"),
]


@settings(max_examples=120, deadline=None)
@given(row=st.fixed_dictionaries({
    "id": st.text(min_size=1, max_size=10),
    "i": st.integers(-(2 ** 63), 2 ** 63 - 1),
    "d": _decimal(6),
    "b": st.booleans(),
    "y": st.binary(min_size=1, max_size=10),
    "l": st.lists(st.integers(-(2 ** 63), 2 ** 63 - 1), max_size=4),
    "m": st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=3),
    "ss": st.lists(st.text(max_size=5), min_size=1, max_size=4, unique=True),
}))
def test_encode_agrees_with_type_serializer(row):
    arrow_row = {**row, "m": list(row["m"].items())}
    batch = pa.RecordBatch.from_pylist([arrow_row], schema=pa.schema(
        [pa.field(b.name, b.hive_type.to_arrow()) for b in SERIALIZER_COLUMNS]))
    items, rejects = encode_batch(batch, SERIALIZER_COLUMNS, key_attributes=["Id"])
    assert rejects == []
    [item] = items
    serializer = TypeSerializer()
    for binding in SERIALIZER_COLUMNS:
        value = row[binding.name]
        expected = serializer.serialize(set(value) if binding.ddb_type == "SS" else value)
        got = item[binding.attribute]
        if binding.ddb_type == "SS":
            assert sorted(got["SS"]) == sorted(expected["SS"])
        else:
            assert _same_numbers(got) == _same_numbers(expected)
