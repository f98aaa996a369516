"""SET ddbsql.write.atomic=true on a real endpoint: one TransactWriteItems per INSERT of at
most 100 items, all or nothing; more is refused before anything is written; cancellation
reasons become one line per failed item."""
from __future__ import annotations

import pytest

import ddbsql

pytestmark = pytest.mark.e2e

HANDLER = "'org.apache.hadoop.hive.dynamodb.DynamoDBStorageHandler'"


def make(env, name: str, hive: str = "t") -> None:
    env.create_ddb_table(name, ("id", "S"))
    env.run(f"""CREATE EXTERNAL TABLE {hive} (id string, n bigint) STORED BY {HANDLER}
                TBLPROPERTIES ("dynamodb.table.name" = "{name}")""")


def rows_sql(count: int, start: int = 0) -> str:
    return ", ".join(f"('k{i:03d}', {i})" for i in range(start, start + count))


def test_an_insert_of_100_rows_is_one_transaction(proxied_env, unique_table_name):
    proxy, env = proxied_env
    make(env, unique_table_name)
    env.run("SET ddbsql.write.atomic=true")
    _, cursor = env.run(f"INSERT INTO t VALUES {rows_sql(100)}")
    assert cursor.rowcount == 100
    assert proxy.count("request", "TransactWriteItems") == 1
    assert proxy.count("request", "BatchWriteItem") == 0 and proxy.count("request", "PutItem") == 0
    assert len(env.scan_items(unique_table_name)) == 100
    report = cursor.write_reports[0]
    assert report["written"] == 100 and report["consumed_wcu"] > 0


def test_more_than_100_items_are_refused_before_anything_is_written(proxied_env, unique_table_name):
    proxy, env = proxied_env
    make(env, unique_table_name)
    env.run("SET ddbsql.write.atomic=true")
    with pytest.raises(ddbsql.Error, match=r"more than 100 items .*nothing was written"):
        env.run(f"INSERT INTO t VALUES {rows_sql(101)}")
    assert proxy.count("request", "TransactWriteItems") == 0 and proxy.count("request", "BatchWriteItem") == 0
    assert env.scan_items(unique_table_name) == []


def test_a_failed_condition_cancels_everything_with_one_line_per_item(env, unique_table_name):
    make(env, unique_table_name)
    env.put_items(unique_table_name, [{"id": {"S": "k001"}, "n": {"N": "-1"}},
                                      {"id": {"S": "k003"}, "n": {"N": "-3"}}])
    env.script("SET ddbsql.write.atomic=true; SET ddbsql.write.mode=insert-if-absent")
    with pytest.raises(ddbsql.Error) as failure:
        env.run(f"INSERT INTO t VALUES {rows_sql(5)}")
    message = str(failure.value)
    assert "nothing was written" in message
    assert "Put of item id='k001'" in message and "Put of item id='k003'" in message
    assert message.count("the item already exists") == 2
    assert "k000" not in message
    items = {i["id"]["S"]: i["n"]["N"] for i in env.scan_items(unique_table_name)}
    assert items == {"k001": "-1", "k003": "-3"}          # all or nothing


def test_a_row_that_cannot_be_written_fails_the_whole_write(env, unique_table_name):
    make(env, unique_table_name)
    env.run("SET ddbsql.write.atomic=true")
    with pytest.raises(ddbsql.Error, match=r"1 row\(s\) cannot be written .*nothing was written"):
        env.run("INSERT INTO t VALUES ('a', 1), (NULL, 2), ('c', 3)")
    assert env.scan_items(unique_table_name) == []


def test_deletion_mode_and_repeated_keys(env, unique_table_name):
    make(env, unique_table_name)
    env.put_items(unique_table_name, [{"id": {"S": f"k{i:03d}"}} for i in range(4)])
    env.script("SET ddbsql.write.atomic=true; SET dynamodb.deletion.mode=true")
    _, cursor = env.run("INSERT INTO t VALUES ('k000', 0), ('k002', 0), ('k002', 1)")
    assert cursor.rowcount == 2
    assert sorted(i["id"]["S"] for i in env.scan_items(unique_table_name)) == ["k001", "k003"]


def test_replace_mode_is_refused(env, unique_table_name):
    make(env, unique_table_name)
    env.script("SET ddbsql.write.atomic=true; SET ddbsql.write.mode=replace")
    with pytest.raises(ddbsql.Error, match="cannot be combined with ddbsql.write.mode=replace"):
        env.run("INSERT OVERWRITE TABLE t VALUES ('a', 1)")


def two_targets(env, name: str, rows: int) -> None:
    """DynamoDB tables a and b, a local table l, and a local source of ``rows`` rows."""
    make(env, name + "_a", "a")
    make(env, name + "_b", "b")
    env.script(f"""CREATE TABLE l (id string, n bigint); CREATE TABLE src (id string, n bigint);
                   INSERT INTO src VALUES {rows_sql(rows)}""")


MULTI = ("FROM src INSERT INTO TABLE a SELECT id, n WHERE n % 2 = 0 INSERT INTO TABLE b SELECT id, n WHERE n % 2 = 1 "
         "INSERT INTO TABLE l SELECT id, n")


def test_a_multi_insert_into_two_dynamodb_tables_is_one_transaction(proxied_env, unique_table_name):
    proxy, env = proxied_env
    two_targets(env, unique_table_name, 100)
    env.run("SET ddbsql.write.atomic=true")
    _, cursor = env.run(MULTI)
    assert proxy.count("request", "TransactWriteItems") == 1
    assert proxy.count("request", "BatchWriteItem") == 0 and proxy.count("request", "PutItem") == 0
    assert len(env.scan_items(unique_table_name + "_a")) == 50 and len(env.scan_items(unique_table_name + "_b")) == 50
    assert cursor.rowcount == 200 and env.rows("SELECT count(*) FROM l") == [(100,)]
    assert [r["written"] for r in cursor.write_reports] == [50, 50]
    assert any("One transaction (ddbsql.write.atomic=true): 100 item(s) into default.a, default.b" in m
               for m in cursor.messages)


def test_a_multi_insert_over_100_items_in_all_is_refused_before_anything_is_written(proxied_env, unique_table_name):
    proxy, env = proxied_env
    two_targets(env, unique_table_name, 101)
    env.run("SET ddbsql.write.atomic=true")
    with pytest.raises(ddbsql.Error, match=r"writes 101 items in all \(default.a: 51, default.b: 50\).*nothing was "
                                           r"written"):
        env.run(MULTI)
    assert proxy.count("request", "TransactWriteItems") == 0 and proxy.count("request", "BatchWriteItem") == 0
    assert env.scan_items(unique_table_name + "_a") == [] and env.scan_items(unique_table_name + "_b") == []
    assert env.rows("SELECT count(*) FROM l") == [(0,)]


def test_a_failed_condition_in_one_target_writes_no_target(env, unique_table_name):
    two_targets(env, unique_table_name, 10)
    env.put_items(unique_table_name + "_b", [{"id": {"S": "k003"}, "n": {"N": "-3"}}])
    env.script("SET ddbsql.write.atomic=true; SET ddbsql.write.mode=insert-if-absent")
    with pytest.raises(ddbsql.Error, match=r"nothing was written.*Put of item id='k003'.*already exists"):
        env.run(MULTI)
    assert env.scan_items(unique_table_name + "_a") == []
    assert [i["id"]["S"] for i in env.scan_items(unique_table_name + "_b")] == ["k003"]


def test_targets_in_other_regions_are_refused(local_env, unique_table_name):
    """(DynamoDB Local, whose shared database answers in every region: the refusal is ddbsql's.)"""
    env = local_env
    two_targets(env, unique_table_name, 4)
    env.script("ALTER TABLE b SET TBLPROPERTIES ('dynamodb.region' = 'eu-west-1'); SET ddbsql.write.atomic=true")
    with pytest.raises(ddbsql.Error, match=r"one transaction covers tables of one account and region.*default.a in "
                                           r"us-east-1 as the session's credentials; default.b in eu-west-1.*nothing "
                                           r"was written"):
        env.run(MULTI)
    assert env.scan_items(unique_table_name + "_a") == []
