"""planner.dml: the finding SELECT, read/set columns and refusals of UPDATE, DELETE, MERGE."""
import pytest
import sqlglot

from ddbsql.catalog.binding import ColumnBinding
from ddbsql.errors import SemanticError
from ddbsql.planner.dml import DmlKind, plan_delete, plan_merge, plan_update
from ddbsql.types import parse_hive_type

B = [ColumnBinding("id", parse_hive_type("string"), "Id", "S"),
     ColumnBinding("day", parse_hive_type("bigint"), "Day", "N"),
     ColumnBinding("n", parse_hive_type("bigint"), "n", "N"),
     ColumnBinding("note", parse_hive_type("string"), "note", "S"),
     ColumnBinding("tags", parse_hive_type("array<string>"), "tags", "L")]
KEYS = ("Id", "Day")


def parse(sql):
    return sqlglot.parse_one(sql, read="hive")


def test_update_reads_set_and_where_columns_and_sets_values():
    plan = plan_update(parse("UPDATE t SET n = n + 1, tags = array('x') WHERE note = 'a' AND id = 'k'"), B, KEYS, "t")
    assert plan.kind is DmlKind.UPDATE and plan.has_where
    assert [b.name for b in plan.keys] == ["id", "day"]
    assert [b.name for b in plan.read] == ["n", "note", "tags"]   # every column read or set but the keys
    assert [b.name for b in plan.sets] == ["n", "tags"]
    assert plan.select.sql(dialect="hive") == (
        "SELECT __ddbsql_raw_id AS __k0, __ddbsql_raw_day AS __k1, __ddbsql_raw_n AS __o0, __ddbsql_raw_note AS __o1, "
        "__ddbsql_raw_tags AS __o2, n + 1 AS __n0, ARRAY('x') AS __n1 FROM t WHERE note = 'a' AND id = 'k'")


def test_delete_without_where_is_flagged():
    plan = plan_delete(parse("DELETE FROM t"), B, KEYS, "t")
    assert not plan.has_where and plan.read == ()
    assert plan.select.sql(dialect="hive") == "SELECT __ddbsql_raw_id AS __k0, __ddbsql_raw_day AS __k1 FROM t"


@pytest.mark.parametrize("sql, message", [
    ("UPDATE t SET id = 'x' WHERE n = 1", "'id' is a key column"),
    ("UPDATE t SET nope = 1", "column 'nope' is not in table t"),
    ("UPDATE t SET n = 1, n = 2", "set twice"),
    ("MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN DELETE", "ON must match the key"),
    ("MERGE INTO t USING s ON t.id = s.id AND t.day = s.day AND t.n = 1 WHEN MATCHED THEN DELETE",
     "ON must match the key"),
    ("MERGE INTO t USING s ON t.id = s.id AND t.day > s.day WHEN MATCHED THEN DELETE", "ON must match the key"),
    ("MERGE INTO t USING s ON t.id = s.id AND t.day = t.n WHEN MATCHED THEN DELETE", "ON must match the key"),
    ("MERGE INTO t USING s ON t.id = s.id AND t.day = s.day WHEN NOT MATCHED THEN INSERT VALUES (s.id)",
     "INSERT VALUES has 1 value"),
])
def test_refusals(sql, message):
    tree = parse(sql)
    planner = plan_merge if tree.key == "merge" else plan_update
    with pytest.raises(SemanticError, match=message):
        planner(tree, B, KEYS, "t")


def test_merge_is_a_left_join_with_one_action_per_row():
    plan = plan_merge(parse(
        "MERGE INTO t AS x USING src s ON x.day = s.d AND x.id = s.id "
        "WHEN MATCHED AND s.op = 'd' THEN DELETE WHEN MATCHED THEN UPDATE SET n = x.n + s.n "
        "WHEN NOT MATCHED THEN INSERT VALUES (s.id, s.d, s.n, NULL, NULL)"), B, KEYS, "t")
    sql = plan.select.sql(dialect="hive")
    assert "FROM src AS s LEFT JOIN t AS x ON x.day = s.d AND x.id = s.id" in sql
    assert ("CASE WHEN NOT x.id IS NULL AND (s.op = 'd') THEN 2 WHEN NOT x.id IS NULL THEN 1 "
            "WHEN NOT (NOT x.id IS NULL) THEN 3 ELSE 0 END AS __a") in sql
    assert [b.name for b in plan.read] == ["n"] and [b.name for b in plan.sets] == ["n"]
    assert len(plan.inserts) == 5 and "s.n AS __v2" in sql
