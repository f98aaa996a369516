"""A long read shows the progress line writes show: items read, RCU/s against the read
budget, percent and ETA from the planner's estimate (DescribeTable's ItemCount)."""
from __future__ import annotations

import re

import pytest

from support.rates import create_provisioned

pytestmark = pytest.mark.e2e

HANDLER = "'org.apache.hadoop.hive.dynamodb.DynamoDBStorageHandler'"


def test_a_paced_select_reports_its_progress_every_second(local_env, unique_table_name):
    env = local_env
    client = env.client()
    create_provisioned(client, unique_table_name, rcu=40, wcu=1000)       # 20 RCU/s to read
    env.put_items(unique_table_name, [{"id": {"S": f"k{i}"}, "body": {"S": "x" * 2000}} for i in range(300)])
    env.run(f"""CREATE EXTERNAL TABLE src (id string, body string) STORED BY {HANDLER}
                TBLPROPERTIES ("dynamodb.table.name" = "{unique_table_name}")""")
    env.progress_lines.clear()
    rows = env.rows("SELECT count(*), max(length(body)) FROM src")               # ~75 RCU: ~4 s
    assert rows == [(300, 2000)]
    lines = [line for line in env.progress_lines if "RCU/s" in line]
    assert len(lines) >= 2, env.progress_lines
    for line in lines:
        assert re.search(r"read [\d,]+ items \([\d,]+/s\), [\d.,]+ of 20 RCU/s, \d+:\d\d elapsed", line), line
    assert "wrote" not in lines[-1]


def test_writes_show_one_line_not_two(local_env, unique_table_name):
    env = local_env
    env.create_ddb_table(unique_table_name)
    env.run(f"""CREATE EXTERNAL TABLE dst (id string, n bigint) STORED BY {HANDLER}
                TBLPROPERTIES ("dynamodb.table.name" = "{unique_table_name}")""")
    env.run("SET dynamodb.throughput.write=60")                                 # 30 WCU/s
    env.progress_lines.clear()
    env.run("INSERT INTO TABLE dst SELECT concat('k', cast(i AS string)), i FROM (SELECT explode(sequence(1, 90)) AS i) t")
    assert env.progress_lines and all("WCU/s" in line for line in env.progress_lines)


def test_analyze_reports_its_progress(local_env, unique_table_name):
    env = local_env
    client = env.client()
    create_provisioned(client, unique_table_name, rcu=40, wcu=1000)
    env.put_items(unique_table_name, [{"id": {"S": f"k{i}"}, "body": {"S": "x" * 2000}} for i in range(300)])
    env.run(f"""CREATE EXTERNAL TABLE src (id string, body string) STORED BY {HANDLER}
                TBLPROPERTIES ("dynamodb.table.name" = "{unique_table_name}")""")
    env.progress_lines.clear()
    env.run("ANALYZE TABLE src COMPUTE STATISTICS")
    lines = [line for line in env.progress_lines if "RCU/s" in line]
    assert len(lines) >= 2, env.progress_lines
    assert all(re.search(r"read [\d,]+ items .* of 20 RCU/s", line) for line in lines), lines
