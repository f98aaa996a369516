"""The table targets of an INSERT besides file tables: DynamoDB tables (written as
resumable jobs, see :mod:`.jobs`) and warehouse tables (one DuckDB transaction)."""
from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Iterable

import duckdb
import pyarrow as pa
from sqlglot import exp

from ...catalog.model import TableDef
from ...errors import SemanticError
from ...exec.writer import DELETE, WriteReport
from ...sql.positions import position_of
from . import job_runs
from .dynamodb_writes import InsertTarget, PreparedWrite, cast_to_target, prepare_write, report_messages, report_record, run_prepared
from ..binding.execution import failure
from ..result import Result
from ..binding.binder import SourceBinder
from .write_targets import InsertQuery, WriteOutcome

if TYPE_CHECKING:
    from ..session import Session


def _check_columns(table: TableDef, node: exp.Table, columns: list[str] | None, text: str) -> None:
    for name in columns or ():
        if table.column(name) is None:
            line, col = position_of(node, text)
            raise SemanticError(f"column '{name}' is not in table {table.name}", line=line, col=col)


@dataclasses.dataclass
class _TableTarget:
    """What the INSERT targets that are catalog tables share: resolving, naming, shaping."""

    target: InsertTarget

    @classmethod
    def resolve(cls, table: TableDef, insert: exp.Insert, node: exp.Table, columns: list[str] | None,
                text: str) -> "_TableTarget":
        _check_columns(table, node, columns, text)
        return cls(InsertTarget(table, columns, bool(insert.args.get("overwrite")), node))

    @property
    def name(self) -> str:
        return self.target.table.qualified

    @property
    def node(self) -> exp.Expression:
        return self.target.node

    def shape(self, session: "Session", source_sql: str, text: str) -> str:
        return cast_to_target(session, source_sql, self.target, text)


@dataclasses.dataclass
class DynamoDBTarget(_TableTarget):
    """INSERT INTO|OVERWRITE TABLE of a DynamoDB table."""

    concurrent = True

    def write(self, session: "Session", sql: str, binder: SourceBinder, label: str,
              query: InsertQuery | None = None) -> WriteOutcome:
        """One INSERT into this table, as a resumable job (``query`` lets a straight copy
        checkpoint its Scan positions)."""
        source, bound, tree = (query.source, query.bound, query.tree) if query else (None, None, None)
        result = job_runs.write_single(session, self.target, sql, binder, label, source=source, bound=bound, tree=tree)
        return WriteOutcome.of(self.name, result)

    # written from a thread of its own in a multi-insert
    def prepare(self, session: "Session", label: str, hook=None) -> PreparedWrite:
        """What the write needs, made on the statement's thread."""
        return prepare_write(session, self.target, label, hook=hook)

    def run(self, session: "Session", prepared: PreparedWrite, batches: Iterable[pa.RecordBatch]
            ) -> tuple[WriteReport, list[str]]:
        """Write ``batches`` (any thread)."""
        return run_prepared(session, prepared, batches)

    def outcome(self, session: "Session", prepared: PreparedWrite, report: WriteReport,
                notes: list[str]) -> WriteOutcome:
        rowcount = report.deleted if prepared.mode.kind == DELETE else report.written
        return WriteOutcome(self.name, rowcount, notes + report_messages(session, prepared, report),
                            [report_record(session, prepared, report)])


@dataclasses.dataclass
class WarehouseTarget(_TableTarget):
    """INSERT INTO|OVERWRITE TABLE of a warehouse table."""

    concurrent = False

    def write(self, session: "Session", sql: str, binder: SourceBinder, label: str,
              query: InsertQuery | None = None) -> WriteOutcome:
        return WriteOutcome.of(self.name, write_warehouse(session, self.target, sql, binder))


def write_warehouse(session: "Session", target: InsertTarget, sql: str, binder: SourceBinder) -> Result:
    """Rows into a warehouse table, in one DuckDB transaction (OVERWRITE empties it first)."""
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
