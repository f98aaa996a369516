import pyarrow as pa
import pytest

from ddbsql.errors import TypeMappingError
from ddbsql.types import from_arrow, parse_hive_type


@pytest.mark.parametrize("text, canonical, arrow", [
    ("STRING", "string", pa.string()),
    ("bigint", "bigint", pa.int64()),
    ("decimal", "decimal(10,0)", pa.decimal128(10, 0)),
    ("DECIMAL(38, 10)", "decimal(38,10)", pa.decimal128(38, 10)),
    ("array<string>", "array<string>", pa.list_(pa.string())),
    ("MAP<STRING, ARRAY<BIGINT>>", "map<string,array<bigint>>", pa.map_(pa.string(), pa.list_(pa.int64()))),
    ("struct<a:int,b:double>", "struct<a:int,b:double>",
     pa.struct([pa.field("a", pa.int32()), pa.field("b", pa.float64())])),
])
def test_parse_print_arrow(text, canonical, arrow):
    parsed = parse_hive_type(text)
    assert str(parsed) == canonical
    assert parsed.to_arrow() == arrow
    assert parse_hive_type(str(parsed)) == parsed
    assert from_arrow(arrow) == parsed


@pytest.mark.parametrize("bad, message", [
    ("strin", "unknown Hive type"), ("array<", "incomplete"), ("decimal(39,2)", "out of range"),
    ("map<array<int>,int>", "primitive"), ("array<int>>", "unexpected"),
])
def test_errors(bad, message):
    with pytest.raises(TypeMappingError, match=message):
        parse_hive_type(bad)
