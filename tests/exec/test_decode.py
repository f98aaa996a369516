"""decode_page: DynamoDB low-level items to Arrow under Hive's reading rules."""
from __future__ import annotations

import datetime as dt
import json
import math
import threading
from decimal import Decimal

import pyarrow as pa
import pytest
from boto3.dynamodb.types import TypeDeserializer
from hypothesis import given, settings
from hypothesis import strategies as st

from ddbsql.catalog.binding import ColumnBinding
from ddbsql.exec.decode import DecodeWarnings, connector_json, decode_page
from ddbsql.types import parse_hive_type

ITEM = ColumnBinding("item", parse_hive_type("map<string,string>"), None, "ITEM")


def col(hive: str, attribute: str = "a", ddb_type: str = "S", name: str = "c") -> ColumnBinding:
    return ColumnBinding(name, parse_hive_type(hive), attribute, ddb_type)


def decode_values(hive: str, *values: dict | None, ddb_type: str = "S"):
    """Decode one attribute per item into a single column; returns (values, warnings)."""
    items = [{} if v is None else {"a": v} for v in values]
    warnings = DecodeWarnings()
    batch = decode_page(items, [col(hive, ddb_type=ddb_type)], warnings)
    return batch.column(0).to_pylist(), warnings.items()


def decode_one(hive: str, value: dict):
    values, _ = decode_values(hive, value)
    return values[0]


# --- schema and NULLs -------------------------------------------------------------

def test_schema_has_one_nullable_field_per_binding_in_order():
    bindings = [col("string", "A", name="x"), col("decimal(12,3)", "B", "N", name="y"),
                col("array<struct<p:int>>", "C", "L", name="z"), ITEM]
    batch = decode_page([{}], bindings)
    assert batch.schema.names == ["x", "y", "z", "item"]
    assert [f.type for f in batch.schema] == [b.hive_type.to_arrow() for b in bindings]
    assert all(f.nullable for f in batch.schema)


def test_empty_page_gives_empty_batch_with_schema():
    batch = decode_page([], [col("bigint")])
    assert batch.num_rows == 0
    assert batch.schema.field(0).type == pa.int64()


def test_missing_and_null_attributes_are_null_without_warning():
    values, warnings = decode_values("string", None, {"NULL": True}, {"S": "x"})
    assert values == [None, None, "x"]
    assert warnings == []


def test_attribute_names_are_case_sensitive():
    batch = decode_page([{"Name": {"S": "x"}}], [col("string", "name")])
    assert batch.column(0).to_pylist() == [None]


# --- strings ----------------------------------------------------------------------

def test_string_reads_s_and_rejects_other_types_with_warning():
    values, warnings = decode_values("string", {"S": "héllo"}, {"S": ""}, {"N": "12"},
                                     {"BOOL": True}, {"N": "3"})
    assert values == ["héllo", "", None, None, None]
    assert warnings == [("c", "expected S, found BOOL", 1), ("c", "expected S, found N", 2)]


def test_varchar_reads_like_string():
    assert decode_one("varchar(10)", {"S": "abc"}) == "abc"


# --- integers ---------------------------------------------------------------------

def test_bigint_is_exact_at_the_edges():
    values, warnings = decode_values(
        "bigint", {"N": "9223372036854775807"}, {"N": "-9223372036854775808"},
        {"N": "9007199254740993"}, {"N": "9223372036854775808"})
    assert values == [2 ** 63 - 1, -(2 ** 63), 9007199254740993, None]
    assert warnings == [("c", "out of range for bigint", 1)]


@pytest.mark.parametrize("hive,low,high", [("tinyint", -128, 127), ("smallint", -32768, 32767),
                                           ("int", -2 ** 31, 2 ** 31 - 1)])
def test_narrow_integers_check_their_range(hive, low, high):
    values, warnings = decode_values(hive, {"N": str(low)}, {"N": str(high)},
                                     {"N": str(low - 1)}, {"N": str(high + 1)})
    assert values == [low, high, None, None]
    assert warnings == [("c", f"out of range for {hive}", 2)]


def test_integer_accepts_integral_exponent_and_trailing_zero_forms():
    values, warnings = decode_values("bigint", {"N": "1E+3"}, {"N": "2.000"}, {"N": "-0"},
                                     {"N": "1.5E+1"})
    assert values == [1000, 2, 0, 15]
    assert warnings == []


def test_integer_fractional_or_huge_or_wrong_type_is_null_with_warning():
    values, warnings = decode_values("bigint", {"N": "1.5"}, {"N": "-1E-130"}, {"N": "1E+125"},
                                     {"S": "7"})
    assert values == [None, None, None, None]
    assert warnings == [("c", "expected N, found S", 1), ("c", "fractional value for bigint", 2),
                        ("c", "out of range for bigint", 1)]


# --- floating point ---------------------------------------------------------------

def test_double_reads_n_correctly_rounded():
    values, warnings = decode_values("double", {"N": "0.1"}, {"N": "1E+125"}, {"N": "-1E-130"},
                                     {"N": "12345678901234567890123456789012345678"}, {"S": "1"})
    assert values == [0.1, 1e125, -1e-130, float(Decimal("12345678901234567890123456789012345678")),
                      None]
    assert warnings == [("c", "expected N, found S", 1)]


def test_double_negative_zero_keeps_its_sign():
    value = decode_one("double", {"N": "-0"})
    assert value == 0.0 and math.copysign(1.0, value) == -1.0


def test_float_column_is_float32():
    values, _ = decode_values("float", {"N": "0.1"}, {"N": "1E+125"})
    assert values[0] == pytest.approx(0.1, rel=1e-7) and values[0] != 0.1
    assert values[1] == math.inf  # IEEE rounding of a value beyond float32, as Java's parseFloat


# --- decimals ---------------------------------------------------------------------

def test_decimal_38_digits_exact():
    values, warnings = decode_values(
        "decimal(38,0)", {"N": "12345678901234567890123456789012345678"},
        {"N": "-99999999999999999999999999999999999999"})
    assert values == [Decimal("12345678901234567890123456789012345678"),
                      Decimal("-99999999999999999999999999999999999999")]
    assert warnings == []
    assert decode_one("decimal(38,38)", {"N": "0.12345678901234567890123456789012345678"}) == \
        Decimal("0.12345678901234567890123456789012345678")
    assert decode_one("decimal(38,2)", {"N": "123456789012345678901234567890123456.78"}) == \
        Decimal("123456789012345678901234567890123456.78")


def test_decimal_rounds_half_up_to_scale():
    values, warnings = decode_values("decimal(10,2)", {"N": "1.005"}, {"N": "-1.005"},
                                     {"N": "1.004999"}, {"N": "5E-3"}, {"N": "7"})
    assert values == [Decimal("1.01"), Decimal("-1.01"), Decimal("1.00"), Decimal("0.01"),
                      Decimal("7.00")]
    assert warnings == []
    assert decode_one("decimal(5,0)", {"N": "2.5"}) == Decimal(3)  # half-even would give 2


def test_decimal_overflow_is_null_with_warning():
    values, warnings = decode_values("decimal(5,2)", {"N": "999.994"}, {"N": "999.995"},
                                     {"N": "1000"}, {"N": "1E+125"})
    assert values == [Decimal("999.99"), None, None, None]
    assert warnings == [("c", "overflows decimal(5,2)", 3)]


def test_decimal_extremes_of_dynamodb_numbers():
    assert decode_one("decimal(38,10)", {"N": "-1E-130"}) == 0
    assert decode_one("decimal(38,0)", {"N": "-0"}) == 0
    assert decode_one("decimal(38,0)", {"N": "9.9999999999999999999999999999999999999E+37"}) == \
        Decimal("99999999999999999999999999999999999999")
    values, warnings = decode_values("decimal(38,0)", {"N": "1E+38"}, {"N": "1E+125"})
    assert values == [None, None]
    assert warnings == [("c", "overflows decimal(38,0)", 2)]


def test_decimal_wrong_type_warns():
    values, warnings = decode_values("decimal(10,2)", {"S": "1.00"})
    assert values == [None]
    assert warnings == [("c", "expected N, found S", 1)]


# --- boolean, binary, timestamp, date ---------------------------------------------

def test_boolean_reads_bool_and_data_pipeline_numbers():
    values, warnings = decode_values("boolean", {"BOOL": True}, {"BOOL": False}, {"N": "1"},
                                     {"N": "0"}, {"N": "2"}, {"S": "true"})
    assert values == [True, False, True, False, None, None]
    assert warnings == [("c", "N other than 0 or 1 for boolean", 1),
                        ("c", "expected BOOL, found S", 1)]


def test_binary_reads_bytes_and_base64_text():
    values, warnings = decode_values("binary", {"B": b"\x00\xffab"}, {"B": "AP9hYg=="},
                                     {"B": "!!not base64"}, {"S": "AP8="})
    assert values == [b"\x00\xffab", b"\x00\xffab", None, None]
    assert warnings == [("c", "expected B, found S", 1), ("c", "invalid base64 in B", 1)]


def test_timestamp_reads_iso_text_and_epoch_seconds():
    values, warnings = decode_values(
        "timestamp", {"S": "2020-01-02T03:04:05.123456"}, {"S": "2020-01-02 03:04:05+02:00"},
        {"S": "2020-01-02T03:04:05Z"}, {"N": "1577934245.5"}, {"S": "yesterday"}, {"BOOL": True})
    assert values == [dt.datetime(2020, 1, 2, 3, 4, 5, 123456), dt.datetime(2020, 1, 2, 1, 4, 5),
                      dt.datetime(2020, 1, 2, 3, 4, 5), dt.datetime(2020, 1, 2, 3, 4, 5, 500000),
                      None, None]
    assert warnings == [("c", "expected S or N, found BOOL", 1),
                        ("c", "invalid ISO-8601 timestamp", 1)]


def test_date_reads_iso_text_and_epoch_seconds():
    values, warnings = decode_values("date", {"S": "2020-01-02"}, {"S": "2020-01-02T23:00:00"},
                                     {"N": "86400"}, {"S": "02/01/2020"})
    assert values == [dt.date(2020, 1, 2), dt.date(2020, 1, 2), dt.date(1970, 1, 2), None]
    assert warnings == [("c", "invalid ISO-8601 date", 1)]


# --- arrays ----------------------------------------------------------------------

def test_array_reads_list_recursively():
    assert decode_one("array<bigint>", {"L": [{"N": "1"}, {"NULL": True}, {"N": "-3"}]}) == \
        [1, None, -3]
    assert decode_one("array<string>", {"L": []}) == []


def test_array_element_of_wrong_type_is_null_element_with_warning():
    values, warnings = decode_values("array<bigint>", {"L": [{"N": "1"}, {"S": "x"}, {"N": "1.5"}]})
    assert values == [[1, None, None]]
    assert warnings == [("c", "array element: expected N, found S", 1),
                        ("c", "array element: fractional value for bigint", 1)]


def test_array_reads_sets_in_dynamodb_order():
    assert decode_one("array<string>", {"SS": ["b", "a", "c"]}) == ["b", "a", "c"]
    assert decode_one("array<bigint>", {"NS": ["3", "1", "2"]}) == [3, 1, 2]
    assert decode_one("array<decimal(38,1)>", {"NS": ["0.25", "1E+2"]}) == \
        [Decimal("0.3"), Decimal("100.0")]
    assert decode_one("array<binary>", {"BS": [b"\x01", b"\x02"]}) == [b"\x01", b"\x02"]


def test_array_set_of_the_wrong_kind_gives_null_elements():
    values, warnings = decode_values("array<bigint>", {"SS": ["1", "x"]})
    assert values == [[None, None]]
    assert warnings == [("c", "array element: expected N, found S", 2)]


def test_array_from_scalar_or_map_is_null_with_warning():
    values, warnings = decode_values("array<string>", {"S": "x"}, {"M": {}})
    assert values == [None, None]
    assert warnings == [("c", "expected L, SS, NS or BS, found M", 1),
                        ("c", "expected L, SS, NS or BS, found S", 1)]


# --- maps and structs -------------------------------------------------------------

def test_map_reads_m_with_recursive_values():
    value = decode_one("map<string,array<double>>",
                       {"M": {"x": {"L": [{"N": "1.5"}]}, "y": {"NULL": True}, "z": {"NS": ["2"]}}})
    assert value == [("x", [1.5]), ("y", None), ("z", [2.0])]


def test_map_value_of_wrong_type_is_null_value_with_warning():
    values, warnings = decode_values("map<string,bigint>", {"M": {"a": {"N": "1"}, "b": {"S": "2"}}})
    assert values == [[("a", 1), ("b", None)]]
    assert warnings == [("c", "map value: expected N, found S", 1)]


def test_map_numeric_and_boolean_keys_are_converted_from_text():
    assert decode_one("map<bigint,string>", {"M": {"10": {"S": "a"}, "-2": {"S": "b"}}}) == \
        [(10, "a"), (-2, "b")]
    assert decode_one("map<decimal(5,1),string>", {"M": {"1.25": {"S": "a"}}}) == \
        [(Decimal("1.3"), "a")]
    assert decode_one("map<boolean,int>", {"M": {"true": {"N": "1"}, "FALSE": {"N": "0"}}}) == \
        [(True, 1), (False, 0)]


def test_map_key_that_is_not_its_type_drops_the_entry_with_warning():
    values, warnings = decode_values("map<int,string>", {"M": {"1": {"S": "a"}, "one": {"S": "b"}}})
    assert values == [[(1, "a")]]
    assert warnings == [("c", "map key: invalid number", 1)]


def test_map_from_list_is_null_with_warning():
    values, warnings = decode_values("map<string,string>", {"L": []})
    assert values == [None]
    assert warnings == [("c", "expected M, found L", 1)]


def test_struct_fields_by_name_case_sensitive_then_insensitive():
    hive = "struct<name:string,Age:int,missing:double>"
    value = decode_one(hive, {"M": {"NAME": {"S": "upper"}, "name": {"S": "exact"},
                                    "age": {"N": "41"}}})
    assert value == {"name": "exact", "Age": 41, "missing": None}
    assert decode_one(hive, {"M": {"Name": {"S": "folded"}}}) == \
        {"name": "folded", "Age": None, "missing": None}


def test_struct_field_of_wrong_type_is_null_field_with_warning():
    values, warnings = decode_values("struct<a:int,b:string>",
                                     {"M": {"a": {"S": "1"}, "b": {"S": "ok"}}}, {"S": "x"})
    assert values == [{"a": None, "b": "ok"}, None]
    assert warnings == [("c", "expected M, found S", 1),
                        ("c", "struct field 'a': expected N, found S", 1)]


def test_deeply_nested_types():
    hive = "array<struct<k:string,v:map<string,array<decimal(20,2)>>>>"
    av = {"L": [
        {"M": {"k": {"S": "one"}, "v": {"M": {"p": {"L": [{"N": "1.234"}, {"NULL": True}]},
                                              "q": {"NS": ["5"]}}}}},
        {"NULL": True},
        {"M": {"k": {"S": "two"}}},
    ]}
    assert decode_one(hive, av) == [
        {"k": "one", "v": [("p", [Decimal("1.23"), None]), ("q", [Decimal("5.00")])]},
        None,
        {"k": "two", "v": None},
    ]


# --- the whole-item column ---------------------------------------------------------

def test_item_column_serializes_every_attribute_in_connector_form():
    item = {
        "s": {"S": "abc"}, "n": {"N": "12"}, "b": {"B": b"\x00\xff"}, "t": {"BOOL": True},
        "f": {"BOOL": False}, "z": {"NULL": True}, "ss": {"SS": ["x", "y"]},
        "ns": {"NS": ["1", "2.5"]}, "bs": {"BS": [b"a", b"bc"]},
        "l": {"L": [{"S": "x"}, {"N": "1"}, {"NULL": True}]},
        "m": {"M": {"a": {"S": "x"}, "in": {"M": {"deep": {"L": []}}}}},
    }
    batch = decode_page([item], [ITEM])
    assert batch.column(0).to_pylist() == [[
        ("s", '{"s":"abc"}'), ("n", '{"n":"12"}'), ("b", '{"b":"AP8="}'), ("t", '{"bOOL":true}'),
        ("f", '{"bOOL":false}'), ("z", '{"nULLValue":true}'), ("ss", '{"sS":["x","y"]}'),
        ("ns", '{"nS":["1","2.5"]}'), ("bs", '{"bS":["YQ==","YmM="]}'),
        ("l", '{"l":[{"s":"x"},{"n":"1"},{"nULLValue":true}]}'),
        ("m", '{"m":{"a":{"s":"x"},"in":{"m":{"deep":{"l":[]}}}}}'),
    ]]


def test_item_column_escapes_like_gson_without_html_escaping():
    assert connector_json({"S": 'é<>&=\'"\\\n\t\x01\u2028'}) == \
        '{"s":"é<>&=\'\\"\\\\\\n\\t\\u0001\\u2028"}'


def test_item_column_alongside_mapped_columns_and_empty_item():
    bindings = [col("string", "id", name="id"), ITEM]
    batch = decode_page([{"id": {"S": "k"}}, {}], bindings)
    assert batch.to_pylist() == [{"id": "k", "item": [("id", '{"s":"k"}')]},
                                 {"id": None, "item": []}]


def test_item_column_json_is_parseable_and_compact():
    text = connector_json({"M": {"a b": {"N": "1"}}})
    assert " " not in text.replace("a b", "")
    assert json.loads(text) == {"m": {"a b": {"n": "1"}}}


# --- warnings ---------------------------------------------------------------------

def test_warnings_accumulate_across_pages_and_columns():
    warnings = DecodeWarnings()
    bindings = [col("bigint", "x", name="x"), col("string", "y", name="y")]
    page = [{"x": {"S": "1"}, "y": {"N": "1"}}, {"x": {"N": "1"}, "y": {"S": "ok"}}]
    decode_page(page, bindings, warnings)
    decode_page(page, bindings, warnings)
    assert warnings.items() == [("x", "expected N, found S", 2), ("y", "expected S, found N", 2)]
    assert warnings.total() == 4


def test_warnings_are_thread_safe():
    warnings = DecodeWarnings()

    def work():
        for _ in range(2000):
            warnings.add("c", "r")

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert warnings.items() == [("c", "r", 16000)]
    assert warnings.total() == 16000


def test_decoding_without_warnings_object_still_nulls():
    batch = decode_page([{"a": {"N": "1"}}], [col("string")])
    assert batch.column(0).to_pylist() == [None]


# --- agreement with boto3's TypeDeserializer ---------------------------------------

_numbers = st.decimals(min_value=Decimal("-1e17"), max_value=Decimal("1e17"), places=6,
                       allow_nan=False, allow_infinity=False).map(str)
_ints = st.integers(min_value=-(2 ** 63), max_value=2 ** 63 - 1).map(str)
_strings = st.text(max_size=20)


@settings(max_examples=150, deadline=None)
@given(s=_strings, n=_numbers, i=_ints, b=st.booleans(), nums=st.lists(_numbers, max_size=5),
       texts=st.dictionaries(_strings, _strings, max_size=5))
def test_decode_agrees_with_type_deserializer(s, n, i, b, nums, texts):
    item = {"s": {"S": s}, "n": {"N": n}, "i": {"N": i}, "b": {"BOOL": b},
            "l": {"L": [{"N": x} for x in nums]}, "m": {"M": {k: {"S": v} for k, v in texts.items()}}}
    bindings = [col("string", "s", name="s"), col("decimal(38,6)", "n", "N", name="n"),
                col("bigint", "i", "N", name="i"), col("boolean", "b", "BOOL", name="b"),
                col("array<decimal(38,6)>", "l", "L", name="l"),
                col("map<string,string>", "m", "M", name="m")]
    warnings = DecodeWarnings()
    row = decode_page([item], bindings, warnings).to_pylist()[0]
    expected = {k: TypeDeserializer().deserialize(v) for k, v in item.items()}
    assert warnings.total() == 0
    assert row["s"] == expected["s"]
    assert row["n"] == expected["n"]
    assert row["i"] == int(expected["i"])
    assert row["b"] is expected["b"]
    assert row["l"] == expected["l"]
    assert dict(row["m"]) == expected["m"]


def test_text_binding_reads_every_type_as_text():
    """A TEXT-bound string column (an attribute of several types) never reads NULL for its type;
    the fast path hands it to this decoder and gives the same values."""
    from ddbsql.exec.fastpath.decoder import decode_body
    binding = ColumnBinding("v", parse_hive_type("string"), "v", "TEXT")
    items = [{"v": {"S": "x"}}, {"v": {"N": "12.50"}}, {"v": {"BOOL": True}}, {"v": {"NULL": True}}, {},
             {"v": {"L": [{"S": "a"}, {"N": "1"}]}}, {"v": {"SS": ["b"]}}]
    warnings = DecodeWarnings()
    values = decode_page(items, [binding], warnings).column(0).to_pylist()
    assert values == ["x", "12.50", "true", None, None, '{"l":[{"s":"a"},{"n":"1"}]}', '{"sS":["b"]}']
    assert warnings.total() == 0
    body = json.dumps({"Items": items, "Count": len(items), "ScannedCount": len(items)}).encode()
    assert decode_body(body, [binding])[0].column(0).to_pylist() == values


def test_a_raw_column_carries_the_attribute_value_unconverted():
    from ddbsql.catalog.binding import ColumnBinding, raw_binding
    from ddbsql.exec.raw_values import attribute_from_json
    from ddbsql.types import parse_hive_type
    binding = raw_binding(ColumnBinding("v", parse_hive_type("double"), "V", "N"))
    stored = [{"V": {"N": "0.12345678901234567890123456789012345678"}},
              {"V": {"M": {"b": {"B": b"\x00\xff"}, "l": {"L": [{"NS": ["1.50"]}, {"NULL": True}]}}}}, {}]
    batch = decode_page(stored, [binding])
    assert batch.schema.field(0).name == "__ddbsql_raw_v"
    assert [attribute_from_json(v) for v in batch.column(0).to_pylist()] == [item.get("V") for item in stored]
