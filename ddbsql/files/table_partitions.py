"""Partitions of file tables: folder names, discovery, specs, pruning and the catalog update.

A partition is a ``k1=v1/k2=v2`` folder under the table's location (Hive's escaping;
NULL and '' are ``__HIVE_DEFAULT_PARTITION__``), or a registered folder elsewhere.
Pruning keeps the registered partitions a statement's WHERE can match, from the
conjuncts the planner attributes to the table reference
(:class:`~ddbsql.planner.scopes.ReferenceFilter`): ``part_col = literal`` and
``part_col IN (literals)``.
"""
from __future__ import annotations

import dataclasses
from typing import Any, Callable, Iterator, Sequence
from urllib.parse import unquote

import pyarrow as pa
from sqlglot import exp

from ..catalog.model import Column, Partition, TableDef
from ..catalog.store import Metastore
from ..errors import SemanticError
from ..planner.scopes import ReferenceFilter
from ..sql.partitions import PartitionSpec
from ..types import HiveType
from .formats.text_values import Bad, TextFormat, format_value, primitive_value
from .locations import FileAccess, Location, list_data_files
from .reading import Source

DEFAULT_PARTITION = "__HIVE_DEFAULT_PARTITION__"

_PATH_UNSAFE = set('"#%\'*/:=?\\\x7f{[]^')


def escape_path_name(value: str) -> str:
    """Hive's FileUtils.escapePathName: unsafe characters as ``%XX``."""
    return "".join(f"%{ord(c):02X}" if c in _PATH_UNSAFE or ord(c) < 0x20 else c for c in value)


def partition_dir(names: Sequence[str], values: Sequence[str | None]) -> str:
    """``k1=v1/k2=v2`` with Hive's escaping; NULL and '' are the default partition."""
    parts = []
    for name, value in zip(names, values):
        text = DEFAULT_PARTITION if value is None or value == "" else escape_path_name(value)
        parts.append(f"{escape_path_name(name)}={text}")
    return "/".join(parts)


def parse_partition_dir(relative: str, names: Sequence[str]) -> tuple[str | None, ...] | None:
    """The partition values of a ``k=v/…`` folder path, or None when it is not one."""
    parts = [p for p in relative.strip("/").split("/") if p]
    if len(parts) != len(names):
        return None
    values: list[str | None] = []
    for part, name in zip(parts, names):
        key, sep, value = part.partition("=")
        if not sep or unquote(key).lower() != name:
            return None
        value = unquote(value)
        values.append(None if value == DEFAULT_PARTITION else value)
    return tuple(values)


def discover_partitions(location: Location, names: Sequence[str]) -> list[tuple[str | None, ...]]:
    """The ``k=v/…`` folders (holding at least one visible file) under ``location``."""
    found = set()
    base = location.path.rstrip("/") + "/"
    for item in list_data_files(location, recursive=True):
        relative = item.path[len(base):] if item.path.startswith(base) else ""
        folder = relative.rsplit("/", 1)[0] if "/" in relative else ""
        parts = folder.split("/")
        if len(parts) < len(names):
            continue
        values = parse_partition_dir("/".join(parts[:len(names)]), names)
        if values is not None:
            found.add(values)
    return sorted(found, key=lambda v: tuple("" if x is None else x for x in v))



def sort_key(values: Sequence[str | None]) -> tuple[str, ...]:
    """Order of partition values (NULL, the default partition, first)."""
    return tuple("" if x is None else x for x in values)


def partition_sources(access: FileAccess, table: TableDef, keep: Callable[[dict], bool] = lambda values: True
                      ) -> list[Source]:
    """The folders to read: the table's location, or each registered partition's that ``keep`` keeps."""
    storage = table.storage
    base = access.table_location(storage.location, storage.managed)
    if not storage.partition_columns:
        return [Source(base)]
    names = list(storage.partition_columns)
    sources = []
    for partition in storage.partitions:
        values = dict(zip(names, partition.values))
        if not keep(values):
            continue
        if partition.location:
            folder = access.location(partition.location)
        else:
            folder = base.child(partition_dir(names, partition.values))
        sources.append(Source(folder, values))
    return sources


def partition_folder(access: FileAccess, table: TableDef, base: Location, values: tuple) -> Location:
    """Where the partition ``values`` of ``table`` (whose folder is ``base``) keeps its files."""
    names = list(table.storage.partition_columns)
    if not names:
        return base
    custom = {p.values: p.location for p in table.storage.partitions if p.location}
    if values in custom:
        return access.location(custom[values])
    return base.child(partition_dir(names, values))


# --------------------------------------------------------------------------- specs

def check_value(column: Column, value: str) -> None:
    """A static partition value must be readable as its column's type."""
    try:
        primitive_value(value, column.type)
    except Bad as exc:
        raise SemanticError(f"partition value {column.name}='{value}' does not fit {column.type}: "
                            f"{exc.reason}") from None


def check_spec(table: TableDef, spec: PartitionSpec, *, complete: bool) -> dict[str, str | None]:
    """``spec`` as a dict, checked against ``table``'s partition columns; ``complete``:
    every partition column must be given."""
    keys = list(table.storage.partition_columns)
    if not keys:
        raise SemanticError(f"{table.qualified} is not partitioned")
    given = spec.as_dict()
    for key in given:
        if key not in keys:
            raise SemanticError(f"{key} is not a partition column of {table.qualified} "
                                f"(partition columns: {', '.join(keys)})")
    if complete and set(given) != set(keys):
        raise SemanticError(f"the partition spec must give every partition column: {', '.join(keys)}")
    for key, value in given.items():
        if value is not None:
            check_value(table.column(key), value)
    return given


def matches(values: tuple, keys: list[str], given: dict[str, str | None]) -> bool:
    """Whether partition ``values`` (in ``keys`` order) have every value ``given`` names."""
    current = dict(zip(keys, values))
    return all(current.get(k) == v for k, v in given.items())


def static_and_dynamic(table: TableDef, spec: PartitionSpec) -> tuple[dict[str, str | None], list[str]]:
    """An INSERT's ``PARTITION (…)``: the static values, then the dynamic keys (in order)."""
    keys = list(table.storage.partition_columns)
    pairs = spec.pairs
    given = [k for k, _ in pairs]
    for key in given:
        if key not in keys:
            raise SemanticError(f"{key} is not a partition column of {table.qualified} "
                                f"(partition columns: {', '.join(keys) or 'none'})")
    if pairs and given != keys[:len(given)]:
        raise SemanticError(f"the PARTITION clause must name the partition columns in order ({', '.join(keys)})")
    values = dict(pairs)
    static: dict[str, str | None] = {}
    dynamic: list[str] = []
    for key in keys:
        value = values.get(key) if key in given else None
        if key in given and value is not None:
            if dynamic:
                raise SemanticError("static partition values must come before dynamic ones (as in Hive)")
            static[key] = value
        else:
            dynamic.append(key)
    for key, value in static.items():
        check_value(table.column(key), value)
    return static, dynamic


# --------------------------------------------------------------------------- rows to partitions

def partition_text(value: Any, hive_type: HiveType) -> str | None:
    """A dynamic partition value as its folder text (None: the default partition)."""
    if value is None:
        return None
    if hive_type.name in ("string", "varchar", "char"):
        return value if value != "" else None
    return format_value(value, hive_type, TextFormat(escape=None), 1)


def runs(batch: pa.RecordBatch, keys: list[str], types: list) -> Iterator[tuple[tuple, pa.RecordBatch]]:
    """Consecutive rows of ``batch`` with the same dynamic partition values."""
    if not keys:
        yield (), batch
        return
    values = list(zip(*[[partition_text(v, t) for v in batch.column(k).to_pylist()] for k, t in zip(keys, types)]))
    start = 0
    for i in range(1, len(values) + 1):
        if i == len(values) or values[i] != values[start]:
            yield values[start], batch.slice(start, i - start)
            start = i


# --------------------------------------------------------------------------- the catalog

def store_partitions(metastore: Metastore, table: TableDef, partitions: Sequence[Partition]) -> TableDef:
    """Replace ``table``'s registered partitions in the catalog; returns the table stored."""
    updated = dataclasses.replace(table, storage=dataclasses.replace(table.storage, partitions=tuple(partitions)))
    metastore.put(updated, replace=True)
    return updated


def register_partitions(metastore: Metastore, table: TableDef, values: set[tuple]) -> list[tuple]:
    """Add the partitions ``values`` not yet registered (re-reading the table first);
    returns those added."""
    current = metastore.get(table.database, table.name) or table
    known = {p.values for p in current.storage.partitions}
    added = sorted((v for v in values if v not in known), key=sort_key)
    if added:
        store_partitions(metastore, current, current.storage.partitions + tuple(Partition(v) for v in added))
    return added


# --------------------------------------------------------------------------- pruning

_UNKNOWN = object()


def partition_filter(table: TableDef, where: ReferenceFilter) -> Callable[[dict], bool]:
    """A predicate on partition values from the conjuncts ``where`` attributes to one
    reference of ``table`` (keep-all when they say nothing about partition columns)."""
    columns = {c.name: c for c in table.partition_columns}
    tests: list[tuple[str, set]] = []
    if columns:
        for conjunct in where.conjuncts:
            found = _equality(conjunct, columns)
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


def _column_of(node: exp.Expression, columns: dict) -> str | None:
    if not isinstance(node, exp.Column):
        return None
    name = node.name.lower()
    return name if name in columns else None


def _literal(node: exp.Expression):
    if isinstance(node, exp.Literal):
        return node.this
    if isinstance(node, exp.Neg) and isinstance(node.this, exp.Literal) and not node.this.is_string:
        return "-" + node.this.this
    return _UNKNOWN


def _equality(node: exp.Expression, columns: dict) -> tuple[str, set] | None:
    while isinstance(node, exp.Paren):
        node = node.this
    if isinstance(node, exp.EQ):
        for left, right in ((node.this, node.expression), (node.expression, node.this)):
            name = _column_of(left, columns)
            text = _literal(right)
            if name is not None and text is not _UNKNOWN:
                value = _typed(text, columns[name])
                return None if value is _UNKNOWN or value is None else (name, {value})
        return None
    if isinstance(node, exp.In) and not node.args.get("query"):
        name = _column_of(node.this, columns)
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
        return primitive_value(str(text), column.type)
    except Exception:  # noqa: BLE001 - a value we cannot type prunes nothing
        return _UNKNOWN
