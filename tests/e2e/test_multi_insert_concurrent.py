"""Multi-insert writes its targets at the same time, each under its own table's budget.

Two provisioned DynamoDB Local tables in two regions, 20 WCU each at percent 1: each
target alone takes a few seconds at 20 WCU/s; written one after the other they would take
the sum, written concurrently about the longer of the two.
"""
from __future__ import annotations

import re
import time

import pytest


pytestmark = pytest.mark.e2e

HANDLER = "'org.apache.hadoop.hive.dynamodb.DynamoDBStorageHandler'"
ROWS = 100
WCU = 20


def provisioned(env, name: str, region: str) -> None:
    client = env.client(region)
    client.create_table(TableName=name, KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                        ProvisionedThroughput={"ReadCapacityUnits": 100, "WriteCapacityUnits": WCU})
    client.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 100})


def test_targets_in_two_regions_are_written_concurrently(local_env, unique_table_name):
    env = local_env
    east, west = unique_table_name("east"), unique_table_name("west")
    provisioned(env, east, "us-east-1")
    provisioned(env, west, "eu-west-1")
    for hive, name, region in (("e", east, "us-east-1"), ("w", west, "eu-west-1")):
        env.run(f"""CREATE EXTERNAL TABLE {hive} (id string, n bigint) STORED BY {HANDLER}
                    TBLPROPERTIES ("dynamodb.table.name" = "{name}", "dynamodb.region" = "{region}",
                                   "dynamodb.column.mapping" = "id:id,n:n")""")
    env.script(f"""CREATE TABLE src (id string, n bigint);
                   INSERT INTO TABLE src SELECT concat('k', cast(i AS string)), i
                   FROM (SELECT explode(sequence(1, {ROWS})) AS i) t;
                   SET dynamodb.throughput.write.percent = 1.0;""")
    started = time.monotonic()
    _, cursor = env.run("FROM src INSERT INTO TABLE e SELECT id, n INSERT INTO TABLE w SELECT id, n * 10")
    elapsed = time.monotonic() - started
    assert cursor.rowcount == 2 * ROWS
    each = [float(x) for x in re.findall(r"Write capacity: [\d,]+ WCU in ([\d.]+) s", " ".join(cursor.messages))]
    assert len(each) == 2
    # each target is paced by its own 20 WCU/s budget (one second of burst at the start) ...
    assert all(each_s >= (ROWS - WCU) / WCU * 0.8 for each_s in each), each
    # ... and the two ran side by side: the statement took about the longer, not the sum
    assert max(each) - 0.1 <= elapsed < 0.75 * sum(each), (elapsed, each)   # reports round to 0.1 s
    got_east = {i["id"]["S"]: int(i["n"]["N"]) for i in env.scan_items(east, region="us-east-1")}
    got_west = {i["id"]["S"]: int(i["n"]["N"]) for i in env.scan_items(west, region="eu-west-1")}
    assert got_east == {f"k{i}": i for i in range(1, ROWS + 1)}
    assert got_west == {f"k{i}": 10 * i for i in range(1, ROWS + 1)}
    assert [m for m in cursor.messages if m.startswith("Loaded")] == [
        f"Loaded {ROWS} row(s) into default.e (DynamoDB table {east}, us-east-1) from {ROWS} input row(s)",
        f"Loaded {ROWS} row(s) into default.w (DynamoDB table {west}, eu-west-1) from {ROWS} input row(s)"]


def test_a_failing_target_does_not_stop_the_others(local_env, unique_table_name):
    """A target whose rows cannot be encoded as its table needs fails; the other finishes,
    and the error names both."""
    env = local_env
    good, bad = unique_table_name("good"), unique_table_name("bad")
    env.create_ddb_table(good)
    env.create_ddb_table(bad)
    env.run(f"""CREATE EXTERNAL TABLE g (id string, n bigint) STORED BY {HANDLER}
                TBLPROPERTIES ("dynamodb.table.name" = "{good}", "dynamodb.column.mapping" = "id:id,n:n")""")
    env.run(f"""CREATE EXTERNAL TABLE b (id string, n bigint) STORED BY {HANDLER}
                TBLPROPERTIES ("dynamodb.table.name" = "{bad}", "dynamodb.column.mapping" = "id:id,n:n")""")
    env.script("CREATE TABLE src (id string, n bigint); INSERT INTO TABLE src VALUES ('a', 1), ('b', 2);")
    env.client().delete_table(TableName=bad)       # gone after ddbsql described it: the write fails
    env.run("SET ddbsql.retry.max.seconds=2")
    with pytest.raises(Exception) as info:
        env.run("FROM src INSERT INTO TABLE b SELECT id, n INSERT INTO TABLE g SELECT id, n")
    message = str(info.value)
    assert message.count("\n") == 0
    assert "default.b:" in message and "Loaded 2 row(s) into default.g" in message
    assert len(env.scan_items(good)) == 2
