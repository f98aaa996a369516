"""Write modes against both backends: put, insert-if-absent, newer-wins, replace, and
EMR's dynamodb.deletion.mode."""
from __future__ import annotations

import json

import pytest

import ddbsql

pytestmark = pytest.mark.e2e

HANDLER = "'org.apache.hadoop.hive.dynamodb.DynamoDBStorageHandler'"


def ddb_table(env, hive_name: str, ddb_name: str, columns: str, mapping: str, *, extra: str = "") -> None:
    env.create_ddb_table(ddb_name)
    env.run(f"""CREATE EXTERNAL TABLE {hive_name} ({columns}) STORED BY {HANDLER}
                TBLPROPERTIES ("dynamodb.table.name" = "{ddb_name}", "dynamodb.column.mapping" = "{mapping}"{extra})""")


def values(env, name: str, attribute: str = "v") -> dict:
    return {i["id"]["S"]: (i[attribute].get("N") or i[attribute].get("S")) if attribute in i else None
            for i in env.scan_items(name)}


def test_plain_put_overwrites_items_by_default(env, unique_table_name):
    ddb_table(env, "dst", unique_table_name, "id string, v bigint, w string", "id:id,v:v,w:w")
    env.put_items(unique_table_name, [{"id": {"S": "a"}, "v": {"N": "1"}, "w": {"S": "old"}}])
    _, cursor = env.run("INSERT INTO TABLE dst SELECT 'a', 2, NULL")
    assert env.scan_items(unique_table_name) == [{"id": {"S": "a"}, "v": {"N": "2"}}]   # the whole item is replaced
    assert cursor.rowcount == 1
    # moto reports a new table's WarmThroughput; DynamoDB Local reports none: AWS's documented starting value
    assert any(m.startswith("Write capacity: ") and ("budget 2,000 WCU/s = 0.5 x 4,000 warm throughput (DescribeTable)" in m
                                                     or "budget 2,000 WCU/s = 0.5 x 4,000 new on-demand table throughput" in m)
               for m in cursor.messages)


def test_insert_if_absent_keeps_existing_items(env, unique_table_name):
    ddb_table(env, "dst", unique_table_name, "id string, v bigint", "id:id,v:v")
    env.put_items(unique_table_name, [{"id": {"S": "a"}, "v": {"N": "1"}}])
    env.run("SET ddbsql.write.mode=insert-if-absent")
    _, cursor = env.run("INSERT INTO TABLE dst SELECT * FROM (SELECT 'a', 2 UNION ALL SELECT 'b', 2 "
                        "UNION ALL SELECT 'c', 3) t")
    assert values(env, unique_table_name) == {"a": "1", "b": "2", "c": "3"}
    assert cursor.rowcount == 2
    summary = " ".join(cursor.messages)
    assert "Loaded 2 row(s)" in summary and "from 3 input row(s)" in summary
    assert "1 row(s) skipped by the write condition" in summary


def test_insert_if_absent_first_row_wins_within_a_statement(env, unique_table_name):
    ddb_table(env, "dst", unique_table_name, "id string, v bigint", "id:id,v:v",
              extra=', "ddbsql.write.mode" = "insert-if-absent"')
    env.script("CREATE TABLE src (id string, v bigint, seq int);"
               "INSERT INTO TABLE src VALUES ('a', 1, 1), ('a', 2, 2), ('a', 3, 3);")
    _, cursor = env.run("INSERT INTO TABLE dst SELECT id, v FROM src ORDER BY seq")
    assert values(env, unique_table_name) == {"a": "1"}
    assert "2 row(s) skipped" in " ".join(cursor.messages)


def test_newer_wins_compares_the_version_column(env, unique_table_name):
    ddb_table(env, "dst", unique_table_name, "id string, v string, ver bigint", "id:id,v:v,ver:Version")
    env.put_items(unique_table_name, [
        {"id": {"S": "older"}, "v": {"S": "kept"}, "Version": {"N": "5"}},
        {"id": {"S": "newer"}, "v": {"S": "replaced"}, "Version": {"N": "5"}},
        {"id": {"S": "unversioned"}, "v": {"S": "replaced"}},
        {"id": {"S": "same"}, "v": {"S": "kept"}, "Version": {"N": "5"}},
    ])
    env.run("SET ddbsql.write.mode=newer-wins")
    env.run("SET ddbsql.write.version.column=ver")
    env.script("""CREATE TABLE src (id string, v string, ver bigint);
        INSERT INTO TABLE src VALUES ('older', 'new', 3), ('newer', 'new', 9), ('unversioned', 'new', 1),
                                     ('same', 'new', 5), ('fresh', 'new', 1), ('noversion', 'new', NULL);""")
    _, cursor = env.run("INSERT INTO TABLE dst SELECT * FROM src")
    assert values(env, unique_table_name) == {"older": "kept", "newer": "new", "unversioned": "new",
                                              "same": "kept", "fresh": "new"}
    summary = " ".join(cursor.messages)
    assert cursor.rowcount == 3
    assert "2 row(s) skipped by the write condition" in summary and "1 row(s) rejected" in summary
    path = summary.split("reasons in ")[1].split()[0]
    [reject] = [json.loads(line) for line in open(path, encoding="utf-8")]
    assert reject["item"]["id"] == {"S": "noversion"} and "'Version' is NULL" in reject["reason"]


def test_newer_wins_needs_a_known_version_column(env, unique_table_name):
    ddb_table(env, "dst", unique_table_name, "id string, v bigint", "id:id,v:v")
    env.run("SET ddbsql.write.mode=newer-wins")
    with pytest.raises(ddbsql.Error, match="needs ddbsql.write.version.column"):
        env.run("INSERT INTO TABLE dst SELECT 'a', 1")
    env.run("SET ddbsql.write.version.column=nope")
    with pytest.raises(ddbsql.Error, match="'nope' is not a column of default.dst"):
        env.run("INSERT INTO TABLE dst SELECT 'a', 1")
    assert env.scan_items(unique_table_name) == []


def test_replace_makes_the_table_equal_to_the_result(env, unique_table_name):
    ddb_table(env, "dst", unique_table_name, "id string, v bigint", "id:id,v:v")
    env.put_items(unique_table_name, [{"id": {"S": f"old{i}"}, "v": {"N": "0"}} for i in range(40)]
                  + [{"id": {"S": "a"}, "v": {"N": "0"}}])
    env.run("SET ddbsql.write.mode=replace")
    _, cursor = env.run("INSERT OVERWRITE TABLE dst SELECT * FROM (SELECT 'a', 1 UNION ALL SELECT 'b', 2) t")
    assert values(env, unique_table_name) == {"a": "1", "b": "2"}
    assert cursor.rowcount == 2
    assert "deleted 40 stale item(s) not in the result" in " ".join(cursor.messages)


def test_replace_with_more_keys_than_memory_holds(moto_env, unique_table_name, monkeypatch, tmp_path):
    """Past the key set's memory limit the written keys move to a file; the result is the same."""
    import ddbsql.exec.keyset as keyset
    monkeypatch.setattr(keyset, "MEMORY_LIMIT", 50)
    made = []
    real_mkdtemp = keyset.tempfile.mkdtemp
    monkeypatch.setattr(keyset.tempfile, "mkdtemp",                           # to see the file come and go
                        lambda **kw: made.append(real_mkdtemp(**{**kw, "dir": str(tmp_path)})) or made[-1])
    env = moto_env
    ddb_table(env, "dst", unique_table_name, "id string, v bigint", "id:id,v:v")
    env.put_items(unique_table_name, [{"id": {"S": f"k{i}"}, "v": {"N": "0"}} for i in range(0, 600, 2)])
    env.run("SET ddbsql.write.mode=replace")
    _, cursor = env.run("INSERT OVERWRITE TABLE dst SELECT concat('k', cast(i AS string)), i "
                        "FROM (SELECT explode(sequence(0, 399)) AS i) t")
    assert values(env, unique_table_name) == {f"k{i}": str(i) for i in range(400)}
    assert "deleted 100 stale item(s) not in the result" in " ".join(cursor.messages)
    assert len(made) == 1 and not any(p.name.startswith("ddbsql-keys-") for p in tmp_path.iterdir())


def test_replace_with_insert_into_is_a_plain_put(env, unique_table_name):
    ddb_table(env, "dst", unique_table_name, "id string, v bigint", "id:id,v:v",
              extra=', "ddbsql.write.mode" = "replace"')
    env.put_items(unique_table_name, [{"id": {"S": "old"}, "v": {"N": "0"}}])
    env.run("INSERT INTO TABLE dst SELECT 'a', 1")
    assert values(env, unique_table_name) == {"old": "0", "a": "1"}


def test_replace_never_empties_the_table_when_the_query_fails(env, unique_table_name):
    ddb_table(env, "dst", unique_table_name, "id string, v bigint", "id:id,v:v")
    env.put_items(unique_table_name, [{"id": {"S": f"old{i}"}, "v": {"N": "0"}} for i in range(30)])
    env.run("SET ddbsql.write.mode=replace")
    with pytest.raises(ddbsql.Error, match="Assertion failed"):
        env.run("INSERT OVERWRITE TABLE dst SELECT concat('new', cast(i AS string)), "
                "if(i < 5000, i, assert_true(false)) FROM (SELECT explode(sequence(1, 6000)) AS i) t")
    remaining = values(env, unique_table_name)
    assert all(f"old{i}" in remaining for i in range(30))


def test_replace_keeps_the_items_of_rejected_rows(env, unique_table_name):
    ddb_table(env, "dst", unique_table_name, "id string, body string", "id:id,body:body")
    env.put_items(unique_table_name, [{"id": {"S": "big"}, "body": {"S": "small"}},
                                      {"id": {"S": "stale"}, "body": {"S": "x"}}])
    env.run("SET ddbsql.write.mode=replace")
    _, cursor = env.run("INSERT OVERWRITE TABLE dst SELECT * FROM (SELECT 'big', repeat('z', 410000) "
                        "UNION ALL SELECT 'ok', 'y') t")
    assert values(env, unique_table_name, "body") == {"big": "small", "ok": "y"}
    summary = " ".join(cursor.messages)
    assert "1 row(s) rejected" in summary and "deleted 1 stale item(s)" in summary


def test_emr_deletion_mode_deletes_the_rows_keys(env, unique_table_name):
    ddb_table(env, "dst", unique_table_name, "id string, v bigint", "id:id,v:v")
    env.put_items(unique_table_name, [{"id": {"S": k}, "v": {"N": "1"}} for k in ("a", "b", "c", "d")])
    env.run("SET dynamodb.deletion.mode=true")
    _, cursor = env.run("INSERT OVERWRITE TABLE dst SELECT * FROM (SELECT 'a', NULL UNION ALL SELECT 'c', NULL "
                        "UNION ALL SELECT 'zz', NULL) t")
    assert values(env, unique_table_name) == {"b": "1", "d": "1"}
    assert cursor.rowcount == 3
    assert "Deleted 3 item(s) from default.dst" in " ".join(cursor.messages)
    env.run("SET ddbsql.write.mode=insert-if-absent")
    with pytest.raises(ddbsql.Error, match="cannot be combined"):
        env.run("INSERT INTO TABLE dst SELECT 'b', 1")


def test_table_property_mode_wins_over_set(env, unique_table_name):
    ddb_table(env, "dst", unique_table_name, "id string, v bigint", "id:id,v:v",
              extra=', "ddbsql.write.mode" = "put"')
    env.put_items(unique_table_name, [{"id": {"S": "a"}, "v": {"N": "1"}}])
    env.run("SET ddbsql.write.mode=insert-if-absent")
    env.run("INSERT INTO TABLE dst SELECT 'a', 2")
    assert values(env, unique_table_name) == {"a": "2"}


def test_bad_mode_is_refused_at_the_set(env):
    with pytest.raises(ddbsql.Error, match="must be one of put, insert-if-absent, newer-wins, replace"):
        env.run("SET ddbsql.write.mode=upsert")
