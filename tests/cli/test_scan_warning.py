"""The REPL's large-read question, from EXPLAIN rows."""
from ddbsql.cli.scan_warning import large_reads


def rows(rcu: str, budget: str, source: str = "default.orders"):
    return [(source, "operation", "Scan (4 parallel segments)"), (source, "TableName", "Orders"),
            (source, "estimated RCU", rcu), (source, "read budget", budget),
            ("DuckDB", "sql", "SELECT 1")]


def test_warns_when_the_estimated_time_reaches_the_threshold():
    lines = large_reads(rows("120,000", "1,000 RCU/s = 0.5 x 2,000 on-demand default"), 30)
    assert lines == ["default.orders: Scan (4 parallel segments) of Orders, ~120,000 RCU, about 2:00 at the "
                     "read budget (1,000 RCU/s)"]


def test_quiet_under_the_threshold_when_off_or_without_a_budget():
    assert large_reads(rows("29,000", "1,000 RCU/s = 0.5 x 2,000 on-demand default"), 30) == []
    assert large_reads(rows("120,000", "1,000 RCU/s = 0.5 x 2,000 on-demand default"), 0) == []
    assert large_reads(rows("120,000", "?"), 30) == []
    assert large_reads([], 30) == []


def test_each_reference_on_its_own_line():
    both = rows("90,000", "1,000 RCU/s = x") + rows("0.5", "1,000 RCU/s = x", source="default.users AS u")
    assert [line.split(":")[0] for line in large_reads(both, 30)] == ["default.orders"]
