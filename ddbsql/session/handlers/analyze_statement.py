"""ANALYZE TABLE … COMPUTE STATISTICS: measure a table and keep the figures in its
TBLPROPERTIES (see :mod:`ddbsql.catalog.stats`), where the planner's Query estimates
find them.

DynamoDB tables: one paced Scan of the key attributes (NOSCAN: DescribeTable's item
count and size only).  Other tables: their row count (``numRows``), as Hive does.
"""
from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from ...catalog.builtin import builtin_region
from ...catalog.model import TableKind
from ...catalog.stats import NUM_ROWS, TOTAL_SIZE, TableStats
from ...exec.analyze import collect_stats
from ...exec.governor import READ
from ...exec.scanner import ScanStats
from ...planner.scan import segment_count
from ...sql.statements import AnalyzeTable
from ...sql.statements import parse_sql
from ..binding.read_progress import ReadProgress, showing
from ..result import Result
from .query import run_query

if TYPE_CHECKING:
    from ..session import Session


def run_analyze(session: "Session", statement: AnalyzeTable) -> Result:
    table = session.catalog_table(statement.table.written, statement.table.database)
    messages = []
    if builtin_region(table.database) is not None:  # the built-in dynamodb database: sample again first
        inferred = session.builtin.table(table.database, table.name, refresh=True)
        table = inferred.table
        messages.append(f"columns of {table.qualified} inferred again: {inferred.sample_text()}")
    if table.kind is not TableKind.DYNAMODB:
        result = run_query(session, parse_sql(f'SELECT count(*) FROM `{table.database}`.`{table.name}`'),
                                   "")
        counts = [value for batch in result.batches for value in batch.column(0).to_pylist()]
        rows = counts[0] if counts else 0
        _store(session, table, {NUM_ROWS: str(rows)})
        return Result.done("analyze", f"Table {table.qualified} stats: [numRows={rows}]")
    facts = session.facts(table, fresh=True)
    if statement.noscan:
        _store(session, table, {NUM_ROWS: str(facts.item_count), TOTAL_SIZE: str(facts.size_bytes)})
        return Result.done("analyze", *messages, f"Table {table.qualified} stats: [numRows={facts.item_count}, "
                                      f"totalSize={facts.size_bytes}] (DescribeTable; NOSCAN)")
    requested = session.settings.get("dynamodb.scan.segments", table.properties.get("dynamodb.scan.segments"))
    governor = session.governor_for(table, facts)
    segments = segment_count(facts, requested, read_budget=governor.budget(READ))
    counters = ScanStats()
    stop = showing(session, ReadProgress(lambda: [counters], governor.budget(READ), facts.item_count))
    try:
        stats = collect_stats(session.dynamodb_client(table), facts, session.retry_policy(),
                              segments=segments, governor=governor, cancel=session.cancel_event, counters=counters)
    finally:
        stop()
    _store(session, table, stats.to_properties())
    return Result.done("analyze", *messages, *summary(table.qualified, facts, stats))


def _store(session: "Session", table, properties: dict[str, str]) -> None:
    if builtin_region(table.database) is not None:
        session.builtin.store_properties(table, properties)
        return
    current = session.catalog_table(table.name, table.database)
    updated = dataclasses.replace(current, properties={**current.properties, **properties})
    session.metastore.put(updated, replace=True)


def summary(name: str, facts, stats: TableStats) -> list[str]:
    """Hive's one-line stats message, then one line per key schema."""
    lines = [f"Table {name} stats: [numRows={stats.items}, totalSize={stats.size_bytes}]"]
    schemas = [("table", None, facts.hash_key, facts.range_key)]
    schemas += [(f"{index.kind} {index.name}", index.name, index.hash_key, index.range_key) for index in facts.indexes]
    for label, key, hash_key, range_key in schemas:
        spread = stats.key(key)
        if spread is None:
            continue
        line = (f"  {label}: {spread.items} item(s), {spread.partitions} value(s) of {hash_key}, "
                f"{spread.items_per_partition:.1f} item(s) each")
        if range_key and spread.sort_min is not None:
            low, high = (next(iter(v.values())) for v in (spread.sort_min, spread.sort_max))
            line += f"; {range_key} from {low} to {high}"
        lines.append(line)
    return lines
