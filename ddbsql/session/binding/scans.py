"""What a statement read: one record per table reference, for messages, progress,
EXPLAIN and job records."""
from __future__ import annotations

import dataclasses
import time

from ...catalog.model import TableDef
from ...exec.decode import DecodeWarnings
from ...exec.expiry import ExpiryStats
from ...exec.scanner import ScanStats
from ...planner.access import AccessPlan


@dataclasses.dataclass
class ScanRecord:
    """One DynamoDB read of a statement, for messages, progress and EXPLAIN.

    ``label`` names the table reference (``default.orders AS o``); ``plan`` is how it is read.
    """

    table: TableDef
    warnings: DecodeWarnings
    stats: ScanStats
    error: BaseException | None = None
    plan: AccessPlan | None = None
    label: str = ""

    #: why ``ddbsql.scan.max.rcu`` would refuse this read (EXPLAIN shows it)
    refusal: str | None = None
    #: monotonic seconds from the first request to the end of the stream (EXPLAIN ANALYZE)
    elapsed: float = 0.0
    #: what skipping expired items did (``ddbsql.read.skip.expired``), when it applies
    expiry: ExpiryStats | None = None

    def watch(self, batches):
        """Pass ``batches`` through, keeping the exception that ends them (DuckDB hides it)
        and the time they took."""
        started = time.monotonic()
        try:
            yield from batches
        except BaseException as exc:
            self.error = exc
            raise
        finally:
            self.elapsed = time.monotonic() - started
