"""Executors of key lookups against a fake client: pages, unprocessed keys, LIMIT, errors."""
from __future__ import annotations

import threading

import pyarrow as pa
import pytest

from ddbsql.catalog.binding import ColumnBinding
from ddbsql.catalog.facts import TableFacts
from ddbsql.errors import DynamoDBError
from ddbsql.exec.decode import DecodeWarnings
from ddbsql.exec.lookups import first_rows, read_batches
from ddbsql.exec.retry import RetryPolicy
from ddbsql.exec.scanner import ScanStats
from ddbsql.planner.access import plan_access
from ddbsql.planner.scopes import ReferenceFilter
from ddbsql.sql.statements import parse_sql
from ddbsql.types import BIGINT, STRING

BINDINGS = [ColumnBinding("id", STRING, "id", "S"), ColumnBinding("v", BIGINT, "v", "N")]
FACTS = TableFacts("T", "id", None, {"id": "S"}, "PAY_PER_REQUEST", item_count=10, size_bytes=1000)
WITH_RANGE = TableFacts("T", "id", "v", {"id": "S", "v": "N"}, "PAY_PER_REQUEST", item_count=10, size_bytes=1000)


def plan_for(where: str, limit: int | None = None, facts: TableFacts = FACTS):
    tree = parse_sql(f"SELECT * FROM t WHERE {where}")
    conjuncts = tuple(tree.args["where"].this.flatten()) if " AND " in where else (tree.args["where"].this,)
    return plan_access(facts, BINDINGS, BINDINGS, ReferenceFilter(conjuncts, True, limit))


class FakeClient:
    """Answers from scripted responses; records every call."""

    def __init__(self, **responses):
        self.responses = {k: list(v) for k, v in responses.items()}
        self.calls: list[tuple[str, dict]] = []
        self.lock = threading.Lock()

    def _answer(self, name, params):
        with self.lock:
            self.calls.append((name, params))
            answer = self.responses[name].pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    def query(self, **params):
        return self._answer("query", params)

    def get_item(self, **params):
        return self._answer("get_item", params)

    def batch_get_item(self, **params):
        return self._answer("batch_get_item", params)


def retry_policy(sleeps: list, clock=None) -> RetryPolicy:
    return RetryPolicy(sleep=sleeps.append, rng=lambda: 1.0, max_seconds=30,
                       **({"clock": clock} if clock else {}))


def collect(client, plan, policy=None, stats=None) -> pa.Table:
    batches = read_batches(client, plan, policy or retry_policy([]), warnings=DecodeWarnings(),
                           stats=stats or ScanStats())
    return pa.Table.from_batches(list(batches), schema=pa.schema([("id", pa.string()), ("v", pa.int64())]))


def item(i: int) -> dict:
    return {"id": {"S": f"k{i}"}, "v": {"N": str(i)}}


def test_queries_page_until_no_last_evaluated_key():
    plan = plan_for("id IN ('a', 'b')", facts=WITH_RANGE)
    assert plan.operation == "Query" and len(plan.read.requests) == 2
    client = FakeClient(query=[
        {"Items": [item(1)], "LastEvaluatedKey": {"id": {"S": "x"}}, "ConsumedCapacity": {"CapacityUnits": 0.5}},
        {"Items": [item(2)]}, {"Items": [item(3)]}])
    stats = ScanStats()
    table = collect(client, plan, stats=stats)
    assert sorted(table.column("v").to_pylist()) == [1, 2, 3]
    assert stats.pages == 3 and stats.items == 3 and stats.consumed_capacity == 0.5
    assert all(p["ReturnConsumedCapacity"] == "TOTAL" for _, p in client.calls)
    assert sum("ExclusiveStartKey" in p for _, p in client.calls) == 1


def test_get_item_of_a_missing_key_gives_no_rows():
    plan = plan_for("id = 'a'")
    assert plan.operation == "GetItem"
    client = FakeClient(get_item=[{}])
    assert collect(client, plan).num_rows == 0
    assert client.calls[0][1]["Key"] == {"id": {"S": "a"}}


def test_batch_get_retries_unprocessed_keys_with_backoff():
    plan = plan_for("id IN ('a', 'b', 'c')")
    assert plan.operation == "BatchGetItem"
    unprocessed = {"T": {"Keys": [{"id": {"S": "c"}}], "ProjectionExpression": "#c0, #c1"}}
    client = FakeClient(batch_get_item=[
        {"Responses": {"T": [item(1), item(2)]}, "UnprocessedKeys": unprocessed},
        {"Responses": {"T": []}, "UnprocessedKeys": unprocessed},
        {"Responses": {"T": [item(3)]}, "UnprocessedKeys": {}}])
    sleeps: list = []
    table = collect(client, plan, retry_policy(sleeps))
    assert sorted(table.column("v").to_pylist()) == [1, 2, 3]
    assert [p["RequestItems"] for _, p in client.calls[1:]] == [unprocessed, unprocessed]
    assert len(sleeps) == 2 and sleeps[1] > sleeps[0] > 0


def test_batch_get_gives_up_when_keys_stay_unprocessed():
    plan = plan_for("id IN ('a', 'b')")
    unprocessed = {"T": {"Keys": [{"id": {"S": "a"}}]}}
    now = [0.0]

    def sleep(seconds):
        now[0] += seconds

    policy = RetryPolicy(sleep=sleep, clock=lambda: now[0], rng=lambda: 1.0, max_seconds=5)
    client = FakeClient(batch_get_item=[{"Responses": {"T": []}, "UnprocessedKeys": unprocessed}] * 100)
    with pytest.raises(DynamoDBError, match="still unprocessed"):
        collect(client, plan, policy)


def test_more_than_100_keys_are_split_into_calls():
    keys = ", ".join(f"'k{i}'" for i in range(250))
    plan = plan_for(f"id IN ({keys})")
    requests = plan.read.requests()
    assert [len(r["RequestItems"]["T"]["Keys"]) for r in requests] == [100, 100, 50]


def test_errors_reach_the_consumer():
    plan = plan_for("id = 'a' OR id = 'b'", facts=WITH_RANGE)
    client = FakeClient(query=[ValueError("boom"), ValueError("boom")])
    with pytest.raises(ValueError, match="boom"):
        collect(client, plan)


def test_first_rows_slices_and_closes_the_source():
    closed = []

    def source():
        try:
            for i in range(10):
                yield pa.record_batch([pa.array([i, i])], names=["x"])
        finally:
            closed.append(True)

    out = list(first_rows(source(), 3))
    assert [b.num_rows for b in out] == [2, 1] and closed == [True]


def test_limit_zero_sends_nothing():
    plan = plan_for("id = 'a'", limit=0)
    assert plan.stop_after == 0
    client = FakeClient()
    assert collect(client, plan).num_rows == 0 and client.calls == []
