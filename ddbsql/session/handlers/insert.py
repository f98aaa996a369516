"""INSERT INTO|OVERWRITE TABLE, INSERT OVERWRITE DIRECTORY and multi-insert, into any
kind of target (see :mod:`.write_targets`; a table's target comes from the storage
object of its kind, see :mod:`ddbsql.session.storage`).

Hive maps the query's columns to the target's by position and converts each value to
the column's type (a value that does not convert becomes NULL); so does ddbsql, with
``TRY_CAST`` in DuckDB.  How DynamoDB tables are written (modes, budget, reports) is
told in :mod:`.dynamodb_writes`; files in :mod:`.file_writes`.
"""
from __future__ import annotations

import contextlib
import itertools
import threading
from typing import TYPE_CHECKING, Callable, Iterator

import duckdb
from sqlglot import exp

from ...catalog.model import TableDef
from ...errors import Cancelled, DdbsqlError, ParseError, SemanticError
from ...progress import ProgressTicker
from ...exec.writer import WriteReport
from ...sql.positions import position_of
from ..writing import atomic_targets, job_runs
from ..writing.dynamodb_writes import PreparedWrite, _Progress
from ..writing.file_writes import DirectoryTarget
from ..binding.execution import ROWS_PER_BATCH, failure, hive_output_names, result_batches
from ..result import Result
from ..binding.binder import SourceBinder
from ..writing.write_targets import InsertQuery, WriteOutcome, WriteTarget

if TYPE_CHECKING:
    from ..session import Session

_temp_names = itertools.count(1)


def resolve_write_target(session: "Session", insert: exp.Insert, text: str) -> WriteTarget:
    """The target an INSERT names, checked."""
    target = insert.this
    if isinstance(target, exp.Directory):
        return DirectoryTarget.resolve(insert)
    columns = None
    if isinstance(target, exp.Schema):
        columns = [c.name.lower() for c in target.expressions]
        target = target.this
    if not isinstance(target, exp.Table):
        raise ParseError("INSERT needs a target table", line=1, col=1)
    table: TableDef | None = session.catalog_table(target.name, target.db.lower() or None, missing_ok=True)
    if table is None:
        line, col = position_of(target, text)
        raise SemanticError(f"Table not found '{target.sql()}'", line=line, col=col)
    return session.table_storage(table).write_target(table, insert, target, columns, text)


def run_insert_statement(session: "Session", tree: exp.Expression, text: str) -> Result:
    label = " ".join(text.split())[:200]
    if isinstance(tree, exp.MultitableInserts):
        return run_multi_insert(session, tree, text, label)
    return run_insert(session, tree, text, label)


def run_insert(session: "Session", insert: exp.Insert, text: str, label: str) -> Result:
    target = resolve_write_target(session, insert, text)
    binder = SourceBinder(session, text)
    source = insert.expression
    if source is None:
        raise ParseError("INSERT needs a SELECT or VALUES", line=1, col=1)
    bound = hive_output_names(binder.bind(source)) if not isinstance(source, exp.Values) else source
    sql = target.shape(session, binder.to_duckdb(bound), text)
    return target.write(session, sql, binder, label, InsertQuery(source, bound, insert)).result()


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
    own thread and DuckDB cursor, under its own table's governor; the other targets
    (warehouse and file tables, directories) are written meanwhile on the statement's
    thread, one after the other.

    When a target fails the others still finish; the statement then fails with that
    error and every other target's summary.  Cancelling stops them all.  With
    ``ddbsql.write.atomic=true`` on every DynamoDB target, they are written as one
    transaction instead (see :mod:`~ddbsql.session.writing.atomic_targets`).
    """
    source = tree.args.get("source")
    if source is None:
        raise ParseError("multi-insert needs a FROM clause", line=1, col=1)
    inserts = [i for i in tree.expressions if isinstance(i, exp.Insert)]
    targets = [resolve_write_target(session, insert, text) for insert in inserts]
    binder = SourceBinder(session, text)
    with staged_multi_source(session, source, inserts, binder) as select_sql:
        shaped = [target.shape(session, select_sql(insert), text) for insert, target in zip(inserts, targets)]
        warnings = binder.warning_messages()
        binder.scans.clear()  # their warnings are reported once, here
        remote = [i for i, t in enumerate(targets) if t.concurrent]
        run = job_runs.start(session, [targets[i].target for i in remote], text, label, multi=True, tree=tree)
        try:
            prepared = {i: targets[i].prepare(session, label, hook=run.hook(k)) for k, i in enumerate(remote)}
            position = {i: k for k, i in enumerate(remote)}
            for i, k in position.items():
                run.watch(k, getattr(prepared[i], "writer", None))
            notes_of = lambda i, report: run.report_notes(position[i], report)   # noqa: E731
            if atomic_targets.one_transaction(prepared):
                outcomes = _write_in_one_transaction(session, prepared, shaped, binder, targets, label, notes_of)
            else:
                outcomes = _write_concurrently(session, prepared, shaped, binder, targets, label, notes_of)
        except BaseException as exc:
            run.finish(False, exc)
            raise
        failed = [o for o in outcomes if not o.ok]
        run.finish(not failed and not session.cancel_event.is_set(), failed[0].error if failed else None)
    # DynamoDB targets' summaries first, then the others', each in statement order
    ordered = [outcomes[i] for i in remote] + [o for i, o in enumerate(outcomes) if i not in prepared]
    if failed:
        raise _multi_failure(failed, [o for o in ordered if o.ok])
    messages = warnings + list(run.notes) + [m for o in ordered for m in o.messages]
    records = [r for i in remote for r in outcomes[i].write_reports]
    return Result("insert", rowcount=sum(o.rowcount for o in outcomes), messages=messages, write_reports=records)


def _multi_failure(failed: list[WriteOutcome], finished: list[WriteOutcome]) -> BaseException:
    """The first failed target's error, naming that target, the others that failed and
    what the others did."""
    first = failed[0]
    error = first.error
    if not isinstance(error, DdbsqlError):
        return error
    error.in_context(first.name)
    if len(failed) > 1:
        error.with_note("also failed: " + "; ".join(f"{o.name}: {getattr(o.error, 'message', str(o.error))}"
                                                      for o in failed[1:]))
    others = [m for o in finished for m in o.messages if not m.startswith("Write capacity")]
    if others:
        error.with_note("the other target(s) finished: " + "; ".join(others))
    return error


def _write_in_one_transaction(session: "Session", prepared: dict[int, PreparedWrite], shaped: list[str],
                              binder: SourceBinder, targets: list[WriteTarget], label: str,
                              notes_of: Callable[[int, WriteReport], list[str]]) -> list[WriteOutcome]:
    """The DynamoDB targets in one transaction (see :mod:`~ddbsql.session.writing.atomic_targets`),
    then the others, one after the other."""
    outcomes: list[WriteOutcome] = [WriteOutcome(t.name) for t in targets]
    written = atomic_targets.write_in_one_transaction(
        session, prepared, shaped, binder, notes_of,
        lambda i, report, notes: targets[i].outcome(session, prepared[i], report, notes))
    for index, outcome in written.items():
        outcomes[index] = outcome
    _write_the_others(session, prepared, shaped, binder, targets, label, outcomes)
    return outcomes


def _write_the_others(session: "Session", prepared: dict[int, PreparedWrite], shaped: list[str],
                      binder: SourceBinder, targets: list[WriteTarget], label: str,
                      outcomes: list[WriteOutcome]) -> None:
    """Write the targets not ``prepared`` (local and file tables, directories) one after
    the other on this thread, each outcome (or its error) into ``outcomes``."""
    for index, target in enumerate(targets):
        if index not in prepared:
            try:
                outcomes[index] = target.write(session, shaped[index], binder, label)
            except BaseException as exc:
                outcomes[index] = WriteOutcome(target.name, error=exc)
            binder.scans.clear()


def _write_concurrently(session: "Session", prepared: dict[int, PreparedWrite], shaped: list[str],
                        binder: SourceBinder, targets: list[WriteTarget], label: str,
                        notes_of: Callable[[int, WriteReport], list[str]]) -> list[WriteOutcome]:
    """Each concurrent target (those ``prepared``) on a thread of its own, the others on
    this thread; the outcome of each, in order.  ``notes_of(index, report)``: lines to
    put before a concurrent target's summary."""
    outcomes: list[WriteOutcome] = [WriteOutcome(t.name) for t in targets]
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
                target = targets[index]
                report, notes = target.run(session, prepared[index], result_batches(reader, binder))
                outcomes[index] = target.outcome(session, prepared[index], report, notes + notes_of(index, report))
            finally:
                cursor.close()
        except BaseException as exc:  # reported with the other targets' outcomes
            outcomes[index] = WriteOutcome(targets[index].name, error=exc)

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

    threads = [threading.Thread(target=work, args=(i,), name=f"ddbsql-insert-{targets[i].name}", daemon=True)
               for i in prepared]
    watcher = threading.Thread(target=watch_cancel, name="ddbsql-insert-cancel", daemon=True)
    ticker = None
    if session.options.progress is not None and prepared:
        parts = [(targets[i].name, _Progress(binder, p.writer, p.governor, None)) for i, p in prepared.items()]
        render = parts[0][1] if len(parts) == 1 else _MultiProgress(parts)
        ticker = ProgressTicker(render, session.report).start()
    watcher.start()
    for thread in threads:
        thread.start()
    try:
        _write_the_others(session, prepared, shaped, binder, targets, label, outcomes)
        for thread in threads:
            while thread.is_alive():
                thread.join(0.1)
    finally:
        finished.set()
        if ticker is not None:
            ticker.stop()
    return outcomes
