"""Binding file tables (``kind == "file"``) into a statement: one Arrow stream per reference.

Only the columns the statement uses are read, and only the registered partitions its
WHERE clause can match (``part_col = literal`` and ``part_col IN (literals)``
conjuncts).  Values that do not fit their column read as NULL and malformed rows are
skipped; both are counted in the statement's warnings and written, with file and line,
to the reject folder.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

import pyarrow as pa
from sqlglot import exp

from ..catalog.mapping import bindings_for
from ..catalog.model import Column, TableDef
from ..errors import ExecutionError
from ..exec import files as xf
from ..exec import hivetext as ht
from ..exec.decode import DecodeWarnings
from ..exec.sandbox import LocalAccess
from ..exec.scanner import ScanStats

if TYPE_CHECKING:
    from .session import Session
    from .sources import SourceBinder


def s3_access(session: "Session") -> xf.S3Access:
    clients = session.clients
    credentials = clients.credentials()
    return xf.S3Access(region=clients.region(), endpoint=clients.s3_endpoint(),
                       access_key=getattr(credentials, "access_key", None),
                       secret_key=getattr(credentials, "secret_key", None),
                       session_token=getattr(credentials, "token", None))


def file_systems(session: "Session") -> xf.FileSystems:
    """The local disk and S3 as this session reaches them (S3 set up on first use)."""
    return xf.FileSystems(lambda: s3_access(session))


def managed_root(session: "Session") -> Path:
    """The folder of managed file tables: ``files`` beside the metastore."""
    path = session.metastore.path
    if str(path) == ":memory:":
        return Path(tempfile.gettempdir()) / "ddbsql-files"
    return Path(os.path.abspath(path)).parent / "files"


def local_access(session: "Session", *, managed: bool = False) -> LocalAccess:
    """The local paths an operation of this session may touch (``managed``: an operation
    on a managed table, held inside :func:`managed_root`)."""
    return LocalAccess(session.options.allow_local_files, managed_root(session), managed)


def location_of(session: "Session", systems: xf.FileSystems, text: str, what: str = "location") -> xf.Location:
    return xf.parse_location(text, systems, allow_local=local_access(session), what=what)


def reject_dir(session: "Session") -> Path:
    return Path(session.settings.get("ddbsql.reject.dir"))


def read_spec(table: TableDef, wanted: list[Column]) -> xf.ReadSpec:
    storage = table.storage
    bindings = None
    if storage.format in ("dynamodb-export", "emr-export"):
        names = {c.name for c in wanted}
        bindings = [b for b in bindings_for(table) if b.name in names]
    return xf.ReadSpec(storage, table.qualified, table.data_columns, table.partition_columns, wanted,
                       dict(table.properties), bindings)


def table_location(session: "Session", systems: xf.FileSystems, table: TableDef) -> xf.Location:
    """The table's folder; local folders need ``allow_local_files`` unless ddbsql chose them."""
    storage = table.storage
    return xf.parse_location(storage.location, systems,
                             allow_local=local_access(session, managed=storage.managed), what="LOCATION")


def partition_sources(session: "Session", systems: xf.FileSystems, table: TableDef,
                      keep=lambda values: True) -> list[xf.Source]:
    """The folders to read: the table's location, or each registered partition's."""
    storage = table.storage
    base = table_location(session, systems, table)
    if not storage.partition_columns:
        return [xf.Source(base)]
    names = list(storage.partition_columns)
    sources = []
    for partition in storage.partitions:
        values = dict(zip(names, partition.values))
        if not keep(values):
            continue
        if partition.location:
            folder = location_of(session, systems, partition.location)
        else:
            folder = base.child(xf.partition_dir(names, partition.values))
        sources.append(xf.Source(folder, values))
    return sources


def wanted_columns(table: TableDef, needed: set[str] | None) -> list[Column]:
    if needed is None:
        return list(table.columns)
    chosen = [c for c in table.columns if c.name in needed]
    if not chosen:
        # count(*) and friends still need one value per row: the cheapest column
        partition = table.partition_columns
        chosen = [partition[0]] if partition else [table.columns[0]]
    return chosen


def file_source(binder: "SourceBinder", definition: TableDef, node: exp.Table, needed: set[str] | None) -> str:
    """Register a stream of ``definition``'s rows for one reference; returns its name."""
    from .sources import ScanRecord  # sources imports this module

    session = binder.session
    wanted = wanted_columns(definition, needed)
    if getattr(binder, "explain", False):
        # EXPLAIN plans only: an empty stream of the right shape, no file is listed
        schema = pa.schema([pa.field(c.name, c.type.to_arrow()) for c in wanted])
        name = session.engine.register_stream(pa.RecordBatchReader.from_batches(schema, iter(())))
        binder.schema[name] = {c.name: str(c.type) for c in definition.columns}
        return name
    systems = file_systems(session)
    keep = _partition_filter(definition, node)
    sources = partition_sources(session, systems, definition, keep)
    spec = read_spec(definition, wanted)
    record = ScanRecord(definition, DecodeWarnings(), ScanStats())
    binder.scans.append(record)
    log = xf.ReadLog(reject_dir(session), table=definition.qualified, statement=" ".join(binder.text.split())[:200],
                     warnings=record.warnings, stats=record.stats)

    def batches():
        try:
            yield from xf.read_batches(spec, sources, log, session.cancel_event)
        finally:
            log.close()

    reader = pa.RecordBatchReader.from_batches(spec.schema, record.watch(batches()))
    name = session.engine.register_stream(reader)
    binder.schema[name] = {c.name: str(c.type) for c in definition.columns}
    return name


# ---------------------------------------------------------------- partition pruning

def _partition_filter(table: TableDef, node: exp.Table):
    """A predicate on partition values from the WHERE clause around ``node`` (or keep-all)."""
    columns = {c.name: c for c in table.partition_columns}
    if not columns:
        return lambda values: True
    select = node.find_ancestor(exp.Select)
    if select is None or select.args.get("where") is None:
        return lambda values: True
    alias = node.alias_or_name.lower()
    sources = [t for t in select.find_all(exp.Table) if t.find_ancestor(exp.Select) is select]
    single = len(sources) == 1
    tests: list[tuple[str, set]] = []
    for conjunct in _conjuncts(select.args["where"].this):
        found = _equality(conjunct, alias, single, columns)
        if found is not None:
            tests.append(found)
    if not tests:
        return lambda values: True

    def keep(values: dict) -> bool:
        for name, allowed in tests:
            value = _typed(values.get(name), columns[name])
            if value is _UNKNOWN:
                continue
            if value not in allowed:
                return False
        return True
    return keep


_UNKNOWN = object()


def _conjuncts(node: exp.Expression) -> Iterable[exp.Expression]:
    if isinstance(node, exp.And):
        yield from _conjuncts(node.left)
        yield from _conjuncts(node.right)
    elif isinstance(node, exp.Paren):
        yield from _conjuncts(node.this)
    else:
        yield node


def _column_of(node: exp.Expression, alias: str, single: bool, columns: dict) -> str | None:
    if not isinstance(node, exp.Column):
        return None
    name = node.name.lower()
    if name not in columns:
        return None
    if node.table:
        return name if node.table.lower() == alias else None
    return name if single else None


def _literal(node: exp.Expression):
    if isinstance(node, exp.Literal):
        return node.this
    if isinstance(node, exp.Neg) and isinstance(node.this, exp.Literal) and not node.this.is_string:
        return "-" + node.this.this
    return _UNKNOWN


def _equality(node: exp.Expression, alias: str, single: bool, columns: dict) -> tuple[str, set] | None:
    if isinstance(node, exp.EQ):
        for left, right in ((node.this, node.expression), (node.expression, node.this)):
            name = _column_of(left, alias, single, columns)
            text = _literal(right)
            if name is not None and text is not _UNKNOWN:
                value = _typed(text, columns[name])
                return None if value is _UNKNOWN or value is None else (name, {value})
        return None
    if isinstance(node, exp.In) and not node.args.get("query"):
        name = _column_of(node.this, alias, single, columns)
        if name is None:
            return None
        allowed = set()
        for item in node.expressions:
            value = _typed(_literal(item), columns[name])
            if value is _UNKNOWN:
                return None
            if value is not None:
                allowed.add(value)
        return name, allowed
    return None


def _typed(text, column: Column):
    if text is _UNKNOWN:
        return _UNKNOWN
    if text is None:
        return None
    try:
        value = ht.primitive_value(str(text), column.type)
    except ht.Bad:
        return _UNKNOWN
    except Exception:
        return _UNKNOWN
    return value


def require_file_table(table: TableDef) -> None:
    if table.kind != "file" or table.storage is None:
        raise ExecutionError(f"{table.qualified} is not a file table")
