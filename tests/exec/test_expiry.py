"""drop_expired: items at or before the clock go, the hidden column goes, wrong types are counted."""
import pyarrow as pa

from ddbsql.exec.decode import DecodeWarnings
from ddbsql.exec.expiry import TTL_COLUMN, ExpiryStats, SplitWarnings, drop_expired


def test_items_at_or_before_now_are_dropped_and_the_column_removed():
    batches = [pa.RecordBatch.from_pydict({"id": ["a", "b", "c", "d"], TTL_COLUMN: [99.0, 100.0, 100.5, None]}),
               pa.RecordBatch.from_pydict({"id": ["e"], TTL_COLUMN: [1.0]})]
    stats = ExpiryStats("expires")
    out = list(drop_expired(iter(batches), stats, clock=lambda: 100.0))
    assert [b.to_pydict() for b in out] == [{"id": ["c", "d"]}, {"id": []}]
    assert stats.expired == 3


def test_split_warnings_count_the_ttl_column_as_wrong_typed():
    columns, stats = DecodeWarnings(), ExpiryStats("expires")
    split = SplitWarnings(columns, stats)
    split.add(TTL_COLUMN, "expected N, found S", 2)
    split.add("v", "expected N, found S")
    assert stats.wrong_type == 2 and columns.items() == [("v", "expected N, found S", 1)]
