"""INSERT INTO|OVERWRITE TABLE and multi-insert, into DynamoDB or local tables.

Hive maps the query's columns to the target's by position and converts each value to
the column's type (a value that does not convert becomes NULL); so does ddbsql, with
``TRY_CAST`` in DuckDB.  INSERT OVERWRITE into a DynamoDB table upserts, as the EMR
connector does: items not in the query result stay in the table.
"""
from __future__ import annotations

import dataclasses
import itertools
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
from sqlglot import exp

from ..catalog.mapping import NULL_SERIALIZATION, TABLE_NAME, bindings_for
from ..catalog.model import TableDef
from ..errors import ExecutionError, ParseError, SemanticError
from ..exec.rejects import RejectLog
from ..exec.writer import BatchWriter, WriteReport
from .queries import execute_duckdb, failure, hive_output_names
from .result import Result
from .sources import SourceBinder, position_of

if TYPE_CHECKING:
    from .session import Session

_temp_names = itertools.count(1)


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


def cast_to_target(session: "Session", source_sql: str, target: InsertTarget, text: str) -> str:
    """SQL whose columns are exactly the target's columns, in order, each of its type."""
    try:
        arity = len(session.engine.con.sql(source_sql).columns)
    except duckdb.Error as exc:
        raise ExecutionError(str(exc).split("\n", 1)[0]) from None
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
        selects.append(f'TRY_CAST({value} AS {column.type.duckdb_sql()}) AS "{column.name}"')
    aliases = ", ".join(f'"c{i}"' for i in range(arity))
    return f"SELECT {', '.join(selects)} FROM ({source_sql}) AS q({aliases})"


def write(session: "Session", target: InsertTarget, sql: str, binder: SourceBinder, label: str) -> Result:
    """Run ``sql`` (already shaped as the target's columns) into the target table."""
    table = target.table
    if table.kind == "managed":
        return _write_local(session, target, sql, binder)
    reader = execute_duckdb(session, sql, binder)
    facts = session.facts(table)
    props = table.properties
    rejects = RejectLog(Path(session.settings.get("ddbsql.reject.dir")), table=table.qualified, statement=label)
    writer = BatchWriter(session.dynamodb_client(table), props.get(TABLE_NAME, table.name), facts.key_attributes,
                         retry=session.retry_policy(), rejects=rejects,
                         workers=session.settings.get("ddbsql.write.workers"), cancel=session.cancel_event)
    null_serialization = session.settings.get("dynamodb.null.serialization", props.get(NULL_SERIALIZATION))

    def batches():
        while True:
            try:
                yield reader.read_next_batch()
            except StopIteration:
                return
            except duckdb.Error as exc:
                raise failure(exc, binder) from None

    report = writer.write_batches(batches(), bindings_for(table), null_serialization=bool(null_serialization))
    messages = binder.warning_messages() + [write_summary(table, facts.table_name, session.region_of(table), report)]
    return Result("insert", rowcount=report.written, messages=messages)


def write_summary(table: TableDef, ddb_name: str, region: str, report: WriteReport) -> str:
    text = (f"Loaded {report.written} row(s) into {table.qualified} (DynamoDB table {ddb_name}, {region}) "
            f"from {report.rows} input row(s)")
    if report.duplicates:
        text += f"; {report.duplicates} row(s) repeated a key already written by this statement (last one wins)"
    if report.rejected:
        text += f"; {report.rejected} row(s) rejected, reasons in {report.reject_path}"
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
    return write(session, target, sql, binder, label)


def run_multi_insert(session: "Session", tree: exp.MultitableInserts, text: str, label: str) -> Result:
    """``FROM src INSERT … SELECT … INSERT … SELECT …``: ``src`` is read once, into a
    DuckDB temporary table, then each INSERT runs from it in order."""
    source = tree.args.get("source")
    if source is None:
        raise ParseError("multi-insert needs a FROM clause", line=1, col=1)
    inserts = [i for i in tree.expressions if isinstance(i, exp.Insert)]
    targets = [resolve_target(session, insert, text) for insert in inserts]
    binder = SourceBinder(session, text)
    for insert in inserts:  # unknown columns are reported before anything is read
        full = insert.expression.copy()
        full.set("from_", exp.From(this=source.copy()))
        binder.needed_columns(full, binder.table_refs(full))
    alias = source.alias_or_name
    temp = f"__ddbsql_multi_{next(_temp_names)}"
    bound_source = binder.bind(exp.select("*").from_(source.copy()))
    con = session.engine.con
    try:
        con.execute(f'CREATE OR REPLACE TEMP TABLE "{temp}" AS {binder.to_duckdb(bound_source)}')
    except duckdb.Error as exc:
        raise failure(exc, binder) from None
    try:
        results = []
        for insert, target in zip(inserts, targets):
            select = insert.expression.copy()
            select.set("from_", exp.From(this=exp.Table(this=exp.to_identifier(temp),
                                                        alias=exp.TableAlias(this=exp.to_identifier(alias)))))
            binder.schema[temp] = binder.schema.get(bound_source.find(exp.Table).name, {})
            sql = cast_to_target(session, binder.to_duckdb(hive_output_names(select)), target, text)
            results.append(write(session, target, sql, binder, label))
        binder.scans.clear()  # their warnings were reported with the first insert
    finally:
        con.execute(f'DROP TABLE IF EXISTS "{temp}"')
    messages = [m for r in results for m in r.messages]
    return Result("insert", rowcount=sum(max(r.rowcount, 0) for r in results), messages=messages)


def run_insert_statement(session: "Session", tree: exp.Expression, text: str) -> Result:
    label = " ".join(text.split())[:200]
    if isinstance(tree, exp.MultitableInserts):
        return run_multi_insert(session, tree, text, label)
    return run_insert(session, tree, text, label)
