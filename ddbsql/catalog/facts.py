"""What DynamoDB says about a table (DescribeTable), as plain data for the planner."""
from __future__ import annotations

import dataclasses

from .stats import TableStats


@dataclasses.dataclass(frozen=True)
class IndexFacts:
    name: str
    kind: str                      # "GSI" or "LSI"
    hash_key: str
    range_key: str | None
    projection: str                # ALL, KEYS_ONLY, INCLUDE
    projected: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True)
class TableFacts:
    """Key schema, attribute types, indexes, capacity and size of one DynamoDB table."""

    table_name: str
    hash_key: str
    range_key: str | None
    attribute_types: dict[str, str]          # key attributes only: name -> S | N | B
    billing_mode: str                        # PROVISIONED or PAY_PER_REQUEST
    read_capacity: int = 0
    write_capacity: int = 0
    item_count: int = 0
    size_bytes: int = 0
    status: str = "ACTIVE"
    indexes: tuple[IndexFacts, ...] = ()
    arn: str | None = None
    #: what ANALYZE TABLE measured, if it was run (from the catalog, not DescribeTable)
    stats: TableStats | None = None

    @property
    def key_attributes(self) -> tuple[str, ...]:
        return (self.hash_key,) + ((self.range_key,) if self.range_key else ())

    @classmethod
    def from_describe(cls, description: dict) -> "TableFacts":
        """Build from the ``Table`` member of a DescribeTable response."""
        keys = {k["KeyType"]: k["AttributeName"] for k in description["KeySchema"]}
        types = {a["AttributeName"]: a["AttributeType"] for a in description.get("AttributeDefinitions", [])}
        billing = (description.get("BillingModeSummary") or {}).get("BillingMode", "PROVISIONED")
        throughput = description.get("ProvisionedThroughput") or {}
        if billing == "PROVISIONED" and not throughput.get("ReadCapacityUnits") and not throughput.get("WriteCapacityUnits"):
            billing = "PAY_PER_REQUEST"
        indexes = []
        for kind, member in (("GSI", "GlobalSecondaryIndexes"), ("LSI", "LocalSecondaryIndexes")):
            for index in description.get(member) or []:
                ikeys = {k["KeyType"]: k["AttributeName"] for k in index["KeySchema"]}
                projection = index.get("Projection") or {}
                indexes.append(IndexFacts(index["IndexName"], kind, ikeys["HASH"], ikeys.get("RANGE"),
                                          projection.get("ProjectionType", "ALL"),
                                          tuple(projection.get("NonKeyAttributes") or ())))
        return cls(
            table_name=description["TableName"], hash_key=keys["HASH"], range_key=keys.get("RANGE"),
            attribute_types=types, billing_mode=billing,
            read_capacity=int(throughput.get("ReadCapacityUnits") or 0),
            write_capacity=int(throughput.get("WriteCapacityUnits") or 0),
            item_count=int(description.get("ItemCount") or 0),
            size_bytes=int(description.get("TableSizeBytes") or 0),
            status=description.get("TableStatus", "ACTIVE"), indexes=tuple(indexes),
            arn=description.get("TableArn"))
