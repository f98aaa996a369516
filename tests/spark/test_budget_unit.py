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
