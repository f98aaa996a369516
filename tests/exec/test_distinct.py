"""The distinct counter: exact while small, within a few percent once it is a sketch."""
import pytest

from ddbsql.exec.distinct import EXACT_LIMIT, DistinctCounter


def test_exact_while_small_and_duplicates_do_not_count():
    counter = DistinctCounter()
    for i in range(1000):
        counter.add(str(i % 250).encode())
    assert counter.count() == 250


@pytest.mark.parametrize("n", [EXACT_LIMIT * 3, 400_000])
def test_sketch_is_within_three_percent(n):
    counter = DistinctCounter()
    for i in range(n):
        counter.add(b"k%d" % i)
    assert abs(counter.count() - n) / n < 0.03


def test_merging_parallel_counters_counts_the_union():
    a, b, c = DistinctCounter(), DistinctCounter(), DistinctCounter()
    for i in range(120_000):
        a.add(b"%d" % i)
    for i in range(60_000, 180_000):
        b.add(b"%d" % i)
    for i in range(100):
        c.add(b"%d" % i)
    a.merge(b)
    a.merge(c)
    assert abs(a.count() - 180_000) / 180_000 < 0.03
    small = DistinctCounter()
    small.add(b"x")
    other = DistinctCounter()
    other.add(b"x")
    other.add(b"y")
    small.merge(other)
    assert small.count() == 2
