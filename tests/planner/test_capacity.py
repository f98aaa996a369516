"""Capacity from what DynamoDB reports: fixture table of DescribeTable / DescribeLimits
answers and the capacity (with its source) each direction gets."""
from __future__ import annotations

import dataclasses

import pytest

from ddbsql.catalog.facts import AccountLimits, TableFacts
from ddbsql.planner.capacity import READ, WRITE, budget_text, capacity

KEYS = {"KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"},
                                 {"AttributeName": "g", "AttributeType": "S"}]}
ON_DEMAND = {"BillingModeSummary": {"BillingMode": "PAY_PER_REQUEST"},
             "ProvisionedThroughput": {"ReadCapacityUnits": 0, "WriteCapacityUnits": 0}}


def table(limits: AccountLimits = AccountLimits(), **description) -> TableFacts:
    facts = TableFacts.from_describe({"TableName": "t", **KEYS, **description})
    return dataclasses.replace(facts, limits=limits)


def gsi(**description) -> dict:
    return {"IndexName": "by_g", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "ALL"}, **description}


CASES = [
    # (what, facts, kind, index, explicit) -> (units, source)
    ("provisioned", table(ProvisionedThroughput={"ReadCapacityUnits": 100, "WriteCapacityUnits": 50}),
     WRITE, None, None, (50, "provisioned (DescribeTable)")),
    ("provisioned beats warm throughput", table(ProvisionedThroughput={"ReadCapacityUnits": 100, "WriteCapacityUnits": 50},
                                               WarmThroughput={"ReadUnitsPerSecond": 12000, "WriteUnitsPerSecond": 4000}),
     READ, None, None, (100, "provisioned (DescribeTable)")),
    ("on-demand, warm reported", table(**ON_DEMAND, WarmThroughput={"ReadUnitsPerSecond": 400, "WriteUnitsPerSecond": 200}),
     READ, None, None, (400, "warm throughput (DescribeTable)")),
    ("on-demand, no warm: AWS's starting values", table(**ON_DEMAND), WRITE, None, None,
     (4000, "new on-demand table throughput (AWS documented; no WarmThroughput reported)")),
    ("on-demand, no warm, reads", table(**ON_DEMAND), READ, None, None,
     (12000, "new on-demand table throughput (AWS documented; no WarmThroughput reported)")),
    ("owner's maximum caps warm", table(**ON_DEMAND, WarmThroughput={"ReadUnitsPerSecond": 12000, "WriteUnitsPerSecond": 4000},
                                        OnDemandThroughput={"MaxReadRequestUnits": 500, "MaxWriteRequestUnits": -1}),
     READ, None, None, (500, "OnDemandThroughput maximum (DescribeTable)")),
    ("-1 is no maximum", table(**ON_DEMAND, WarmThroughput={"ReadUnitsPerSecond": 12000, "WriteUnitsPerSecond": 4000},
                               OnDemandThroughput={"MaxReadRequestUnits": 500, "MaxWriteRequestUnits": -1}),
     WRITE, None, None, (4000, "warm throughput (DescribeTable)")),
    ("account limit caps a big warm table",
     table(AccountLimits(40000, 40000), **ON_DEMAND, WarmThroughput={"ReadUnitsPerSecond": 90000, "WriteUnitsPerSecond": 4000}),
     READ, None, None, (40000, "account per-table maximum (DescribeLimits)")),
    ("account limit caps provisioned too",
     table(AccountLimits(100, 100), ProvisionedThroughput={"ReadCapacityUnits": 500, "WriteCapacityUnits": 500}),
     WRITE, None, None, (100, "account per-table maximum (DescribeLimits)")),
    ("a GSI has its own warm throughput",
     table(**ON_DEMAND, WarmThroughput={"ReadUnitsPerSecond": 12000, "WriteUnitsPerSecond": 4000},
           GlobalSecondaryIndexes=[gsi(WarmThroughput={"ReadUnitsPerSecond": 300, "WriteUnitsPerSecond": 100})]),
     READ, "by_g", None, (300, "index by_g warm throughput (DescribeTable)")),
    ("a GSI has its own provisioned throughput",
     table(ProvisionedThroughput={"ReadCapacityUnits": 100, "WriteCapacityUnits": 50},
           GlobalSecondaryIndexes=[gsi(ProvisionedThroughput={"ReadCapacityUnits": 7, "WriteCapacityUnits": 5})]),
     READ, "by_g", None, (7, "index by_g provisioned (DescribeTable)")),
    ("an unknown index is the table", table(**ON_DEMAND, WarmThroughput={"ReadUnitsPerSecond": 400, "WriteUnitsPerSecond": 200}),
     READ, "nope", None, (400, "warm throughput (DescribeTable)")),
    ("the user's figure wins", table(**ON_DEMAND), READ, None, 1000, (1000, "dynamodb.throughput.read")),
]


@pytest.mark.parametrize("what,facts,kind,index,explicit,expected", CASES, ids=[c[0] for c in CASES])
def test_capacity_from_what_dynamodb_reports(what, facts, kind, index, explicit, expected):
    found = capacity(kind, facts, index=index, explicit=explicit)
    assert (found.units, found.source) == expected


def test_budget_text_names_the_source():
    found = capacity(READ, table(**ON_DEMAND, WarmThroughput={"ReadUnitsPerSecond": 12000, "WriteUnitsPerSecond": 4000}))
    assert budget_text(6000, 0.5, found, "RCU") == "6,000 RCU/s = 0.5 x 12,000 warm throughput (DescribeTable)"
