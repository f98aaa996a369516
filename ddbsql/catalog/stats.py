"""Table statistics gathered by ``ANALYZE TABLE … COMPUTE STATISTICS``, kept in the
table's TBLPROPERTIES so they outlive the process (as Hive keeps ``numRows`` and
``totalSize`` there).

DynamoDB publishes an item count and a size (refreshed about every six hours) but
nothing about how items spread over partition keys or sort key values.  Those are
what a Query's cost depends on, so ANALYZE measures them once, for the table and for
each secondary index: how many items it holds, how many distinct partition (hash) key
values, and the smallest and largest sort key value.
"""
from __future__ import annotations

import dataclasses
import json
from typing import Mapping

#: TBLPROPERTIES keys.  ``numRows``/``totalSize`` are Hive's own names.
NUM_ROWS = "numrows"
TOTAL_SIZE = "totalsize"
KEY_STATS = "ddbsql.stats.keys"
ANALYZED_AT = "ddbsql.stats.analyzed"
#: The key of the table itself in :attr:`TableStats.keys` (indexes go by name).
TABLE = ""


@dataclasses.dataclass(frozen=True)
class KeyStats:
    """The spread of one key schema (the table's or an index's).

    ``items``: items in the table or index (for an index: those having its key
    attributes); ``partitions``: distinct partition key values (an estimate, about 1 %
    off for large counts); ``sort_min``/``sort_max``: the smallest and largest sort
    key value, as DynamoDB values (``{"N": "5"}``), None without a sort key.
    """

    items: int
    partitions: int
    sort_min: dict | None = None
    sort_max: dict | None = None

    @property
    def items_per_partition(self) -> float:
        return self.items / self.partitions if self.partitions else 0.0


@dataclasses.dataclass(frozen=True)
class TableStats:
    """What ANALYZE measured: items, bytes, per-key spread, and when (ISO 8601 UTC)."""

    items: int
    size_bytes: int
    keys: dict[str, KeyStats]
    analyzed_at: str

    def key(self, index_name: str | None) -> KeyStats | None:
        return self.keys.get(index_name or TABLE)

    def to_properties(self) -> dict[str, str]:
        keys = {name: dataclasses.asdict(stats) for name, stats in self.keys.items()}
        return {NUM_ROWS: str(self.items), TOTAL_SIZE: str(self.size_bytes),
                KEY_STATS: json.dumps(keys, sort_keys=True, separators=(",", ":")), ANALYZED_AT: self.analyzed_at}

    @classmethod
    def from_properties(cls, properties: Mapping[str, str]) -> "TableStats | None":
        """The statistics stored in ``properties``; None when there are none (or they are
        unreadable: statistics only ever refine estimates, so they are never an error)."""
        if KEY_STATS not in properties:
            return None
        try:
            keys = {name: KeyStats(**value) for name, value in json.loads(properties[KEY_STATS]).items()}
            return cls(int(properties.get(NUM_ROWS, 0)), int(properties.get(TOTAL_SIZE, 0)), keys,
                       properties.get(ANALYZED_AT, ""))
        except (ValueError, TypeError, AttributeError):
            return None
