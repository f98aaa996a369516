"""UPDATE, DELETE and MERGE on DynamoDB tables, on real endpoints: the requests sent (through
the counting proxy), exactly the rows an independent computation predicts, no lost update
under a concurrent writer, refusals."""
from __future__ import annotations

import threading
from decimal import Decimal

import pytest

import ddbsql
from support.concurrent_writer import writer_between_read_and_update

pytestmark = pytest.mark.e2e

HANDLER = "'org.apache.hadoop.hive.dynamodb.DynamoDBStorageHandler'"


def make(env, name: str, rows: int = 50, hive: str = "t") -> list[dict]:
    env.create_ddb_table(name, ("id", "S"))
    items = [{"id": {"S": f"k{i:03d}"}, "n": {"N": str(i)}, "grp": {"S": "even" if i % 2 == 0 else "odd"},
              "note": {"S": f"row {i}"}} for i in range(rows)]
    env.put_items(name, items)
    env.run(f"""CREATE EXTERNAL TABLE {hive} (id string, n bigint, grp string, note string) STORED BY {HANDLER}
                TBLPROPERTIES ("dynamodb.table.name" = "{name}")""")
    return items


def state(env, name: str) -> dict[str, dict]:
    return {i["id"]["S"]: i for i in env.scan_items(name)}


def test_update_by_key_sends_one_update_item_and_no_scan(proxied_env, unique_table_name):
    proxy, env = proxied_env
    make(env, unique_table_name, 20)
    scans_before = proxy.count("request", "Scan")
    _, cursor = env.run("UPDATE t SET n = n + 100, note = 'changed' WHERE id = 'k007'")
    assert cursor.rowcount == 1
    assert proxy.count("request", "UpdateItem") == 1
    assert proxy.count("request", "Scan") == scans_before
    item = state(env, unique_table_name)["k007"]
    assert item["n"] == {"N": "107"} and item["note"] == {"S": "changed"}


def test_set_based_update_and_delete_change_exactly_the_predicted_rows(env, unique_table_name):
    items = make(env, unique_table_name, 60)
    # independent computation of the expected table
    expected = {i["id"]["S"]: dict(i) for i in items}
    changed = 0
    for key, item in expected.items():
        n = int(item["n"]["N"])
        if item["grp"]["S"] == "odd" and n > 20:
            item["n"] = {"N": str(n * 2)}
            item.pop("note")
            changed += 1
    _, cursor = env.run("UPDATE t SET n = n * 2, note = NULL WHERE grp = 'odd' AND n > 20")
    assert cursor.rowcount == changed == 20
    assert state(env, unique_table_name) == expected
    for key in [k for k, i in expected.items() if int(i["n"]["N"]) % 3 == 0]:
        del expected[key]
    _, cursor = env.run("DELETE FROM t WHERE n % 3 = 0")
    assert cursor.rowcount == 60 - len(expected)
    assert state(env, unique_table_name) == expected
    report = cursor.write_reports[0]
    assert report["deleted"] == cursor.rowcount and report["conflicts"] == 0


def test_merge_applies_inserts_updates_and_deletes(env, unique_table_name):
    make(env, unique_table_name, 10)
    env.script("""
        CREATE TABLE changes (id string, n bigint, op string);
        INSERT INTO changes VALUES ('k001', 1001, 'u'), ('k002', 0, 'd'), ('k003', 1003, 'u'), ('k004', 0, 'd'),
                                   ('new1', 5, 'u'), ('new2', 6, 'd'), ('k009', 9, 'x');
    """)
    _, cursor = env.run("""
        MERGE INTO t USING changes c ON t.id = c.id
        WHEN MATCHED AND c.op = 'd' THEN DELETE
        WHEN MATCHED AND c.op = 'u' THEN UPDATE SET n = c.n, note = concat(t.note, ' merged')
        WHEN NOT MATCHED AND c.op <> 'd' THEN INSERT VALUES (c.id, c.n, 'new', NULL)""")
    after = state(env, unique_table_name)
    assert cursor.write_reports[0]["updated"] == 2 and cursor.write_reports[0]["deleted"] == 2
    assert cursor.write_reports[0]["inserted"] == 1
    assert sorted(after) == sorted([f"k{i:03d}" for i in range(10) if i not in (2, 4)] + ["new1"])
    assert after["k001"]["n"] == {"N": "1001"} and after["k001"]["note"] == {"S": "row 1 merged"}
    assert after["new1"] == {"id": {"S": "new1"}, "n": {"N": "5"}, "grp": {"S": "new"}}
    assert after["k009"]["n"] == {"N": "9"}


def test_a_concurrent_writer_mid_update_loses_nothing(proxied_env, unique_table_name):
    """Another writer adds 1000 to every item while UPDATE adds 1 to each: each item ends at
    n + 1001 (the update of a changed item is re-read and re-evaluated, not overwritten)."""
    proxy, env = proxied_env
    make(env, unique_table_name, 40)
    thread = writer_between_read_and_update(
        proxy, env.backend.client(), unique_table_name, [f"k{i:03d}" for i in range(40)],
        {"UpdateExpression": "SET n = n + :d", "ExpressionAttributeValues": {":d": {"N": "1000"}}})
    env.run("SET ddbsql.write.workers=1")
    _, cursor = env.run("UPDATE t SET n = n + 1 WHERE grp IN ('odd', 'even')")
    thread.join()
    assert {k: int(i["n"]["N"]) for k, i in state(env, unique_table_name).items()} == {
        f"k{i:03d}": i + 1001 for i in range(40)}
    report = cursor.write_reports[0]
    assert report["conflicts"] >= 1 and report["conflicts_reported"] == 0 and report["updated"] == 40


def test_refusals(env, unique_table_name):
    make(env, unique_table_name, 3)
    with pytest.raises(ddbsql.Error, match="'id' is a key column"):
        env.run("UPDATE t SET id = 'x' WHERE n = 1")
    with pytest.raises(ddbsql.Error, match="without WHERE would change every item"):
        env.run("DELETE FROM t")
    with pytest.raises(ddbsql.Error, match="MERGE ON must match the key"):
        env.run("MERGE INTO t USING t s ON t.n = s.n WHEN MATCHED THEN DELETE")
    with pytest.raises(ddbsql.Error, match="EXPLAIN ANALYZE"):
        env.run("EXPLAIN ANALYZE UPDATE t SET n = 1 WHERE id = 'k001'")
    assert len(env.scan_items(unique_table_name)) == 3
    env.run("SET ddbsql.scan.max.rcu=0.1")          # the scan guard decides: a full read costs more
    with pytest.raises(ddbsql.Error, match="ddbsql.scan.max.rcu"):
        env.run("DELETE FROM t")
    env.run("SET ddbsql.scan.max.rcu=0")
    env.run("SET ddbsql.dml.all.rows=true")
    _, cursor = env.run("DELETE FROM t")
    assert cursor.rowcount == 3 and env.scan_items(unique_table_name) == []


def test_explain_shows_reads_and_writes(env, unique_table_name):
    make(env, unique_table_name, 5)
    rows = env.rows("EXPLAIN UPDATE t SET n = 0 WHERE id IN ('k001', 'k002')")
    flat = {key: value for _, key, value in rows}
    assert flat["operation"].startswith("BatchGetItem")
    assert flat["estimated items changed"].startswith("2 ")
    assert flat["estimated WCU"].startswith("2 (1 per item") and "TableSizeBytes" in flat["estimated WCU"]
    assert "key exists and n unchanged" in flat["write requests"]
    assert "estimated RCU" in " ".join(flat) and "estimated time at the write budget" in flat
    assert [i["n"]["N"] for i in sorted(env.scan_items(unique_table_name), key=lambda i: i["id"]["S"])] == [
        "0", "1", "2", "3", "4"]                                  # EXPLAIN wrote nothing


def test_atomic_update_is_one_transaction(proxied_env, unique_table_name):
    proxy, env = proxied_env
    make(env, unique_table_name, 10)
    env.run("SET ddbsql.write.atomic=true")
    _, cursor = env.run("UPDATE t SET note = 'a' WHERE grp = 'odd'")
    assert cursor.rowcount == 5
    assert proxy.count("request", "TransactWriteItems") == 1 and proxy.count("request", "UpdateItem") == 0
    assert sorted(k for k, i in state(env, unique_table_name).items() if i.get("note") == {"S": "a"}) == [
        f"k{i:03d}" for i in range(1, 10, 2)]


def test_a_value_dynamodb_refuses_rejects_that_row_only(env, unique_table_name):
    make(env, unique_table_name, 4)
    _, cursor = env.run("UPDATE t SET note = CASE WHEN id = 'k001' THEN repeat('x', 410000) ELSE 'ok' END "
                        "WHERE id IN ('k000', 'k001', 'k002')")
    report = cursor.write_reports[0]
    assert cursor.rowcount == 2 and report["rejected"] == 1 and report["reject_path"]
    after = state(env, unique_table_name)
    assert after["k000"]["note"] == {"S": "ok"} and after["k002"]["note"] == {"S": "ok"}
    assert after["k001"]["note"] == {"S": "row 1"}
    assert any("1 row(s) rejected" in m for m in cursor.messages)


def test_dml_on_a_local_table_is_refused(env):
    env.script("CREATE TABLE loc (a int); INSERT INTO loc VALUES (1)")
    with pytest.raises(ddbsql.Error, match="works on DynamoDB tables"):
        env.run("DELETE FROM loc WHERE a = 1")


def test_progress_lines_while_items_change(local_env, unique_table_name):
    env = local_env
    make(env, unique_table_name, 300)
    env.run("SET dynamodb.throughput.write=100")
    env.run("SET dynamodb.throughput.write.percent=1.0")
    _, cursor = env.run("UPDATE t SET note = 'p' WHERE grp = 'odd'")
    assert cursor.rowcount == 150
    lines = [l for l in env.progress_lines if "item(s)" in l]
    assert lines and "of 150 item(s)" in lines[-1] and "of 100 WCU/s" in lines[-1]


@pytest.mark.parametrize("source", ["local", "dynamodb"])
def test_a_merge_conflict_is_re_evaluated(proxied_env, unique_table_name, source):
    """Another writer changes k000 and k001 while MERGE runs: the items are read again and
    the MERGE re-evaluated on them, never overwritten.  A DynamoDB source is read once (the
    re-evaluation uses the rows read), and the target at the source's keys."""
    proxy, env = proxied_env
    make(env, unique_table_name, 3)
    if source == "local":
        env.script("CREATE TABLE upd (id string, n bigint); INSERT INTO upd VALUES ('k000', 10), ('k001', 11)")
    else:
        env.create_ddb_table(unique_table_name + "_src", ("id", "S"))
        env.put_items(unique_table_name + "_src", [{"id": {"S": "k000"}, "n": {"N": "10"}},
                                                   {"id": {"S": "k001"}, "n": {"N": "11"}}])
        env.run(f"""CREATE EXTERNAL TABLE upd (id string, n bigint) STORED BY {HANDLER}
                    TBLPROPERTIES ("dynamodb.table.name" = "{unique_table_name}_src")""")
    scans_before = proxy.count("request", "Scan")
    client = env.backend.client()
    original = proxy.handle
    held = threading.Event()

    def handle(operation, body, forward):
        if operation == "UpdateItem" and not held.is_set():
            held.set()   # another writer changes k000 and k001 before the first update lands
            for key in ("k000", "k001"):
                client.update_item(TableName=unique_table_name, Key={"id": {"S": key}},
                                   UpdateExpression="SET n = :n", ExpressionAttributeValues={":n": {"N": "-5"}})
        return original(operation, body, forward)

    proxy.handle = handle
    env.run("SET ddbsql.write.workers=1")
    _, cursor = env.run("MERGE INTO t USING upd u ON t.id = u.id WHEN MATCHED THEN UPDATE SET n = t.n + u.n")
    scans = proxy.count("request", "Scan") - scans_before
    report = cursor.write_reports[0]
    after = {k: i["n"]["N"] for k, i in state(env, unique_table_name).items()}
    assert report["conflicts"] == 2
    assert report["updated"] == 2 and report["conflicts_reported"] == 0
    assert after == {"k000": "5", "k001": "6", "k002": "2"}
    assert any("2 re-read and re-evaluated" in m for m in cursor.messages)
    # the target is read at the source's keys (BatchGetItem), not scanned; a DynamoDB source
    # is scanned once, not again for the re-evaluation
    assert scans == (0 if source == "local" else 1)
    assert env.rows("SHOW TABLES") == [("t",), ("upd",)]     # nothing of the held source is left


def test_atomic_merge_deletes_and_inserts_together(env, unique_table_name):
    make(env, unique_table_name, 3)
    env.script("""CREATE TABLE src (id string, n bigint); INSERT INTO src VALUES ('k000', 1), ('new', 2);
                  SET ddbsql.write.atomic=true""")
    _, cursor = env.run("MERGE INTO t USING src s ON t.id = s.id WHEN MATCHED THEN DELETE "
                        "WHEN NOT MATCHED THEN INSERT VALUES (s.id, s.n, 'n', NULL)")
    assert cursor.rowcount == 2
    assert sorted(state(env, unique_table_name)) == ["k001", "k002", "new"]


def test_explain_merge_reads_the_target_at_the_source_keys(env, unique_table_name):
    make(env, unique_table_name, 5)
    env.script("CREATE TABLE src (id string, n bigint); INSERT INTO src VALUES ('k001', 1), ('zzz', 2)")
    rows = env.rows("EXPLAIN MERGE INTO t USING src s ON t.id = s.id WHEN MATCHED THEN DELETE "
                    "WHEN NOT MATCHED THEN INSERT VALUES (s.id, s.n, NULL, NULL)")
    flat = {key: value for _, key, value in rows}
    assert flat["operation"].startswith("BatchGetItem") and "estimated WCU" in flat


def test_a_wrong_typed_value_read_as_null_does_not_block_the_change(env, unique_table_name):
    make(env, unique_table_name, 2)
    env.put_items(unique_table_name, [{"id": {"S": "odd1"}, "n": {"S": "not a number"}}])
    rows, cursor = env.run("UPDATE t SET note = 'fixed' WHERE n IS NULL")
    assert cursor.rowcount == 1 and cursor.write_reports[0]["conflicts"] == 0
    assert state(env, unique_table_name)["odd1"] == {"id": {"S": "odd1"}, "n": {"S": "not a number"},
                                                     "note": {"S": "fixed"}}
    assert any("t.n: 1 value(s) read as NULL" in m for m in cursor.messages)
