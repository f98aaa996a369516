"""The ``ddbsql`` Spark data source: DynamoDB tables read and written through ddbsql's
planner, fast codec, batch writer and throughput governor.

Reads
    :meth:`DdbsqlReader.partitions` plans the read with
    :func:`~ddbsql.planner.access.plan_access` (Spark's pushed filters as the WHERE) and
    splits the plan: one partition per Scan segment (``Segment``/``TotalSegments``), per
    Query, or per 100 keys of a key lookup.  :meth:`DdbsqlReader.read` runs its part
    with ddbsql's executor and yields Arrow record batches straight from the fast
    decoder.  Every request is paced by the table's read budget (see
    :mod:`ddbsql.spark.budget`).
Writes
    Each task encodes its Arrow batches and writes them with
    :class:`~ddbsql.exec.writer.BatchWriter` under the table's write budget;
    :meth:`DdbsqlWriter.commit` adds the tasks' reports up into one job report (rows,
    written, rejected, retries, capacity and rate) and one reject file.

Objects here are pickled to Python workers: they hold plain data only, and create
clients, connections and threads inside ``read()``/``write()``.
"""
from __future__ import annotations

import base64
import dataclasses
import json
import logging
import threading
import time
from pathlib import Path
from typing import Iterator

import pyarrow as pa
import sqlglot
from pyspark.sql.datasource import (DataSource, DataSourceArrowWriter, DataSourceReader, InputPartition,
                                    WriterCommitMessage)

from ..catalog.mapping import NULL_SERIALIZATION, bindings_for
from ..errors import ConfigError, SemanticError
from ..exec.decode import DecodeWarnings
from ..exec.governor import WRITE, WriteCoster
from ..exec.lookups import read_batches
from ..exec.rejects import RejectLog
from ..exec.scanner import ScanStats, scan_batches
from ..exec.write_modes import resolve_write_mode
from ..exec.writer import BatchWriter, WriteMode
from ..planner.access import AccessPlan, GetPlan, QueryPlan, plan_access
from ..planner.scan import ScanPlan
from ..planner.scopes import ReferenceFilter
from ..sql.dialect import DIALECT
from .budget import BudgetClient, task_governor
from .filters import to_predicate
from .options import TableSpec, resolve
from .schema import conform, spark_schema_ddl, to_table_columns

log = logging.getLogger("ddbsql.spark")

#: Most Scan segments (read partitions) chosen without the ``segments`` option.
MAX_AUTO_SEGMENTS = 4096
#: Bytes of table per read partition (a Spark task) without the ``segments`` option: EMR's
#: split size, so a task has a few seconds of pages to read at least.
BYTES_PER_SEGMENT = 64 * 1024 * 1024
#: Reject records a task sends back to the driver; more stay in the task's own file.
MAX_REJECTS_IN_REPORT = 10_000


class DdbsqlDataSource(DataSource):
    """``spark.read.format("ddbsql")`` / ``df.write.format("ddbsql")``; options in
    :mod:`ddbsql.spark.options`.  Register it with :func:`ddbsql.spark.register`, which
    also starts the budget coordinator and turns on filter pushdown."""

    #: ``host:port`` of the driver's budget coordinator (set by :func:`ddbsql.spark.register`)
    coordinator: str | None = None
    #: offer Spark's filter pushdown (needs ``spark.sql.python.filterPushdown.enabled``)
    filter_pushdown: bool = False

    @classmethod
    def name(cls) -> str:
        return "ddbsql"

    def schema(self) -> str:
        return spark_schema_ddl(resolve(self.options).table)

    def reader(self, schema) -> "DdbsqlReader":
        spec = resolve(self.options).with_facts()
        reader_class = PushdownReader if self.filter_pushdown else DdbsqlReader
        return reader_class(spec, schema, self.coordinator)

    def writer(self, schema, overwrite: bool) -> "DdbsqlWriter":
        spec = resolve(self.options).with_facts()
        names = [field.name for field in schema.fields]
        known = {c.name for c in spec.table.columns}
        unknown = [n for n in names if n.lower() not in known]
        if unknown:
            raise SemanticError(f"columns {', '.join(unknown)} are not in table {spec.table.qualified} "
                                f"(columns: {', '.join(sorted(known))})")
        mode = write_mode(spec, overwrite)
        coordinator = self.coordinator if (spec.option("budget") or "shared").lower() == "shared" else None
        if coordinator is None and spec.tasks is None:
            raise ConfigError("format ddbsql: writing needs the budget coordinator (ddbsql.spark.register(spark)) "
                              "or option tasks=N, the number of write tasks Spark runs at once "
                              "(each then gets 1/N of the table's write budget)")
        return DdbsqlWriter(spec, names, mode, coordinator, time.time())


def write_mode(spec: TableSpec, overwrite: bool) -> WriteMode:
    """The write mode the options and table properties ask for, resolved as ddbsql's
    INSERT resolves it; replace mode is refused on an overwrite (it needs every key of
    the job in one place)."""
    mode, replace = resolve_write_mode(spec.get, spec.table, overwrite)
    if replace:
        raise ConfigError("ddbsql.write.mode=replace is not supported through Spark (it needs every key of "
                          "the job in one place); use ddbsql itself, or mode put")
    return mode


# -- reading ------------------------------------------------------------------------------

class ReadPart(InputPartition):
    """One read task: ``plan`` (a part of the whole access plan), the Scan ``segment`` it
    reads (None for Query/GetItem parts) and how many parts the read has."""

    def __init__(self, index: int, plan: AccessPlan, segment: int | None, count: int):
        super().__init__(index)
        self.plan = plan
        self.segment = segment
        self.count = count


class DdbsqlReader(DataSourceReader):
    """Reads a table with the access plan ddbsql's planner makes for ``conjuncts``."""

    def __init__(self, spec: TableSpec, schema, coordinator: str | None):
        self.spec = spec
        self.schema = schema
        self.coordinator = coordinator
        #: pushed predicates, as HiveQL text
        self.conjuncts: list[str] = []

    def plan(self, predicates=None) -> AccessPlan:
        """The access plan for the pushed predicates (``predicates``: sqlglot trees, or the
        stored :attr:`conjuncts` when None)."""
        if predicates is None:
            predicates = [sqlglot.parse_one(text, read=DIALECT) for text in self.conjuncts]
        spec = self.spec
        bindings = bindings_for(spec.table)
        return plan_access(spec.facts, bindings, bindings, ReferenceFilter(tuple(predicates), False, None),
                           pushdown=spec.pushdown, segments=self.segments(),
                           consistent_read=bool(spec.get("dynamodb.consistent.read")),
                           pushdown_off_reason="option pushdown=false or dynamodb.filter.pushdown=false")

    def segments(self) -> int:
        """Scan segments: option ``segments``, else ``dynamodb.scan.segments``, else one per
        64 MiB of table (DescribeTable's size), 1 to :data:`MAX_AUTO_SEGMENTS`."""
        raw = self.spec.option("segments")
        if raw is not None:
            return int(raw)
        configured = self.spec.get("dynamodb.scan.segments")
        if configured:
            return int(configured)
        size = self.spec.facts.size_bytes if self.spec.facts else 0
        return max(1, min(MAX_AUTO_SEGMENTS, -(-size // BYTES_PER_SEGMENT)))

    def partitions(self) -> list[ReadPart]:
        plan = self.plan()
        read = plan.read
        if isinstance(read, ScanPlan):
            parts = [(plan, s) for s in range(read.segments)]
        elif isinstance(read, QueryPlan):
            parts = [(dataclasses.replace(plan, read=dataclasses.replace(read, requests=(r,))), None)
                     for r in read.requests]
        else:
            size = 100
            parts = [(dataclasses.replace(plan, read=dataclasses.replace(read, keys=read.keys[i:i + size])), None)
                     for i in range(0, len(read.keys), size)]
        if not parts:
            return [ReadPart(0, plan, None, 1)]
        return [ReadPart(i, p, s, len(parts)) for i, (p, s) in enumerate(parts)]

    def read(self, partition: ReadPart) -> Iterator[pa.RecordBatch]:
        from pyspark.sql.pandas.types import to_arrow_schema

        spec = self.spec
        target = to_arrow_schema(self.schema, timezone="UTC")
        plan = partition.plan
        if isinstance(plan.read, GetPlan) and not plan.read.keys:
            return
        tasks = min(partition.count, spec.tasks or partition.count)
        governor, connection, _ = task_governor(key=spec.governor_key(), spec=spec.throughput(), facts=spec.facts,
                                                coordinator=self.coordinator, tasks=tasks,
                                                refresh_seconds=spec.get("ddbsql.capacity.refresh.seconds"))
        client = spec.client()
        warnings = DecodeWarnings()
        stats = ScanStats()
        try:
            if isinstance(plan.read, ScanPlan):
                batches = scan_batches(client, plan.read, spec.retry(), warnings=warnings, stats=stats,
                                       governor=governor, segments=[partition.segment], max_workers=1)
            else:
                batches = read_batches(client, plan, spec.retry(), warnings=warnings, stats=stats,
                                       governor=governor, max_workers=4)
            for batch in batches:
                if batch.num_rows:
                    yield conform(batch, target)
        finally:
            if connection is not None:
                connection.close()
            for column, reason, count in warnings.items():
                log.warning("%s.%s: %d value(s) read as NULL (%s)", spec.table.name, column, count, reason)


class PushdownReader(DdbsqlReader):
    """A reader that takes Spark's filters (Spark 4.1+, with
    ``spark.sql.python.filterPushdown.enabled``)."""

    def pushFilters(self, filters):
        """Keep every filter ddbsql can send to DynamoDB; give back those it does not
        decide exactly (Spark applies them after the read)."""
        candidates = []
        for spark_filter in filters:
            predicate = to_predicate(spark_filter)
            if predicate is None:
                yield spark_filter
            else:
                candidates.append((spark_filter, predicate))
        if not candidates:
            return
        plan = self.plan([p for _, p in candidates])
        residual = set(plan.residual)
        for spark_filter, predicate in candidates:
            text = predicate.sql(dialect="hive")
            self.conjuncts.append(text)
            if text in residual:
                yield spark_filter


# -- writing ------------------------------------------------------------------------------

class _TaskRejects(RejectLog):
    """Rejects of one task: kept for the driver's report (the first
    :data:`MAX_REJECTS_IN_REPORT`), the rest in the task's own reject file."""

    def __init__(self, directory, *, table: str, statement: str, task: int):
        super().__init__(directory, table=table, statement=statement)
        self.task = task
        self.records: list[dict] = []
        self.spilled = 0
        self._records_lock = threading.Lock()

    def add(self, row, item, reason: str) -> None:
        with self._records_lock:
            keep = len(self.records) < MAX_REJECTS_IN_REPORT
            if keep:
                self.records.append({"task": self.task, "row": row, "reason": reason,
                                     "item": _plain(item) if item is not None else None})
                self.count += 1
            else:
                self.spilled += 1
        if not keep:
            super().add(row, item, reason)


def _plain(value):
    """DynamoDB JSON with binary values as base64 text (picklable, JSON-ready)."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_plain(v) for v in value]
    return value


@dataclasses.dataclass
class TaskReport(WriterCommitMessage):
    """What one write task did: its :class:`~ddbsql.exec.writer.WriteReport` as a dict,
    its rejects, wall-clock start and end, and its share of the budget."""

    task: int
    report: dict
    rejects: list
    started: float
    finished: float
    rule: str
    budget: float


class DdbsqlWriter(DataSourceArrowWriter):
    """Writes each task's rows with ddbsql's BatchWriter; the job report on commit."""

    def __init__(self, spec: TableSpec, names: list[str], mode: WriteMode, coordinator: str | None,
                 planned_at: float):
        self.spec = spec
        self.names = names
        self.mode = mode
        self.coordinator = coordinator
        self.planned_at = planned_at
        self.reject_dir = str(Path(spec.get("ddbsql.reject.dir")).absolute())

    @property
    def label(self) -> str:
        return f"spark write into {self.spec.table.qualified}"

    def write(self, iterator) -> TaskReport:
        from pyspark import TaskContext

        context = TaskContext.get()
        task = context.partitionId() if context is not None else 0
        spec = self.spec
        facts = spec.facts
        governor, connection, rule = task_governor(key=spec.governor_key(), spec=spec.throughput(), facts=facts,
                                                   coordinator=self.coordinator, tasks=spec.tasks or 1,
                                                   refresh_seconds=spec.get("ddbsql.capacity.refresh.seconds"))
        rejects = _TaskRejects(self.reject_dir, table=f"{spec.table.qualified}.task{task}", statement=self.label,
                               task=task)
        writer = BatchWriter(spec.client(), facts.table_name, facts.key_attributes, retry=spec.retry(),
                             rejects=rejects, workers=spec.get("ddbsql.write.workers"), governor=governor,
                             mode=self.mode, coster=WriteCoster(facts))
        table = spec.table
        bindings = bindings_for(table)
        null_serialization = bool(spec.get(NULL_SERIALIZATION))
        started = time.time()
        try:
            report = writer.write_batches((to_table_columns(b, table, self.names) for b in iterator), bindings,
                                          null_serialization=null_serialization)
            budget = governor.budget(WRITE)
        finally:
            if connection is not None:
                connection.close()
        data = dataclasses.asdict(report)
        data["spilled_rejects"] = rejects.spilled
        return TaskReport(task, data, rejects.records, started, time.time(), rule, budget)

    def commit(self, messages) -> None:
        self._finish(messages, "committed")

    def abort(self, messages) -> None:
        self._finish(messages, "aborted")

    def _finish(self, messages, status: str) -> dict:
        report = job_report(self.spec, [m for m in messages if isinstance(m, TaskReport)], status,
                            failed_tasks=sum(1 for m in messages if m is None), label=self.label,
                            reject_dir=self.reject_dir)
        path = self.spec.option("report")
        if path:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            Path(path).write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
        log.warning("%s", report["summary"])
        if self.coordinator:
            client = BudgetClient(self.coordinator)
            try:
                client.call(op="report", report=report)
            finally:
                client.close()
        return report


def job_report(spec: TableSpec, tasks: list[TaskReport], status: str, *, failed_tasks: int = 0, label: str = "",
               reject_dir: str = "ddbsql-rejects") -> dict:
    """The tasks' reports added up: counters, capacity, wall-clock rate against the
    budget, and one reject file for the job (written here when there are rejects)."""
    totals = {k: 0 for k in ("rows", "written", "skipped", "rejected", "duplicates", "deleted", "retries",
                             "throttles", "unprocessed")}
    consumed = 0.0
    for message in tasks:
        for key in totals:
            totals[key] += int(message.report.get(key, 0))
        consumed += float(message.report.get("consumed", 0.0))
    started = min((m.started for m in tasks), default=0.0)
    finished = max((m.finished for m in tasks), default=0.0)
    wall = max(0.0, finished - started)
    budget = spec.throughput().budget(WRITE, spec.facts)
    found = spec.throughput().capacity(WRITE, spec.facts)
    capacity, source = found.units, found.source
    reject_path = None
    records = [r for m in sorted(tasks, key=lambda m: m.task) for r in m.rejects]
    if records:
        log_ = RejectLog(reject_dir, table=spec.table.qualified, statement=label)
        for record in records:
            log_.add(record["row"], record["item"], f"task {record['task']}: {record['reason']}")
        log_.close()
        reject_path = str(log_.path)
    task_files = sorted({m.report.get("reject_path") for m in tasks if m.report.get("reject_path")})
    rate = consumed / wall if wall > 0 else 0.0
    summary = (f"ddbsql spark write into {spec.table.qualified} (DynamoDB table {spec.table_name}) {status}: "
               f"{totals['written']} written, {totals['rejected']} rejected, {totals['skipped']} skipped "
               f"of {totals['rows']} row(s) in {len(tasks)} task(s); {consumed:,.0f} WCU in {wall:.1f} s "
               f"({rate:.1f} WCU/s; budget {budget:g} WCU/s)"
               + (f"; rejects in {reject_path}" if reject_path else ""))
    return {"status": status, "table": spec.table.qualified, "dynamodb_table": spec.table_name, **totals,
            "consumed": consumed, "tasks": len(tasks), "failed_tasks": failed_tasks, "wall_seconds": wall,
            "rate": rate, "budget": budget, "capacity": capacity, "capacity_source": source,
            "rules": sorted({m.rule for m in tasks}),
            "task_reports": [{"task": m.task, "started": m.started, "finished": m.finished, "budget": m.budget,
                              **{k: m.report.get(k) for k in ("rows", "written", "rejected", "consumed")}}
                             for m in sorted(tasks, key=lambda m: m.task)],
            "reject_file": reject_path, "task_reject_files": task_files, "summary": summary}
