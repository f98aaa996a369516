"""The interactive shell's display limit on Arrow batches."""
import pyarrow as pa

from ddbsql.cli.row_limit import RowLimit


def batches(*sizes):
    start = 0
    for size in sizes:
        yield pa.record_batch([pa.array(range(start, start + size))], names=["x"])
        start += size


def rows(out):
    return [v for b in out for v in b.column(0).to_pylist()]


def test_within_the_limit_nothing_is_asked():
    asked = []
    limit = RowLimit(10, lambda n: asked.append(n) or False)
    assert rows(limit.apply(batches(4, 6))) == list(range(10))
    assert asked == [] and not limit.cut


def test_over_the_limit_no_prints_the_first_rows_and_stops_reading():
    read = []

    def source():
        for batch in batches(4, 4, 4, 4):
            read.append(batch.num_rows)
            yield batch

    limit = RowLimit(6, lambda n: False)
    assert rows(limit.apply(source())) == list(range(6))
    assert limit.cut and len(read) == 2            # the rest of the stream is never read


def test_over_the_limit_yes_prints_everything():
    limit = RowLimit(3, lambda n: n == 3)
    assert rows(limit.apply(batches(2, 2, 2))) == list(range(6))
    assert not limit.cut


def test_zero_is_no_limit():
    limit = RowLimit(0, lambda n: 1 / 0)
    assert rows(limit.apply(batches(5, 5))) == list(range(10))
