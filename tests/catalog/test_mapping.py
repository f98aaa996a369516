import pytest

from ddbsql.catalog.facts import TableFacts
from ddbsql.catalog.mapping import bindings_for, check_against_table, check_table_name
from ddbsql.catalog.model import Column, TableDef
from ddbsql.errors import CatalogError, TypeMappingError
from ddbsql.types import parse_hive_type


def table(columns: str, **props) -> TableDef:
    cols = []
    for part in columns.split(";"):
        name, _, type_text = part.strip().partition(" ")
        cols.append(Column(name.lower(), parse_hive_type(type_text), None, name))
    return TableDef("default", "t", tuple(cols), "dynamodb", {k.replace("_", "."): v for k, v in props.items()})


def facts(hash_key="Id", hash_type="S", range_key=None, range_type=None) -> TableFacts:
    types = {hash_key: hash_type}
    if range_key:
        types[range_key] = range_type
    return TableFacts("T", hash_key, range_key, types, "PAY_PER_REQUEST")


def test_mapping_and_defaults():
    t = table("Id string; Total decimal(10,2); tags array<string>; extra map<string,string>",
              dynamodb_column_mapping="id:ID,total:Total", dynamodb_type_mapping="tags:SS")
    bindings = bindings_for(t)
    assert [(b.name, b.attribute, b.ddb_type) for b in bindings] == [
        ("id", "ID", "S"), ("total", "Total", "N"), ("tags", "tags", "SS"), ("extra", None, "ITEM")]


def test_timestamps_and_dates_are_iso_text_unless_declared_epoch():
    t = table("a timestamp; b date; c timestamp; d date; e timestamp",
              ddbsql_time_encoding="c:epoch_seconds,D:EPOCH_MILLIS", dynamodb_type_mapping="e:N")
    assert [(b.name, b.ddb_type, b.time_encoding and b.time_encoding.value) for b in bindings_for(t)] == [
        ("a", "S", "iso8601"), ("b", "S", "iso8601"), ("c", "N", "epoch_seconds"), ("d", "N", "epoch_millis"),
        ("e", "N", "epoch_seconds")]
    assert all(b.time_encoding is None for b in bindings_for(table("a string; b bigint")))


def test_unmapped_column_keeps_its_ddl_spelling():
    assert bindings_for(table("CustomerID string"))[0].attribute == "CustomerID"


@pytest.mark.parametrize("columns, props, message", [
    ("a string", {"dynamodb_column_mapping": "b:B"}, "names column 'b'"),
    ("a string", {"dynamodb_column_mapping": "a"}, "expected 'hive_column:value' pairs"),
    ("a string; b string", {"dynamodb_column_mapping": "a:X,b:X"}, "both map to DynamoDB attribute 'X'"),
    ("a array<bigint>", {"dynamodb_type_mapping": "a:SS"}, "cannot be stored as DynamoDB type SS"),
    ("a string", {"dynamodb_type_mapping": "a:N"}, "cannot be stored as DynamoDB type N"),
    ("a interval", {}, "unknown|has no DynamoDB form"),
    ("a timestamp", {"ddbsql_time_encoding": "a:weekly"}, "'weekly' for column 'a' is not one of"),
    ("a string", {"ddbsql_time_encoding": "a:epoch_seconds"}, "not a timestamp or date"),
    ("a timestamp", {"ddbsql_time_encoding": "b:epoch_seconds"}, "names column 'b'"),
    ("a timestamp", {"ddbsql_time_encoding": "a:epoch_millis", "dynamodb_type_mapping": "a:S"},
     "epoch_millis is stored as N, but dynamodb.type.mapping says S"),
    ("a date", {"dynamodb_type_mapping": "a:SS"}, "can be stored as S or N"),
    ("a map<string,string>; b map<string,string>", {}, "only one whole-item column"),
])
def test_bad_mappings(columns, props, message):
    with pytest.raises((CatalogError, TypeMappingError), match=message):
        bindings_for(table(columns, **props))


def test_key_checks():
    t = table("Id bigint; v string")
    with pytest.raises(TypeMappingError, match="column 'id' is bigint but the hash key attribute 'Id'"):
        check_against_table(t, bindings_for(t), facts())
    t = table("v string")
    warnings = check_against_table(t, bindings_for(t), facts(range_key="R", range_type="N"))
    assert len(warnings) == 2 and "hash key attribute 'Id'" in warnings[0]
    t = table("item map<string,string>")
    assert check_against_table(t, bindings_for(t), facts()) == []


@pytest.mark.parametrize("name", ["abc", "A.b-c_1", "x" * 255])
def test_valid_table_names(name):
    assert check_table_name(name) == name


def test_invalid_table_names_say_why():
    with pytest.raises(CatalogError, match=r"missing its '\$'"):
        check_table_name("CustomerTracker_{hiveconf:domain}_NA")
    with pytest.raises(CatalogError, match="undefined variable"):
        check_table_name("T_${hiveconf:nope}")
    with pytest.raises(CatalogError, match="3-255 characters"):
        check_table_name("ab")
