"""exec.raw_values: attribute values through text unchanged, and compared as DynamoDB compares them."""
import pytest

from ddbsql.exec.raw_values import attribute_from_json, attribute_json, same_value

VALUES = [{"N": "0.12345678901234567890123456789012345678"}, {"S": "2024-05-01T12:30:00Z"}, {"B": b"\x00\xff"},
          {"BS": [b"a", b"b"]}, {"NS": ["1.50", "2"]}, {"SS": ["x"]}, {"BOOL": False}, {"NULL": True},
          {"L": [{"M": {"k": {"N": "1E+2"}}}, {"B": b"\x01"}]}]


@pytest.mark.parametrize("value", VALUES)
def test_a_value_comes_back_as_it_was(value):
    assert attribute_from_json(attribute_json(value)) == value


@pytest.mark.parametrize("a, b, same", [
    ({"N": "1.50"}, {"N": "1.5"}, True), ({"N": "100"}, {"N": "1E+2"}, True), ({"N": "1"}, {"S": "1"}, False),
    ({"NS": ["1", "2.0"]}, {"NS": ["2", "1"]}, True), ({"L": [{"N": "1"}]}, {"L": [{"N": "1"}, {"N": "1"}]}, False),
    ({"M": {"a": {"N": "1.0"}}}, {"M": {"a": {"N": "1"}}}, True), ({"M": {"a": {"N": "1"}}}, {"M": {}}, False),
    (None, None, True), (None, {"NULL": True}, False), ({"B": b"x"}, {"B": bytearray(b"x")}, True),
])
def test_values_compare_as_dynamodb_compares_them(a, b, same):
    assert same_value(a, b) is same
