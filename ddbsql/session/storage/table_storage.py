"""What every kind of table answers: its describe rows, its SHOW CREATE clauses, what
DROP does, how a statement reads it, what an INSERT into it writes through and which
ALTERs it takes."""
from __future__ import annotations

from typing import TYPE_CHECKING

from sqlglot import exp

from ...catalog.model import TableDef, TableKind
from ...errors import ParseError, SemanticError
from ...planner.scopes import ReferenceFilter

if TYPE_CHECKING:
    from ..writing.write_targets import WriteTarget
    from ..binding.context import StatementContext
    from ..binding.binder import SourceBinder

Row = tuple[str, str, str]


class TableStorage:
    """The behaviour of one :class:`~ddbsql.catalog.model.TableKind`; subclasses override
    what differs.  Stateless: one instance serves every table of its kind."""

    kind: TableKind
    #: DESCRIBE's comment for a column that has none
    column_comment = ""

    def describe_columns(self, table: TableDef) -> list[Row]:
        """DESCRIBE's rows: one per column (and what follows them for this kind)."""
        return [(c.name, str(c.type), c.comment or self.column_comment) for c in table.columns]

    def table_parameters(self, table: TableDef) -> dict[str, str]:
        """Parameters DESCRIBE FORMATTED adds to the table's properties."""
        return {}

    def storage_rows(self, session: "StatementContext", table: TableDef) -> list[Row]:
        """DESCRIBE FORMATTED's rows after the table parameters."""
        raise NotImplementedError

    def show_create_lines(self, table: TableDef) -> list[str]:
        """SHOW CREATE TABLE's storage clauses (between the columns and TBLPROPERTIES)."""
        return []

    def drop(self, session: "StatementContext", table: TableDef) -> None:
        """What DROP TABLE does besides removing the table from the catalog."""

    def bind(self, binder: "SourceBinder", table: TableDef, where: ReferenceFilter, columns: set[str] | None,
             label: str) -> exp.Table:
        """The DuckDB source one reference to ``table`` reads (``columns``: those the
        statement uses, None for all; ``where``: the conjuncts that concern it)."""
        raise NotImplementedError

    def write_target(self, table: TableDef, insert: exp.Insert, node: exp.Table, columns: list[str] | None,
                     text: str) -> "WriteTarget":
        """The target of an INSERT into ``table`` (``node``: the table as the statement
        names it; ``columns``: the column list it gives, or None), checked."""
        raise SemanticError(f"table {table.qualified} cannot be written")

    def set_location(self, session: "StatementContext", table: TableDef, text: str) -> TableDef:
        """ALTER TABLE … SET LOCATION."""
        raise ParseError("ALTER TABLE … SET LOCATION is supported for file tables only", line=1, col=1)

    def set_serde_properties(self, table: TableDef, props: dict[str, str]) -> TableDef:
        """ALTER TABLE … SET SERDEPROPERTIES."""
        raise ParseError("ALTER TABLE … SET serdeproperties is not supported", line=1, col=1)

    def check_altered(self, session: "StatementContext", table: TableDef) -> None:
        """Check an ALTERed definition before it is stored."""
