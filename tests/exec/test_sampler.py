"""The schema sample: spread over Scan segments, paced and paid for under the read governor."""
from __future__ import annotations

import boto3
import pytest
from botocore.stub import Stubber

from ddbsql.catalog.facts import TableFacts
from ddbsql.errors import DynamoDBError
from ddbsql.exec.directory import DynamoDBDirectory
from ddbsql.exec.governor import READ, Governor, ThroughputSpec
from ddbsql.exec.retry import RetryPolicy
from ddbsql.exec.sampler import sample_cost, sample_items


@pytest.fixture
def table(moto_backend, unique_table_name):
    client = moto_backend.client()
    name = unique_table_name("sample")
    client.create_table(TableName=name, KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                        ProvisionedThroughput={"ReadCapacityUnits": 100, "WriteCapacityUnits": 100})
    for start in range(0, 400, 25):
        puts = [{"PutRequest": {"Item": {"id": {"S": f"k{i:04d}"}, "v": {"N": str(i)}}}}
                for i in range(start, start + 25)]
        client.batch_write_item(RequestItems={name: puts})
    return client, TableFacts(name, "id", None, {"id": "S"}, "PROVISIONED", read_capacity=100,
                              item_count=400, size_bytes=400 * 20)


def test_sample_takes_each_segments_share_from_its_slice_of_the_key_space(table):
    client, facts = table
    sample = sample_items(client, facts, RetryPolicy(), size=40, segments=4)
    assert len(sample.items) == 40 and sample.segments == 4
    expected = []
    for segment in range(4):   # what each segment's own first page of 10 holds
        page = client.scan(TableName=facts.table_name, Segment=segment, TotalSegments=4, Limit=10)
        expected += [i["id"]["S"] for i in page["Items"]]
    assert sorted(i["id"]["S"] for i in sample.items) == sorted(expected)
    first_page = [i["id"]["S"] for i in client.scan(TableName=facts.table_name, Limit=40)["Items"]]
    assert sorted(first_page) != sorted(expected)    # not just the table's first page
    assert sample.requests >= 4 and sample.read_units > 0


def test_sample_is_paid_for_under_the_read_governor(table):
    client, facts = table
    governor = Governor(("us-east-1", "", facts.table_name), spec=ThroughputSpec(), facts=facts)
    sample = sample_items(client, facts, RetryPolicy(), size=100, segments=4, governor=governor)
    assert len(sample.items) == 100
    assert governor.stats(READ).consumed == pytest.approx(sample.read_units)
    assert sample_cost(facts, 100, 4) > 0


def test_small_table_is_read_whole_and_empty_table_gives_no_items(moto_backend, unique_table_name):
    client = moto_backend.client()
    name = unique_table_name("empty")
    client.create_table(TableName=name, KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                        BillingMode="PAY_PER_REQUEST")
    facts = TableFacts(name, "id", None, {"id": "S"}, "PAY_PER_REQUEST")
    assert sample_items(client, facts, RetryPolicy(), size=1000, segments=8).items == ()
    client.put_item(TableName=name, Item={"id": {"S": "a"}})
    assert len(sample_items(client, facts, RetryPolicy(), size=1000, segments=8).items) == 1


def _refused(operation: str) -> dict:
    return dict(method=operation, service_error_code="AccessDeniedException", http_status_code=400,
                service_message=f"User: arn:aws:iam::123456789012:user/u is not authorized to perform: "
                                f"dynamodb:{operation.title().replace('_', '')}")


def test_refused_list_tables_is_one_line_naming_the_action():
    client = boto3.client("dynamodb", region_name="eu-west-1", aws_access_key_id="x", aws_secret_access_key="x")
    directory = DynamoDBDirectory(client, "eu-west-1", None, RetryPolicy(), describe=lambda name: None,
                                  governor=lambda facts: None, sample_size=10, segments=1)
    with Stubber(client) as stub:
        stub.add_client_error(**_refused("list_tables"))
        with pytest.raises(DynamoDBError) as raised:
            directory.table_names()
    message = str(raised.value)
    assert "ListTables in eu-west-1: AccessDeniedException:" in message
    assert "dynamodb:ListTables" in message and "\n" not in message


def test_refused_describe_table_is_one_line_naming_the_action():
    from ddbsql.exec.tables import describe_table
    client = boto3.client("dynamodb", region_name="eu-west-1", aws_access_key_id="x", aws_secret_access_key="x")
    with Stubber(client) as stub:
        stub.add_client_error(**_refused("describe_table"))
        with pytest.raises(DynamoDBError) as raised:
            describe_table(client, "Orders", RetryPolicy(), region="eu-west-1")
    message = str(raised.value)
    assert "DescribeTable Orders: AccessDeniedException:" in message and "\n" not in message
