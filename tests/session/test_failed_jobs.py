"""A write that fails part-way says what it wrote: the error and the job record hold the
rows written and rejected so far and the command that continues the job, and the table
holds exactly that many items."""
from __future__ import annotations

import re
import threading

import boto3
import pytest

import ddbsql
from support.ddb_proxy import DynamoDBProxy

pytestmark = pytest.mark.e2e

HANDLER = "'org.apache.hadoop.hive.dynamodb.DynamoDBStorageHandler'"
ROWS = 3000


class FailAfter:
    """A fault plan for the proxy: the first ``n`` BatchWriteItem requests pass, every later
    one is a 500 (an endpoint that stopped working mid-job)."""

    def __init__(self, n: int):
        self.left = n
        self.lock = threading.Lock()

    def draw(self, operation: str) -> str | None:
        if operation != "BatchWriteItem":
            return None
        with self.lock:
            if self.left > 0:
                self.left -= 1
                return None
        return "error500"

    def split(self, n: int) -> list[bool]:
        return [True] * n


def count_items(client, table: str) -> int:
    total, params = 0, {"TableName": table, "Select": "COUNT", "ConsistentRead": True}
    while True:
        page = client.scan(**params)
        total += page["Count"]
        if "LastEvaluatedKey" not in page:
            return total
        params["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def test_a_failed_write_states_its_counts_and_how_to_resume(moto_backend, tmp_path, unique_table_name):
    upstream = boto3.client("dynamodb", endpoint_url=moto_backend.url, region_name="us-east-1")
    upstream.create_table(TableName=unique_table_name, KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                          AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "N"}],
                          BillingMode="PAY_PER_REQUEST")
    proxy = DynamoDBProxy(moto_backend.url).start()
    try:
        connection = ddbsql.connect(endpoint_url=proxy.url, region="us-east-1", metastore=tmp_path / "metastore.db",
                                    hiveconf={"ddbsql.retry.max.seconds": "2", "ddbsql.reject.dir":
                                              str(tmp_path / "rejects")})
        cursor = connection.cursor()
        cursor.execute(f"""CREATE EXTERNAL TABLE d (id bigint, s string) STORED BY {HANDLER}
                           TBLPROPERTIES ("dynamodb.table.name"="{unique_table_name}",
                                          "dynamodb.column.mapping"="id:id,s:s")""")
        proxy.faults = FailAfter(20)
        statement = (f"INSERT INTO TABLE d SELECT i, CASE WHEN i = 5 THEN repeat('x', 410000) ELSE 'v' END "
                     f"FROM (SELECT explode(sequence(1, {ROWS})) AS i) t")
        with pytest.raises(ddbsql.OperationalError) as caught:
            cursor.execute(statement)
        message = str(caught.value)
        assert "\n" not in message
        found = re.search(r"job (\w+) failed: (\d+) row\(s\) written, (\d+) rejected so far; continue it with: "
                          r"ddbsql --resume (\w+)", message)
        assert found, message
        job, written, rejected = found.group(1), int(found.group(2)), int(found.group(3))
        assert found.group(4) == job
        assert 0 < written < ROWS and rejected == 1
        assert count_items(upstream, unique_table_name) == written
        record = connection.session.metastore.jobs().get(job)
        assert record.state == "failed" and record.written == written
        assert f"{written} row(s) written" in record.message

        proxy.faults = FailAfter(10 ** 9)
        cursor.execute("SET ddbsql.job.resume=true")
        cursor.execute(statement)
        assert count_items(upstream, unique_table_name) == ROWS - 1
        assert connection.session.metastore.jobs().get(job).written == ROWS - 1
        connection.close()
    finally:
        proxy.stop()
