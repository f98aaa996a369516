"""UPDATE, DELETE and MERGE on DynamoDB tables (Hive 2.2+ syntax).

The rows to change are found by one SELECT (:mod:`ddbsql.planner.dml`) read exactly as a
query reads (GetItem, BatchGetItem, Query or a guarded Scan); each becomes one
conditional UpdateItem, DeleteItem or PutItem (:mod:`ddbsql.exec.changes`) under the
table's write budget, or all of them one transaction with ``ddbsql.write.atomic=true``.
An item changed by another writer after it was read is read again (strongly consistent)
and the statement re-evaluated on it, up to :data:`REREADS` times; one that keeps
conflicting is reported in the reject file and counted.  A MERGE whose source reads a
DynamoDB table reads that source once, into memory, so that a re-evaluation reads only
the target item again (and the target is read at the source's keys).
"""
from __future__ import annotations

import contextlib
import dataclasses
import uuid
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Callable

import pyarrow as pa
from sqlglot import exp

from ...catalog.binding import ColumnBinding
from ...catalog.mapping import NULL_SERIALIZATION, bindings_for
from ...catalog.model import TableKind
from ...errors import ConfigError, ExecutionError, SemanticError
from ...exec.change_log import ChangeLog
from ...exec.changes import ChangeApplier, ItemChange, transaction_change
from ...progress import ProgressTicker
from ...exec.rejects import RejectLog
from ...exec.transact import MAX_ITEMS, too_many, transact
from ...planner.dml import DmlPlan, merge_select, plan_delete, plan_merge, plan_update, target_of
from ...planner.guard import SETTING as GUARD_SETTING
from ..binding.binder import SourceBinder
from ..binding.registered import PRIVATE_PREFIX
from ..binding.execution import execute_duckdb, hive_output_names, result_batches
from ..result import Result
from ..writing.dml_report import ATOMIC, DmlProgress, capacity_line, estimate_rows, summary
from ..writing import job_runs
from ..writing.item_changes import changes_from_rows

if TYPE_CHECKING:
    from ..session import Session

#: how often an UPDATE/DELETE conflict is read again before it is reported
REREADS = 3
#: a MERGE reads the target at the source's keys when there are at most this many
#: key combinations (more: the join reads it whole)
MAX_LOOKUP_KEYS = 10_000
#: UPDATE/DELETE without WHERE change every item only with this setting (or with the scan
#: guard, ddbsql.scan.max.rcu, set: then it decides whether the whole table may be read)
ALL_ROWS = "ddbsql.dml.all.rows"
DML = (exp.Update, exp.Delete, exp.Merge)
__all__ = ["DML", "estimate_rows", "finding_select", "plan_statement", "run_dml"]


def plan_statement(session: "Session", tree: exp.Expression):
    """``(table, bindings, facts, plan)`` of a DML statement; refusals raised here."""
    target = target_of(tree)
    table = session.catalog_table(target.name, target.db.lower() or None)
    verb = tree.key.upper()
    if table.kind is not TableKind.DYNAMODB:
        raise SemanticError(f"{verb} works on DynamoDB tables; {table.qualified} is not one (Hive's ACID tables "
                            "are not supported)")
    bindings = bindings_for(table)
    facts = session.facts(table)
    planner = {exp.Update: plan_update, exp.Delete: plan_delete, exp.Merge: plan_merge}[type(tree)]
    plan = planner(tree, bindings, facts.key_attributes, table.qualified)
    if not plan.has_where and not session.settings.get(ALL_ROWS) and not session.settings.get(GUARD_SETTING):
        raise ConfigError(f"{verb} without WHERE would change every item of {table.qualified}; "
                          f"SET {ALL_ROWS}=true to allow it, or set {GUARD_SETTING} to let the scan guard "
                          "decide (EXPLAIN shows what it reads and writes)")
    return table, bindings, facts, plan


def run_dml(session: "Session", tree: exp.Expression, text: str) -> Result:
    table, bindings, facts, plan = plan_statement(session, tree)
    label = " ".join(text.split())[:200]
    null_serialization = bool(session.settings.get("dynamodb.null.serialization",
                                                   table.properties.get(NULL_SERIALIZATION)))
    rejects = RejectLog(Path(session.settings.get("ddbsql.reject.dir")), table=table.qualified, statement=label)
    applier = ChangeApplier(session.dynamodb_client(table), facts.table_name, facts.key_attributes,
                            retry=session.retry_policy(), rejects=rejects, governor=session.governor_for(table, facts),
                            workers=session.settings.get("ddbsql.write.workers"), cancel=session.cancel_event,
                            facts=facts)
    binder = SourceBinder(session, text, raw=True)
    atomic = session.settings.get(ATOMIC, table.properties.get(ATOMIC))
    run = log = held = None
    try:
        plan, held = _hold_source(session, plan, text)
        rows = _find(session, binder, plan, finding_select(session, plan, text))
        changes = changes_from_rows(plan, rows, facts.key_attributes, null_serialization, rejects)
        if not atomic:   # a job from the first write on (a transaction is all or nothing)
            run = job_runs.start_job(session, [table.qualified], text, tree)
            log = ChangeLog(run.checkpoint, 0, facts.key_attributes, run=run.record.runs, resuming=run.resuming)
            run.trackers[0] = log
            run.watch(0, applier)
        ticker = None
        if session.options.progress is not None:
            ticker = ProgressTicker(DmlProgress(applier, len(changes)), session.report).start()
        try:
            if atomic:
                _atomic(session, applier, changes, table.qualified)
                reported = 0
            else:
                def apply(some: list[ItemChange]) -> list[ItemChange]:
                    return log.apply(applier, some)
                reported = _resolve(session, plan, facts.key_attributes, null_serialization, rejects,
                                    apply, apply(changes), text)
        finally:
            if ticker is not None:
                ticker.stop()
    except BaseException as exc:
        if run is not None:
            run.finish(False, exc)
        raise
    finally:
        rejects.close()
        if held is not None:
            session.registry.unregister(held)
    notes = _job_notes(run, log)
    if run is not None:
        run.finish(not session.cancel_event.is_set())
    report = applier.report
    report.rejected = rejects.count
    messages = notes + binder.warning_messages() + [summary(plan.kind, table.qualified, len(rows), report,
                                                             reported, rejects), capacity_line(report, applier)]
    rowcount = report.updated + report.deleted + report.inserted
    record = {"table": table.qualified, "dynamodb_table": facts.table_name, "statement": plan.kind.value,
              "rows_matched": len(rows), "updated": report.updated, "deleted": report.deleted,
              "inserted": report.inserted, "conflicts": report.conflicts, "conflicts_reported": reported,
              "rejected": rejects.count, "retries": report.retries, "throttles": report.throttles,
              "consumed_wcu": report.consumed, "elapsed_seconds": report.elapsed,
              "reject_path": str(rejects.path) if rejects.path else None,
              "job": run.record.id if run is not None else None,
              "changed_before": log.resumed_written if log is not None else 0}
    return Result("insert", rowcount=rowcount, messages=messages, write_reports=[record])


def _job_notes(run, log: ChangeLog | None) -> list[str]:
    """The resumed job's lines: how it was resumed, and what earlier runs had done."""
    if run is None:
        return []
    notes = list(run.notes)
    if run.resuming:
        notes.append(f"Job {run.record.id}: {log.resumed_written} item(s) already changed by the interrupted "
                     "run(s), not changed again")
    if log.error is not None:
        notes.append(f"WARNING: job {run.record.id}: the checkpoint could not be written ({log.error}); a resume "
                     "may change some items again")
    return notes


def finding_select(session: "Session", plan: DmlPlan, text: str) -> exp.Select:
    """The finding SELECT.  A MERGE whose source reads no DynamoDB table reads the target
    only at the source's keys (BatchGetItem/Query rather than a Scan) when they are few."""
    if plan.merge is None or _source_reads_dynamodb(session, plan, text):
        return plan.select
    keys = _source_keys(session, plan, text)
    if keys is None:
        return plan.select
    return merge_select(plan.merge, keys)


def _hold_source(session: "Session", plan: DmlPlan, text: str) -> tuple[DmlPlan, str | None]:
    """A MERGE whose source reads a DynamoDB table: the source read once and held under a
    private name, and the plan reading it there (re-reading a conflicting item must not
    read the source again, nor see it changed).  ``(plan, the name or None)``."""
    if plan.merge is None or not _source_reads_dynamodb(session, plan, text):
        return plan, None
    source = plan.merge.source
    binder = SourceBinder(session, text)
    sql = binder.to_duckdb(hive_output_names(binder.bind(exp.select("*").from_(source.copy()))))
    reader = execute_duckdb(session, sql, binder)
    rows = pa.Table.from_batches(list(result_batches(reader, binder)), schema=reader.schema)
    error = binder.scan_error()
    if error is not None:
        raise error
    name = f"{PRIVATE_PREFIX}merge_source_{uuid.uuid4().hex[:12]}"
    session.registry.register(name, rows, private=True)
    held = exp.Table(this=exp.to_identifier(name), alias=exp.TableAlias(this=exp.to_identifier(source.alias_or_name)))
    parts = dataclasses.replace(plan.merge, source=held)
    return dataclasses.replace(plan, merge=parts, select=merge_select(parts)), name


def _source_reads_dynamodb(session: "Session", plan: DmlPlan, text: str) -> bool:
    probe = exp.select("*").from_(plan.merge.source.copy())
    refs = SourceBinder(session, text).table_refs(probe)
    return any(definition.kind is TableKind.DYNAMODB for _, definition in refs)


def _source_keys(session: "Session", plan: DmlPlan, text: str) -> exp.Expression | None:
    """``k1 IN (…) [AND k2 IN (…)]`` of the source's distinct key values, or None when
    there are more than :data:`MAX_LOOKUP_KEYS` combinations (or a key is not S or N)."""
    parts = plan.merge
    select = exp.select(*[exp.alias_(e.copy(), f"__s{i}") for i, e in enumerate(parts.source_keys)]) \
        .from_(parts.source.copy()).distinct()
    binder = SourceBinder(session, text)
    sql = binder.to_duckdb(hive_output_names(binder.bind(select)))
    values = [set() for _ in plan.keys]
    for batch in result_batches(execute_duckdb(session, sql, binder), binder):
        for i in range(len(plan.keys)):
            values[i].update(v for v in batch.column(i).to_pylist() if v is not None)
    combinations = 1
    for found in values:
        combinations *= max(1, len(found))
    if combinations > MAX_LOOKUP_KEYS:
        return None
    conditions = []
    for binding, found in zip(plan.keys, values):
        literals = [_literal(binding, v) for v in sorted(found, key=str)]
        if any(lit is None for lit in literals):
            return None
        if not literals:   # no source row has a key: nothing can match
            literals = [_literal(binding, "" if binding.ddb_type == "S" else 0)]
        conditions.append(exp.In(this=exp.column(binding.name), expressions=literals))
    return exp.and_(*conditions)


def _literal(binding: ColumnBinding, value) -> exp.Expression | None:
    if binding.ddb_type == "S" and isinstance(value, str):
        return exp.Literal.string(value)
    if binding.ddb_type == "N" and isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        return exp.Literal.number(str(value))
    return None


def _find(session: "Session", binder: SourceBinder, plan: DmlPlan, select: exp.Select) -> pa.Table:
    """The rows of a finding SELECT, new values typed."""
    select = select.copy()
    bound = hive_output_names(binder.bind(select))
    sql = _typed(session, binder.to_duckdb(bound), plan)
    reader = execute_duckdb(session, sql, binder)
    table = pa.Table.from_batches(list(result_batches(reader, binder)), schema=reader.schema)
    error = binder.scan_error()
    if error is not None:
        raise error
    return table


def _typed(session: "Session", sql: str, plan: DmlPlan) -> str:
    """``sql`` with each new value converted to its column's type as an INSERT converts
    it (``TRY_CAST``; a fraction into an integer column truncated toward zero, as Hive)."""
    relation = session.engine.con.sql(sql)
    columns = []
    for name, kind in zip(relation.columns, relation.types):
        name, kind = str(name), str(kind).upper()
        binding = None
        if name.startswith("__n"):
            binding = plan.sets[int(name[3:])]
        elif name.startswith("__v"):
            binding = plan.inserts[int(name[3:])]
        value = f'q."{name}"'
        if binding is None:
            columns.append(value)
            continue
        if binding.hive_type.is_integer and kind.startswith(("DOUBLE", "FLOAT", "REAL", "DECIMAL")):
            value = f"trunc({value})"
        columns.append(f'TRY_CAST({value} AS {binding.hive_type.duckdb_sql()}) AS "{name}"')
    return f"SELECT {', '.join(columns)} FROM ({sql}) AS q"


def _atomic(session: "Session", applier: ChangeApplier, changes: list[ItemChange], table: str) -> None:
    """All changes as one transaction (``ddbsql.write.atomic=true``)."""
    if applier.rejects.count:
        raise ExecutionError(f"ddbsql.write.atomic=true: {applier.rejects.count} row(s) cannot be written to {table} "
                             f"(reasons in {applier.rejects.path}); nothing was written")
    if len(changes) > MAX_ITEMS:
        raise too_many(len(changes), table)
    actions = [transaction_change(c, applier.key_attributes, 2.0 * applier.units(c)) for c in changes]
    consumed, retries, throttles = transact(applier.client, applier.table_name, actions, applier.retry,
                                            governor=applier.governor, cancel=session.cancel_event)
    report = applier.report
    report.consumed += consumed
    report.retries += retries
    report.throttles += throttles
    for change in changes:
        report.count(change.action)


def _resolve(session: "Session", plan: DmlPlan, key_attributes, null_serialization: bool, rejects: RejectLog,
             apply: Callable[[list[ItemChange]], list[ItemChange]], conflicts: list[ItemChange], text: str) -> int:
    """Re-read and re-evaluate conflicting items (changes sent with ``apply``); report
    what still conflicts.  Returns how many were reported."""
    rounds = 0
    while conflicts and rounds < REREADS:
        rounds += 1
        again: list[ItemChange] = []
        for change in conflicts:
            select = _reread_select(plan, change.key)
            if select is None:
                again.append(change)
                continue
            with _consistent(session):
                binder = SourceBinder(session, text, raw=True)
                rows = _find(session, binder, plan, select)
            fresh = changes_from_rows(plan, rows, key_attributes, null_serialization, rejects)
            for item in fresh:
                item.row = change.row
            again += apply(fresh)   # no row now: the item no longer matches (or is gone)
        conflicts = again
    for change in conflicts:
        rejects.add(change.row, change.key, f"{change.action.value}: the item was changed by another writer "
                    f"{REREADS + 1} times while this statement changed it; not applied")
    return len(conflicts)


def _reread_select(plan: DmlPlan, key: dict) -> exp.Select | None:
    """The finding SELECT for one item only (None for binary keys).  For a MERGE: the
    target read at that key, joined with the source rows ON gives that key."""
    literals = []
    for binding in plan.keys:
        value = key.get(binding.attribute) or {}
        if "S" in value:
            literals.append(exp.Literal.string(value["S"]))
        elif "N" in value:
            literals.append(exp.Literal.number(value["N"]))
        else:
            return None
    at_key = exp.and_(*[exp.EQ(this=exp.column(b.name), expression=lit) for b, lit in zip(plan.keys, literals)])
    if plan.merge is None:
        return plan.select.copy().where(at_key)
    source_side = exp.and_(*[exp.EQ(this=e.copy(), expression=lit.copy())
                             for e, lit in zip(plan.merge.source_keys, literals)])
    return merge_select(plan.merge, at_key).where(source_side)


@contextlib.contextmanager
def _consistent(session: "Session"):
    """Strongly consistent reads for the duration (a re-read must see the latest item)."""
    key = "dynamodb.consistent.read"
    before = session.settings.hiveconf.get(key)
    session.settings.hiveconf[key] = "true"
    try:
        yield
    finally:
        if before is None:
            session.settings.hiveconf.pop(key, None)
        else:
            session.settings.hiveconf[key] = before


