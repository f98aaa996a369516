"""raw_scan / raw_query / raw_batch_write against moto's server equal the plain boto3 calls."""
from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pyarrow as pa
import pytest
from botocore.awsrequest import AWSResponse
from botocore.exceptions import ClientError
from botocore.stub import Stubber

from ddbsql.catalog.binding import ColumnBinding
from ddbsql.errors import DynamoDBError
from ddbsql.exec.clients import AwsOptions, ClientFactory
from ddbsql.exec.decode import DecodeWarnings
from ddbsql.exec.decode import decode_page as reference_decode_page
from ddbsql.exec.fastpath import (PageMeta, RawItems, decode_page, encode_batch_fast, query_page, raw_batch_write,
                                  raw_query, raw_scan, scan_page)
from ddbsql.exec.retry import RetryPolicy
from ddbsql.types import parse_hive_type

BINDINGS = [
    ColumnBinding("pk", parse_hive_type("binary"), "pk", "B"),
    ColumnBinding("sk", parse_hive_type("bigint"), "sk", "N"),
    ColumnBinding("name", parse_hive_type("string"), "name", "S"),
    ColumnBinding("price", parse_hive_type("decimal(10,2)"), "price", "N"),
    ColumnBinding("tags", parse_hive_type("array<string>"), "tags", "SS"),
    ColumnBinding("flag", parse_hive_type("boolean"), "flag", "BOOL"),
    ColumnBinding("nested", parse_hive_type("map<string,bigint>"), "nested", "M"),
    ColumnBinding("item", parse_hive_type("map<string,string>"), None, "ITEM"),
]


def make_table(client, name: str) -> None:
    client.create_table(TableName=name,
                        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                                   {"AttributeName": "sk", "KeyType": "RANGE"}],
                        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "B"},
                                              {"AttributeName": "sk", "AttributeType": "N"}],
                        BillingMode="PAY_PER_REQUEST")


def sample_items(count: int) -> list[dict]:
    items = []
    for i in range(count):
        item = {"pk": {"B": bytes([i % 7, 0xFF])}, "sk": {"N": str(i)}, "name": {"S": f"näme {i} \"q\""},
                "price": {"N": str(Decimal(i) / 8)}, "flag": {"BOOL": i % 2 == 0}}
        if i % 3:
            item["tags"] = {"SS": [f"t{i}", "all"]}
        if i % 4 == 0:
            item["nested"] = {"M": {"a": {"N": str(i)}, "b": {"S": "not a number"}}}
        if i % 5 == 0:
            item["name"] = {"N": "5"}  # wrong type: NULL plus a warning
        items.append(item)
    return items


@pytest.fixture
def filled(moto_backend, unique_table_name):
    client = moto_backend.client()
    make_table(client, unique_table_name)
    items = sample_items(90)
    for start in range(0, len(items), 25):
        raw_batch_write(client, RequestItems={unique_table_name: [{"PutRequest": {"Item": item}}
                                                                  for item in items[start:start + 25]]},
                        ReturnConsumedCapacity="TOTAL")
    return client, unique_table_name, items


def pages(call, params):
    params = dict(params)
    while True:
        page = call(params)
        yield page
        last = page[1].get("LastEvaluatedKey") if isinstance(page, tuple) else page.get("LastEvaluatedKey")
        if not last:
            return
        params["ExclusiveStartKey"] = last


def test_raw_scan_equals_scan_and_decode_page_page_by_page(filled):
    client, table, items = filled
    params = {"TableName": table, "Limit": 17, "ReturnConsumedCapacity": "TOTAL"}
    reference_warnings, fast_warnings = DecodeWarnings(), DecodeWarnings()
    expected = [(reference_decode_page(p["Items"], BINDINGS, reference_warnings), p)
                for p in pages(lambda q: client.scan(**q), params)]
    actual = list(pages(lambda q: raw_scan(client, q, BINDINGS, fast_warnings), params))
    assert len(actual) == len(expected) > 5
    for (batch, meta), (reference, page) in zip(actual, expected):
        assert isinstance(meta, PageMeta)
        assert batch.equals(reference)
        assert meta["Count"] == page["Count"] and meta["ScannedCount"] == page["ScannedCount"]
        assert meta.get("LastEvaluatedKey") == page.get("LastEvaluatedKey")
        assert meta["ConsumedCapacity"] == page["ConsumedCapacity"]
        assert meta["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert sum(b.num_rows for b, _ in actual) == len(items)
    assert fast_warnings.items() == reference_warnings.items() != []
    key = actual[0][1]["LastEvaluatedKey"]
    assert isinstance(key["pk"]["B"], bytes)  # usable as ExclusiveStartKey, as botocore's


def test_raw_query_equals_query(filled):
    client, table, _ = filled
    params = {"TableName": table, "KeyConditionExpression": "pk = :p AND sk > :s", "Limit": 4,
              "ExpressionAttributeValues": {":p": {"B": bytes([3, 0xFF])}, ":s": {"N": "10"}}}
    expected = [reference_decode_page(p["Items"], BINDINGS) for p in pages(lambda q: client.query(**q), params)]
    actual = [batch for batch, _ in pages(lambda q: raw_query(client, q, BINDINGS), params)]
    assert pa.Table.from_batches(actual).equals(pa.Table.from_batches(expected))
    assert len(actual) == len(expected) > 1


def test_scan_page_is_a_drop_in_for_client_scan(filled):
    client, table, items = filled
    warnings, expected_warnings = DecodeWarnings(), DecodeWarnings()
    params = {"TableName": table, "Limit": 40, "ReturnConsumedCapacity": "TOTAL"}
    total = 0
    while True:
        page = scan_page(client, params)
        plain = client.scan(**params)
        page_items = page.get("Items", [])
        assert isinstance(page_items, RawItems)
        assert len(page_items) == page["Count"] and bool(page_items) == (page["Count"] > 0)
        assert {k: v for k, v in page.items() if k not in ("Items", "ResponseMetadata")} == \
            {k: v for k, v in plain.items() if k not in ("Items", "ResponseMetadata")}
        if page_items:
            batch = decode_page(page_items, BINDINGS, warnings)
            assert batch.equals(reference_decode_page(plain["Items"], BINDINGS, expected_warnings))
            assert list(page_items) == plain["Items"]  # low-level items on demand
            total += batch.num_rows
        if not page.get("LastEvaluatedKey"):
            break
        params["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    assert total == len(items)
    assert warnings.items() == expected_warnings.items()
    assert query_page(client, {"TableName": table, "KeyConditionExpression": "pk = :p",
                               "ExpressionAttributeValues": {":p": {"B": bytes([1, 0xFF])}}})["Count"] > 0
    # this module's decode_page passes anything else to the reference
    assert decode_page([{"name": {"S": "x"}}], BINDINGS[2:3]).column(0).to_pylist() == ["x"]


def test_errors_surface_as_client_errors_and_the_retry_policy_sees_them(moto_backend):
    client = moto_backend.client()
    with pytest.raises(ClientError) as raised:
        raw_scan(client, {"TableName": "no_such_table"}, BINDINGS)
    assert raised.value.response["Error"]["Code"] == "ResourceNotFoundException"
    with pytest.raises(DynamoDBError):
        RetryPolicy(sleep=lambda s: None).call(lambda: raw_scan(client, {"TableName": "no_such_table"}, BINDINGS),
                                               what="Scan")


class _Raw:
    def __init__(self, body: bytes):
        self._body = body

    def stream(self, **_):
        yield self._body


def test_throttling_is_retried_by_the_policy(filled, moto_backend):
    _, table, _ = filled
    # ddbsql's clients leave retrying to RetryPolicy (botocore tries once)
    client = ClientFactory(AwsOptions(region="us-east-1", endpoint_url=moto_backend.url)).dynamodb()
    throttles = {"left": 2}

    def throttle(request, **_):
        if throttles["left"]:
            throttles["left"] -= 1
            body = json.dumps({"__type": "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",
                               "message": "slow down"}).encode()
            return AWSResponse(request.url, 400, {"Content-Type": "application/x-amz-json-1.0"}, _Raw(body))
        return None

    client.meta.events.register("before-send.dynamodb.Scan", throttle)
    try:
        seen = []
        policy = RetryPolicy(sleep=lambda s: None)
        batch, meta = policy.call(lambda: raw_scan(client, {"TableName": table}, BINDINGS), what="Scan",
                                  on_retry=seen.append)
    finally:
        client.meta.events.unregister("before-send.dynamodb.Scan", throttle)
    assert [e.response["Error"]["Code"] for e in seen] == ["ProvisionedThroughputExceededException"] * 2
    assert batch.num_rows == meta["Count"] == 90


def test_a_stubbed_client_still_works(moto_backend):
    client = moto_backend.client()
    items = [{"pk": {"B": b"\x01"}, "sk": {"N": "1"}, "name": {"S": "stub"}}]
    with Stubber(client) as stub:
        stub.add_response("scan", {"Items": items, "Count": 1, "ScannedCount": 1})
        stub.add_response("scan", {"Items": items, "Count": 1, "ScannedCount": 1})
        batch, meta = raw_scan(client, {"TableName": "anything"}, BINDINGS)
        page = scan_page(client, {"TableName": "anything"})
    assert batch.equals(reference_decode_page(items, BINDINGS))
    assert meta["Count"] == 1
    assert decode_page(page["Items"], BINDINGS).equals(batch)


def test_plain_calls_on_the_same_client_are_untouched(filled):
    client, table, _ = filled
    raw_scan(client, {"TableName": table, "Limit": 1}, BINDINGS)
    page = client.scan(TableName=table, Limit=5)
    assert len(page["Items"]) == 5 and "_ddbsql_raw_body" not in page


def test_parallel_segments_on_one_client(moto_backend, unique_table_name):
    client, table = moto_backend.client(), unique_table_name
    client.create_table(TableName=table, KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                        BillingMode="PAY_PER_REQUEST")  # moto cannot segment binary keys
    items = [{"id": {"S": f"k{i}"}, "sk": {"N": str(i)}} for i in range(70)]
    for start in range(0, len(items), 25):
        raw_batch_write(client, RequestItems={table: [{"PutRequest": {"Item": i}} for i in items[start:start + 25]]})

    def segment(i: int) -> int:
        rows = 0
        params = {"TableName": table, "Segment": i, "TotalSegments": 4, "Limit": 9}
        for batch, _ in pages(lambda q: raw_scan(client, q, BINDINGS), params):
            rows += batch.num_rows
        return rows

    with ThreadPoolExecutor(4) as pool:
        assert sum(pool.map(segment, range(4))) == len(items)


def test_encoded_batch_written_raw_reads_back(moto_backend, unique_table_name):
    client = moto_backend.client()
    make_table(client, unique_table_name)
    bindings = BINDINGS[:6]
    batch = pa.RecordBatch.from_arrays([
        pa.array([b"k1", b"k2", b"", b"k4"]), pa.array([1, 2, 3, None], pa.int64()),
        pa.array(["a", None, "c", "d"]), pa.array([Decimal("1.50"), Decimal("-0.05"), None, Decimal("0")],
                                                  pa.decimal128(10, 2)),
        pa.array([["x", "y"], [], None, ["z"]]), pa.array([True, False, None, True])],
        names=[b.name for b in bindings])
    items, rejects, sizes = encode_batch_fast(batch, bindings, key_attributes=("pk", "sk"))
    assert [r[0] for r in rejects] == [2, 3]
    response = raw_batch_write(client, RequestItems={unique_table_name: [{"PutRequest": {"Item": i}} for i in items]},
                               ReturnConsumedCapacity="TOTAL")
    assert response["UnprocessedItems"] == {}
    back = sorted(client.scan(TableName=unique_table_name)["Items"], key=lambda i: i["sk"]["N"])
    assert back == items


def test_handlers_are_per_thread(filled):
    """A raw call on one thread does not swap the body of a plain call on another."""
    client, table, _ = filled
    stop = threading.Event()
    errors = []

    def plain():
        while not stop.is_set():
            page = client.scan(TableName=table, Limit=3)
            if len(page.get("Items", [])) != 3:
                errors.append(page)

    thread = threading.Thread(target=plain)
    thread.start()
    try:
        for _ in range(15):
            raw_scan(client, {"TableName": table, "Limit": 3}, BINDINGS)
    finally:
        stop.set()
        thread.join()
    assert errors == []


class _ScanPageClient:
    """``client.scan(**params)`` answered by ``scan_page``: the drop-in, without editing the scanner."""

    def __init__(self, client):
        self.client = client

    def scan(self, **params):
        return scan_page(self.client, params)


def test_the_scanner_with_the_two_line_drop_in(filled, monkeypatch):
    import ddbsql.exec.scanner as scanner
    from ddbsql.planner.scan import ScanPlan

    client, table, items = filled
    plan = ScanPlan(table_name=table, bindings=tuple(BINDINGS), segments=1, projection=None, attribute_names={},
                    limit=20)
    expected_warnings, warnings = DecodeWarnings(), DecodeWarnings()
    expected = pa.Table.from_batches(list(scanner.scan_batches(client, plan, RetryPolicy(), warnings=expected_warnings)))
    monkeypatch.setattr(scanner, "decode_page", decode_page)
    stats = scanner.ScanStats()
    actual = pa.Table.from_batches(list(scanner.scan_batches(_ScanPageClient(client), plan,
                                                             RetryPolicy(), warnings=warnings, stats=stats)))
    assert actual.equals(expected) and actual.num_rows == len(items)
    assert warnings.items() == expected_warnings.items()
    assert stats.items == stats.scanned == len(items) and stats.pages >= 5


class _Double:
    """A test double of the kind the scanner and writer tests use: no botocore inside."""

    def __init__(self, pages):
        self.pages, self.requests = list(pages), []

    def scan(self, **params):
        return self.pages.pop(0)

    def batch_write_item(self, **params):
        self.requests.append(params)
        return {"UnprocessedItems": {}}


def test_objects_that_are_not_botocore_clients_are_called_as_they_are():
    items = [{"pk": {"B": b"\x01"}, "sk": {"N": "2"}, "name": {"S": "double"}}]
    double = _Double([{"Items": items, "Count": 1}, {"Items": items, "Count": 1}])
    page = scan_page(double, {"TableName": "t"})
    assert page["Items"] == items and decode_page(page["Items"], BINDINGS).equals(reference_decode_page(items, BINDINGS))
    batch, meta = raw_scan(double, {"TableName": "t"}, BINDINGS)
    assert batch.equals(reference_decode_page(items, BINDINGS)) and meta["Count"] == 1
    request = {"t": [{"PutRequest": {"Item": items[0]}}, {"DeleteRequest": {"Key": {"pk": {"B": b"\x02"}}}}]}
    raw_batch_write(double, RequestItems=request)
    from ddbsql.exec.fastpath import batch_write_body, raw_batch_write_item
    raw_batch_write_item(double, "t", batch_write_body({"RequestItems": request}))
    assert double.requests == [{"RequestItems": request}] * 2


def test_a_stubber_sees_the_real_write_parameters(moto_backend):
    client = moto_backend.client()
    request = {"t1": [{"PutRequest": {"Item": {"id": {"S": "a"}, "b": {"B": b"\x00"}}}}]}
    with Stubber(client) as stub:
        stub.add_response("batch_write_item", {"UnprocessedItems": {}},
                          {"RequestItems": request, "ReturnConsumedCapacity": "TOTAL"})
        assert raw_batch_write(client, RequestItems=request, ReturnConsumedCapacity="TOTAL")["UnprocessedItems"] == {}
        stub.assert_no_pending_responses()


# --- BatchWriteItem signed and sent straight on the client's pool ----------------------------------

def factory_client(url: str):
    from ddbsql.exec.clients import AwsOptions, ClientFactory
    return ClientFactory(AwsOptions(region="us-east-1", endpoint_url=url)).dynamodb()


def test_signed_sender_writes_what_reads_back(moto_backend, unique_table_name):
    from ddbsql.exec.fastpath.encoder import batch_write_body_of, request_fragment
    from ddbsql.exec.fastpath.signed import sender_for

    client = factory_client(moto_backend.url)
    make_table(client, unique_table_name)
    items = sample_items(25)
    response = sender_for(client).batch_write(batch_write_body_of(unique_table_name,
                                                                  [request_fragment(i) for i in items]))
    assert response["UnprocessedItems"] == {} and response["ResponseMetadata"]["HTTPStatusCode"] == 200
    back = sorted(client.scan(TableName=unique_table_name)["Items"], key=lambda i: int(i["sk"]["N"]))
    assert back == items


def test_signed_sender_raises_dynamodbs_error_as_botocore_does(moto_backend):
    from botocore.exceptions import ClientError, EndpointConnectionError

    from ddbsql.exec.fastpath.encoder import batch_write_body_of, request_fragment
    from ddbsql.exec.fastpath.signed import sender_for
    from ddbsql.exec.retry import error_code, is_transient

    body = batch_write_body_of("no_such_table", [request_fragment({"pk": {"B": b"k"}, "sk": {"N": "1"}})])
    with pytest.raises(ClientError) as raised:
        sender_for(factory_client(moto_backend.url)).batch_write(body)
    with pytest.raises(ClientError) as expected:
        moto_backend.client().batch_write_item(RequestItems={"no_such_table": [
            {"PutRequest": {"Item": {"pk": {"B": b"k"}, "sk": {"N": "1"}}}}]})
    assert error_code(raised.value) == error_code(expected.value) == "ResourceNotFoundException"
    assert raised.value.response["Error"]["Message"] == expected.value.response["Error"]["Message"]
    assert not is_transient(raised.value)
    with pytest.raises(EndpointConnectionError) as refused:   # nothing listens there
        sender_for(factory_client("http://127.0.0.1:9")).batch_write(body)
    assert is_transient(refused.value)


def test_clients_not_made_by_ddbsql_are_called_as_they_are(moto_backend):
    from ddbsql.exec.fastpath.signed import sender_for

    assert sender_for(moto_backend.client()) is None
    assert sender_for(object()) is None
