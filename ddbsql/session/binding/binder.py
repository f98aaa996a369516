"""Binding the tables a query reads to DuckDB sources.

Each reference to a DynamoDB table becomes its own Arrow stream registered in DuckDB:
read as its access plan says (GetItem, BatchGetItem, Query or a parallel Scan, with
the WHERE conjuncts that concern only that reference pushed down, see
:mod:`ddbsql.planner.access`), decoding only the columns the query uses.  The query
sent to DuckDB keeps its whole WHERE: pushdown only reduces what is read.  Each local
table becomes a reference into the warehouse.  Unknown tables and columns are reported here,
with their line and column in the statement.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import pyarrow as pa
from sqlglot import exp
from sqlglot.errors import OptimizeError
from sqlglot.optimizer.qualify import qualify

from ...catalog.binding import raw_name
from ...catalog.model import TableDef, TableKind
from ...errors import SemanticError
from ...planner.scopes import NO_FILTER, reference_filters
from ...sql.dialect import DIALECT
from ...sql.positions import position_of
from ...sql.translate import to_duckdb
from ...types import from_arrow
from .registered import Registration
from .scans import ScanRecord

if TYPE_CHECKING:
    from .context import StatementContext


class SourceBinder:
    """Rewrites the table references of one statement; holds what it registered."""

    def __init__(self, session: "StatementContext", text: str, *, explain: bool = False, raw: bool = False):
        self.session = session
        self.text = text
        #: plan only: sources are registered empty and nothing is read from DynamoDB
        self.explain = explain
        #: DynamoDB tables also offer each column's stored value unconverted, as the hidden
        #: column :func:`~ddbsql.catalog.binding.raw_name` (what UPDATE/DELETE/MERGE compare)
        self.raw = raw
        self.scans: list[ScanRecord] = []
        #: column types of every bound source, by the name it has in the bound tree
        self.schema: dict[str, dict[str, str]] = {}

    def table_refs(self, tree: exp.Expression) -> list[tuple[exp.Table, TableDef]]:
        """Every catalog table ``tree`` reads (CTE names excluded), resolved or a clear error."""
        ctes = {cte.alias_or_name.lower() for cte in tree.find_all(exp.CTE)}
        refs = []
        for table in tree.find_all(exp.Table):
            if not isinstance(table.this, exp.Identifier):
                continue
            if not table.db and table.name.lower() in ctes:
                continue
            if self.registered(table) is not None:
                continue
            definition = self.session.catalog_table(table.name, table.db.lower() or None,
                                                    missing_ok=True)
            if definition is None:
                line, col = position_of(table, self.text)
                name = f"{table.db}.{table.name}" if table.db else table.name
                raise SemanticError(f"Table not found '{name}'", line=line, col=col)
            refs.append((table, definition))
        return refs

    def registered(self, table: exp.Table) -> Registration | None:
        """The registered object an unqualified table name means (see :mod:`.registered`)."""
        if table.db or not isinstance(table.this, exp.Identifier):
            return None
        return self.session.registry.get(table.name)

    def needed_columns(self, tree: exp.Expression, refs: list[tuple[exp.Table, TableDef]]) -> dict[str, set[str]] | None:
        """Columns each table (by qualified name) must provide; None when not derivable.

        Unknown columns raise :class:`SemanticError` with their position.
        """
        schema: dict = {}
        for _, definition in refs:
            columns = {c.name: str(c.type.duckdb_sql()) for c in definition.columns}
            if self.raw and definition.kind is TableKind.DYNAMODB:
                columns.update({raw_name(c.name): "VARCHAR" for c in definition.columns})
            schema.setdefault(definition.database, {})[definition.name.lower()] = columns
        ctes = {cte.alias_or_name.lower() for cte in tree.find_all(exp.CTE)}
        for table in tree.find_all(exp.Table):
            registration = self.registered(table) if table.name.lower() not in ctes else None
            if registration is not None:
                schema.setdefault(self.session.database, {})[registration.name] = {
                    f.name.lower(): from_arrow(f.type).duckdb_sql() for f in registration.schema()}
        try:
            qualified = qualify(tree.copy(), schema=schema, dialect=DIALECT, db=self.session.database,
                                validate_qualify_columns=True, quote_identifiers=False)
        except OptimizeError as exc:
            message = str(exc)
            if "could not be resolved" in message or "Unknown column" in message or "Column '" in message:
                name = message.split("'")[1] if "'" in message else None
                node = next((c for c in tree.find_all(exp.Column) if name and c.name.lower() == name.lower()), None)
                line, col = position_of(node, self.text) if node is not None else (None, None)
                known = sorted({c.name for _, d in refs for c in d.columns})
                hint = f" (available columns: {', '.join(known)})" if known else " (the query reads no table)"
                raise SemanticError(f"Invalid column reference '{node.name if node is not None else name}'{hint}",
                                    line=line, col=col) from None
            return None
        except Exception:
            return None  # constructs the optimizer does not know: read every column
        alias_tables: dict[str, str] = {}
        for table in qualified.find_all(exp.Table):
            key = f"{(table.db or self.session.database).lower()}.{table.name.lower()}"
            alias_tables[(table.alias_or_name or table.name).lower()] = key
        needed: dict[str, set[str]] = {}
        for column in qualified.find_all(exp.Column):
            key = alias_tables.get(column.table.lower()) if column.table else None
            if key:
                needed.setdefault(key, set()).add(column.name.lower())
        return needed

    def bind(self, tree: exp.Expression) -> exp.Expression:
        """A copy of ``tree`` whose table references point at DuckDB sources."""
        tree = tree.copy()
        refs = self.table_refs(tree)
        needed = self.needed_columns(tree, refs)
        # Without resolvable columns the WHERE cannot be attributed safely: no pushdown.
        filters = {} if needed is None else reference_filters(
            tree, {id(table): frozenset(c.name for c in definition.columns) for table, definition in refs})
        self._bind_registered(tree)
        for table, definition in refs:
            alias = table.alias_or_name
            columns = None if needed is None else needed.get(definition.qualified.lower(), set())
            label = definition.qualified + (f" AS {alias}" if alias.lower() != definition.name.lower() else "")
            replacement = self.session.table_storage(definition).bind(self, definition, filters.get(id(table), NO_FILTER), columns,
                                                   label)
            replacement.set("alias", exp.TableAlias(this=exp.to_identifier(alias)))
            replacement.set("sample", self._sample(table))
            table.replace(replacement)
        return tree

    def _bind_registered(self, tree: exp.Expression) -> None:
        """Point each reference to a registered object at a fresh Arrow stream of it."""
        ctes = {cte.alias_or_name.lower() for cte in tree.find_all(exp.CTE)}
        for table in list(tree.find_all(exp.Table)):
            registration = self.registered(table) if table.name.lower() not in ctes else None
            if registration is None:
                continue
            reader = registration.reader() if not self.explain else \
                pa.RecordBatchReader.from_batches(registration.schema(), iter(()))
            source = self.session.engine.register_stream(reader)
            self.schema[source] = {f.name.lower(): str(from_arrow(f.type)) for f in reader.schema}
            replacement = exp.Table(this=exp.to_identifier(source))
            replacement.set("alias", exp.TableAlias(this=exp.to_identifier(table.alias_or_name)))
            replacement.set("sample", self._sample(table))
            table.replace(replacement)

    def _sample(self, table: exp.Table) -> exp.TableSample | None:
        """Hive's ``TABLESAMPLE (n PERCENT)`` / ``(n ROWS)`` as DuckDB samples rows (a
        percentage row by row, as Hive's is approximate too).  The whole table is still
        read: DynamoDB cannot sample.  Bucket sampling needs Hive's hash: refused."""
        sample = table.args.get("sample")
        if sample is None:
            return None
        if sample.args.get("bucket_numerator") is not None or sample.args.get("bucket_denominator") is not None:
            line, col = position_of(table, self.text)
            raise SemanticError("TABLESAMPLE (BUCKET x OUT OF y) is not supported (it needs Hive's bucketing "
                                "hash); use TABLESAMPLE (n PERCENT) or (n ROWS)", line=line, col=col)
        sample = sample.copy()
        if sample.args.get("percent") is not None:
            sample.set("method", exp.var("BERNOULLI"))
        return sample

    def to_duckdb(self, tree: exp.Expression) -> str:
        """DuckDB SQL for a tree this binder bound, typed with the sources' columns."""
        return to_duckdb(tree, schema=self.schema, source=self.text, database=self.session.database)

    def scan_error(self) -> BaseException | None:
        """The first error a scan of this statement ended with, if any."""
        return next((r.error for r in self.scans if r.error is not None), None)

    def warning_messages(self) -> list[str]:
        """One line per (column, reason) of values read as NULL because of their DynamoDB type."""
        lines = []
        for record in self.scans:
            for column, reason, count in record.warnings.items():
                lines.append(f"WARNING: {record.table.name}.{column}: {count} value(s) read as NULL ({reason})")
            expiry = record.expiry
            if expiry is not None and expiry.wrong_type:
                lines.append(f"WARNING: {record.table.name}: {expiry.wrong_type} item(s) kept: their TTL attribute "
                             f"'{expiry.attribute}' is not a number (DynamoDB never expires them)")
        return lines

