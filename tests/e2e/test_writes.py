"""INSERT into DynamoDB tables: every row written or rejected with a reason, across regions."""
from __future__ import annotations

import json

import pytest

import ddbsql

pytestmark = pytest.mark.e2e

HANDLER = "'org.apache.hadoop.hive.dynamodb.DynamoDBStorageHandler'"


def ddb_table(env, hive_name: str, ddb_name: str, columns: str, mapping: str, *, hash_key=("id", "S"),
              range_key=None, region: str = "us-east-1") -> None:
    env.create_ddb_table(ddb_name, hash_key, range_key, region=region)
    env.run(f"""CREATE EXTERNAL TABLE {hive_name} ({columns}) STORED BY {HANDLER}
                TBLPROPERTIES ("dynamodb.table.name" = "{ddb_name}", "dynamodb.region" = "{region}",
                               "dynamodb.column.mapping" = "{mapping}")""")


def test_insert_select_writes_typed_items(env, unique_table_name):
    ddb_table(env, "dst", unique_table_name, "id string, n bigint, price decimal(38,4), ok boolean, tags array<string>,"
              " props map<string,bigint>", "id:Id,n:N,price:Price,ok:Ok,tags:Tags,props:Props", hash_key=("Id", "S"))
    env.script("""
        CREATE TABLE src (id string, n string, price string, ok boolean);
        INSERT INTO TABLE src VALUES ('a', '1', '12345678901234567890123456789012.3456', true),
                                     ('b', 'not a number', '0.5', false), ('c', NULL, NULL, NULL);
    """)
    _, cursor = env.run("INSERT OVERWRITE TABLE dst SELECT id, n, price, ok, array('x', id), map('k', 7) FROM src")
    assert cursor.rowcount == 3
    items = {i["Id"]["S"]: i for i in env.scan_items(unique_table_name)}
    assert items["a"] == {"Id": {"S": "a"}, "N": {"N": "1"}, "Price": {"N": "12345678901234567890123456789012.3456"},
                          "Ok": {"BOOL": True}, "Tags": {"L": [{"S": "x"}, {"S": "a"}]},
                          "Props": {"M": {"k": {"N": "7"}}}}
    assert "N" not in items["b"]          # Hive: a string that is not a number casts to NULL
    assert set(items["c"]) == {"Id", "Tags", "Props"}   # NULLs are not written (null.serialization off)


def test_rows_that_cannot_be_written_go_to_the_reject_file(env, unique_table_name):
    ddb_table(env, "dst", unique_table_name, "id string, body string", "id:id,body:body")
    env.script("""
        CREATE TABLE src (id string, body string);
        INSERT INTO TABLE src VALUES ('ok1', 'x'), (NULL, 'no key'), ('', 'empty key'), ('big', repeat('z', 410000)),
                                     ('ok2', 'y');
    """)
    _, cursor = env.run("INSERT INTO TABLE dst SELECT id, body FROM src")
    assert cursor.rowcount == 2
    assert sorted(i["id"]["S"] for i in env.scan_items(unique_table_name)) == ["ok1", "ok2"]
    summary = " ".join(cursor.messages)
    assert "from 5 input row(s)" in summary and "3 row(s) rejected" in summary
    path = summary.split("reasons in ")[1].split()[0]
    rejects = [json.loads(line) for line in open(path, encoding="utf-8")]
    reasons = sorted(r["reason"] for r in rejects)
    assert len(rejects) == 3
    assert any("missing key attribute 'id'" in r for r in reasons)
    assert any("empty" in r for r in reasons)
    assert any("400 KB" in r for r in reasons)
    assert all(r["table"] == "default.dst" and r["statement"].startswith("INSERT INTO TABLE dst") for r in rejects)
    # the DB-API has the same numbers as data
    report, = cursor.write_reports
    assert (report["table"], report["dynamodb_table"], report["mode"]) == ("default.dst", unique_table_name, "put")
    assert (report["rows_in"], report["written"], report["rejected"], report["skipped"]) == (5, 2, 3, 0)
    assert report["reject_path"] == path and report["consumed_wcu"] >= 2 and report["elapsed_seconds"] > 0
    assert report["budget_wcu_per_second"] > 0


def test_duplicate_keys_in_one_statement_last_row_wins(env, unique_table_name):
    ddb_table(env, "dst", unique_table_name, "id string, v bigint", "id:id,v:v")
    env.script("CREATE TABLE src (id string, v bigint, seq int);"
               "INSERT INTO TABLE src VALUES ('a', 1, 1), ('b', 2, 2), ('a', 3, 3);")
    _, cursor = env.run("INSERT INTO TABLE dst SELECT id, v FROM src ORDER BY seq")
    items = {i["id"]["S"]: int(i["v"]["N"]) for i in env.scan_items(unique_table_name)}
    assert items == {"a": 3, "b": 2}
    assert any("repeated a key" in m for m in cursor.messages)


def test_insert_overwrite_upserts_like_emr(env, unique_table_name):
    ddb_table(env, "dst", unique_table_name, "id string, v bigint", "id:id,v:v")
    env.put_items(unique_table_name, [{"id": {"S": "old"}, "v": {"N": "1"}}, {"id": {"S": "a"}, "v": {"N": "1"}}])
    env.run("INSERT OVERWRITE TABLE dst SELECT 'a', 2")
    items = {i["id"]["S"]: int(i["v"]["N"]) for i in env.scan_items(unique_table_name)}
    assert items == {"old": 1, "a": 2}


def test_many_rows_copy_between_tables(env, unique_table_name):
    src, dst = unique_table_name("src"), unique_table_name("dst")
    ddb_table(env, "s", src, "id string, n bigint", "id:id,n:n")
    ddb_table(env, "d", dst, "id string, n bigint", "id:id,n:n")
    env.put_items(src, [{"id": {"S": f"k{i}"}, "n": {"N": str(i)}} for i in range(600)])
    _, cursor = env.run("INSERT INTO TABLE d SELECT id, n * 2 FROM s")
    assert cursor.rowcount == 600
    assert env.rows("SELECT count(*), sum(n) FROM d") == [(600, 2 * sum(range(600)))]


def test_multi_insert_across_regions(env, unique_table_name):
    src, west, east = unique_table_name("src"), unique_table_name("west"), unique_table_name("east")
    ddb_table(env, "eu", src, "uuid_hash string, day string, name string, value string",
              "uuid_hash:uuid_hash,day:day,name:name,value:value", hash_key=("uuid_hash", "S"), region="eu-west-1")
    ddb_table(env, "usw", west, "uuid_hash string, day string, name string, value string",
              "uuid_hash:uuid_hash,day:day,name:name,value:value", hash_key=("uuid_hash", "S"), region="us-west-2")
    ddb_table(env, "use", east, "uuid_hash string, day string, name string, value string",
              "uuid_hash:uuid_hash,day:day,name:name,value:value", hash_key=("uuid_hash", "S"), region="us-east-1")
    env.put_items(src, [{"uuid_hash": {"S": f"u{i}"}, "day": {"S": f"2016-0{1 + i % 3}"}, "name": {"S": "n"},
                         "value": {"S": str(i)}} for i in range(60)], region="eu-west-1")
    _, cursor = env.run("FROM eu INSERT INTO use SELECT * INSERT INTO usw SELECT * WHERE day = '2016-01'")
    assert cursor.rowcount == 60 + 20
    assert sorted((r["table"], r["region"], r["rows_in"], r["written"]) for r in cursor.write_reports) == [
        ("default.use", "us-east-1", 60, 60), ("default.usw", "us-west-2", 20, 20)]
    assert len(env.scan_items(east, region="us-east-1")) == 60
    assert len(env.scan_items(west, region="us-west-2")) == 20


def test_column_count_mismatch_names_the_target(env, unique_table_name):
    ddb_table(env, "dst", unique_table_name, "id string, v bigint", "id:id,v:v")
    with pytest.raises(ddbsql.ProgrammingError) as info:
        env.run("INSERT INTO TABLE dst\nSELECT 'a'")
    message = str(info.value)
    assert "produces 1 column(s) but 2 are expected" in message
    assert "line 1, column 19" in message


def test_fractions_into_integer_columns_truncate_like_hive(env, unique_table_name):
    ddb_table(env, "dst", unique_table_name, "id string, n bigint, m int", "id:id,n:n,m:m")
    env.run("INSERT INTO TABLE dst SELECT 'a', 4.7, CAST(-4.7 AS double)")
    assert env.scan_items(unique_table_name) == [{"id": {"S": "a"}, "n": {"N": "4"}, "m": {"N": "-4"}}]


def test_insert_column_list_fills_the_rest_with_null(env, unique_table_name):
    ddb_table(env, "dst", unique_table_name, "id string, a string, b string", "id:id,a:a,b:b")
    env.run("INSERT INTO TABLE dst (b, id) SELECT 'B', 'k'")
    assert env.scan_items(unique_table_name) == [{"id": {"S": "k"}, "b": {"S": "B"}}]
