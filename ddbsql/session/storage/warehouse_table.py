"""Local tables kept in ddbsql's DuckDB warehouse file."""
from __future__ import annotations

from typing import TYPE_CHECKING

from sqlglot import exp

from ...catalog.model import TableDef, TableKind
from ...planner.scopes import ReferenceFilter
from ..writing.table_targets import WarehouseTarget
from .table_storage import Row, TableStorage

if TYPE_CHECKING:
    from ..binding.context import StatementContext
    from ..binding.binder import SourceBinder


class WarehouseTable(TableStorage):
    """A table whose rows DuckDB keeps in the warehouse file (``<warehouse>.<db>.<name>``)."""

    kind = TableKind.WAREHOUSE

    def storage_rows(self, session: "StatementContext", table: TableDef) -> list[Row]:
        return [("", "", ""), ("# Storage Information", "", ""),
                ("Location:", f"ddbsql warehouse {session.engine.warehouse_path or '(in memory)'}", "")]

    def drop(self, session: "StatementContext", table: TableDef) -> None:
        session.engine.con.execute(
            f'DROP TABLE IF EXISTS {session.engine.warehouse()}."{table.database}"."{table.name}"')

    def bind(self, binder: "SourceBinder", table: TableDef, where: ReferenceFilter, columns: set[str] | None,
             label: str) -> exp.Table:
        """A reference into the warehouse: DuckDB reads the table itself."""
        binder.schema[table.name] = {c.name: str(c.type) for c in table.columns}
        return exp.Table(this=exp.to_identifier(table.name), db=exp.to_identifier(table.database),
                         catalog=exp.to_identifier(binder.session.engine.warehouse()))

    def write_target(self, table: TableDef, insert: exp.Insert, node: exp.Table, columns: list[str] | None,
                     text: str) -> WarehouseTarget:
        """Written in one DuckDB transaction."""
        return WarehouseTarget.resolve(table, insert, node, columns, text)
