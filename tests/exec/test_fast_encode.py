"""The fast encoder equals encode_batch; its sizes equal item_size; its request bodies equal botocore's;
PutRequest JSON straight from Arrow holds the reference's items."""
from __future__ import annotations

import datetime as dt
import json
import random
from decimal import Decimal

import botocore.session
import pyarrow as pa
import pytest
from botocore.serialize import create_serializer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ddbsql.catalog.binding import ColumnBinding
from ddbsql.exec.encode import encode_batch, item_size
from ddbsql.exec.fastpath import batch_write_body, encode_batch_fast
from ddbsql.exec.fastpath.encoder import batch_write_body_of, request_fragment
from ddbsql.exec.fastpath.putjson import encode_put_requests
from ddbsql.types import parse_hive_type


def col(name: str, hive: str, ddb_type: str = "S", attribute: str | None = None) -> ColumnBinding:
    return ColumnBinding(name, parse_hive_type(hive), attribute or name.upper(), ddb_type)


ITEM = ColumnBinding("item", parse_hive_type("map<string,string>"), None, "ITEM")


def nullable(strategy):
    return st.one_of(st.none(), strategy, strategy, strategy)


def scaled(unscaled: int, scale: int) -> Decimal:
    t = Decimal(unscaled).as_tuple()
    return Decimal((t.sign, t.digits, -scale))  # exact: no context rounding


def decimal_values(precision: int, scale: int):
    edge = [0, 1, -1, 10 ** precision - 1, -(10 ** precision - 1), 10 ** (precision - 1), 5]
    return st.one_of(st.sampled_from(edge), st.integers(-(10 ** precision - 1), 10 ** precision - 1),
                     st.integers(-999, 999)).map(lambda u: scaled(u, scale))


# (binding, arrow type, value strategy): natural Arrow types (the vectorised path) and
# others that take the reference path, with NULLs everywhere.
COLUMNS = [
    (col("id", "string"), pa.string(), st.text(max_size=6)),
    (col("sk", "bigint", "N"), pa.int64(), st.integers(-(2 ** 63), 2 ** 63 - 1)),
    (col("s", "string"), pa.string(), st.text(max_size=10)),
    (col("v", "varchar(4)"), pa.large_string(), st.text(max_size=4)),
    (col("t8", "tinyint", "N"), pa.int8(), st.integers(-128, 127)),
    (col("u32", "bigint", "N"), pa.uint32(), st.integers(0, 2 ** 32 - 1)),
    (col("i", "int", "N"), pa.int32(), st.integers(-(2 ** 31), 2 ** 31 - 1)),
    (col("d", "decimal(10,2)", "N"), pa.decimal128(10, 2), decimal_values(10, 2)),
    (col("d0", "decimal(38,0)", "N"), pa.decimal128(38, 0), decimal_values(38, 0)),
    (col("dt", "decimal(38,37)", "N"), pa.decimal128(38, 37), decimal_values(38, 37)),
    (col("b", "boolean", "BOOL"), pa.bool_(), st.booleans()),
    (col("bn", "boolean", "N"), pa.bool_(), st.booleans()),
    (col("y", "binary", "B"), pa.binary(), st.binary(max_size=8)),
    (col("f", "double", "N"), pa.float64(), st.floats(allow_nan=True, allow_infinity=True)),
    (col("f4", "float", "N"), pa.float32(), st.floats(width=32)),
    (col("ts", "timestamp"), pa.timestamp("us"), st.datetimes(min_value=dt.datetime(1900, 1, 1))),
    (col("tn", "timestamp", "N"), pa.timestamp("us"), st.datetimes(min_value=dt.datetime(1900, 1, 1))),
    (col("dd", "date"), pa.date32(), st.dates()),
    (col("l", "array<bigint>", "L"), pa.list_(pa.int64()), st.lists(nullable(st.integers(-5, 5)), max_size=3)),
    (col("ns", "array<bigint>", "NS"), pa.list_(pa.int64()), st.lists(nullable(st.integers(-5, 5)), max_size=3)),
    (col("ss", "array<string>", "SS"), pa.list_(pa.string()), st.lists(st.text(max_size=3), max_size=3)),
    (col("m", "map<string,int>", "M"), pa.map_(pa.string(), pa.int32()),
     st.dictionaries(st.text(max_size=3), nullable(st.integers(-9, 9)), max_size=2).map(lambda d: list(d.items()))),
    (col("st", "struct<a:int,b:string>", "M"), pa.struct([("a", pa.int32()), ("b", pa.string())]),
     st.fixed_dictionaries({"a": nullable(st.integers(-9, 9)), "b": nullable(st.text(max_size=3))})),
    # Arrow types other than the binding's: the reference path decides
    (col("si", "string"), pa.int64(), st.integers(-9, 9)),
    (col("is", "bigint", "N"), pa.string(), st.text(max_size=3)),
    (col("bi", "boolean", "BOOL"), pa.int8(), st.integers(-1, 2)),
    # a second column on an attribute already written: the later one wins
    (col("dup", "string", attribute="S"), pa.string(), st.text(max_size=3)),
]
ITEM_TEXTS = st.sampled_from([
    '{"s":"x"}', '{"n":"12.50"}', '{"N":"1E+3"}', '{"bOOL":true}', '{"nULLValue":true}', '{"sS":["a","b"]}',
    '{"nS":[]}', '{"b":"AAE="}', '{"l":[{"s":"a"},{"n":"1"}]}', '{"m":{"k":{"s":"v"}}}', 'not json', '{"x":1}',
    '{"S":""}', '{"B":""}', '{"n":"NaN"}',
])
ITEM_VALUES = st.dictionaries(st.sampled_from(["ID", "S", "other", "x y"]), nullable(ITEM_TEXTS),
                              max_size=3).map(lambda d: list(d.items()))


@st.composite
def batches(draw):
    chosen = draw(st.lists(st.sampled_from(range(len(COLUMNS))), min_size=1, max_size=8, unique=True))
    with_item = draw(st.booleans())
    rows = draw(st.integers(0, 12))
    bindings, arrays = [], []
    for index in sorted(chosen):
        binding, arrow, values = COLUMNS[index]
        bindings.append(binding)
        arrays.append(pa.array(draw(st.lists(nullable(values), min_size=rows, max_size=rows)), type=arrow))
    if with_item:
        bindings.insert(draw(st.integers(0, len(bindings))), ITEM)
        arrays.insert(bindings.index(ITEM), pa.array(draw(st.lists(nullable(ITEM_VALUES), min_size=rows,
                                                                   max_size=rows)),
                                                     type=pa.map_(pa.string(), pa.string())))
    batch = pa.RecordBatch.from_arrays(arrays, names=[b.name for b in bindings])
    keys = draw(st.sampled_from([(), ("ID",), ("ID", "SK"), ("S",), ("Y",), ("D",)]))
    return batch, bindings, keys


def assert_same(batch, bindings, keys, null_serialization):
    expected_items, expected_rejects = encode_batch(batch, bindings, key_attributes=keys,
                                                    null_serialization=null_serialization)
    items, rejects, sizes = encode_batch_fast(batch, bindings, key_attributes=keys,
                                              null_serialization=null_serialization)
    assert items == expected_items
    assert [list(i) for i in items] == [list(i) for i in expected_items]  # attribute order too
    assert rejects == expected_rejects
    assert sizes == [item_size(item) for item in items]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(batches(), st.booleans())
def test_fast_encoder_equals_reference(case, null_serialization):
    batch, bindings, keys = case
    assert_same(batch, bindings, keys, null_serialization)


def test_fast_encoder_on_a_large_typical_batch():
    rng = random.Random(7)
    n = 3000
    bindings = [col("id", "string"), col("n", "bigint", "N"), col("price", "decimal(12,2)", "N"),
                col("flag", "boolean", "BOOL"), col("blob", "binary", "B"), col("name", "string"),
                col("score", "double", "N")]
    arrays = [
        pa.array([f"k{i}" if i % 97 else "" for i in range(n)]),
        pa.array([rng.randrange(-10 ** 15, 10 ** 15) if i % 13 else None for i in range(n)], pa.int64()),
        pa.array([scaled(rng.randrange(-10 ** 9, 10 ** 9), 2) for _ in range(n)], pa.decimal128(12, 2)),
        pa.array([i % 3 == 0 if i % 5 else None for i in range(n)]),
        pa.array([bytes([i % 256]) * (i % 4) for i in range(n)]),
        pa.array(["x" * (i % 50) + "é" for i in range(n)]),
        pa.array([rng.random() * 10 ** rng.randrange(-20, 20) for _ in range(n)]),
    ]
    batch = pa.RecordBatch.from_arrays(arrays, names=[b.name for b in bindings])
    for null_serialization in (False, True):
        assert_same(batch, bindings, ("ID",), null_serialization)


def test_oversized_item_is_rejected_with_its_size():
    bindings = [col("id", "string"), col("big", "string")]
    batch = pa.RecordBatch.from_arrays([pa.array(["a", "b"]), pa.array(["x" * 10, "y" * (400 * 1024)])],
                                       names=["id", "big"])
    assert_same(batch, bindings, ("ID",), False)
    _, rejects, _ = encode_batch_fast(batch, bindings, key_attributes=("ID",))
    assert rejects[0][0] == 1 and "over DynamoDB's 400 KB limit" in rejects[0][2]


def test_width_mismatch_and_unbound_column_raise_like_the_reference():
    batch = pa.RecordBatch.from_arrays([pa.array(["a"])], names=["id"])
    with pytest.raises(ValueError):
        encode_batch_fast(batch, [col("id", "string"), col("x", "string")], key_attributes=())
    with pytest.raises(ValueError):
        encode_batch_fast(batch, [ColumnBinding("id", parse_hive_type("string"), None, "S")], key_attributes=())


# --- request bodies --------------------------------------------------------------------------

_model = botocore.session.get_session().get_service_model("dynamodb")
_serializer = create_serializer(getattr(_model, "resolved_protocol", _model.protocol))


def botocore_body(params: dict) -> bytes:
    return _serializer.serialize_to_request(params, _model.operation_model("BatchWriteItem"))["body"]


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(batches(), st.booleans())
def test_batch_write_body_is_botocore_bytes(case, delete):
    batch, bindings, keys = case
    items, _, _ = encode_batch_fast(batch, bindings, key_attributes=keys)
    items = [item for item in items if item]
    if not items:
        return
    requests = [{"DeleteRequest": {"Key": item}} if delete else {"PutRequest": {"Item": item}} for item in items[:25]]
    params = {"RequestItems": {"tbl": requests}, "ReturnConsumedCapacity": "TOTAL"}
    assert batch_write_body(params) == botocore_body(params)
    assert json.loads(batch_write_body(params))["RequestItems"]["tbl"][0]


def test_batch_write_body_with_every_type():
    item = {"s": {"S": "é\"\\\n"}, "n": {"N": "-1.5E+3"}, "b": {"B": b"\x00\xff"}, "t": {"BOOL": True},
            "z": {"NULL": True}, "ss": {"SS": ["a", "b"]}, "ns": {"NS": ["1", "2"]}, "bs": {"BS": [b"x", b""]},
            "l": {"L": [{"N": "1"}, {"B": b"q"}, {"M": {"k": {"B": b"w"}}}]}, "m": {"M": {"k": {"L": []}}}}
    params = {"RequestItems": {"t1": [{"PutRequest": {"Item": item}}], "t2": [{"DeleteRequest": {"Key": {"k": {"B": b"1"}}}}]},
              "ReturnConsumedCapacity": "INDEXES", "ReturnItemCollectionMetrics": "SIZE"}
    assert batch_write_body(params) == botocore_body(params)


# --- PutRequest JSON straight from Arrow ----------------------------------------------------------

def assert_put_json_same(batch, bindings, keys, null_serialization):
    """Whenever encode_put_requests takes a batch, its requests hold the reference's items."""
    requests = encode_put_requests(batch, bindings, key_attributes=keys, null_serialization=null_serialization)
    if requests is None:
        return False
    expected_items, expected_rejects = encode_batch(batch, bindings, key_attributes=keys,
                                                    null_serialization=null_serialization)
    items = [json.loads(f)["PutRequest"]["Item"] for f in requests.fragments]
    assert [list(i.items()) for i in items] == [list(i.items()) for i in expected_items]  # order too
    assert requests.rejects == expected_rejects
    assert requests.rows == sorted(set(range(batch.num_rows)) - {r for r, _, _ in expected_rejects})
    assert requests.sizes == [item_size(item) for item in expected_items]
    for tag, name, values in zip(requests.key_tags, keys, requests.key_values):
        assert [{tag: v} for v in values] == [item[name] for item in expected_items]
    return True


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(batches(), st.booleans())
def test_put_request_json_equals_reference(case, null_serialization):
    batch, bindings, keys = case
    assert_put_json_same(batch, bindings, keys, null_serialization)


def test_put_request_json_on_a_large_typical_batch():
    rng = random.Random(11)
    n = 3000
    bindings = [col("id", "string"), col("n", "bigint", "N"), col("price", "decimal(12,2)", "N"),
                col("flag", "boolean", "BOOL"), col("bn", "boolean", "N"), col("name", "string"),
                col("tiny", "tinyint", "N")]
    arrays = [
        pa.array([f"k{i}" if i % 97 else "" for i in range(n)]),
        pa.array([rng.randrange(-10 ** 15, 10 ** 15) if i % 13 else None for i in range(n)], pa.int64()),
        pa.array([scaled(rng.randrange(-10 ** 9, 10 ** 9), 2) if i % 7 else None for i in range(n)],
                 pa.decimal128(12, 2)),
        pa.array([i % 3 == 0 if i % 5 else None for i in range(n)]),
        pa.array([i % 2 == 0 for i in range(n)]),
        pa.array(["x" * (i % 50) + 'é"\\/\u2028' + "😀" * (i % 3) if i % 11 else None for i in range(n)]),
        pa.array([i % 100 for i in range(n)], pa.int8()),
    ]
    batch = pa.RecordBatch.from_arrays(arrays, names=[b.name for b in bindings])
    for null_serialization in (False, True):
        assert assert_put_json_same(batch, bindings, ("ID",), null_serialization)
        assert assert_put_json_same(batch, bindings, ("N", "ID"), null_serialization)


def test_put_request_json_declines_what_it_cannot_encode_exactly():
    control = pa.RecordBatch.from_arrays([pa.array(["a", "tab\there"])], names=["id"])
    assert encode_put_requests(control, [col("id", "string")], key_attributes=("ID",)) is None
    binary = pa.RecordBatch.from_arrays([pa.array(["a"]), pa.array([b"\x00"])], names=["id", "y"])
    assert encode_put_requests(binary, [col("id", "string"), col("y", "binary", "B")], key_attributes=("ID",)) is None
    twice = pa.RecordBatch.from_arrays([pa.array(["a"]), pa.array(["b"])], names=["id", "dup"])
    assert encode_put_requests(twice, [col("id", "string"), col("dup", "string", attribute="ID")],
                               key_attributes=("ID",)) is None


def test_fragments_make_the_same_request_as_batch_write_body():
    items = [{"id": {"S": 'é"'}, "b": {"B": b"\x00\xff"}, "n": {"N": "1.5"}}, {"id": {"S": "x"}}]
    for delete in (False, True):
        kind, member = ("DeleteRequest", "Key") if delete else ("PutRequest", "Item")
        expected = batch_write_body({"RequestItems": {"tbl": [{kind: {member: i}} for i in items]},
                                     "ReturnConsumedCapacity": "TOTAL"})
        body = batch_write_body_of("tbl", [request_fragment(i, delete=delete) for i in items])
        assert json.loads(body) == json.loads(expected)
