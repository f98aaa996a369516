"""Rows sorted by partition key are interleaved; each key's rows keep their order."""
from __future__ import annotations

from hypothesis import given, strategies as st

from ddbsql.exec.spread import interleave, partition_key_of


def test_sorted_keys_come_out_round_robin():
    rows = [("a", 1), ("a", 2), ("a", 3), ("b", 1), ("b", 2), ("c", 1)]
    assert interleave(rows, key=lambda r: r[0]) == [("a", 1), ("b", 1), ("c", 1), ("a", 2), ("b", 2), ("a", 3)]


def test_distinct_keys_and_one_key_are_left_alone():
    rows = [("a", 1), ("b", 1), ("c", 1)]
    assert interleave(rows, key=lambda r: r[0]) == rows
    same = [("a", i) for i in range(5)]
    assert interleave(same, key=lambda r: r[0]) == same


def test_partition_key_of_reads_the_item_attribute():
    key = partition_key_of("pk")
    entries = [(0, {"pk": {"S": "x"}, "sk": {"N": "1"}}), (1, {"pk": {"S": "x"}, "sk": {"N": "2"}}),
               (2, {"pk": {"S": "y"}, "sk": {"N": "1"}})]
    assert [row for row, _ in interleave(entries, key)] == [0, 2, 1]


@given(st.lists(st.tuples(st.integers(0, 5), st.integers())))
def test_a_permutation_that_keeps_each_keys_order(rows):
    out = interleave(rows, key=lambda r: r[0])
    assert sorted(out) == sorted(rows)
    for k in {r[0] for r in rows}:
        assert [r for r in out if r[0] == k] == [r for r in rows if r[0] == k]
