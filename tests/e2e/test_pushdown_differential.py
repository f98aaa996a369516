"""Differential test: random WHERE clauses give the same multiset of rows with pushdown on and off.

The table mixes types on purpose: string columns holding numbers, NULLs, booleans or
nothing; an int column holding fractions, numbers out of range and strings; a boolean
column holding BOOL, the numbers 0/1/2 and text; a sparse GSI and LSI.  Each example
runs one query through a session with pushdown and one without (moto only; 60 examples by
default, more with DDBSQL_DIFFERENTIAL_EXAMPLES).
"""
from __future__ import annotations

import os
import random
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .conftest import open_connection

pytestmark = pytest.mark.e2e

HANDLER = "'org.apache.hadoop.hive.dynamodb.DynamoDBStorageHandler'"
STRING_COLUMNS = ["pk", "s", "g", "l"]
INT_COLUMNS = ["sk", "n", "gr"]
COLUMNS = "pk, sk, s, n, b, g, gr, l"
OPS = ["=", "<>", "!=", "<", "<=", ">", ">=", "<=>"]


def make_items(seed: int = 7) -> list[dict]:
    rng = random.Random(seed)
    strings = [{"S": v} for v in ("a", "b", "ab", "B", "", "é", "a%", "x", "y")]
    odd = [{"N": "5"}, {"NULL": True}, {"BOOL": True}, {"SS": ["a"]}]
    numbers = [{"N": v} for v in ("0", "1", "2", "5", "-3", "1.5", "2.0", "1E+1", "99999999999", "10")]
    booleans = [{"BOOL": True}, {"BOOL": False}, {"N": "0"}, {"N": "1"}, {"N": "2"}, {"S": "true"}, {"NULL": True}]
    items = []
    for i in range(90):
        item = {"pk": {"S": ["a", "b", "c", "ab", "é"][i % 5]}, "sk": {"N": str(i // 5 - 3)}}
        for name, pool in (("s", strings + odd), ("n", numbers + [{"S": "5"}, {"NULL": True}]), ("b", booleans)):
            if rng.random() < 0.85:
                item[name] = rng.choice(pool)
        if rng.random() < 0.7:
            item["g"] = rng.choice([{"S": "x"}, {"S": "y"}])
        if rng.random() < 0.6:
            item["gr"] = {"N": str(rng.choice([-2, 0, 1, 2, 5, 10]))}
        if rng.random() < 0.6:
            item["l"] = rng.choice(strings[:4] + strings[5:])   # an LSI key cannot be empty
        items.append(item)
    return items


@pytest.fixture
def sessions(moto_backend, tmp_path, unique_table_name):
    """(with pushdown, without) connections on one table with mixed, missing and wrong types."""
    from .conftest import Env
    pushed = Env(moto_backend, open_connection(moto_backend, tmp_path, hiveconf={"ddbsql.retry.max.seconds": "5"}),
                 tmp_path)
    client = moto_backend.client()
    table = unique_table_name
    client.create_table(
        TableName=table, BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": a, "AttributeType": t} for a, t in
                              (("pk", "S"), ("sk", "N"), ("g", "S"), ("gr", "N"), ("l", "S"))],
        GlobalSecondaryIndexes=[{"IndexName": "g_idx", "Projection": {"ProjectionType": "ALL"},
                                 "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"},
                                               {"AttributeName": "gr", "KeyType": "RANGE"}]}],
        LocalSecondaryIndexes=[{"IndexName": "l_idx", "Projection": {"ProjectionType": "ALL"},
                                "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                                              {"AttributeName": "l", "KeyType": "RANGE"}]}])
    pushed.put_items(table, make_items())
    pushed.script(f"""CREATE EXTERNAL TABLE diff (pk string, sk bigint, s string, n int, b boolean, g string,
                                               gr bigint, l string)
                      STORED BY {HANDLER} TBLPROPERTIES ("dynamodb.table.name" = "{table}")""")
    plain_conn = open_connection(moto_backend, tmp_path, hiveconf={"ddbsql.pushdown": "false"})
    try:
        yield pushed.conn, plain_conn
    finally:
        plain_conn.close()
        pushed.conn.close()


def _sql_list(values: list[str]) -> str:
    return "(" + ", ".join(values) + ")"


string_literals = st.sampled_from(["'a'", "'b'", "'ab'", "''", "'B'", "'é'", "'x'", "'y'", "'a%'"])
int_literals = st.sampled_from(["0", "1", "2", "5", "-3", "1.5", "10", "7L", "99999999999", "-(2)"])
like_patterns = st.sampled_from(["'a%'", "'a_%'", "'%'", "'ab'", "'%b'", "'a%b'", "''", "'é%'", "'x%'"])


def comparisons(columns, literals):
    return st.builds(lambda c, op, v, flip: f"{v} {op} {c}" if flip else f"{c} {op} {v}",
                     st.sampled_from(columns), st.sampled_from(OPS), literals, st.booleans())


def betweens(columns, literals):
    return st.builds(lambda c, lo, hi, neg: f"{c} {'NOT ' if neg else ''}BETWEEN {lo} AND {hi}",
                     st.sampled_from(columns), literals, literals, st.booleans())


def ins(columns, literals):
    return st.builds(lambda c, vs, null, neg: f"{c} {'NOT ' if neg else ''}IN {_sql_list(vs + (['NULL'] if null else []))}",
                     st.sampled_from(columns), st.lists(literals, min_size=1, max_size=4),
                     st.booleans(), st.booleans())


ALL_COLUMNS = STRING_COLUMNS + INT_COLUMNS + ["b"]
atoms = st.one_of(
    comparisons(STRING_COLUMNS, string_literals),
    comparisons(INT_COLUMNS, int_literals),
    betweens(STRING_COLUMNS, string_literals),
    betweens(INT_COLUMNS, int_literals),
    ins(STRING_COLUMNS, string_literals),
    ins(INT_COLUMNS, int_literals),
    st.builds(lambda c, p, neg: f"{c} {'NOT ' if neg else ''}LIKE {p}", st.sampled_from(STRING_COLUMNS),
              like_patterns, st.booleans()),
    st.builds(lambda c, neg: f"{c} IS {'NOT ' if neg else ''}NULL", st.sampled_from(ALL_COLUMNS), st.booleans()),
    st.sampled_from(["b", "NOT b", "b = true", "b = false", "b <> true", "true = b"]),
    st.sampled_from(["s = 5", "n = 'a'", "n = '5'", "pk > 1", "sk = '3'", "s = n"]),   # Hive casts: not pushed
)
predicates = st.recursive(
    atoms,
    lambda inner: st.one_of(
        st.builds(lambda a, b: f"({a} AND {b})", inner, inner),
        st.builds(lambda a, b: f"({a} OR {b})", inner, inner),
        st.builds(lambda a: f"NOT ({a})", inner)),
    max_leaves=5)
#: conjuncts that make key lookups, Queries and index reads likely
key_prefixes = st.sampled_from([
    "", "pk = 'a' AND ", "pk IN ('a', 'b', 'zz') AND ", "pk = 'b' AND sk = 3 AND ",
    "pk IN ('a', 'c') AND sk IN (0, 1, 2, 15) AND ", "pk = 'c' AND sk BETWEEN 0 AND 9 AND ",
    "pk = 'ab' AND l LIKE 'a%' AND ", "g = 'x' AND gr >= 0 AND ", "g = 'y' AND ", "g = 'x' AND gr IS NOT NULL AND ",
    "(pk = 'a' OR pk = 'é') AND ",
])
selections = st.sampled_from([COLUMNS, "pk, sk", "s, n, b", "count(*)"])


def rows(conn, sql: str) -> Counter:
    cursor = conn.cursor()
    cursor.execute(sql)
    return Counter(cursor.fetchall())


#: DDBSQL_DIFFERENTIAL_EXAMPLES=3000 runs a long, randomised search (the default is bounded and repeatable)
EXAMPLES = int(os.environ.get("DDBSQL_DIFFERENTIAL_EXAMPLES", "60"))


@settings(max_examples=EXAMPLES, deadline=None, derandomize="DDBSQL_DIFFERENTIAL_EXAMPLES" not in os.environ,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(prefix=key_prefixes, predicate=predicates, selection=selections)
def test_pushdown_never_changes_results(sessions, prefix, predicate, selection):
    pushed, plain = sessions
    sql = f"SELECT {selection} FROM diff WHERE {prefix}{predicate}"
    assert rows(pushed, sql) == rows(plain, sql), sql


def test_the_generator_reaches_every_access_path(sessions):
    """The differential test is only as good as the plans it exercises."""
    pushed, _ = sessions
    operations = set()
    for where in ("pk = 'a'", "pk = 'b' AND sk = 3", "pk IN ('a', 'c') AND sk IN (0, 1)", "g = 'x' AND gr >= 0",
                  "pk = 'ab' AND l LIKE 'a%'", "s = 'a'"):
        cursor = pushed.cursor()
        cursor.execute(f"EXPLAIN SELECT {COLUMNS} FROM diff WHERE {where}")
        plan = {p: v for _, p, v in cursor.fetchall()}
        operations.add((plan["operation"].split(" ")[0], plan.get("IndexName")))
    assert operations == {("Query", None), ("GetItem", None), ("BatchGetItem", None), ("Query", "g_idx"),
                          ("Query", "l_idx"), ("Scan", None)}
