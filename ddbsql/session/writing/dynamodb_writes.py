"""Writing a statement's rows into a DynamoDB table (and shaping rows for table targets).

Hive maps the query's columns to the target's by position and converts each value to
the column's type (a value that does not convert becomes NULL); so does ddbsql, with
``TRY_CAST`` in DuckDB.

Writing into a DynamoDB table (SET-able, or TBLPROPERTIES of the target, which win):

Modes are resolved by :func:`ddbsql.exec.write_modes.resolve_write_mode`:

``ddbsql.write.mode=put`` (default)
    Items are put whole, overwriting items with the same key; INSERT OVERWRITE upserts
    as the EMR connector does: items not in the query result stay in the table.
``ddbsql.write.mode=insert-if-absent``
    An item whose key is already in the table is left as it is (counted as skipped).
``ddbsql.write.mode=newer-wins`` with ``ddbsql.write.version.column=col``
    An existing item is replaced only when its ``col`` attribute is absent or smaller
    than the row's (numbers by value, strings by code point); rows with a NULL ``col``
    are rejected.
``ddbsql.write.mode=replace``
    INSERT OVERWRITE makes the table equal to the query result: once every row has been
    written (nothing failed, nothing cancelled), a keys-only Scan finds the items whose
    keys the query did not produce and deletes them.  A failed query never empties a
    table.  Keys of rejected rows are kept.  INSERT INTO in this mode is a plain put.
``dynamodb.deletion.mode=true``
    The EMR connector's meaning: every row's key is *deleted* from the table
    (BatchWriteItem DeleteRequests), for INSERT INTO and INSERT OVERWRITE alike.

Every write runs under the target table's throughput governor (see
:mod:`ddbsql.exec.governor`) and ends with a report: rows in, written, skipped,
rejected (reasons in the reject file), deleted, retries, throttles, capacity
consumed against the budget, elapsed time.  While it runs, a progress line goes to
the session's progress callback every second.
"""
from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

import duckdb
import pyarrow as pa
from sqlglot import exp

from ...catalog.mapping import NULL_SERIALIZATION, bindings_for
from ...catalog.model import TableDef
from ...errors import ConfigError, ExecutionError, SemanticError
from ...exec.atomic import AtomicWriter
from ...exec.governor import WRITE, Governor
from ...progress import ProgressTicker, RateMeter, progress_line
from ...exec.keyset import KeySet
from ...exec.rejects import RejectLog
from ...exec.scanner import scan_keys
from ...exec.write_modes import resolve_write_mode
from ...exec.writer import DELETE, BatchWriter, WriteMode, WriteReport, key_of
from ...sql.positions import position_of
from ..binding.execution import execute_duckdb, result_batches
from ..result import Result
from ..binding.binder import SourceBinder

if TYPE_CHECKING:
    from ..session import Session

#: one TransactWriteItems per target (SET, or a TBLPROPERTY of the target)
ATOMIC = "ddbsql.write.atomic"


@dataclasses.dataclass
class InsertTarget:
    table: TableDef
    columns: list[str] | None          # an explicit column list, in the statement's order
    overwrite: bool
    node: exp.Expression


_FRACTIONAL = ("DOUBLE", "FLOAT", "REAL", "DECIMAL")


def cast_to_target(session: "Session", source_sql: str, target: InsertTarget, text: str) -> str:
    """SQL whose columns are exactly the target's columns, in order, each of its type."""
    try:
        source_types = [str(t).upper() for t in session.engine.con.sql(source_sql).types]
    except duckdb.Error as exc:
        raise ExecutionError(str(exc).split("\n", 1)[0]) from None
    arity = len(source_types)
    wanted = target.columns or [c.name for c in target.table.columns]
    if arity != len(wanted):
        line, col = position_of(target.node, text)
        raise SemanticError(
            f"Cannot insert into target table {target.table.name}: the query produces {arity} column(s) but "
            f"{len(wanted)} are expected ({', '.join(wanted)})", line=line, col=col)
    position = {name: i for i, name in enumerate(wanted)}
    selects = []
    for column in target.table.columns:
        index = position.get(column.name)
        value = f'q."c{index}"' if index is not None else "NULL"
        if index is not None and column.type.is_integer and source_types[index].startswith(_FRACTIONAL):
            value = f"trunc({value})"  # Hive narrows a fraction to an integer toward zero; DuckDB would round
        selects.append(f'TRY_CAST({value} AS {column.type.duckdb_sql()}) AS "{column.name}"')
    aliases = ", ".join(f'"c{i}"' for i in range(arity))
    return f"SELECT {', '.join(selects)} FROM ({source_sql}) AS q({aliases})"


def write_mode(session: "Session", target: InsertTarget) -> tuple[WriteMode, bool]:
    """The target's write mode, and whether stale items are to be deleted (replace)."""
    props = target.table.properties
    return resolve_write_mode(lambda key: session.settings.get(key, props.get(key)), target.table, target.overwrite)


class _Progress:
    """Renders the progress line of one write job from live counters."""

    def __init__(self, binder: SourceBinder, writer: BatchWriter, governor: Governor, total: int | None):
        self.binder = binder
        self.writer = writer
        self.governor = governor
        self.total = total
        self.meter = RateMeter()
        self.started = self.meter.clock()
        self.meter.sample(0, 0, 0)

    def __call__(self) -> str:
        scanned = sum(r.stats.scanned for r in self.binder.scans)
        report = self.writer.report
        done = report.written + report.skipped + report.deleted + self.writer.rejects.count
        read = scanned if self.binder.scans else report.rows
        read_rate, write_rate, capacity_rate = self.meter.sample(read, done, report.consumed)
        return progress_line(rows_read=read, rows_written=done, rates=(read_rate, write_rate),
                             consumed_rate=capacity_rate, budget=self.governor.budget(WRITE), unit="WCU",
                             elapsed=self.meter.clock() - self.started, total=self.total)


@dataclasses.dataclass
class PreparedWrite:
    """Everything one DynamoDB target's write needs, resolved on the statement's thread
    (DescribeTable, clients and governors are not made from several threads at once)."""

    target: InsertTarget
    mode: WriteMode
    replace: bool
    facts: object
    governor: Governor
    client: object
    writer: BatchWriter | AtomicWriter
    null_serialization: bool
    label: str
    reject_dir: Path
    workers: int


def prepare_write(session: "Session", target: InsertTarget, label: str, hook=None) -> PreparedWrite:
    """``hook``: makes the job tracker of this target from its key attributes (see :mod:`.jobs`)."""
    table = target.table
    mode, replace = write_mode(session, target)
    facts = session.facts(table)
    if hook is not None:
        hook = hook(facts.key_attributes)
    governor = session.governor_for(table, facts)
    client = session.dynamodb_client(table)
    reject_dir = Path(session.settings.get("ddbsql.reject.dir"))
    workers = session.settings.get("ddbsql.write.workers")
    rejects = RejectLog(reject_dir, table=table.qualified, statement=label)
    if session.settings.get(ATOMIC, table.properties.get(ATOMIC)):
        if replace:
            raise ConfigError("ddbsql.write.atomic=true cannot be combined with ddbsql.write.mode=replace "
                              "(its deletions are not known before the write)")
        writer = AtomicWriter(client, facts.table_name, facts.key_attributes, retry=session.retry_policy(),
                              rejects=rejects, mode=mode, governor=governor, cancel=session.cancel_event,
                              facts=facts, label=table.qualified)
    else:
        writer = BatchWriter(client, facts.table_name, facts.key_attributes, retry=session.retry_policy(),
                             rejects=rejects, workers=workers, cancel=session.cancel_event, governor=governor,
                             mode=mode, keys=KeySet() if replace else None, hook=hook)
    null_serialization = session.settings.get("dynamodb.null.serialization",
                                               table.properties.get(NULL_SERIALIZATION))
    return PreparedWrite(target, mode, replace, facts, governor, client, writer, bool(null_serialization), label,
                         reject_dir, workers)


def run_prepared(session: "Session", prepared: PreparedWrite, batches: Iterable[pa.RecordBatch]) -> tuple[
        WriteReport, list[str]]:
    """Write ``batches`` (shaped as the target's columns); then replace's stale deletion."""
    writer = prepared.writer
    notes = []
    try:
        report = writer.write_batches(batches, bindings_for(prepared.target.table),
                                      null_serialization=prepared.null_serialization)
        if prepared.replace:
            if session.cancel_event.is_set():
                notes.append("WARNING: the statement was cancelled: stale items were not deleted")
            else:
                _delete_stale(session, writer, prepared.client, prepared.facts, prepared.governor,
                              prepared.reject_dir, prepared.label, prepared.workers)
    finally:
        if writer.keys is not None:
            writer.keys.close()  # a large one is a file on disk
    return report, notes


def report_messages(session: "Session", prepared: PreparedWrite, report: WriteReport) -> list[str]:
    table = prepared.target.table
    return [write_summary(table, prepared.facts.table_name, session.region_of(table), report),
            capacity_summary(report, prepared.governor)]


def report_record(session: "Session", prepared: PreparedWrite, report: WriteReport) -> dict:
    """A write job's report as plain data (the DB-API's ``Cursor.write_reports``): the
    same numbers as its summary lines.  ``rows_in`` = written + skipped + rejected +
    duplicates + resumed (deleted, in delete mode, instead of written)."""
    table = prepared.target.table
    stats = prepared.governor.stats(WRITE)
    return {"table": table.qualified, "dynamodb_table": prepared.facts.table_name,
            "region": session.region_of(table), "mode": prepared.mode.kind, "rows_in": report.rows,
            "written": report.written, "skipped": report.skipped, "rejected": report.rejected,
            "duplicates": report.duplicates, "deleted": report.deleted, "resumed": report.resumed,
            "retries": report.retries, "throttles": report.throttles, "unprocessed": report.unprocessed,
            "consumed_wcu": report.consumed, "elapsed_seconds": report.elapsed,
            "budget_wcu_per_second": stats.budget, "reject_path": report.reject_path}


def _source_total(session: "Session", binder: SourceBinder) -> int | None:
    try:
        counts = [session.facts(r.table).item_count for r in binder.scans]
        return sum(counts) if counts and all(counts) else None
    except Exception:
        return None


def write_plain(session: "Session", prepared: PreparedWrite, sql: str, binder: SourceBinder,
                notes: list[str] | None = None, after=None) -> Result:
    """The write of one target from a DuckDB query on the session's connection."""
    reader = execute_duckdb(session, sql, binder)
    return write_from(session, prepared, result_batches(reader, binder), binder, notes, after)


def write_from(session: "Session", prepared: PreparedWrite, batches: Iterable[pa.RecordBatch], binder: SourceBinder,
               notes: list[str] | None = None, after=None) -> Result:
    """Write ``batches`` into the prepared target; ``after(report)`` adds lines to the summary."""
    ticker = None
    if session.options.progress is not None:
        ticker = ProgressTicker(_Progress(binder, prepared.writer, prepared.governor, _source_total(session, binder)),
                                session.report).start()
    try:
        report, more = run_prepared(session, prepared, batches)
    finally:
        if ticker is not None:
            ticker.stop()
    messages = (binder.warning_messages() + list(notes or []) + more + (after(report) if after else [])
                + report_messages(session, prepared, report))
    return Result("insert", rowcount=report.deleted if prepared.mode.kind == DELETE else report.written,
                  messages=messages, write_reports=[report_record(session, prepared, report)])


def _delete_stale(session: "Session", writer: BatchWriter, client, facts, governor: Governor, reject_dir: Path,
                  label: str, workers: int) -> None:
    """Replace mode: delete every item whose key the statement did not produce."""
    keys = facts.key_attributes
    written = writer.keys if writer.keys is not None else set()
    deleter = BatchWriter(client, facts.table_name, keys, retry=session.retry_policy(),
                          rejects=RejectLog(reject_dir, table=writer.rejects.table, statement=label + " (replace)"),
                          workers=workers, cancel=session.cancel_event, governor=governor, mode=WriteMode(DELETE))
    stale = ((i, key) for i, key in enumerate(
        k for k in scan_keys(client, facts.table_name, keys, session.retry_policy(), governor=governor,
                             cancel=session.cancel_event)
        if key_of(k, keys) not in written))
    done = deleter.write_items(stale)
    report = writer.report
    report.deleted += done.deleted
    report.retries += done.retries
    report.throttles += done.throttles
    report.consumed += done.consumed
    report.elapsed += done.elapsed
    if done.rejected:
        report.rejected += done.rejected


def write_summary(table: TableDef, ddb_name: str, region: str, report: WriteReport) -> str:
    if report.written or not report.deleted:
        text = (f"Loaded {report.written} row(s) into {table.qualified} (DynamoDB table {ddb_name}, {region}) "
                f"from {report.rows} input row(s)")
        if report.deleted:
            text += f"; deleted {report.deleted} stale item(s) not in the result"
    else:
        text = (f"Deleted {report.deleted} item(s) from {table.qualified} (DynamoDB table {ddb_name}, {region}) "
                f"for {report.rows} input row(s)")
    if report.skipped:
        text += f"; {report.skipped} row(s) skipped by the write condition"
    if report.duplicates:
        text += f"; {report.duplicates} row(s) repeated a key already written by this statement (last one wins)"
    if report.rejected:
        text += f"; {report.rejected} row(s) rejected, reasons in {report.reject_path}"
    return text


def capacity_summary(report: WriteReport, governor: Governor) -> str:
    stats = governor.stats(WRITE)
    rate = report.consumed / report.elapsed if report.elapsed > 0 else 0.0
    text = (f"Write capacity: {report.consumed:,.0f} WCU in {report.elapsed:.1f} s ({rate:,.1f} WCU/s; budget "
            f"{stats.budget_text('WCU')})")
    if report.retries or report.unprocessed:
        text += (f"; {report.retries} request(s) retried ({report.throttles} throttled), "
                 f"{report.unprocessed} unprocessed item(s) re-sent")
    return text
