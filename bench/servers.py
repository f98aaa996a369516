"""The DynamoDB servers benchmarks run against (the test suite's own), and a plain table."""
from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))


def start_server(kind: str):
    """A started moto server or DynamoDB Local ("moto" / "dynamodb-local"); call ``stop()``.
    ddbsql's clients take the usual credential chain: any key does for a local endpoint."""
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        os.environ.setdefault(key, "bench")
    if kind == "moto":
        from support.servers import start_moto
        return start_moto()
    from support.dynamodb_local import DynamoDBLocal
    server = DynamoDBLocal()
    server.start()
    return server


def make_table(client, name: str) -> None:
    """An on-demand table keyed by the string attribute ``id``, once it is ACTIVE."""
    client.create_table(TableName=name, KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                        BillingMode="PAY_PER_REQUEST")
    client.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 0.2})
