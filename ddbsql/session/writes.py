"""INSERT INTO|OVERWRITE TABLE and multi-insert, into DynamoDB or local tables.

Hive maps the query's columns to the target's by position and converts each value to
the column's type (a value that does not convert becomes NULL); so does ddbsql, with
``TRY_CAST`` in DuckDB.

Writing into a DynamoDB table (SET-able, or TBLPROPERTIES of the target, which win):

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

import contextlib
import dataclasses
import itertools
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Iterator

import duckdb
import pyarrow as pa
from sqlglot import exp

from ..catalog.mapping import NULL_SERIALIZATION, bindings_for
from ..catalog.model import TableDef
from ..errors import Cancelled, ConfigError, DdbsqlError, ExecutionError, ParseError, SemanticError
from ..exec.governor import WRITE, Governor, ProgressTicker, RateMeter, progress_line
from ..exec.atomic import AtomicWriter
from ..exec.keyset import KeySet
from ..exec.rejects import RejectLog
from ..exec.scanner import scan_keys
from ..exec.writer import (DELETE, INSERT_IF_ABSENT, NEWER_WINS, PUT, BatchWriter, WriteMode, WriteReport,
                           key_of)
from . import files
from .queries import ROWS_PER_BATCH, execute_duckdb, failure, hive_output_names, result_batches
from .result import Result
from ..sql.positions import position_of
from .sources import SourceBinder

if TYPE_CHECKING:
    from .session import Session

_temp_names = itertools.count(1)
#: one TransactWriteItems per target (SET, or a TBLPROPERTY of the target)
ATOMIC = "ddbsql.write.atomic"


@dataclasses.dataclass
class InsertTarget:
    table: TableDef
    columns: list[str] | None          # an explicit column list, in the statement's order
    overwrite: bool
    node: exp.Expression


def resolve_target(session: "Session", insert: exp.Insert, text: str) -> InsertTarget:
    target = insert.this
    columns = None
    if isinstance(target, exp.Directory):
        raise ParseError("INSERT OVERWRITE DIRECTORY is not supported yet (file export comes with S3 support)",
                         line=1, col=1)
    if isinstance(target, exp.Schema):
        columns = [c.name.lower() for c in target.expressions]
        target = target.this
    if not isinstance(target, exp.Table):
        raise ParseError("INSERT needs a target table", line=1, col=1)
    table = session.catalog_table(target.name.lower(), target.db.lower() or None, missing_ok=True)
    if table is None:
        line, col = position_of(target, text)
        raise SemanticError(f"Table not found '{target.sql()}'", line=line, col=col)
    if columns:
        for name in columns:
            if table.column(name) is None:
                line, col = position_of(target, text)
                raise SemanticError(f"column '{name}' is not in table {table.name}", line=line, col=col)
    return InsertTarget(table, columns, bool(insert.args.get("overwrite")), target)


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
    table = target.table
    props = table.properties
    kind = session.settings.get("ddbsql.write.mode", props.get("ddbsql.write.mode"))
    if session.settings.get("dynamodb.deletion.mode", props.get("dynamodb.deletion.mode")):
        if kind != PUT:
            raise ConfigError(f"dynamodb.deletion.mode=true deletes the rows' keys from {table.qualified}; "
                              f"it cannot be combined with ddbsql.write.mode={kind}")
        return WriteMode(DELETE), False
    if kind == "replace":
        return WriteMode(PUT), target.overwrite
    if kind == NEWER_WINS:
        column = session.settings.get("ddbsql.write.version.column", props.get("ddbsql.write.version.column"))
        if not column:
            raise ConfigError("ddbsql.write.mode=newer-wins needs ddbsql.write.version.column=<column>")
        binding = next((b for b in bindings_for(table) if b.name == column.strip().lower()), None)
        if binding is None or binding.attribute is None:
            raise SemanticError(f"ddbsql.write.version.column: '{column}' is not a column of {table.qualified}")
        return WriteMode(NEWER_WINS, binding.attribute), False
    if kind == INSERT_IF_ABSENT:
        return WriteMode(INSERT_IF_ABSENT), False
    return WriteMode(PUT), False


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


def write(session: "Session", target: InsertTarget, sql: str, binder: SourceBinder, label: str, *,
          source: exp.Expression | None = None, bound: exp.Expression | None = None,
          tree: exp.Expression | None = None) -> Result:
    """Run ``sql`` (already shaped as the target's columns) into the target table.

    ``source`` (the INSERT's query) and ``bound`` (it bound to its sources) let a
    straight copy checkpoint its Scan positions (see :mod:`.jobs`).
    """
    table = target.table
    if table.kind == "managed":
        return _write_local(session, target, sql, binder)
    from . import jobs  # jobs builds on this module
    return jobs.write_single(session, target, sql, binder, label, source=source, bound=bound, tree=tree)


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


def _write_local(session: "Session", target: InsertTarget, sql: str, binder: SourceBinder) -> Result:
    table = target.table
    wh = session.engine.warehouse()
    con = session.engine.con
    name = f'{wh}."{table.database}"."{table.name}"'
    try:
        con.execute("BEGIN TRANSACTION")
        if target.overwrite:
            con.execute(f"DELETE FROM {name}")
        count = con.execute(f"INSERT INTO {name} {sql}").fetchall()[0][0]
        con.execute("COMMIT")
    except duckdb.Error as exc:
        try:
            con.execute("ROLLBACK")
        except duckdb.Error:
            pass
        raise failure(exc, binder) from None
    return Result("insert", rowcount=count, messages=binder.warning_messages()
                  + [f"Loaded {count} row(s) into {table.qualified}"])


def run_insert(session: "Session", insert: exp.Insert, text: str, label: str) -> Result:
    target = resolve_target(session, insert, text)
    binder = SourceBinder(session, text)
    source = insert.expression
    if source is None:
        raise ParseError("INSERT needs a SELECT or VALUES", line=1, col=1)
    bound = hive_output_names(binder.bind(source)) if not isinstance(source, exp.Values) else source
    sql = cast_to_target(session, binder.to_duckdb(bound), target, text)
    return write(session, target, sql, binder, label, source=source, bound=bound, tree=insert)


@contextlib.contextmanager
def staged_multi_source(session: "Session", source: exp.Expression, inserts: list[exp.Insert],
                        binder: SourceBinder) -> Iterator[Callable[[exp.Insert], str]]:
    """The FROM source of a multi-insert, read once into a DuckDB table.

    Every INSERT's columns are checked first (unknown columns are reported before
    anything is read).  Yields ``select_sql(insert)``: DuckDB SQL of that INSERT's SELECT
    over the staged rows.  The table lives in the engine's in-memory database (not a
    TEMP table: those are private to one DuckDB connection, and the targets are written
    from cursors of their own) and is dropped on exit.
    """
    for insert in inserts:
        full = insert.expression.copy()
        full.set("from_", exp.From(this=source.copy()))
        binder.needed_columns(full, binder.table_refs(full))
    alias = source.alias_or_name
    temp = f"__ddbsql_multi_{next(_temp_names)}"
    bound_source = binder.bind(exp.select("*").from_(source.copy()))
    con = session.engine.con
    try:
        con.execute(f'CREATE OR REPLACE TABLE memory.main."{temp}" AS {binder.to_duckdb(bound_source)}')
    except duckdb.Error as exc:
        raise failure(exc, binder) from None
    first = bound_source.find(exp.Table)
    binder.schema[temp] = binder.schema.get(first.name, {}) if first is not None else {}

    def select_sql(insert: exp.Insert) -> str:
        select = insert.expression.copy()
        select.set("from_", exp.From(this=exp.Table(this=exp.to_identifier(temp),
                                                    alias=exp.TableAlias(this=exp.to_identifier(alias)))))
        return binder.to_duckdb(hive_output_names(select))

    try:
        yield select_sql
    finally:
        con.execute(f'DROP TABLE IF EXISTS memory.main."{temp}"')


class _MultiProgress:
    """One progress line for the targets of a multi-insert written at the same time."""

    def __init__(self, parts: list[tuple[str, _Progress]]):
        self.parts = parts

    def __call__(self) -> str:
        return " | ".join(f"{name}: {render()}" for name, render in self.parts)


def run_multi_insert(session: "Session", tree: exp.MultitableInserts, text: str, label: str) -> Result:
    """``FROM src INSERT … SELECT … INSERT … SELECT …``: ``src`` is read once, into a
    DuckDB table, then every DynamoDB target is written at the same time, each from its
    own thread and DuckDB cursor, under its own table's governor (local tables are
    written meanwhile on the statement's thread).

    When a target fails the others still finish; the statement then fails with that
    error and every other target's summary.  Cancelling stops them all.
    """
    from . import jobs  # jobs builds on this module

    source = tree.args.get("source")
    if source is None:
        raise ParseError("multi-insert needs a FROM clause", line=1, col=1)
    inserts = [i for i in tree.expressions if isinstance(i, exp.Insert)]
    targets = [resolve_target(session, insert, text) for insert in inserts]
    binder = SourceBinder(session, text)
    with staged_multi_source(session, source, inserts, binder) as select_sql:
        shaped = [cast_to_target(session, select_sql(insert), target, text) for insert, target in zip(inserts, targets)]
        warnings = binder.warning_messages()
        binder.scans.clear()  # their warnings are reported once, here
        remote = [i for i, t in enumerate(targets) if t.table.kind != "managed"]
        run = jobs.start(session, [targets[i] for i in remote], text, label, multi=True, tree=tree)
        try:
            prepared = {i: prepare_write(session, targets[i], label, hook=run.hook(k)) for k, i in enumerate(remote)}
            outcomes = _write_concurrently(session, prepared, shaped, binder, targets, text)
            failed = [(i, o) for i, o in enumerate(outcomes) if isinstance(o, BaseException)]
            for k, i in enumerate(remote):
                if not isinstance(outcomes[i], BaseException):
                    report, notes = outcomes[i]
                    outcomes[i] = (report, notes + run.report_notes(k, report))
        except BaseException as exc:
            run.finish(False, exc)
            raise
        run.finish(not failed and not session.cancel_event.is_set(), failed[0][1] if failed else None)
    messages = warnings + list(run.notes)
    summaries = []
    for k, i in enumerate(remote):
        outcome = outcomes[i]
        if not isinstance(outcome, BaseException):
            report, notes = outcome
            summaries.append(notes + report_messages(session, prepared[i], report))
    for i, outcome in enumerate(outcomes):
        if isinstance(outcome, Result):
            summaries.append(outcome.messages)
    if failed:
        index, error = failed[0]
        if not isinstance(error, DdbsqlError):
            raise error
        others = [m for lines in summaries for m in lines if not m.startswith("Write capacity")]
        error.message = f"{targets[index].table.qualified}: {error.message}"
        if len(failed) > 1:
            error.message += "; also failed: " + "; ".join(
                f"{targets[i].table.qualified}: {getattr(e, 'message', str(e))}" for i, e in failed[1:])
        if others:
            error.message += "; the other target(s) finished: " + "; ".join(others)
        error.args = (error.message,)
        raise error
    messages += [m for lines in summaries for m in lines]
    rowcount = 0
    for index, outcome in enumerate(outcomes):
        if isinstance(outcome, Result):
            rowcount += max(outcome.rowcount, 0)
        else:
            report = outcome[0]
            rowcount += report.deleted if prepared[index].mode.kind == DELETE else report.written
    records = [report_record(session, prepared[i], outcomes[i][0]) for i in remote]
    return Result("insert", rowcount=rowcount, messages=messages, write_reports=records)


def _write_concurrently(session: "Session", prepared: dict[int, PreparedWrite], shaped: list[str],
                        binder: SourceBinder, targets: list[InsertTarget], text: str) -> list:
    """Each DynamoDB target on a thread of its own; local ones here.  Returns, per target,
    ``(report, notes)``, a :class:`Result` (local tables) or the exception it ended with."""
    outcomes: list = [None] * len(targets)
    cursors: list = []
    lock = threading.Lock()
    finished = threading.Event()

    def work(index: int) -> None:
        try:
            with lock:
                cursor = session.engine.con.cursor()
                cursors.append(cursor)
            try:
                if session.cancel_event.is_set():
                    raise Cancelled("statement cancelled")
                try:
                    reader = cursor.sql(shaped[index]).to_arrow_reader(ROWS_PER_BATCH)
                except duckdb.Error as exc:
                    raise failure(exc, binder) from None
                outcomes[index] = run_prepared(session, prepared[index], result_batches(reader, binder))
            finally:
                cursor.close()
        except BaseException as exc:  # reported with the other targets' outcomes
            outcomes[index] = exc

    def watch_cancel() -> None:
        while not finished.is_set():
            if session.cancel_event.wait(0.1):
                with lock:
                    for cursor in cursors:
                        try:
                            cursor.interrupt()
                        except duckdb.Error:
                            pass
                finished.wait(0.1)

    threads = [threading.Thread(target=work, args=(i,), name=f"ddbsql-insert-{targets[i].table.name}", daemon=True)
               for i in prepared]
    watcher = threading.Thread(target=watch_cancel, name="ddbsql-insert-cancel", daemon=True)
    ticker = None
    if session.options.progress is not None and prepared:
        parts = [(targets[i].table.qualified, _Progress(binder, p.writer, p.governor, None)) for i, p in prepared.items()]
        render = parts[0][1] if len(parts) == 1 else _MultiProgress(parts)
        ticker = ProgressTicker(render, session.report).start()
    watcher.start()
    for thread in threads:
        thread.start()
    try:
        for index, target in enumerate(targets):
            if index not in prepared:
                try:
                    outcomes[index] = _write_local(session, target, shaped[index], binder)
                except BaseException as exc:
                    outcomes[index] = exc
        for thread in threads:
            while thread.is_alive():
                thread.join(0.1)
    finally:
        finished.set()
        if ticker is not None:
            ticker.stop()
    return outcomes


def run_insert_statement(session: "Session", tree: exp.Expression, text: str) -> Result:
    label = " ".join(text.split())[:200]
    if files.handles(session, tree):
        return files.run_insert_statement(session, tree, text, label)
    if isinstance(tree, exp.MultitableInserts):
        return run_multi_insert(session, tree, text, label)
    return run_insert(session, tree, text, label)
