"""ddbsql.read.skip.expired on a real endpoint: items whose TTL has passed are dropped, items
whose TTL value is not a number are kept and counted, EXPLAIN ANALYZE counts both.

moto keeps expired items (as DynamoDB does for a while), so the skipping is shown there;
DynamoDB Local deletes them within a second, so there only what it keeps is checked."""
from __future__ import annotations

import time

import pytest

pytestmark = pytest.mark.e2e

HANDLER = "'org.apache.hadoop.hive.dynamodb.DynamoDBStorageHandler'"


@pytest.fixture
def ttl_table(moto_env, unique_table_name):
    env = moto_env
    env.create_ddb_table(unique_table_name, ("id", "S"))
    env.client().update_time_to_live(TableName=unique_table_name,
                                     TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires"})
    now = int(time.time())
    items = [{"id": {"S": f"past{i}"}, "expires": {"N": str(now - 3600 - i)}} for i in range(7)]
    items += [{"id": {"S": f"future{i}"}, "expires": {"N": str(now + 86400 + i)}} for i in range(5)]
    items += [{"id": {"S": "none"}}, {"id": {"S": "text"}, "expires": {"S": "soon"}},
              {"id": {"S": "frac"}, "expires": {"N": f"{now - 10}.5"}}]
    env.put_items(unique_table_name, items)
    env.run(f"""CREATE EXTERNAL TABLE t (id string) STORED BY {HANDLER}
                TBLPROPERTIES ("dynamodb.table.name" = "{unique_table_name}")""")
    return unique_table_name


def test_default_reads_everything_as_emr(moto_env, ttl_table):
    env = moto_env
    assert env.rows("SELECT count(*) FROM t") == [(15,)]


def test_expired_items_are_skipped(moto_env, ttl_table):
    env = moto_env
    env.run("SET ddbsql.read.skip.expired=true")
    rows, cursor = env.run("SELECT id FROM t ORDER BY id")
    assert [r[0] for r in rows] == sorted([f"future{i}" for i in range(5)] + ["none", "text"])
    assert any("1 item(s) kept: their TTL attribute 'expires' is not a number" in m for m in cursor.messages)
    # a LIMIT counts only live items; key lookups are filtered too
    assert len(env.rows("SELECT id FROM t LIMIT 6")) == 6
    assert env.rows("SELECT id FROM t WHERE id = 'past1'") == []
    assert env.rows("SELECT id FROM t WHERE id = 'future1'") == [("future1",)]


def test_explain_analyze_counts_expired_and_wrong_typed(moto_env, ttl_table):
    env = moto_env
    env.run("SET ddbsql.read.skip.expired=true")
    rows = env.rows("EXPLAIN ANALYZE SELECT id FROM t")
    measured = {key: value for _, key, value in rows}
    assert measured["measured items expired (TTL, skipped)"] == "8"
    assert measured["measured TTL values not a number (kept)"] == "1"
    assert measured["expired items"] == "skipped (TTL attribute 'expires')"


def test_insert_select_copies_only_live_items(moto_env, ttl_table, unique_table_name):
    env = moto_env
    target = unique_table_name + "_copy"
    env.create_ddb_table(target, ("id", "S"))
    env.run(f"""CREATE EXTERNAL TABLE c (id string) STORED BY {HANDLER}
                TBLPROPERTIES ("dynamodb.table.name" = "{target}")""")
    env.run("SET ddbsql.read.skip.expired=true")
    _, cursor = env.run("INSERT INTO c SELECT id FROM t")
    assert cursor.rowcount == 7
    assert len(env.scan_items(target)) == 7


def test_a_table_without_ttl_reads_everything(env, unique_table_name):
    env.create_ddb_table(unique_table_name, ("id", "S"))
    env.put_items(unique_table_name, [{"id": {"S": "a"}, "expires": {"N": "1"}}])
    env.run(f"""CREATE EXTERNAL TABLE n (id string) STORED BY {HANDLER}
                TBLPROPERTIES ("dynamodb.table.name" = "{unique_table_name}")""")
    env.run("SET ddbsql.read.skip.expired=true")
    assert env.rows("SELECT id FROM n") == [("a",)]


def test_wrong_typed_ttl_values_are_kept_and_counted(env, unique_table_name):
    env.create_ddb_table(unique_table_name, ("id", "S"))
    env.client().update_time_to_live(TableName=unique_table_name,
                                     TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires"})
    env.put_items(unique_table_name, [{"id": {"S": "text"}, "expires": {"S": "1"}},
                                      {"id": {"S": "bool"}, "expires": {"BOOL": True}},
                                      {"id": {"S": "live"}, "expires": {"N": str(int(time.time()) + 86400)}}])
    env.run(f"""CREATE EXTERNAL TABLE w (id string, expires string) STORED BY {HANDLER}
                TBLPROPERTIES ("dynamodb.table.name" = "{unique_table_name}")""")
    env.run("SET ddbsql.read.skip.expired=true")
    rows, cursor = env.run("SELECT id FROM w ORDER BY id")
    assert rows == [("bool",), ("live",), ("text",)]
    assert any("2 item(s) kept: their TTL attribute 'expires' is not a number" in m for m in cursor.messages)
