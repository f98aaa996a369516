"""ANALYZE TABLE … COMPUTE STATISTICS on real DynamoDB engines: what it measures, where it
keeps it, and the Query estimates that use it."""
from __future__ import annotations

import json

import pytest

from .test_explain_analyze import analyze
from .test_pushdown import Requests, create_orders

pytestmark = pytest.mark.e2e


def properties(env, table: str = "orders") -> dict[str, str]:
    return dict(env.rows(f"SHOW TBLPROPERTIES {table}"))


def test_analyze_measures_the_spread_of_every_key(env, unique_table_name):
    create_orders(env, unique_table_name)                 # 120 orders of 7 customers
    requests = Requests(env.conn)
    _, cursor = env.run("ANALYZE TABLE orders COMPUTE STATISTICS")
    assert requests.operations().keys() == {"Scan"}
    scan = requests.bodies("Scan")[0]
    assert sorted(scan["ExpressionAttributeNames"].values()) == ["Coupon", "Customer", "OrderNo", "Placed", "Status"]
    messages = cursor.messages
    assert messages[0].startswith("Table default.orders stats: [numRows=120, totalSize=")
    assert "table: 120 item(s), 7 value(s) of Customer, 17.1 item(s) each; OrderNo from 0 to 119" in messages[1]
    props = properties(env)
    assert props["numrows"] == "120"
    keys = json.loads(props["ddbsql.stats.keys"])
    assert keys[""] == {"items": 120, "partitions": 7, "sort_min": {"N": "0"}, "sort_max": {"N": "119"}}
    assert keys["by_status"]["items"] == 90 and keys["by_status"]["partitions"] == 3       # sparse: Placed
    placed = [f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}" for i in range(120) if i % 4]
    assert (keys["by_status"]["sort_min"], keys["by_status"]["sort_max"]) == ({"S": min(placed)}, {"S": max(placed)})
    assert keys["by_coupon"] == {"items": 96, "partitions": 7, "sort_min": {"S": "K0"}, "sort_max": {"S": "K3"}}

    plan = {p: v for s, p, v in env.rows("EXPLAIN SELECT * FROM orders WHERE customer = 'c1'") if s != "DuckDB"}
    assert plan["estimated items read"] == "17.1"
    assert "ANALYZE statistics" in plan["estimate basis"]
    plan = {p: v for s, p, v in env.rows("EXPLAIN SELECT * FROM orders WHERE customer = 'c1' "
                                         "AND order_no BETWEEN 0 AND 59") if s != "DuckDB"}
    assert float(plan["estimated items read"]) == pytest.approx(120 / 7 * 59 / 119, abs=0.1)
    # the statistics survive the connection: they are in the metastore
    env.conn.close()
    from support.ddb_env import open_connection
    conn = open_connection(env.backend, env.tmp)
    try:
        cursor = conn.cursor()
        cursor.execute("EXPLAIN SELECT * FROM orders WHERE customer = 'c1'")
        assert ("estimated items read", "17.1") in [(p, v) for _, p, v in cursor.fetchall()]
    finally:
        conn.close()


def test_noscan_and_other_tables(env, unique_table_name):
    create_orders(env, unique_table_name)
    requests = Requests(env.conn)
    _, cursor = env.run("ANALYZE TABLE orders COMPUTE STATISTICS NOSCAN")
    assert requests.operations() == {}
    assert "(DescribeTable; NOSCAN)" in cursor.messages[0]
    _, cursor = env.run("ANALYZE TABLE customers COMPUTE STATISTICS")
    assert cursor.messages == ["Table default.customers stats: [numRows=3]"]
    assert properties(env, "customers")["numrows"] == "3"


def test_analyzed_range_query_estimate_matches_dynamodb_local(env, unique_table_name):
    """With statistics, a Query's estimate tracks what DynamoDB Local charges."""
    if env.backend.name != "dynamodb-local":
        pytest.skip("moto does not charge reads like DynamoDB")
    client = env.client()
    client.create_table(TableName=unique_table_name, BillingMode="PAY_PER_REQUEST",
                        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                                   {"AttributeName": "sk", "KeyType": "RANGE"}],
                        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                              {"AttributeName": "sk", "AttributeType": "N"}])
    client.get_waiter("table_exists").wait(TableName=unique_table_name, WaiterConfig={"Delay": 0.2})
    env.put_items(unique_table_name, [{"pk": {"S": f"p{i % 10}"}, "sk": {"N": str(i)}, "pad": {"S": "x" * 900}}
                                      for i in range(2000)])
    env.run(f"""CREATE EXTERNAL TABLE big (pk string, sk bigint, pad string)
                STORED BY 'org.apache.hadoop.hive.dynamodb.DynamoDBStorageHandler'
                TBLPROPERTIES ("dynamodb.table.name" = "{unique_table_name}",
                               "dynamodb.column.mapping" = "pk:pk,sk:sk,pad:pad")""")
    env.run("ANALYZE TABLE big COMPUTE STATISTICS")
    for sql in ("SELECT * FROM big WHERE pk = 'p3'", "SELECT * FROM big WHERE pk = 'p3' AND sk BETWEEN 500 AND 999",
                "SELECT * FROM big WHERE pk = 'p3' AND sk >= 1500"):
        plan = analyze(env, sql)
        assert plan["operation"] == "Query"
        assert 0.8 <= float(plan["estimated / measured RCU"]) <= 1.2, (sql, plan)
