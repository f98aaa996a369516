"""Table statistics round-trip through TBLPROPERTIES and never break a table when damaged."""
from ddbsql.catalog.stats import KEY_STATS, KeyStats, TableStats


def test_round_trip():
    stats = TableStats(100, 40_960, {"": KeyStats(100, 10, {"N": "1"}, {"N": "100"}), "gsi": KeyStats(40, 4)},
                       "2026-11-23T21:00:00+00:00")
    props = stats.to_properties()
    assert props["numrows"] == "100" and props["totalsize"] == "40960"
    again = TableStats.from_properties(props)
    assert again == stats
    assert again.key(None).items_per_partition == 10
    assert again.key("gsi").sort_min is None and again.key("missing") is None


def test_absent_or_damaged_statistics_are_none():
    assert TableStats.from_properties({}) is None
    assert TableStats.from_properties({KEY_STATS: "{not json"}) is None
    assert TableStats.from_properties({KEY_STATS: '{"": {"items": 1}}'}) is None
