"""BatchWriter against a real boto3 client whose HTTP answers come from botocore's Stubber:
unprocessed items, throttling, 5xx, dropped connections, validation errors, the
no-progress ceiling, conditional modes.  A fake clock and sleep: no test waits."""
from __future__ import annotations

import json
import random
import threading
import time

import boto3
import pyarrow as pa
import pytest
from botocore.exceptions import EndpointConnectionError
from botocore.stub import Stubber

from ddbsql.catalog.binding import ColumnBinding
from ddbsql.catalog.facts import TableFacts
from ddbsql.errors import DynamoDBError
from ddbsql.exec.governor import WRITE, Governor, ThroughputSpec
from ddbsql.exec.rejects import RejectLog
from ddbsql.exec.retry import RetryPolicy
from ddbsql.exec.writer import (DELETE, INSERT_IF_ABSENT, NEWER_WINS, BatchWriter, WriteMode, key_of)
from ddbsql.types import parse_hive_type as parse_type
from support.clocks import FakeClock

TABLE = "target"


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def client():
    return boto3.client("dynamodb", region_name="us-east-1", aws_access_key_id="AKIDTEST",
                        aws_secret_access_key="secret")


@pytest.fixture
def stubber(client):
    with Stubber(client) as stub:
        yield stub
        stub.assert_no_pending_responses()


def policy(clock: FakeClock, max_seconds: float = 60.0) -> RetryPolicy:
    return RetryPolicy(base=0.5, cap=8.0, max_seconds=max_seconds, sleep=clock.sleep, clock=clock, rng=lambda: 1.0)


def facts(wcu: int = 1000) -> TableFacts:
    return TableFacts(TABLE, "id", None, {"id": "S"}, "PROVISIONED", read_capacity=100, write_capacity=wcu)


def make_writer(client, clock, tmp_path, *, governor=None, mode=None, max_seconds=60.0, workers=1) -> BatchWriter:
    return BatchWriter(client, TABLE, ["id"], retry=policy(clock, max_seconds), workers=workers,
                       rejects=RejectLog(tmp_path / "rejects", table="default.target", statement="INSERT test"),
                       governor=governor, mode=mode, clock=clock)


def item(i: int, **extra) -> dict:
    return {"id": {"S": f"k{i}"}, "v": {"N": str(i)}, **extra}


def put(i: int, **extra) -> dict:
    return {"PutRequest": {"Item": item(i, **extra)}}


def ok(n: int, unprocessed: list | None = None) -> dict:
    response = {"ConsumedCapacity": [{"TableName": TABLE, "CapacityUnits": float(n)}]}
    response["UnprocessedItems"] = {TABLE: unprocessed} if unprocessed else {}
    return response


def expect_batch(requests: list) -> dict:
    return {"RequestItems": {TABLE: requests}, "ReturnConsumedCapacity": "TOTAL"}


# --- unprocessed items --------------------------------------------------------------------

def test_unprocessed_items_are_sent_again_with_backoff(client, stubber, clock, tmp_path):
    governor = Governor(("r", "", TABLE), spec=ThroughputSpec(), facts=facts(), clock=clock, sleep=clock.sleep)
    stubber.add_response("batch_write_item", ok(3, [put(3), put(4)]), expect_batch([put(i) for i in range(5)]))
    stubber.add_response("batch_write_item", ok(1, [put(4)]), expect_batch([put(3), put(4)]))
    stubber.add_response("batch_write_item", ok(1), expect_batch([put(4)]))
    writer = make_writer(client, clock, tmp_path, governor=governor)
    report = writer.write_items((i, item(i)) for i in range(5))
    assert (report.rows, report.written, report.unprocessed, report.rejected) == (5, 5, 3, 0)
    # backoff between the re-sends: progress resets the attempt count, so both waits are the first step
    assert clock.sleeps == [0.5, 0.5]
    assert governor.stats(WRITE).throttles == 2        # unprocessed items are DynamoDB pushing back
    assert governor.rate(WRITE) < governor.budget(WRITE)
    assert report.consumed == 5


def test_unprocessed_backoff_grows_while_nothing_is_written(client, stubber, clock, tmp_path):
    stubber.add_response("batch_write_item", ok(0, [put(1)]), expect_batch([put(1)]))
    stubber.add_response("batch_write_item", ok(0, [put(1)]), expect_batch([put(1)]))
    stubber.add_response("batch_write_item", ok(0, [put(1)]), expect_batch([put(1)]))
    stubber.add_response("batch_write_item", ok(1), expect_batch([put(1)]))
    report = make_writer(client, clock, tmp_path).write_items([(1, item(1))])
    assert report.written == 1
    assert clock.sleeps == [0.5, 1.0, 2.0]


# --- transient errors ---------------------------------------------------------------------------

@pytest.mark.parametrize("code, status, throttle", [
    ("ProvisionedThroughputExceededException", 400, True),
    ("ThrottlingException", 400, True),
    ("RequestLimitExceeded", 400, True),
    ("InternalServerError", 500, False),
    ("ServiceUnavailable", 503, False),
])
def test_throttling_and_5xx_are_retried(client, stubber, clock, tmp_path, code, status, throttle):
    governor = Governor(("r", "", TABLE), spec=ThroughputSpec(), facts=facts(), clock=clock, sleep=clock.sleep)
    stubber.add_client_error("batch_write_item", service_error_code=code, service_message="slow down",
                             http_status_code=status)
    stubber.add_client_error("batch_write_item", service_error_code=code, service_message="slow down",
                             http_status_code=status)
    stubber.add_response("batch_write_item", ok(2), expect_batch([put(1), put(2)]))
    report = make_writer(client, clock, tmp_path, governor=governor).write_items([(1, item(1)), (2, item(2))])
    assert report.written == 2
    assert report.retries == 2
    assert report.throttles == (2 if throttle else 0)
    assert (governor.stats(WRITE).throttles > 0) is throttle
    assert clock.sleeps == [0.5, 1.0]


def test_dropped_connections_are_retried(clock, tmp_path):
    class Flaky:
        def __init__(self):
            self.calls = 0
            self.items = {}

        def batch_write_item(self, RequestItems, **kwargs):
            self.calls += 1
            if self.calls <= 2:
                raise EndpointConnectionError(endpoint_url="http://127.0.0.1:1")
            for request in RequestItems[TABLE]:
                self.items[request["PutRequest"]["Item"]["id"]["S"]] = request["PutRequest"]["Item"]
            return {"UnprocessedItems": {}}

    flaky = Flaky()
    report = make_writer(flaky, clock, tmp_path).write_items([(1, item(1))])
    assert report.written == 1 and report.retries == 2 and flaky.calls == 3


# --- validation errors -----------------------------------------------------------------------------

def test_validation_error_splits_the_batch_and_rejects_only_the_bad_item(client, stubber, clock, tmp_path):
    bad = item(2, big={"S": "x"})
    batch = [put(1), {"PutRequest": {"Item": bad}}, put(3)]
    stubber.add_client_error("batch_write_item", service_error_code="ValidationException",
                             service_message="Item size has exceeded the maximum allowed size", http_status_code=400,
                             expected_params=expect_batch(batch))
    stubber.add_response("put_item", {"ConsumedCapacity": {"TableName": TABLE, "CapacityUnits": 1.0}},
                         {"TableName": TABLE, "Item": item(1), "ReturnConsumedCapacity": "TOTAL"})
    stubber.add_client_error("put_item", service_error_code="ValidationException",
                             service_message="Item size has exceeded the maximum allowed size", http_status_code=400,
                             expected_params={"TableName": TABLE, "Item": bad, "ReturnConsumedCapacity": "TOTAL"})
    stubber.add_response("put_item", {}, {"TableName": TABLE, "Item": item(3), "ReturnConsumedCapacity": "TOTAL"})
    report = make_writer(client, clock, tmp_path).write_items([(1, item(1)), (2, bad), (3, item(3))])
    assert (report.written, report.rejected) == (2, 1)
    rejects = [json.loads(line) for line in open(report.reject_path, encoding="utf-8")]
    assert rejects == [{"statement": "INSERT test", "table": "default.target", "row": 2,
                        "reason": "ValidationException: Item size has exceeded the maximum allowed size",
                        "item": bad}]


def test_a_permanent_error_fails_the_statement(client, stubber, clock, tmp_path):
    stubber.add_client_error("batch_write_item", service_error_code="ResourceNotFoundException",
                             service_message="Requested resource not found", http_status_code=400)
    with pytest.raises(DynamoDBError, match="ResourceNotFoundException"):
        make_writer(client, clock, tmp_path).write_items([(1, item(1))])


# --- the no-progress ceiling --------------------------------------------------------------------------

def test_no_give_up_while_progress_continues(client, stubber, clock, tmp_path):
    """Each request writes one item and takes 3 s: 25 requests, 75 s in all, past a 10 s
    ceiling, yet never 10 s without progress."""
    items = [(i, item(i)) for i in range(25)]
    for n in range(25):
        left = [put(i) for i in range(n + 1, 25)]
        stubber.add_response("batch_write_item", ok(1, left), expect_batch([put(i) for i in range(n, 25)]))

    def slow_request(**kwargs):
        clock.now += 3.0

    client.meta.events.register("before-parameter-build.dynamodb.BatchWriteItem", slow_request)
    started = time.monotonic()
    report = make_writer(client, clock, tmp_path, max_seconds=10).write_items(items)
    assert report.written == 25
    assert clock.now > 70
    assert time.monotonic() - started < 5


def test_give_up_after_the_ceiling_without_progress_on_unprocessed_items(client, stubber, clock, tmp_path):
    for _ in range(5):
        stubber.add_response("batch_write_item", ok(0, [put(1)]), expect_batch([put(1)]))
    started = time.monotonic()
    with pytest.raises(DynamoDBError, match="without progress"):
        make_writer(client, clock, tmp_path, max_seconds=10).write_items([(1, item(1))])
    assert 10 <= clock.now < 10 + 8                       # no request is started past the ceiling
    assert time.monotonic() - started < 5


def test_give_up_after_the_ceiling_without_progress_on_throttling(client, stubber, clock, tmp_path):
    for _ in range(6):
        stubber.add_client_error("batch_write_item", service_error_code="ProvisionedThroughputExceededException",
                                 service_message="Rate exceeded", http_status_code=400)
    with pytest.raises(DynamoDBError, match=r"no progress for 10 s, ddbsql.retry.max.seconds"):
        make_writer(client, clock, tmp_path, max_seconds=10).write_items([(1, item(1))])
    assert 10 <= clock.now <= 10 + 8


def test_retry_call_counts_from_the_last_progress(clock):
    retry = policy(clock, max_seconds=10)
    calls = []

    def throttled():
        calls.append(clock.now)
        raise EndpointConnectionError(endpoint_url="http://x")

    clock.now = 100.0
    with pytest.raises(DynamoDBError, match="no progress for 10 s"):
        retry.call(throttled, what="Scan t", since=92.0)
    assert clock.now - 92.0 >= 10
    assert clock.now - 100.0 < 10                        # only the rest of the window was spent
    seen = []
    clock.now = 0.0
    with pytest.raises(DynamoDBError):
        retry.call(throttled, what="Scan t", on_retry=seen.append)
    assert seen and all(isinstance(e, EndpointConnectionError) for e in seen)


# --- conditional modes -------------------------------------------------------------------------------------

def test_insert_if_absent_counts_condition_failures_as_skipped(client, stubber, clock, tmp_path):
    condition = {"ConditionExpression": "attribute_not_exists(#k)", "ExpressionAttributeNames": {"#k": "id"},
                 "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}
    stubber.add_response("put_item", {}, {"TableName": TABLE, "Item": item(1), "ReturnConsumedCapacity": "TOTAL",
                                          **condition})
    stubber.add_client_error("put_item", service_error_code="ConditionalCheckFailedException",
                             service_message="The conditional request failed", http_status_code=400,
                             expected_params={"TableName": TABLE, "Item": item(2), "ReturnConsumedCapacity": "TOTAL",
                                              **condition})
    report = make_writer(client, clock, tmp_path, mode=WriteMode(INSERT_IF_ABSENT)).write_items(
        [(1, item(1)), (2, item(2))])
    assert (report.written, report.skipped, report.rejected) == (1, 1, 0)
    assert report.reject_path is None


@pytest.mark.parametrize("first_failure,stored,outcome", [
    (500, item(2), (1, 0)),                         # the lost try wrote it: written
    (500, item(2, v={"N": "2.0"}), (1, 0)),         # numbers compare by value
    (500, item(2, v={"N": "3"}), (0, 1)),           # someone else's item: skipped
    (400, item(2), (0, 1)),                         # a throttle is never carried out: skipped
])
def test_a_conditional_put_whose_answer_was_lost_counts_as_written_when_the_item_is_the_rows(
        client, stubber, clock, tmp_path, first_failure, stored, outcome):
    expected = {"TableName": TABLE, "Item": item(2), "ReturnConsumedCapacity": "TOTAL",
                "ConditionExpression": "attribute_not_exists(#k)", "ExpressionAttributeNames": {"#k": "id"},
                "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}
    code = "InternalServerError" if first_failure == 500 else "ProvisionedThroughputExceededException"
    stubber.add_client_error("put_item", service_error_code=code, http_status_code=first_failure,
                             expected_params=expected)
    stubber.add_client_error("put_item", service_error_code="ConditionalCheckFailedException",
                             service_message="The conditional request failed", http_status_code=400,
                             expected_params=expected, modeled_fields={"Item": stored})
    report = make_writer(client, clock, tmp_path, mode=WriteMode(INSERT_IF_ABSENT)).write_items([(2, item(2))])
    assert (report.written, report.skipped) == outcome
    assert report.retries == 1


def test_newer_wins_sends_the_version_condition_and_rejects_null_versions(client, stubber, clock, tmp_path):
    versioned = item(1, ver={"N": "7"})
    stubber.add_response("put_item", {}, {
        "TableName": TABLE, "Item": versioned, "ReturnConsumedCapacity": "TOTAL",
        "ConditionExpression": "attribute_not_exists(#k) OR attribute_not_exists(#v) OR #v < :v",
        "ExpressionAttributeNames": {"#k": "id", "#v": "ver"}, "ExpressionAttributeValues": {":v": {"N": "7"}},
        "ReturnValuesOnConditionCheckFailure": "ALL_OLD"})
    report = make_writer(client, clock, tmp_path, mode=WriteMode(NEWER_WINS, "ver")).write_items(
        [(1, versioned), (2, item(2))])
    assert (report.written, report.rejected) == (1, 1)
    assert "'ver' is NULL" in json.loads(open(report.reject_path).readline())["reason"]


def test_delete_mode_sends_delete_requests_for_the_keys(client, stubber, clock, tmp_path):
    stubber.add_response("batch_write_item", ok(2), expect_batch([{"DeleteRequest": {"Key": {"id": {"S": "k1"}}}},
                                                                  {"DeleteRequest": {"Key": {"id": {"S": "k2"}}}}]))
    report = make_writer(client, clock, tmp_path, mode=WriteMode(DELETE)).write_items([(1, item(1)), (2, item(2))])
    assert (report.deleted, report.written) == (2, 0)


# --- capacity ---------------------------------------------------------------------------------------------

def test_batches_are_cut_to_a_share_of_the_budget_and_paid_before_sending(client, stubber, clock, tmp_path):
    # 20 WCU provisioned, 0.5 -> 10 WCU/s; 2 KB items cost 2 WCU.  A request costs at most a
    # tenth of a second's budget (1 WCU) but holds at least one item: one item per request
    governor = Governor(("r", "", TABLE), spec=ThroughputSpec(), facts=facts(wcu=20), clock=clock, sleep=clock.sleep)
    big = [(i, item(i, body={"S": "x" * 2000})) for i in range(10)]
    for _, it in big:
        stubber.add_response("batch_write_item", ok(2), expect_batch([{"PutRequest": {"Item": it}}]))
    report = make_writer(client, clock, tmp_path, governor=governor).write_items(big)
    assert report.written == 10 and report.consumed == 20
    assert clock.now == pytest.approx(1.9)              # 0.1 s of budget was saved; the other 19 WCU take 1.9 s


def test_reported_capacity_below_one_unit_per_item_is_raised(client, stubber, clock, tmp_path):
    governor = Governor(("r", "", TABLE), spec=ThroughputSpec(), facts=facts(), clock=clock, sleep=clock.sleep)
    stubber.add_response("batch_write_item", ok(1))   # moto reports 1 unit per BatchWriteItem
    report = make_writer(client, clock, tmp_path, governor=governor).write_items([(i, item(i)) for i in range(20)])
    assert report.consumed == 20


# --- ordering with many workers ------------------------------------------------------------------------------

def test_the_later_row_wins_across_batches_and_workers(clock, tmp_path):
    lock = threading.Lock()
    rng = random.Random(7)

    class Store:
        def __init__(self):
            self.items = {}

        def batch_write_item(self, RequestItems, **kwargs):
            time.sleep(rng.random() / 1000)
            ids = [r["PutRequest"]["Item"]["id"]["S"] for r in RequestItems[TABLE]]
            assert len(ids) == len(set(ids)), "duplicate keys in one batch"
            with lock:
                for request in RequestItems[TABLE]:
                    it = request["PutRequest"]["Item"]
                    self.items[it["id"]["S"]] = int(it["v"]["N"])
            return {"UnprocessedItems": {}}

    store = Store()
    rows = [(n, {"id": {"S": f"k{n % 30}"}, "v": {"N": str(n)}}) for n in range(600)]
    writer = BatchWriter(store, TABLE, ["id"], retry=RetryPolicy(), workers=4,
                         rejects=RejectLog(tmp_path, table="t", statement="s"))
    report = writer.write_items(rows)
    assert store.items == {f"k{k}": max(n for n in range(600) if n % 30 == k) for k in range(30)}
    assert report.written + report.duplicates == 600


def test_keys_compare_numbers_by_value():
    assert key_of({"n": {"N": "10"}}, ["n"]) == key_of({"n": {"N": "1E+1"}}, ["n"])
    assert key_of({"n": {"N": "1.50"}}, ["n"]) == key_of({"n": {"N": "1.5"}}, ["n"])
    assert key_of({"s": {"S": "10"}}, ["s"]) != key_of({"n": {"N": "10"}}, ["n"])
    assert key_of({"b": {"B": bytearray(b"x")}}, ["b"]) == key_of({"b": {"B": b"x"}}, ["b"])


def test_write_batches_encodes_arrow_rows_and_rejects_missing_keys(client, stubber, clock, tmp_path):
    bindings = [ColumnBinding("id", parse_type("string"), "id", None),
                ColumnBinding("v", parse_type("bigint"), "v", None)]
    batch = pa.record_batch({"id": ["k1", None, "k3"], "v": [1, 2, 3]})
    stubber.add_response("batch_write_item", ok(2), expect_batch([put(1), {"PutRequest": {"Item": item(3)}}]))
    report = make_writer(client, clock, tmp_path).write_batches([batch], bindings)
    assert (report.rows, report.written, report.rejected) == (3, 2, 1)
