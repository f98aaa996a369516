"""Placeholders, number literals and LIKE prefixes: the small pieces the planner's requests are made of."""
import pytest
from sqlglot import exp

from ddbsql.planner.conditions import (AllOf, AnyOf, BeginsWith, Between, Compare, HasType, In, Not, Placeholders,
                                       conjoin, operator_count)
from ddbsql.planner.predicates import like_prefix, number_text
from ddbsql.sql.statements import parse_sql


def test_every_name_and_value_is_a_placeholder_and_reused():
    names = Placeholders()
    projection = names.projection(["year", "a.b"])
    text = names.render(conjoin([Compare("a.b", "=", {"S": "x"}), Compare("#x", "<>", {"S": "x"}),
                                 AnyOf((BeginsWith("two words", {"S": "p"}), HasType("year", "N"))),
                                 Not(Between("year", {"N": "1"}, {"N": "2"})),
                                 Not(In("a.b", ({"S": "x"}, {"S": "y"})))]))
    assert projection == "#c0, #c1"
    assert text == ("#c1 = :v0 AND #c2 <> :v0 AND (begins_with(#c3, :v1) OR attribute_type(#c0, :v2)) AND "
                    "NOT (#c0 BETWEEN :v3 AND :v4) AND NOT (#c1 IN (:v0, :v5))")
    assert names.names == {"#c0": "year", "#c1": "a.b", "#c2": "#x", "#c3": "two words"}
    assert names.values[":v2"] == {"S": "N"} and len(names.values) == 6


def test_conjoin_flattens_and_says_each_part_once():
    a, b = HasType("x", "S"), Compare("x", "<", {"S": "m"})
    assert conjoin([AllOf((a, b)), AllOf((a, Compare("y", "=", {"N": "1"})))]) == AllOf(
        (a, b, Compare("y", "=", {"N": "1"})))
    assert conjoin([]) is None and conjoin([a]) == a
    assert operator_count(AllOf((a, Not(b)))) == 4


def _literal(text: str) -> exp.Expression:
    return parse_sql(f"SELECT {text}").expressions[0]


@pytest.mark.parametrize("text, want", [
    ("5", "5"), ("-5", "-5"), ("1.50", "1.5"), ("1e3", "1000"), ("-(2.5)", "-2.5"), ("7L", "7"), ("0", "0"),
    ("12345678901234567890123456789012345678", "12345678901234567890123456789012345678"),
    ("-12345678901234567890123456789012345678", "-12345678901234567890123456789012345678"),
    ("123456789012345678901234567890123456789", None),     # 39 digits: more than DynamoDB holds
    ("1.0000000000000000001", None),                        # more than a double's digits
    ("1e200", None), ("1e-200", None), ("'5'", None), ("NULL", None), ("7.5L", None),
])
def test_number_literals_become_exact_decimal_text(text, want):
    assert number_text(_literal(text)) == want


@pytest.mark.parametrize("pattern, want", [
    ("abc%", ("abc", True)), ("abc%%", ("abc", True)), ("abc", ("abc", False)), ("a_c%", ("a", False)),
    ("%", ("", True)), ("a%b", ("a", False)), ("a\\%%", ("a", False)), ("", ("", False)),
])
def test_like_prefix(pattern, want):
    assert like_prefix(pattern) == want


def test_value_identity_is_numeric_and_exact_to_38_digits():
    from ddbsql.planner.conditions import value_key
    assert value_key({"N": "1"}) == value_key({"N": "1.0"}) == value_key({"N": "1E+0"})
    a = "12345678901234567890123456789012345678"
    b = "12345678901234567890123456789012345679"
    assert value_key({"N": a}) != value_key({"N": b})
    assert value_key({"S": "1"}) != value_key({"N": "1"})
