"""Measuring from outside what ddbsql did to a table: plain-boto3 counts and scans, a
sampler counting a table's items over time, and the rates those samples give."""
from __future__ import annotations

import threading
import time


def count_items(client, table: str, *, consistent: bool = False) -> int:
    """The table's item count now (a paginated ``Select=COUNT`` Scan)."""
    total, params = 0, {"TableName": table, "Select": "COUNT"}
    if consistent:
        params["ConsistentRead"] = True
    while True:
        page = client.scan(**params)
        total += page["Count"]
        if "LastEvaluatedKey" not in page:
            return total
        params["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def scan_all(client, table: str) -> list[dict]:
    """Every item of the table, as DynamoDB JSON."""
    items, params = [], {"TableName": table}
    while True:
        page = client.scan(**params)
        items.extend(page["Items"])
        if "LastEvaluatedKey" not in page:
            return items
        params["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def create_provisioned(client, name: str, *, rcu: int, wcu: int) -> None:
    """A provisioned table keyed by the string attribute ``id``, once it is ACTIVE."""
    client.create_table(TableName=name, KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                        ProvisionedThroughput={"ReadCapacityUnits": rcu, "WriteCapacityUnits": wcu})
    client.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 100})


class Sampler(threading.Thread):
    """Counts a table's items every ``interval`` seconds: (time, count) samples."""

    def __init__(self, client, table: str, interval: float = 0.5):
        super().__init__(daemon=True)
        self.client, self.table, self.interval = client, table, interval
        self.samples: list[tuple[float, int]] = []
        self.stop = threading.Event()

    def sample(self) -> None:
        before = time.monotonic()
        count = count_items(self.client, self.table)
        self.samples.append(((before + time.monotonic()) / 2, count))   # the count is of some moment in between

    def run(self) -> None:
        while not self.stop.is_set():
            self.sample()
            self.stop.wait(self.interval)


def steady_rate(samples: list[tuple[float, int]], total: int) -> float:
    """Items per second between 20 % and 90 % of the job (start-up burst and tail excluded)."""
    inside = [(t, n) for t, n in samples if 0.2 * total <= n <= 0.9 * total]
    (t0, n0), (t1, n1) = inside[0], inside[-1]
    return (n1 - n0) / (t1 - t0)


def peak_rate(samples: list[tuple[float, int]], window: float = 3.0, skip: float = 0.0) -> float:
    """The highest rate over ``window`` seconds, for windows starting ``skip`` seconds or
    more after the first sample."""
    peak = 0.0
    for i, (t0, n0) in enumerate(samples):
        if t0 < samples[0][0] + skip:
            continue
        for t1, n1 in samples[i + 1:]:
            if t1 - t0 >= window:
                peak = max(peak, (n1 - n0) / (t1 - t0))
                break
    return peak
