"""The capacity-enforcing, fault-injecting proxy, in front of the session's moto server.

The proxy's clock is a hand-moved fake, so capacity tests do not sleep.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, ConnectionClosedError

from support.ddb_capacity import READ, THROTTLE, WRITE, TokenBucket, item_size, read_units, write_units
from support.ddb_proxy import KINDS, DynamoDBProxy, FaultPlan

ONCE = Config(retries={"total_max_attempts": 1, "mode": "standard"}, read_timeout=10)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def proxy(moto_endpoint, clock):
    with DynamoDBProxy(moto_endpoint, burst_seconds=1, clock=clock) as running:
        yield running


def client_of(url: str):
    return boto3.client("dynamodb", endpoint_url=url, region_name="us-east-1", aws_access_key_id="a",
                        aws_secret_access_key="b", config=ONCE)


def create(client, name: str, rcu: int = 10, wcu: int = 5, on_demand: bool = False) -> None:
    capacity = ({"BillingMode": "PAY_PER_REQUEST"} if on_demand
                else {"ProvisionedThroughput": {"ReadCapacityUnits": rcu, "WriteCapacityUnits": wcu}})
    client.create_table(TableName=name, KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}], **capacity)


def put(client, name: str, key: str, **extra):
    return client.put_item(TableName=name, Item={"id": {"S": key}, "v": {"S": "x"}}, **extra)


def keys_in(client, name: str) -> set[str]:
    return {item["id"]["S"] for item in client.scan(TableName=name, ConsistentRead=True)["Items"]}


# --- pure parts ------------------------------------------------------------------------------

def test_bucket_admits_while_positive_goes_negative_and_refills():
    bucket = TokenBucket(10, burst_seconds=2, now=0.0)
    assert bucket.tokens == 20                      # starts full: two seconds saved
    bucket.charge(25, 0.0)
    assert not bucket.admits(0.0)                   # -5
    assert not bucket.admits(0.5)                   # 0: at zero nothing goes through
    assert bucket.admits(0.6)
    assert bucket.admits(100.0) and bucket.tokens == 20   # never more than the burst


def test_bucket_rate_change_keeps_the_balance():
    bucket = TokenBucket(10, burst_seconds=1, now=0.0)
    bucket.charge(10, 0.0)
    bucket.set_rate(60, 0.5)                        # 5 refilled at the old rate
    assert bucket.tokens == pytest.approx(5)
    bucket.refill(1.0)
    assert bucket.tokens == pytest.approx(35)
    bucket.set_rate(2, 1.0)
    assert bucket.tokens == 2                       # capped to the new burst


def test_item_sizes_and_units():
    assert item_size({"id": {"S": "abc"}}) == 5
    assert item_size({"n": {"N": "12345"}}) == 1 + 4
    assert item_size({"b": {"B": "AAECAw=="}, "t": {"BOOL": True}}) == 1 + 4 + 1 + 1
    assert item_size({"m": {"M": {"a": {"S": "xy"}}}}) == 1 + 3 + 1 + 1 + 2
    assert write_units({"id": {"S": "x" * 1023}}) == 2
    assert write_units(None) == 1
    assert read_units([{"id": {"S": "x" * 5000}}], consistent=True) == 2
    assert read_units([{"id": {"S": "x"}}] * 3, consistent=False, per_item=True) == 1.5


def test_fault_plan_is_seeded_and_spreads_over_the_kinds_that_apply():
    first, second = FaultPlan(rate=0.2, seed=7), FaultPlan(rate=0.2, seed=7)
    assert [first.draw("PutItem") for _ in range(500)] == [second.draw("PutItem") for _ in range(500)]
    plan = FaultPlan(rate=0.2, seed=3)
    puts = [plan.draw("PutItem") for _ in range(10000)]
    batches = [plan.draw("BatchWriteItem") for _ in range(10000)]
    assert sum(d is not None for d in puts) == pytest.approx(2000, rel=0.1)
    assert sum(d is not None for d in batches) == pytest.approx(2000, rel=0.1)
    assert "unprocessed" not in puts and set(batches) == set(KINDS) | {None}
    assert plan.draw("DescribeTable") is None


# --- capacity --------------------------------------------------------------------------------

def test_capacity_is_enforced_with_dynamodbs_answer(proxy, clock, unique_table_name):
    client = client_of(proxy.url)
    create(client, unique_table_name, wcu=5)
    for i in range(5):                              # one second of burst: 5 WCU
        put(client, unique_table_name, f"k{i}")
    with pytest.raises(ClientError) as info:
        put(client, unique_table_name, "refused")
    error = info.value.response
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert error["Error"]["Code"] == "ProvisionedThroughputExceededException"
    assert error["Error"]["Message"].startswith("The level of configured provisioned throughput for the table")
    assert "refused" not in keys_in(client, unique_table_name)     # never forwarded
    clock.now += 0.2                                # one unit refilled
    put(client, unique_table_name, "later")
    assert proxy.count("capacity_throttle") == 1
    assert proxy.count("capacity_throttle", "PutItem") == 1
    assert proxy.record.per_second(unique_table_name, WRITE) == [6.0]
    assert proxy.record.per_second(unique_table_name, THROTTLE) == [1.0]
    assert proxy.record.total(unique_table_name, READ) >= 0.5      # the scans


def test_consumed_capacity_is_returned_only_when_asked(proxy, unique_table_name):
    client = client_of(proxy.url)
    create(client, unique_table_name, wcu=100)
    assert "ConsumedCapacity" not in put(client, unique_table_name, "a")
    answer = put(client, unique_table_name, "b", ReturnConsumedCapacity="TOTAL")
    assert answer["ConsumedCapacity"]["CapacityUnits"] >= 1
    assert "ConsumedCapacity" not in client.get_item(TableName=unique_table_name, Key={"id": {"S": "a"}})


def test_batch_write_is_charged_per_item_and_on_demand_tables_are_not_limited(proxy, clock, unique_table_name):
    client = client_of(proxy.url)
    create(client, unique_table_name, on_demand=True)
    for start in range(0, 100, 25):
        client.batch_write_item(RequestItems={unique_table_name: [
            {"PutRequest": {"Item": {"id": {"S": f"k{i}"}}}} for i in range(start, start + 25)]})
    assert proxy.record.per_second(unique_table_name, WRITE) == [100.0]
    assert proxy.count("capacity_throttle") == 0


def test_set_capacity_changes_the_upstream_and_the_buckets(proxy, clock, unique_table_name):
    client = client_of(proxy.url)
    create(client, unique_table_name, rcu=10, wcu=2)
    put(client, unique_table_name, "a")
    put(client, unique_table_name, "b")
    proxy.set_capacity(unique_table_name, rcu=10, wcu=50)
    described = client.describe_table(TableName=unique_table_name)["Table"]["ProvisionedThroughput"]
    assert described["WriteCapacityUnits"] == 50
    with pytest.raises(ClientError):                # the balance is kept: still empty
        put(client, unique_table_name, "c")
    clock.now += 0.1                                # 5 units at the new rate
    for key in "defgh":
        put(client, unique_table_name, key)
    clock.now += 1.0
    assert proxy.record.per_second(unique_table_name, WRITE) == [7.0]


# --- faults ----------------------------------------------------------------------------------

@pytest.mark.parametrize("kind,status,code", [("throttle", 400, "ProvisionedThroughputExceededException"),
                                              ("error500", 500, "InternalServerError"),
                                              ("error503", 503, "ServiceUnavailableException")])
def test_error_faults_are_not_forwarded(proxy, unique_table_name, kind, status, code):
    client = client_of(proxy.url)
    create(client, unique_table_name, wcu=100)
    proxy.faults = FaultPlan(rate=1.0, weights={kind: 1})
    with pytest.raises(ClientError) as info:
        put(client, unique_table_name, "a")
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == status
    assert info.value.response["Error"]["Code"] == code
    proxy.faults = FaultPlan()
    assert keys_in(client, unique_table_name) == set()
    assert proxy.count(kind, "PutItem") == 1


@pytest.mark.parametrize("kind,written", [("reset_before", False), ("reset_after", True)])
def test_connection_resets_before_and_after_forwarding(proxy, unique_table_name, kind, written):
    client = client_of(proxy.url)
    create(client, unique_table_name, wcu=100)
    proxy.faults = FaultPlan(rate=1.0, weights={kind: 1})
    with pytest.raises(ConnectionClosedError):
        put(client, unique_table_name, "a")
    proxy.faults = FaultPlan()
    assert keys_in(client, unique_table_name) == ({"a"} if written else set())
    put(client, unique_table_name, "b")             # the client reconnects
    assert proxy.count(kind) == 1


def test_partial_batches_return_the_rest_unprocessed(proxy, unique_table_name):
    client = client_of(proxy.url)
    create(client, unique_table_name, rcu=1000, wcu=1000)
    proxy.faults = FaultPlan(rate=1.0, weights={"unprocessed": 1}, seed=5)
    writes = [{"PutRequest": {"Item": {"id": {"S": f"k{i}"}}}} for i in range(25)]
    answer = client.batch_write_item(RequestItems={unique_table_name: writes}, ReturnConsumedCapacity="TOTAL")
    left = answer["UnprocessedItems"][unique_table_name]
    assert 0 < len(left) <= 25
    stored = keys_in(client, unique_table_name)
    assert stored | {w["PutRequest"]["Item"]["id"]["S"] for w in left} == {f"k{i}" for i in range(25)}
    assert len(stored) == 25 - len(left)
    assert answer["ConsumedCapacity"]                            # asked for: passed through
    assert proxy.record.total(unique_table_name, WRITE) == len(stored)   # moto reports 1 per batch

    keys = [{"id": {"S": f"k{i}"}} for i in range(25)]
    answer = client.batch_get_item(RequestItems={unique_table_name: {"Keys": keys, "ConsistentRead": True}})
    unprocessed = answer["UnprocessedKeys"][unique_table_name]
    assert unprocessed["ConsistentRead"] is True and unprocessed["Keys"]
    assert len(answer["Responses"].get(unique_table_name, [])) + len(unprocessed["Keys"]) <= 25
    assert proxy.count("unprocessed_items") == len(left) + len(unprocessed["Keys"])


def test_runs_as_a_script(moto_endpoint):
    script = Path(__file__).with_name("ddb_proxy.py")
    process = subprocess.Popen([sys.executable, str(script), "--upstream", moto_endpoint],
                               stdout=subprocess.PIPE, text=True, env=dict(os.environ, PYTHONUNBUFFERED="1"))
    try:
        url = process.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:")
        assert "TableNames" in client_of(url).list_tables()
    finally:
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=20)
    assert '"forwarded ListTables": 1' in output


# --- the capacity simulator's on-demand model --------------------------------------------------

def test_warm_throughput_doubles_after_sustained_use_up_to_the_maximum():
    from support.ddb_capacity import WarmThroughput
    warm = WarmThroughput(100, now=0.0, burst_seconds=1, maximum=300, rise_after=2.0)
    now = 0.0
    while now < 2.5:                      # 60 units a second: above half of 100
        warm.charge(6, now)
        now += 0.1
    assert warm.units == 200
    while now < 10:
        warm.charge(20, now)
        now += 0.1
    assert warm.units == 300              # capped by the OnDemandThroughput maximum
    idle = WarmThroughput(100, now=0.0, burst_seconds=1, rise_after=2.0)
    for step in range(50):
        idle.charge(1, step * 0.1)        # 10 units a second: not sustained use
    assert idle.units == 100


def test_describe_table_reports_the_modelled_warm_throughput(moto_endpoint, clock):
    with DynamoDBProxy(moto_endpoint, burst_seconds=1, clock=clock, model_on_demand=True) as proxy:
        client = client_of(proxy.url)
        create(client, "warm_t", on_demand=True)
        described = client.describe_table(TableName="warm_t")["Table"]
        assert described["WarmThroughput"]["ReadUnitsPerSecond"] == 12000
        assert described["WarmThroughput"]["WriteUnitsPerSecond"] == 4000
        proxy.set_on_demand("warm_t", read=400, write=200, max_write=150)
        described = client.describe_table(TableName="warm_t")["Table"]
        assert (described["WarmThroughput"]["ReadUnitsPerSecond"],
                described["WarmThroughput"]["WriteUnitsPerSecond"]) == (400, 150)
        assert described["OnDemandThroughput"] == {"MaxReadRequestUnits": -1, "MaxWriteRequestUnits": 150}


def test_on_demand_tables_are_held_to_their_warm_throughput(moto_endpoint, clock):
    with DynamoDBProxy(moto_endpoint, burst_seconds=1, clock=clock, model_on_demand=True) as proxy:
        client = client_of(proxy.url)
        create(client, "warm_w", on_demand=True)
        proxy.set_on_demand("warm_w", read=100, write=2)
        put(client, "warm_w", "a")
        put(client, "warm_w", "b")                 # the second's two units are spent
        with pytest.raises(ClientError) as refused:
            put(client, "warm_w", "c")
        assert refused.value.response["Error"]["Code"] == "ProvisionedThroughputExceededException"
        clock.now += 1.0
        put(client, "warm_w", "c")


def test_a_hot_partition_holds_back_its_items_and_the_others_go_through(moto_endpoint, clock):
    from support.ddb_capacity import partition_of
    with DynamoDBProxy(moto_endpoint, burst_seconds=1, clock=clock) as proxy:
        client = client_of(proxy.url)
        create(client, "parts", rcu=1000, wcu=1000)
        proxy.set_partitions("parts", 2, write=1)
        hot = [k for k in (f"k{i}" for i in range(40)) if partition_of({"S": k}, 2) == 0][:3]
        cold = [k for k in (f"k{i}" for i in range(40)) if partition_of({"S": k}, 2) == 1][:2]
        request = {"parts": [{"PutRequest": {"Item": {"id": {"S": k}}}} for k in hot + cold]}
        answer = client.batch_write_item(RequestItems=request)
        held = [w["PutRequest"]["Item"]["id"]["S"] for w in answer.get("UnprocessedItems", {}).get("parts", [])]
        # each partition admits while its balance is above zero: one put, then it is spent
        assert sorted(held) == sorted(hot[1:] + cold[1:])
        assert proxy.count("partition_unprocessed") == len(held)
