"""EXPLAIN ANALYZE and the full-scan guard against real DynamoDB engines: what was sent is
counted at the HTTP layer (botocore's before-send event), what was paid is DynamoDB's own
ConsumedCapacity."""
from __future__ import annotations

import pytest

from ddbsql.dbapi import ProgrammingError
from .test_pushdown import Requests, create_orders

pytestmark = pytest.mark.e2e


def analyze(env, sql: str) -> dict[str, str]:
    rows = env.rows("EXPLAIN ANALYZE " + sql)
    sources = [s for s, _, _ in rows if s != "DuckDB"]
    plan = {p: v for s, p, v in rows if s == sources[0]}
    plan.update({"DuckDB " + p: v for s, p, v in rows if s == "DuckDB"})
    return plan


def test_explain_analyze_counts_what_was_sent_and_paid(env, unique_table_name):
    create_orders(env, unique_table_name)
    requests = Requests(env.conn)
    plan = analyze(env, "SELECT order_no FROM orders WHERE status = 'paid' AND total > 300")
    assert plan["operation"].startswith("Scan")
    scans = requests.bodies("Scan")
    assert plan["measured pages"] == str(len(scans))
    assert plan["measured requests"].startswith(f"{len(scans)} ")
    assert plan["measured items evaluated"] == "120"
    want = len([i for i in range(120) if i % 3 == 1 and i * 37 % 1000 > 300])
    assert plan["measured items returned"] == str(want)
    assert plan["DuckDB rows returned"] == str(want)
    assert float(plan["measured RCU (ConsumedCapacity)"]) > 0
    assert "estimated / measured RCU" in plan

    requests.clear()
    plan = analyze(env, "SELECT total FROM orders WHERE customer = 'c1' AND order_no = 8")
    assert plan["operation"] == "GetItem"
    assert requests.operations() == {"GetItem": 1}
    assert plan["measured items returned"] == "1"
    assert plan["DuckDB rows returned"] == "1"


def test_explain_analyze_estimates_are_close_on_dynamodb_local(env, unique_table_name):
    """DynamoDB Local charges like DynamoDB (per 4 KB of a page): the cost model's
    estimate for a full scan and for key lookups is within 20 % of what it reports."""
    if env.backend.name != "dynamodb-local":
        pytest.skip("moto does not charge reads like DynamoDB")
    create_orders(env, unique_table_name, n=600)
    for sql in ("SELECT * FROM orders", "SELECT count(*) FROM orders WHERE total > 500",
                "SELECT * FROM orders WHERE customer = 'c1' AND order_no = 8",
                # keys that exist: DynamoDB charges a missing key too, DynamoDB Local does not
                "SELECT * FROM orders WHERE customer IN ('c1') AND order_no IN (1, 8, 15, 22)"):
        plan = analyze(env, sql)
        ratio = float(plan["estimated / measured RCU"])
        assert 0.8 <= ratio <= 1.2, (sql, plan)


def test_full_scan_guard_refuses_before_sending_anything(env, unique_table_name):
    create_orders(env, unique_table_name)
    requests = Requests(env.conn)
    env.run("SET ddbsql.scan.max.rcu=0.1")
    with pytest.raises(ProgrammingError) as caught:
        env.rows("SELECT count(*) FROM orders WHERE total > 500")
    message = str(caught.value)
    assert "would scan the whole DynamoDB table" in message
    assert "customer = ... or customer IN (...)" in message and "order_no = ... a GetItem" in message
    assert "status = ... (a Query on the index by_status)" in message
    assert requests.operations() == {}
    # the key lookup it suggests is under the ceiling and runs
    assert env.rows("SELECT total FROM orders WHERE customer = 'c1' AND order_no = 8") == [(8 * 37 % 1000,)]
    # EXPLAIN still explains, and says the query would be refused
    rows = env.rows("EXPLAIN SELECT count(*) FROM orders")
    assert any(p == "refused by ddbsql.scan.max.rcu" for _, p, _ in rows)
    env.run("SET ddbsql.scan.max.rcu=0")
    assert env.rows("SELECT count(*) FROM orders") == [(120,)]


def test_explain_of_an_insert_shows_what_it_reads_and_analyze_refuses_to_write(env, unique_table_name):
    create_orders(env, unique_table_name)
    requests = Requests(env.conn)
    rows = env.rows("EXPLAIN INSERT INTO TABLE customers SELECT customer, 'x' FROM orders WHERE customer = 'c1'")
    plan = {p: v for s, p, v in rows if s != "DuckDB"}
    assert plan["operation"] == "Query"
    assert requests.operations() == {}
    with pytest.raises(ProgrammingError, match="EXPLAIN ANALYZE supports queries only, not INSERT"):
        env.rows("EXPLAIN ANALYZE INSERT INTO TABLE customers SELECT customer, 'x' FROM orders")
    assert requests.operations() == {}
    assert env.rows("SELECT count(*) FROM customers") == [(3,)]
