"""Column inference from sampled items: fixtures of items in, columns and mapping out."""
from __future__ import annotations

from ddbsql.catalog.facts import TableFacts
from ddbsql.catalog.inference import InferredSchema, infer_schema
from ddbsql.catalog.mapping import bindings_for

FACTS = TableFacts("Orders", "customer", "orderNo", {"customer": "S", "orderNo": "N"}, "PAY_PER_REQUEST")


def _columns(schema):
    return [(c.column.name, str(c.column.type), c.ddb_type) for c in schema.columns]


def test_keys_first_from_attribute_definitions_then_by_share():
    items = [{"customer": {"S": "a"}, "orderNo": {"N": str(i)}, "total": {"N": "1.25"},
              **({"note": {"S": "x"}} if i % 2 else {})} for i in range(10)]
    schema = infer_schema(FACTS, items, max_columns=10)
    assert _columns(schema) == [("customer", "string", None), ("orderno", "bigint", None),
                                ("total", "decimal(38,2)", None), ("note", "string", None)]
    assert [c.share for c in schema.columns] == [1.0, 1.0, 1.0, 0.5]
    assert schema.columns[0].role == "hash key" and schema.columns[1].role == "range key"
    assert schema.item_column == "item"


def test_types_by_dynamodb_type():
    item = {"customer": {"S": "a"}, "orderNo": {"N": "1"}, "flag": {"BOOL": True}, "blob": {"B": b"\x00"},
            "names": {"SS": ["x"]}, "scores": {"NS": ["1", "2"]}, "prices": {"NS": ["1.5"]},
            "blobs": {"BS": [b"a"]}, "list": {"L": [{"N": "1"}, {"N": "22"}]},
            "labels": {"M": {"a": {"S": "x"}, "b": {"S": "y"}}}, "mixedlist": {"L": [{"S": "a"}, {"N": "1"}]},
            "nested": {"M": {"a": {"M": {}}}}, "huge": {"N": "1E+100"}}
    schema = infer_schema(FACTS, [item], max_columns=50)
    types = {c.column.name: (str(c.column.type), c.ddb_type) for c in schema.columns}
    assert types["flag"] == ("boolean", None)
    assert types["blob"] == ("binary", None)
    assert types["names"] == ("array<string>", "SS")
    assert types["scores"] == ("array<bigint>", "NS")
    assert types["prices"] == ("array<decimal(38,1)>", "NS")
    assert types["blobs"] == ("array<binary>", "BS")
    assert types["list"] == ("array<bigint>", None)
    assert types["labels"] == ("map<string,string>", None)
    # no single Hive type: the value's text
    assert types["mixedlist"] == ("string", "TEXT")
    assert types["nested"] == ("string", "TEXT")
    # more than 38 digits before the point: no decimal(38,s) holds it
    assert types["huge"] == ("string", "TEXT")


def test_mixed_types_are_text_and_null_is_ignored():
    items = [{"customer": {"S": "a"}, "orderNo": {"N": "1"}, "v": {"S": "x"}, "w": {"NULL": True}},
             {"customer": {"S": "b"}, "orderNo": {"N": "2"}, "v": {"N": "3"}, "w": {"N": "4"}}]
    types = {c.column.name: (str(c.column.type), c.ddb_type) for c in infer_schema(FACTS, items, max_columns=5).columns}
    assert types["v"] == ("string", "TEXT")
    assert types["w"] == ("bigint", None)


def test_numbers_wider_than_bigint_are_decimal():
    items = [{"customer": {"S": "a"}, "orderNo": {"N": "1"}, "n": {"N": "1234567890123456789"}}]
    types = {c.column.name: str(c.column.type) for c in infer_schema(FACTS, items, max_columns=5).columns}
    assert types["n"] == "decimal(38,0)"


def test_cap_keeps_most_common_and_reports_the_rest():
    items = [{"customer": {"S": "a"}, "orderNo": {"N": str(i)}, f"a{i:03d}": {"S": "x"}, "common": {"S": "y"}}
             for i in range(300)]
    schema = infer_schema(FACTS, items, max_columns=5)
    names = [c.column.name for c in schema.columns]
    assert names[:3] == ["customer", "orderno", "common"]
    assert len(names) == 2 + 5
    assert len(schema.left_out) == 296 and schema.attributes_seen == 303


def test_names_case_clash_identifier_and_unmappable():
    items = [{"customer": {"S": "a"}, "orderNo": {"N": "1"}, "Name": {"S": "x"}, "name": {"S": "y"},
              "order-id": {"S": "z"}, "a,b": {"S": "q"}, "item": {"S": "i"}}]
    schema = infer_schema(FACTS, items, max_columns=10)
    pairs = {c.column.name: c.attribute for c in schema.columns}
    assert pairs["name"] in ("Name", "name") and pairs["name_2"] in ("Name", "name")
    assert pairs["order-id"] == "order-id"
    assert "a,b" not in pairs.values()          # cannot be mapped: in the item column only
    assert schema.item_column == "item_"        # an attribute already holds the name


def test_empty_table_has_keys_and_item_column():
    schema = infer_schema(FACTS, [], max_columns=10)
    table = schema.table("dynamodb", "Orders", "us-east-1")
    assert [(c.name, str(c.type)) for c in table.columns] == [
        ("customer", "string"), ("orderno", "bigint"), ("item", "map<string,string>")]


def test_table_definition_binds_like_ddl_and_round_trips():
    items = [{"customer": {"S": "a"}, "orderNo": {"N": "1"}, "Tags": {"SS": ["x"]}, "v": {"S": "x"}},
             {"customer": {"S": "a"}, "orderNo": {"N": "2"}, "v": {"BOOL": False}}]
    schema = infer_schema(FACTS, items, max_columns=10)
    again = InferredSchema.from_json(schema.to_json())
    assert again == schema
    bindings = {b.name: (b.attribute, b.ddb_type) for b in bindings_for(again.table("dynamodb", "Orders", "r"))}
    assert bindings == {"customer": ("customer", "S"), "orderno": ("orderNo", "N"), "tags": ("Tags", "SS"),
                        "v": ("v", "TEXT"), "item": (None, "ITEM")}
