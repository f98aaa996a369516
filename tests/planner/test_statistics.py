"""Query estimates from ANALYZE statistics: items per partition and sort key ranges."""
import dataclasses

import pytest

from ddbsql.catalog.stats import KeyStats, TableStats
from ddbsql.planner.conditions import BeginsWith, Between, Compare
from ddbsql.planner.cost import range_fraction

from .planning import ORDERS_FACTS, TABLES, plans_for

NUMBERS = KeyStats(1000, 50, {"N": "0"}, {"N": "1000"})
DATES = KeyStats(1000, 50, {"S": "2024-01-01"}, {"S": "2024-12-31"})


@pytest.mark.parametrize("condition, share", [
    (Between("k", {"N": "100"}, {"N": "350"}), 0.25),
    (Compare("k", ">=", {"N": "900"}), 0.1),
    (Compare("k", "<", {"N": "100"}), 0.1),
    (Between("k", {"N": "2000"}, {"N": "3000"}), 0.0),
    (Compare("k", "<=", {"N": "5000"}), 1.0),
])
def test_numeric_sort_key_ranges(condition, share):
    assert range_fraction(condition, NUMBERS) == pytest.approx(share)


def test_string_sort_keys_by_their_leading_bytes():
    first_half = range_fraction(Between("k", {"S": "2024-01-01"}, {"S": "2024-06-30"}), DATES)
    assert 0.4 < first_half < 0.6
    assert range_fraction(Compare("k", ">=", {"S": "2024-10"}), DATES) == pytest.approx(0.2, abs=0.05)
    assert range_fraction(Compare("k", ">", {"S": "2023"}), DATES) == 1.0
    assert range_fraction(BeginsWith("k", {"S": "2024-03"}), DATES) == pytest.approx(1 / 11, abs=0.03)
    names = KeyStats(10, 1, {"S": "apple"}, {"S": "zebra"})
    assert 0.4 < range_fraction(Compare("k", "<", {"S": "m"}), names) < 0.6
    assert range_fraction(BeginsWith("k", {"S": "2025"}), DATES) == 0.0
    assert range_fraction(BeginsWith("k", {"S": "2024-"}), DATES) == 1.0


def test_no_statistics_no_fraction():
    assert range_fraction(Between("k", {"N": "1"}, {"N": "2"}), None) is None
    assert range_fraction(Compare("k", "=", {"N": "1"}), NUMBERS) is None
    assert range_fraction(Between("k", {"N": "1"}, {"N": "2"}), KeyStats(10, 1)) is None


def test_statistics_replace_the_heuristic(monkeypatch):
    stats = TableStats(10_000, 10_000_000, {"": KeyStats(10_000, 400, {"N": "0"}, {"N": "9999"}),
                                            "by_status": KeyStats(6_000, 3, {"S": "2024-01"}, {"S": "2024-12"})},
                       "2026-11-23T00:00:00+00:00")
    definition, facts = TABLES["orders"]
    monkeypatch.setitem(TABLES, "orders", (definition, dataclasses.replace(ORDERS_FACTS, stats=stats)))
    (_, plan), = plans_for("SELECT * FROM orders WHERE customer = 'c1'")
    assert plan.estimate.items == 25 and "ANALYZE statistics" in plan.estimate.basis
    (_, plan), = plans_for("SELECT * FROM orders WHERE customer = 'c1' AND order_no BETWEEN 0 AND 4999")
    assert plan.estimate.items == pytest.approx(12.5, abs=0.1)
    (_, plan), = plans_for("SELECT * FROM orders WHERE status = 'new' AND placed IS NOT NULL")
    assert plan.estimate.items == 2000
