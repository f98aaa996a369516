"""What DynamoDB says about a table (DescribeTable), as plain data for the planner."""
from __future__ import annotations

import dataclasses

from .stats import TableStats


@dataclasses.dataclass(frozen=True)
class Throughput:
    """The capacity signals DynamoDB reports for a table or a GSI (0: not reported).

    ``provisioned_*``: ``ProvisionedThroughput`` (provisioned mode); ``warm_*``:
    ``WarmThroughput`` Read/WriteUnitsPerSecond, what the table can serve instantly (it rises
    with sustained use); ``max_*``: ``OnDemandThroughput`` Max Read/WriteRequestUnits, the
    owner's ceiling for an on-demand table (absent or -1: none).
    """

    provisioned_read: int = 0
    provisioned_write: int = 0
    warm_read: int = 0
    warm_write: int = 0
    max_read: int = 0
    max_write: int = 0

    @classmethod
    def from_description(cls, description: dict) -> "Throughput":
        """From a DescribeTable ``Table`` or one of its ``GlobalSecondaryIndexes``."""
        provisioned = description.get("ProvisionedThroughput") or {}
        warm = description.get("WarmThroughput") or {}
        on_demand = description.get("OnDemandThroughput") or {}
        positive = lambda value: max(0, int(value or 0))  # noqa: E731  (-1 means "no maximum")
        return cls(positive(provisioned.get("ReadCapacityUnits")), positive(provisioned.get("WriteCapacityUnits")),
                   positive(warm.get("ReadUnitsPerSecond")), positive(warm.get("WriteUnitsPerSecond")),
                   positive(on_demand.get("MaxReadRequestUnits")), positive(on_demand.get("MaxWriteRequestUnits")))


@dataclasses.dataclass(frozen=True)
class AccountLimits:
    """``DescribeLimits``: the most capacity one table (and its GSIs) may have in this
    account and region; ``note`` says why they are unknown when the call was not allowed."""

    table_max_read: int = 0
    table_max_write: int = 0
    note: str | None = None


@dataclasses.dataclass(frozen=True)
class IndexFacts:
    name: str
    kind: str                      # "GSI" or "LSI"
    hash_key: str
    range_key: str | None
    projection: str                # ALL, KEYS_ONLY, INCLUDE
    projected: tuple[str, ...] = ()
    #: what the index reports of its capacity (a GSI has its own; an LSI shares the table's)
    throughput: Throughput = Throughput()


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
    #: capacity signals of the table itself (ProvisionedThroughput, WarmThroughput, OnDemandThroughput)
    throughput: Throughput = Throughput()
    #: the account's per-table maximum (DescribeLimits), when it was asked
    limits: AccountLimits = AccountLimits()
    #: what ANALYZE TABLE measured, if it was run (from the catalog, not DescribeTable)
    stats: TableStats | None = None

    @property
    def key_attributes(self) -> tuple[str, ...]:
        return (self.hash_key,) + ((self.range_key,) if self.range_key else ())

    def to_json(self) -> dict:
        """Plain data (ANALYZE statistics left out), as :meth:`from_json` reads it."""
        data = dataclasses.asdict(self)
        data.pop("stats", None)
        return data

    @classmethod
    def from_json(cls, data: dict) -> "TableFacts":
        data = dict(data)
        data.pop("stats", None)
        data["indexes"] = tuple(IndexFacts(**{**i, "projected": tuple(i.get("projected") or ()),
                                              "throughput": Throughput(**(i.get("throughput") or {}))})
                                for i in data.get("indexes") or ())
        data["throughput"] = Throughput(**(data.get("throughput") or {}))
        data["limits"] = AccountLimits(**(data.get("limits") or {}))
        return cls(**data)

    def index(self, name: str | None) -> IndexFacts | None:
        """The secondary index called ``name`` (None: the table itself)."""
        return next((i for i in self.indexes if i.name == name), None) if name else None

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
                                          tuple(projection.get("NonKeyAttributes") or ()),
                                          Throughput.from_description(index)))
        return cls(
            table_name=description["TableName"], hash_key=keys["HASH"], range_key=keys.get("RANGE"),
            attribute_types=types, billing_mode=billing,
            read_capacity=int(throughput.get("ReadCapacityUnits") or 0),
            write_capacity=int(throughput.get("WriteCapacityUnits") or 0),
            item_count=int(description.get("ItemCount") or 0),
            size_bytes=int(description.get("TableSizeBytes") or 0),
            status=description.get("TableStatus", "ACTIVE"), indexes=tuple(indexes),
            arn=description.get("TableArn"), throughput=Throughput.from_description(description))
