"""docs/hive-compatibility.md tells the truth: the example of every row of its Statements
table runs here.  Rows marked supported or differs must succeed; rows marked not
supported must fail with the message their notes quote (``Fails with `…```)."""
from __future__ import annotations

import re
from pathlib import Path

import boto3
import pytest

import ddbsql
from support.ddb_env import open_connection

DOC = Path(__file__).resolve().parents[1] / "docs" / "hive-compatibility.md"
BUCKET = "my-bucket"
DYNAMODB_TABLE = "DocOrders"
WORLD = """
CREATE EXTERNAL TABLE orders (id string, amount bigint)
STORED BY 'org.apache.hadoop.hive.dynamodb.DynamoDBStorageHandler'
TBLPROPERTIES ("dynamodb.table.name" = "DocOrders", "dynamodb.column.mapping" = "id:id,amount:amount");
CREATE TABLE customers (id string, name string);
INSERT INTO customers VALUES ('o1', 'Ann'), ('o2', 'Bob');
"""


def _cells(line: str) -> list[str]:
    """The cells of a markdown table row (``\\|`` is a literal bar)."""
    parts = re.split(r"(?<!\\)\|", line.strip().strip("|"))
    return [p.strip().replace("\\|", "|") for p in parts]


def _rows() -> list[tuple[str, str, str, str]]:
    text = DOC.read_text(encoding="utf-8")
    section = text.split("## Statements", 1)[1].split("\n## ", 1)[0]
    lines = [line for line in section.splitlines() if line.startswith("|")]
    header = _cells(lines[0])
    assert header == ["Feature", "Status", "Example", "Notes"]
    return [tuple(_cells(line)) for line in lines[2:]]


ROWS = _rows()


def _example(cell: str) -> list[str]:
    match = re.fullmatch(r"`(.+)`", cell)
    assert match, f"the example must be one code span: {cell!r}"
    return [s.strip() for s in match.group(1).split(";") if s.strip()]


def test_every_row_has_an_example_and_a_known_status():
    assert ROWS
    for feature, status, example, notes in ROWS:
        assert status in ("supported", "differs", "not supported"), feature
        assert _example(example), feature
        if status == "not supported":
            assert re.search(r"Fails with `[^`]+`", notes), f"{feature}: quote the error (Fails with `…`)"


@pytest.fixture
def world(moto_backend, tmp_path):
    client = moto_backend.client()
    try:  # the server outlives the test: the table may be there from an earlier one
        client.create_table(TableName=DYNAMODB_TABLE, BillingMode="PAY_PER_REQUEST",
                            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}])
    except client.exceptions.ResourceInUseException:
        pass
    for i, amount in enumerate((5, 12, 30), 1):
        client.put_item(TableName=DYNAMODB_TABLE, Item={"id": {"S": f"o{i}"}, "amount": {"N": str(amount)}})
    s3 = boto3.client("s3", endpoint_url=moto_backend.url, region_name="us-east-1",
                      aws_access_key_id="AKIDTEST", aws_secret_access_key="secret")
    try:
        s3.create_bucket(Bucket=BUCKET)
    except (s3.exceptions.BucketAlreadyOwnedByYou, s3.exceptions.BucketAlreadyExists):
        pass
    conn = open_connection(moto_backend, tmp_path)
    conn.cursor().executescript(WORLD)
    yield conn
    conn.close()


@pytest.mark.parametrize("feature,status,example,notes", ROWS, ids=[r[0][:60] for r in ROWS])
def test_the_example_does_what_the_row_says(world, feature, status, example, notes):
    statements = _example(example)
    cursor = world.cursor()
    if status == "not supported":
        expected = re.search(r"Fails with `([^`]+)`", notes).group(1)
        for statement in statements[:-1]:
            cursor.execute(statement)
        with pytest.raises(ddbsql.Error) as failure:
            cursor.execute(statements[-1])
            if cursor.description:
                cursor.fetchall()
        assert expected in str(failure.value)
        return
    for statement in statements:
        cursor.execute(statement)
        if cursor.description:
            cursor.fetchall()
