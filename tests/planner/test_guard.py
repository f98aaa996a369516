"""The full-scan guard: which plans it refuses, and the key lookups it suggests."""
import pytest

from ddbsql.catalog.mapping import bindings_for
from ddbsql.planner.cost import scan_estimate
from ddbsql.planner.guard import over_budget

from .planning import EVENTS, EVENTS_FACTS, ORDERS, ORDERS_FACTS, USERS, USERS_FACTS, plans_for


def refusal(sql: str, definition, facts, max_rcu: float | None) -> str | None:
    (_, plan), = plans_for(sql)
    return over_budget(plan, facts, bindings_for(definition), definition.qualified, max_rcu)


def test_off_by_default_and_under_the_ceiling():
    assert refusal("SELECT * FROM orders WHERE total > 5", ORDERS, ORDERS_FACTS, None) is None
    assert refusal("SELECT * FROM orders WHERE total > 5", ORDERS, ORDERS_FACTS, 0) is None
    assert refusal("SELECT * FROM orders WHERE total > 5", ORDERS, ORDERS_FACTS, 10_000) is None


def test_a_scan_over_the_ceiling_names_the_keys_that_would_avoid_it():
    message = refusal("SELECT * FROM orders WHERE total > 5", ORDERS, ORDERS_FACTS, 100)
    assert message.startswith("default.orders: the query would scan the whole DynamoDB table Orders: ~1,223 RCU")
    assert "ddbsql.scan.max.rcu=100" in message
    assert "customer = ... or customer IN (...) (a Query; with order_no = ... a GetItem)" in message
    for index in ("by_status", "by_coupon", "by_region"):
        assert f"(a Query on the index {index})" in message
    assert "by_placed" not in message  # an LSI shares the table's hash key: nothing new to suggest


def test_hash_only_tables_suggest_get_item():
    message = refusal("SELECT * FROM users", USERS, USERS_FACTS, 1)
    assert "id = ... or id IN (...) (a Query; a GetItem)" in message


def test_key_lookups_are_never_refused_and_large_queries_are():
    assert refusal("SELECT * FROM orders WHERE customer = 'c1' AND order_no IN (1, 2, 3)",
                   ORDERS, ORDERS_FACTS, 0.1) is None
    message = refusal("SELECT * FROM events WHERE device = 7", EVENTS, EVENTS_FACTS, 1)
    assert "by Query" in message and "a GetItem" not in message


def test_scan_estimate_counts_page_rounding_and_limits():
    whole = scan_estimate(ORDERS_FACTS, False, segments=1)
    assert whole.pages == 10 and whole.rcu == (10_000_000 / 4096 + 5) / 2
    assert scan_estimate(ORDERS_FACTS, True, segments=4).pages == 10
    assert scan_estimate(ORDERS_FACTS, True, segments=40).pages == 40
    first = scan_estimate(ORDERS_FACTS, False, limit=10)
    assert first.items == 10 and first.pages == 1 and first.rcu == pytest.approx((10_000 / 4096 + 0.5) / 2)
