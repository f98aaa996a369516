"""EXPLAIN <query> (or INSERT … SELECT): per DynamoDB table reference, the requests its plan would send and
their estimated cost; then the DuckDB side.  Nothing is read from DynamoDB (only
DescribeTable, for the facts the plan is made from).

EXPLAIN ANALYZE <query> runs the query (its rows are counted, not shown) and adds, per
reference, what was actually sent and paid: requests, pages, items evaluated and
returned, the ConsumedCapacity DynamoDB reported, retries, throttles and time.
"""
from __future__ import annotations

import time
from typing import TYPE_CHECKING

import duckdb
from sqlglot import exp

from ...errors import ParseError
from ...exec.governor import READ
from ...progress import format_duration
from ...planner.explain import explain_rows
from ...sql.statements import SqlStatement
from . import dml_statements
from ..binding.execution import duckdb_error, execute_duckdb, hive_output_names, result_batches
from ..result import Result
from ..binding.scans import ScanRecord
from ..binding.binder import SourceBinder

if TYPE_CHECKING:
    from ..session import Session

COLUMNS = ["source", "property", "value"]
_QUERIES = (exp.Select, exp.Union, exp.Except, exp.Intersect, exp.Subquery)


def run_explain(session: "Session", statement: SqlStatement, *, analyze: bool = False) -> Result:
    """Rows ``(source, property, value)``: one group per DynamoDB table reference, then DuckDB's."""
    planned = None
    if isinstance(statement.tree, dml_statements.DML):
        if analyze:
            raise ParseError(f"EXPLAIN ANALYZE is refused for {statement.tree.key.upper()}: it would write "
                             "(EXPLAIN shows what it reads and writes)", line=1, col=1)
        planned = dml_statements.plan_statement(session, statement.tree)
        tree, text = dml_statements.finding_select(session, planned[3], statement.text), statement.text
    else:
        tree, text = explained_query(statement.tree, analyze), statement.text
    binder = SourceBinder(session, text, explain=not analyze, raw=planned is not None)
    bound = hive_output_names(binder.bind(tree))
    sql = binder.to_duckdb(bound)
    rows: list[tuple[str, str, str]] = []
    if analyze:
        returned, elapsed = _run(session, sql, binder)
    for record in binder.scans:
        rows += [(record.label, key, value) for key, value in explain_rows(record.plan)]
        rows += [(record.label, key, value) for key, value in _time_rows(session, record)]
        if record.expiry is not None:
            rows.append((record.label, "expired items", f"skipped (TTL attribute '{record.expiry.attribute}')"))
        inferred = session.builtin.seen.get((record.table.database, record.table.name))
        if inferred is not None:
            rows.append((record.label, "columns inferred from", inferred.sample_text()))
        if record.refusal:
            rows.append((record.label, "refused by ddbsql.scan.max.rcu", record.refusal))
        if analyze:
            rows += [(record.label, key, value) for key, value in measured_rows(record)]
    if planned is not None:
        rows += dml_statements.estimate_rows(session, planned, binder.scans)
    try:
        plan = session.engine.con.sql("EXPLAIN " + sql).fetchall()
    except duckdb.Error as exc:
        raise duckdb_error(exc) from None
    rows.append(("DuckDB", "sql", sql))
    rows.append(("DuckDB", "plan", "\n".join(str(r[1]).rstrip("\n") for r in plan)))
    if analyze:
        rows.append(("DuckDB", "rows returned", str(returned)))
        rows.append(("DuckDB", "elapsed", f"{elapsed:.3f} s"))
    redact = session.settings.redact
    return Result.rows("explain", COLUMNS, [tuple(redact(v) if isinstance(v, str) else v for v in row) for row in rows])


def explained_query(tree: exp.Expression, analyze: bool) -> exp.Expression:
    """The query whose reads EXPLAIN describes: the statement itself, or the SELECT of an
    INSERT (what it reads; EXPLAIN ANALYZE of an INSERT is refused, as it would write)."""
    if isinstance(tree, _QUERIES):
        return tree
    if isinstance(tree, (exp.Insert, exp.MultitableInserts)) and not analyze:
        if isinstance(tree, exp.MultitableInserts):
            source = tree.args.get("source")
            if source is not None:
                return exp.select("*").from_(source.copy())
        elif isinstance(tree.expression, _QUERIES):
            return tree.expression
    what = "EXPLAIN ANALYZE" if analyze else "EXPLAIN"
    raise ParseError(f"{what} supports queries{'' if analyze else ' and INSERT … SELECT'} only, "
                     f"not {tree.key.upper()}", line=1, col=1)


def _run(session: "Session", sql: str, binder: SourceBinder) -> tuple[int, float]:
    """Run the query to its end, counting its rows; (rows, seconds)."""
    started = time.monotonic()
    reader = execute_duckdb(session, sql, binder)
    rows = sum(batch.num_rows for batch in result_batches(reader, binder))
    error = binder.scan_error()
    if error is not None:
        raise error
    return rows, time.monotonic() - started


def _time_rows(session: "Session", record: ScanRecord) -> list[tuple[str, str]]:
    """The read budget the plan runs under and the time its estimated RCU take at it."""
    governor = session.governor_for(record.table, session.facts(record.table), record.plan.index_name)
    budget = governor.budget(READ)
    stats = governor.stats(READ)
    seconds = record.plan.estimate.rcu / budget if budget > 0 else 0.0
    return [("read budget", stats.budget_text("RCU")),
            ("estimated time at the read budget", format_duration(seconds) if seconds >= 1 else f"{seconds:.2f} s")]


def measured_rows(record: ScanRecord) -> list[tuple[str, str]]:
    """What EXPLAIN ANALYZE measured for one reference, and its ratio to the estimate."""
    stats, estimate = record.stats, record.plan.estimate
    rows = [("measured requests", f"{stats.pages + stats.retries} ({stats.pages} answered, "
                                  f"{stats.retries} retried, {stats.throttles} throttled)"),
            ("measured pages", str(stats.pages)),
            ("measured items evaluated", str(stats.scanned)),
            ("measured items returned", str(stats.items)),
            ("measured RCU (ConsumedCapacity)", _number(stats.consumed_capacity)),
            ("measured time", f"{record.elapsed:.3f} s")]
    if record.expiry is not None:
        rows += [("measured items expired (TTL, skipped)", str(record.expiry.expired)),
                 ("measured TTL values not a number (kept)", str(record.expiry.wrong_type))]
    if stats.consumed_capacity > 0:
        rows.append(("estimated / measured RCU", f"{estimate.rcu / stats.consumed_capacity:.2f}"))
    return rows


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"
