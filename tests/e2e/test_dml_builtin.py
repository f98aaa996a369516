"""UPDATE, DELETE and MERGE on tables of the built-in dynamodb database (no DDL)."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e


def test_dml_on_a_table_without_ddl(env, unique_table_name):
    env.create_ddb_table(unique_table_name, ("id", "S"))
    env.put_items(unique_table_name, [{"id": {"S": f"k{i}"}, "n": {"N": str(i)}} for i in range(6)])
    name = f"dynamodb.`{unique_table_name}`"
    _, cursor = env.run(f"UPDATE {name} SET n = n * 10 WHERE id = 'k2'")
    assert cursor.rowcount == 1
    _, cursor = env.run(f"DELETE FROM {name} WHERE n < 2")
    assert cursor.rowcount == 2
    env.script("CREATE TABLE src (id string, n bigint); INSERT INTO src VALUES ('k3', 33), ('new', 7)")
    _, cursor = env.run(f"MERGE INTO {name} t USING src s ON t.id = s.id WHEN MATCHED THEN UPDATE SET n = s.n "
                        "WHEN NOT MATCHED THEN INSERT VALUES (s.id, s.n, NULL)")   # id, n and the item column
    assert cursor.rowcount == 2
    items = {i["id"]["S"]: i["n"]["N"] for i in env.scan_items(unique_table_name)}
    assert items == {"k2": "20", "k3": "33", "k4": "4", "k5": "5", "new": "7"}
