"""The "item unchanged" condition of UPDATE/DELETE/MERGE covers every column read, compared
as DynamoDB returned the attribute: 38-digit numbers, lists, maps, texts of times, and
attributes that were missing.  Real endpoints; the concurrent writer runs through the
counting proxy in front of DynamoDB Local."""
from __future__ import annotations

from decimal import Context, Decimal

import pytest
from support.concurrent_writer import writer_between_read_and_update

pytestmark = pytest.mark.e2e

HANDLER = "'org.apache.hadoop.hive.dynamodb.DynamoDBStorageHandler'"
#: 38 significant digits: a double column reads it rounded, the condition must not
LONG = "0.12345678901234567890123456789012345678"
BIG = "1234567890123456789012345678901234.5678"
WIDE = Context(prec=60)


def state(env, name: str) -> dict[str, dict]:
    return {i["id"]["S"]: i for i in env.scan_items(name)}


def test_items_read_as_stored_are_changed_without_a_false_conflict(env, unique_table_name):
    """Values whose converted form differs from their stored form (38-digit N in a double
    column, a timestamp text with a zone, a map, a list, a missing attribute) pass the
    condition: it compares what DynamoDB returned."""
    env.create_ddb_table(unique_table_name, ("id", "S"))
    env.put_items(unique_table_name, [
        {"id": {"S": "a"}, "d": {"N": LONG}, "dec": {"N": BIG}, "ts": {"S": "2024-05-01T12:30:00Z"},
         "m": {"M": {"x": {"N": "1.50"}, "y": {"N": LONG}}}, "l": {"L": [{"N": LONG}, {"N": "2"}]}},
        {"id": {"S": "b"}, "d": {"N": "1E+2"}}])
    env.run(f"""CREATE EXTERNAL TABLE t (id string, d double, dec decimal(38,4), ts timestamp,
                m map<string,double>, l array<double>, note string) STORED BY {HANDLER}
                TBLPROPERTIES ("dynamodb.table.name" = "{unique_table_name}")""")
    _, cursor = env.run("UPDATE t SET note = concat(cast(d AS string), '/', cast(size(m) AS string)) "
                        "WHERE d > 0 AND (dec IS NULL OR dec > 0) AND (ts IS NULL OR year(ts) = 2024) "
                        "AND (l IS NULL OR size(l) = 2)")
    report = cursor.write_reports[0]
    assert cursor.rowcount == 2 and report["conflicts"] == 0 and report["conflicts_reported"] == 0
    after = state(env, unique_table_name)
    assert after["a"]["d"] == {"N": LONG} and after["a"]["dec"] == {"N": BIG}   # untouched, not rewritten
    assert after["a"]["note"]["S"].endswith("/2") and after["b"]["note"] == {"S": "100.0/-1"}
    _, cursor = env.run("DELETE FROM t WHERE m['x'] = 1.5 AND ts IS NOT NULL")
    assert cursor.rowcount == 1 and cursor.write_reports[0]["conflicts"] == 0
    assert sorted(state(env, unique_table_name)) == ["b"]


CASES = {
    # column type, stored value of item i, the UPDATE, the other writer, the final value of item i
    "double": ("double", lambda i: {"N": f"{i}.5"}, "UPDATE t SET v = v + 1 WHERE id LIKE 'k%'",
               {"UpdateExpression": "SET v = v + :d", "ExpressionAttributeValues": {":d": {"N": "1000"}}},
               lambda i: {"N": f"{i + 1001}.5"}),
    "decimal": ("decimal(38,4)", lambda i: {"N": str(WIDE.add(Decimal(BIG), i))}, "UPDATE t SET v = v + 1 WHERE id LIKE 'k%'",
                {"UpdateExpression": "SET v = v + :d", "ExpressionAttributeValues": {":d": {"N": "1000"}}},
                lambda i: {"N": str(WIDE.add(Decimal(BIG), i + 1001))}),
    "map": ("map<string,bigint>", lambda i: {"M": {"a": {"N": str(i)}}},
            "UPDATE t SET v = map('a', v['a'] + 1) WHERE id LIKE 'k%'",
            {"UpdateExpression": "SET v.a = v.a + :d", "ExpressionAttributeValues": {":d": {"N": "1000"}}},
            lambda i: {"M": {"a": {"N": str(i + 1001)}}}),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_concurrent_change_of_a_non_integer_column_is_not_lost(proxied_env, unique_table_name, case):
    """Another writer adds 1000 while UPDATE adds 1: every item ends at +1001, for double,
    38-digit decimal and map columns (each conflicting item is read again and re-evaluated)."""
    hive_type, stored, update, change, final = CASES[case]
    proxy, env = proxied_env
    env.create_ddb_table(unique_table_name, ("id", "S"))
    keys = [f"k{i:02d}" for i in range(12)]
    env.put_items(unique_table_name, [{"id": {"S": k}, "v": stored(i)} for i, k in enumerate(keys)])
    env.run(f"""CREATE EXTERNAL TABLE t (id string, v {hive_type}) STORED BY {HANDLER}
                TBLPROPERTIES ("dynamodb.table.name" = "{unique_table_name}")""")
    env.run("SET ddbsql.write.workers=1")
    thread = writer_between_read_and_update(proxy, env.backend.client(), unique_table_name, keys, change)
    _, cursor = env.run(update)
    thread.join()
    after = state(env, unique_table_name)
    assert {k: after[k]["v"] for k in keys} == {k: final(i) for i, k in enumerate(keys)}
    report = cursor.write_reports[0]
    assert report["conflicts"] >= 1 and report["conflicts_reported"] == 0 and report["updated"] == len(keys)


def test_an_attribute_added_mid_update_is_seen(proxied_env, unique_table_name):
    """UPDATE … WHERE v IS NULL read items without v; another writer adds v before the
    changes land: attribute_not_exists fails, the items are read again and no longer match."""
    proxy, env = proxied_env
    env.create_ddb_table(unique_table_name, ("id", "S"))
    keys = [f"k{i}" for i in range(5)]
    env.put_items(unique_table_name, [{"id": {"S": k}} for k in keys])
    env.run(f"""CREATE EXTERNAL TABLE t (id string, v double, note string) STORED BY {HANDLER}
                TBLPROPERTIES ("dynamodb.table.name" = "{unique_table_name}")""")
    env.run("SET ddbsql.write.workers=1")
    thread = writer_between_read_and_update(proxy, env.backend.client(), unique_table_name, keys,
                           {"UpdateExpression": "SET v = :v", "ExpressionAttributeValues": {":v": {"N": "5"}}})
    _, cursor = env.run("UPDATE t SET note = 'no v' WHERE v IS NULL")
    thread.join()
    assert all("note" not in item for item in state(env, unique_table_name).values())
    assert cursor.rowcount == 0 and cursor.write_reports[0]["conflicts"] == len(keys)
