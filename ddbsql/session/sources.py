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

import dataclasses
import time
from typing import TYPE_CHECKING

import pyarrow as pa

from sqlglot import exp
from sqlglot.errors import OptimizeError
from sqlglot.optimizer.qualify import qualify

from ..catalog.binding import ColumnBinding
from ..catalog.mapping import bindings_for
from ..catalog.model import TableDef
from ..errors import SemanticError, TooCostlyError
from ..exec.decode import DecodeWarnings
from ..exec.lookups import arrow_schema, read_batches
from ..exec.scanner import ScanStats
from ..planner.access import AccessPlan, plan_access
from ..planner.guard import SETTING as GUARD_SETTING, over_budget
from ..planner.scopes import NO_FILTER, ReferenceFilter, reference_filters
from ..sql.dialect import DIALECT
from ..sql.translate import to_duckdb
from .file_sources import file_source

if TYPE_CHECKING:
    from .session import Session


def position_of(node: exp.Expression, text: str) -> tuple[int | None, int | None]:
    """1-based line and column where ``node`` starts in ``text``, when sqlglot kept it."""
    target = node.this if isinstance(node, (exp.Column, exp.Table)) and isinstance(node.this, exp.Expression) else node
    meta = getattr(target, "meta", None) or {}
    start = meta.get("start")
    if start is None:
        return meta.get("line"), meta.get("col")
    line = text.count("\n", 0, start) + 1
    col = start - (text.rfind("\n", 0, start) + 1) + 1
    return line, col


@dataclasses.dataclass
class ScanRecord:
    """One DynamoDB read of a statement, for messages, progress and EXPLAIN.

    ``label`` names the table reference (``default.orders AS o``); ``plan`` is how it is read.
    """

    table: TableDef
    warnings: DecodeWarnings
    stats: ScanStats
    error: BaseException | None = None
    plan: AccessPlan | None = None
    label: str = ""

    #: why ``ddbsql.scan.max.rcu`` would refuse this read (EXPLAIN shows it)
    refusal: str | None = None
    #: monotonic seconds from the first request to the end of the stream (EXPLAIN ANALYZE)
    elapsed: float = 0.0

    def watch(self, batches):
        """Pass ``batches`` through, keeping the exception that ends them (DuckDB hides it)
        and the time they took."""
        started = time.monotonic()
        try:
            yield from batches
        except BaseException as exc:
            self.error = exc
            raise
        finally:
            self.elapsed = time.monotonic() - started


class SourceBinder:
    """Rewrites the table references of one statement; holds what it registered."""

    def __init__(self, session: "Session", text: str, *, explain: bool = False):
        self.session = session
        self.text = text
        #: plan only: sources are registered empty and nothing is read from DynamoDB
        self.explain = explain
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
            definition = self.session.catalog_table(table.name.lower(), table.db.lower() or None,
                                                    missing_ok=True)
            if definition is None:
                line, col = position_of(table, self.text)
                name = f"{table.db}.{table.name}" if table.db else table.name
                raise SemanticError(f"Table not found '{name}'", line=line, col=col)
            refs.append((table, definition))
        return refs

    def needed_columns(self, tree: exp.Expression, refs: list[tuple[exp.Table, TableDef]]) -> dict[str, set[str]] | None:
        """Columns each table (by qualified name) must provide; None when not derivable.

        Unknown columns raise :class:`SemanticError` with their position.
        """
        schema: dict = {}
        for _, definition in refs:
            schema.setdefault(definition.database, {})[definition.name] = {
                c.name: str(c.type.duckdb_sql()) for c in definition.columns}
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
        for table, definition in refs:
            alias = table.alias_or_name
            if definition.kind == "dynamodb":
                columns = None if needed is None else needed.get(definition.qualified, set())
                label = definition.qualified + (f" AS {alias}" if alias.lower() != definition.name else "")
                source = self._dynamodb_source(definition, columns, filters.get(id(table), NO_FILTER), label)
                replacement = exp.Table(this=exp.to_identifier(source))
                self.schema[source] = {c.name: str(c.type) for c in definition.columns}
            elif definition.kind == "file":
                source = file_source(self, definition, table,
                                     None if needed is None else needed.get(definition.qualified, set()))
                replacement = exp.Table(this=exp.to_identifier(source))
            else:
                self.schema[definition.name] = {c.name: str(c.type) for c in definition.columns}
                replacement = exp.Table(this=exp.to_identifier(definition.name),
                                        db=exp.to_identifier(definition.database),
                                        catalog=exp.to_identifier(self.session.engine.warehouse()))
            replacement.set("alias", exp.TableAlias(this=exp.to_identifier(alias)))
            replacement.set("sample", self._sample(table))
            table.replace(replacement)
        return tree

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

    def _dynamodb_source(self, definition: TableDef, columns: set[str] | None,
                         where: ReferenceFilter = NO_FILTER, label: str = "") -> str:
        session = self.session
        bindings = bindings_for(definition)
        chosen: list[ColumnBinding] = [b for b in bindings if columns is None or b.name in columns]
        facts = session.facts(definition)
        if not chosen:
            # count(*) and friends still need one value per item to count rows
            key = next((b for b in bindings if b.attribute == facts.hash_key), bindings[0])
            chosen = [key]
        props = definition.properties
        pushdown, reason = self._pushdown(definition)
        plan = plan_access(facts, bindings, chosen, where, pushdown=pushdown, pushdown_off_reason=reason,
                           segments=session.settings.get("dynamodb.scan.segments", props.get("dynamodb.scan.segments")),
                           consistent_read=session.settings.get("dynamodb.consistent.read",
                                                                props.get("dynamodb.consistent.read")))
        record = ScanRecord(definition, DecodeWarnings(), ScanStats(), plan=plan, label=label or definition.qualified)
        self.scans.append(record)
        refusal = over_budget(plan, facts, bindings, record.label, session.settings.get(GUARD_SETTING))
        if refusal and not self.explain:
            raise TooCostlyError(refusal)
        if refusal:
            record.refusal = refusal
        if self.explain:
            reader = pa.RecordBatchReader.from_batches(arrow_schema(plan), iter(()))
            return session.engine.register_stream(reader)
        client = session.dynamodb_client(definition)
        batches = read_batches(client, plan, session.retry_policy(), warnings=record.warnings, stats=record.stats,
                               cancel=session.cancel_event, governor=session.governor_for(definition, facts))
        reader = pa.RecordBatchReader.from_batches(arrow_schema(plan), record.watch(batches))
        return session.engine.register_stream(reader)

    def _pushdown(self, definition: TableDef) -> tuple[bool, str | None]:
        """Whether WHERE predicates may be sent to DynamoDB for this table, and if not, why."""
        settings = self.session.settings
        if not settings.get("ddbsql.pushdown"):
            return False, "SET ddbsql.pushdown=false"
        override = definition.properties.get("dynamodb.filter.pushdown")
        if not settings.get("dynamodb.filter.pushdown", override):
            return False, ("TBLPROPERTIES dynamodb.filter.pushdown=false" if override is not None
                           else "SET dynamodb.filter.pushdown=false")
        return True, None

    def scan_error(self) -> BaseException | None:
        """The first error a scan of this statement ended with, if any."""
        return next((r.error for r in self.scans if r.error is not None), None)

    def warning_messages(self) -> list[str]:
        """One line per (column, reason) of values read as NULL because of their DynamoDB type."""
        lines = []
        for record in self.scans:
            for column, reason, count in record.warnings.items():
                lines.append(f"WARNING: {record.table.name}.{column}: {count} value(s) read as NULL ({reason})")
        return lines
