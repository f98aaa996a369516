"""A ddbsql connection to a real DynamoDB endpoint on loopback, and plain-boto3 helpers
to put and read items (the independent side of each end-to-end check)."""
from __future__ import annotations

import dataclasses
from pathlib import Path

import ddbsql
from support.rates import scan_all


class Upstream:
    """A backend for :class:`Env` given by its URL alone (a proxy, or a server a test started)."""

    def __init__(self, url: str):
        self.url = url

    def client(self, region: str = "us-east-1"):
        import boto3
        return boto3.client("dynamodb", endpoint_url=self.url, region_name=region)


@dataclasses.dataclass
class Env:
    """One test's world: the backend, a ddbsql connection on it, and its folders."""

    backend: object
    conn: ddbsql.Connection
    tmp: Path

    def run(self, sql: str, parameters=None):
        """Execute one statement; return (rows, cursor)."""
        cursor = self.conn.cursor()
        cursor.execute(sql, parameters)
        rows = cursor.fetchall() if cursor.description else None
        return rows, cursor

    def rows(self, sql: str, parameters=None) -> list[tuple]:
        return self.run(sql, parameters)[0]

    def script(self, text: str) -> None:
        self.conn.cursor().executescript(text)

    def client(self, region: str = "us-east-1"):
        return self.backend.client(region)

    def create_ddb_table(self, name: str, hash_key=("id", "S"), range_key=None, region: str = "us-east-1") -> None:
        keys = [{"AttributeName": hash_key[0], "KeyType": "HASH"}]
        attrs = [{"AttributeName": hash_key[0], "AttributeType": hash_key[1]}]
        if range_key:
            keys.append({"AttributeName": range_key[0], "KeyType": "RANGE"})
            attrs.append({"AttributeName": range_key[0], "AttributeType": range_key[1]})
        client = self.client(region)
        client.create_table(TableName=name, KeySchema=keys, AttributeDefinitions=attrs,
                            BillingMode="PAY_PER_REQUEST")
        client.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 100})

    def put_items(self, name: str, items: list[dict], region: str = "us-east-1") -> None:
        client = self.client(region)
        for start in range(0, len(items), 25):
            chunk = items[start:start + 25]
            request = {name: [{"PutRequest": {"Item": item}} for item in chunk]}
            while request:
                response = client.batch_write_item(RequestItems=request)
                request = response.get("UnprocessedItems") or {}

    def scan_items(self, name: str, region: str = "us-east-1") -> list[dict]:
        return scan_all(self.client(region), name)


def open_connection(backend, tmp: Path, **kwargs) -> ddbsql.Connection:
    # a server fault retried for the default 10 minutes would stall the suite: 30 s is plenty here
    hiveconf = {"ddbsql.reject.dir": str(tmp / "rejects"), "ddbsql.retry.max.seconds": "30"}
    hiveconf.update(kwargs.pop("hiveconf", {}))
    return ddbsql.connect(endpoint_url=backend.url, region="us-east-1", metastore=tmp / "metastore.db",
                          warehouse=tmp / "warehouse.duckdb", allow_shell=True, allow_local_files=True,
                          hiveconf=hiveconf, **kwargs)
