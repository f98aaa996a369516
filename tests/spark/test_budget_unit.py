"""The budget coordinator's plain-data form of table facts (no Spark needed)."""
from ddbsql.catalog.facts import IndexFacts, TableFacts
from ddbsql.catalog.stats import KeyStats, TableStats
from ddbsql.spark.budget import facts_from_json, facts_to_json


def test_facts_travel_as_json_without_statistics():
    facts = TableFacts("T", "id", "sk", {"id": "S", "sk": "N"}, "PROVISIONED", 10, 20, item_count=5, size_bytes=500,
                       indexes=(IndexFacts("g", "GSI", "a", None, "INCLUDE", ("x",)),),
                       stats=TableStats(5, 500, {"": KeyStats(5, 2)}, "2026-11-23T00:00:00+00:00"))
    again = facts_from_json(facts_to_json(facts))
    assert again == TableFacts("T", "id", "sk", {"id": "S", "sk": "N"}, "PROVISIONED", 10, 20, item_count=5,
                               size_bytes=500, indexes=(IndexFacts("g", "GSI", "a", None, "INCLUDE", ("x",)),))
    assert facts_from_json(facts_to_json(None)) is None


def test_the_coordinator_follows_a_capacity_change(dynamodb_local_endpoint, aws_credentials, unique_table_name):
    """The shared governor re-reads the table's capacity itself (auto-scaling during a job)."""
    import time

    import boto3

    from ddbsql.exec.governor import WRITE, ThroughputSpec
    from ddbsql.exec.tables import describe_table
    from ddbsql.exec.retry import RetryPolicy
    from ddbsql.spark.budget import BudgetServer, task_governor
    from support.rates import create_provisioned

    client = boto3.client("dynamodb", endpoint_url=dynamodb_local_endpoint, region_name="us-east-1")
    create_provisioned(client, unique_table_name, rcu=10, wcu=20)
    facts = describe_table(client, unique_table_name, RetryPolicy(), region="us-east-1")
    server = BudgetServer()
    try:
        key = ("us-east-1", dynamodb_local_endpoint, unique_table_name)
        governor, connection, rule = task_governor(key=key, spec=ThroughputSpec(), facts=facts,
                                                   coordinator=server.address, tasks=2, refresh_seconds=0.5)
        assert rule == "shared" and governor.budget(WRITE) == 10           # 20 WCU x 0.5
        client.update_table(TableName=unique_table_name,
                            ProvisionedThroughput={"ReadCapacityUnits": 10, "WriteCapacityUnits": 60})
        deadline = time.monotonic() + 20
        while server.governor(key).budget(WRITE) != 30 and time.monotonic() < deadline:
            governor.acquire(WRITE, 1)                                      # a refresh runs on a reservation
            time.sleep(0.2)
        assert server.governor(key).budget(WRITE) == 30                     # 60 WCU x 0.5
        connection.close()
    finally:
        server.close()
