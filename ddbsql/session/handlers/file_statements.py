"""File table statements: CREATE … LOCATION (and CREATE … AS SELECT into files), LOAD
DATA, partitions (ADD/DROP PARTITION, MSCK REPAIR TABLE, SHOW PARTITIONS).

LOAD DATA stages the files it copies like every file write (see :mod:`.file_writes`):
a statement that fails leaves the old files as they were.  See docs/files.md.
"""
from __future__ import annotations

import time
from typing import TYPE_CHECKING

import duckdb
import pyarrow.fs as pafs
from sqlglot import exp

from ...catalog.mapping import bindings_for
from ...catalog.model import Column, FileStorage, Partition, TableDef, TableKind
from ...errors import CatalogError, ExecutionError, ParseError, SemanticError, TypeMappingError
from ...files.locations import check_bucket, existing_names, list_data_files
from ...files.table_partitions import check_spec, discover_partitions, matches, partition_dir, partition_folder, register_partitions, sort_key, store_partitions
from ...files.serde import literal_text, storage_clauses
from ...files.staging import Staging
from ...sql.table_names import TableName
from ...sql.partitions import AddPartitions, DropPartitions, RepairTable, ShowPartitions, spec_of_node
from ...types import from_arrow
from ..writing.file_writes import FileTableTarget, write_table
from ..binding.file_access import file_access, managed_location
from ..binding.execution import execute_duckdb, failure, hive_output_names
from ..result import Result
from .table_definitions import columns_of
from ...sql.positions import position_of
from ..binding.binder import SourceBinder

if TYPE_CHECKING:
    from ..session import Session


def default_location(session: "Session", database: str, name: str) -> str:
    """Where a table without LOCATION keeps its files: next to the metastore."""
    return managed_location(session, database, name)




def run_create(session: "Session", tree: exp.Create, text: str, database: str, name: str,
               props: dict[str, str], comment: str | None) -> Result:
    """CREATE [EXTERNAL] TABLE … [PARTITIONED BY] [ROW FORMAT] [STORED AS] [LOCATION] [AS SELECT]."""
    properties = tree.args.get("properties")
    row_format = stored = location = partitioned = None
    external = False
    for prop in properties.expressions if properties else []:
        if isinstance(prop, (exp.RowFormatDelimitedProperty, exp.RowFormatSerdeProperty)):
            row_format = prop
        elif isinstance(prop, exp.FileFormatProperty):
            stored = prop
        elif isinstance(prop, exp.LocationProperty):
            location = literal_text(prop.this)
        elif isinstance(prop, exp.PartitionedByProperty):
            partitioned = prop
        elif isinstance(prop, exp.ExternalProperty):
            external = True
        elif isinstance(prop, exp.ClusteredByProperty):  # before Property, its base class
            raise SemanticError("CLUSTERED BY … INTO n BUCKETS is not supported for file tables")
        elif isinstance(prop, (exp.SchemaCommentProperty, exp.Property, exp.StorageHandlerProperty)):
            continue
        else:
            raise SemanticError(f"{prop.key} is not supported for file tables")
    clauses = storage_clauses(row_format, stored, props)
    ctas = tree.expression is not None
    if ctas and external:
        raise SemanticError("CREATE EXTERNAL TABLE … AS SELECT is not allowed (as in Hive): create the table, "
                            "then INSERT OVERWRITE TABLE … SELECT")
    data_columns: tuple[Column, ...] = ()
    if isinstance(tree.this, exp.Schema):
        data_columns = columns_of(tree.this)
    elif not ctas:
        raise SemanticError("CREATE TABLE needs a column list or AS SELECT")
    partition_columns: tuple[Column, ...] = ()
    partition_names: tuple[str, ...] = ()
    if partitioned is not None:
        schema = partitioned.this
        defs = [c for c in schema.expressions if isinstance(c, exp.ColumnDef)]
        if defs and len(defs) == len(schema.expressions):
            partition_columns = columns_of(exp.Schema(expressions=defs))
        elif not ctas:
            raise SemanticError("PARTITIONED BY needs column types, e.g. PARTITIONED BY (dt string)")
        partition_names = tuple(c.name.lower() for c in schema.expressions) if ctas and not defs else \
            tuple(c.name for c in partition_columns)
        for column in partition_columns:
            if column.type.is_complex:
                raise SemanticError(f"partition column '{column.name}' must have a primitive type")
            if any(c.name == column.name for c in data_columns):
                raise SemanticError(f"column '{column.name}' is both a data and a partition column")
    if clauses.format.holds_items and partition_names:
        raise SemanticError("DynamoDB export tables cannot be partitioned")
    managed = location is None
    if location is None:
        location = default_location(session, database, name)
    where = file_access(session).table_location(location, managed)
    if not where.local:
        check_bucket(where)
    storage = FileStorage(where.uri if where.local else where.uri, clauses.format, clauses.serde,
                          clauses.serde_properties, partition_names, (), clauses.input_format,
                          clauses.output_format, managed)
    if ctas:
        return _create_as_select(session, tree, text, database, name, props, comment, storage, external,
                                 partition_names)
    columns = data_columns + partition_columns
    table = TableDef(database, name, columns, TableKind.FILE, props, external, comment, time.time(), storage)
    _check_dynamodb_bindings(table)
    session.metastore.put(table)
    messages = []
    if partition_names:
        found = discover_partitions(where, partition_names)
        if found:
            messages.append(f"{len(found)} partition folder(s) found under {where.uri}: run MSCK REPAIR TABLE "
                            f"{name} to register them")
    return Result.done("ddl", *messages)


def _check_dynamodb_bindings(table: TableDef) -> None:
    if table.storage.format.holds_items:
        try:
            bindings_for(table)
        except (CatalogError, TypeMappingError) as exc:
            raise exc.in_context(table.name) from None


def _create_as_select(session: "Session", tree: exp.Create, text: str, database: str, name: str,
                      props: dict[str, str], comment: str | None, storage: FileStorage, external: bool,
                      partition_names: tuple[str, ...]) -> Result:
    binder = SourceBinder(session, text)
    bound = hive_output_names(binder.bind(tree.expression))
    sql = binder.to_duckdb(bound)
    try:
        names = list(session.engine.con.sql(sql).columns)
    except duckdb.Error as exc:
        raise failure(exc, binder) from None
    lower = [n.lower() for n in names]
    for key in partition_names:
        if key not in lower:
            raise SemanticError(f"partition column '{key}' is not a column of the query")
    # partition columns go last, in PARTITIONED BY order
    order = [i for i, n in enumerate(lower) if n not in partition_names] + [lower.index(k) for k in partition_names]
    aliases = ", ".join(f'"c{i}"' for i in range(len(names)))
    select_list = ", ".join(f'q."c{i}" AS "{names[i]}"' for i in order)
    shaped = f"SELECT {select_list} FROM ({sql}) AS q({aliases})"
    if partition_names:
        shaped += " ORDER BY " + ", ".join(f'"{names[lower.index(k)]}"' for k in partition_names)
    reader = execute_duckdb(session, shaped, binder)
    columns = tuple(Column(f.name.lower(), from_arrow(f.type), None, f.name) for f in reader.schema)
    table = TableDef(database, name, columns, TableKind.FILE, props, external, comment, time.time(), storage)
    _check_dynamodb_bindings(table)
    session.metastore.put(table)
    try:
        target = FileTableTarget(table, overwrite=True, static={}, dynamic=list(partition_names))
        written = write_table(session, target, None, binder, " ".join(text.split())[:200], reader=reader)
    except BaseException:
        session.metastore.remove(database, name)
        raise
    return Result("ddl", rowcount=written.rowcount, messages=written.messages)






# ==================================================================== LOAD DATA

def run_load(session: "Session", tree: exp.LoadData, text: str) -> Result:
    """LOAD DATA [LOCAL] INPATH '…' [OVERWRITE] INTO TABLE t [PARTITION (…)]: the files are
    copied (LOCAL) or moved into the table's folder, not parsed."""
    target = tree.this
    table = session.catalog_table(target.name, target.db.lower() or None, missing_ok=True)
    if table is None:
        line, col = position_of(target, text)
        raise SemanticError(f"Table not found '{target.sql()}'", line=line, col=col)
    if table.kind is not TableKind.FILE:
        raise SemanticError(f"LOAD DATA needs a file table; {table.qualified} is a {table.kind} table. Create an "
                            "external table over the files (CREATE EXTERNAL TABLE … LOCATION) and "
                            f"INSERT INTO {table.name} SELECT … from it")
    storage = table.storage
    if storage.format.holds_items:
        raise SemanticError("LOAD DATA into a DynamoDB export table is not supported: point a table's LOCATION at "
                            "the export instead")
    local = bool(tree.args.get("local"))
    overwrite = bool(tree.args.get("overwrite"))
    inpath = literal_text(tree.args.get("inpath"))
    access = file_access(session)
    source = access.location(inpath, what="INPATH")
    if local and not source.local:
        raise SemanticError(f"LOAD DATA LOCAL INPATH needs a local path, not {source.uri}")
    files = list_data_files(source, recursive=False)
    if not files:
        raise ExecutionError(f"LOAD DATA: no files at {source.uri}")
    keys = list(storage.partition_columns)
    spec = spec_of_node(tree.args.get("partition"), dynamic=True).as_dict()
    if keys and (set(spec) != set(keys) or any(v is None for v in spec.values())):
        raise SemanticError(f"LOAD DATA into {table.qualified} needs PARTITION ({', '.join(f'{k}=…' for k in keys)})")
    if not keys and spec:
        raise SemanticError(f"{table.qualified} is not partitioned")
    base = access.table_location(storage.location, storage.managed)
    values = tuple(spec[k] for k in keys) if keys else ()
    folder = partition_folder(access, table, base, values)
    staging = Staging(folder)
    taken = set() if overwrite else existing_names(folder)
    names = []
    try:
        for info in files:
            name = info.base_name
            stem, dot, ext = name.partition(".")
            candidate, copy = name, 0
            while candidate in taken:
                copy += 1
                candidate = f"{stem}_copy_{copy}{dot}{ext}"
            taken.add(candidate)
            destination = staging.folder().child(candidate)
            if destination.local:
                destination.fs.create_dir(destination.path.rsplit("/", 1)[0], recursive=True)
            pafs.copy_files(info.path, destination.path, source_filesystem=source.fs,
                            destination_filesystem=destination.fs)
            names.append(candidate)
        staging.commit(replace=[""] if overwrite else [], recursive_replace=not keys)
    except OSError as exc:
        staging.abort()
        raise ExecutionError(f"LOAD DATA: {str(exc).splitlines()[0]}") from None
    except BaseException:
        staging.abort()
        raise
    moved = ""
    if not local:
        # Hive moves the files of a non-LOCAL load
        for info in files:
            try:
                source.fs.delete_file(info.path)
            except OSError:
                pass
        moved = " (moved)"
    if keys:
        register_partitions(session.metastore, table, {values})
    return Result.done("insert", f"Loaded {len(names)} file(s) into {table.qualified} ({folder.uri}){moved}")


# ==================================================================== partitions

def _file_table(session: "Session", ref: TableName) -> TableDef:
    table = session.catalog_table(ref.name, ref.database, missing_ok=True)
    if table is None:
        raise SemanticError(f"Table not found '{ref}'")
    if table.kind is not TableKind.FILE:
        raise SemanticError(f"{table.qualified} is not a file table (partitions are for file tables)")
    return table


def run_partition_statement(session: "Session", statement) -> Result:
    if isinstance(statement, RepairTable):
        return _repair(session, statement)
    table = _file_table(session, statement.table)
    keys = list(table.storage.partition_columns)
    storage = table.storage
    if isinstance(statement, ShowPartitions):
        if not keys:
            raise SemanticError(f"Table {table.name} is not a partitioned table")
        given = check_spec(table, statement.spec, complete=False) if statement.spec else {}
        rows = sorted(partition_dir(keys, p.values) for p in storage.partitions
                      if matches(p.values, keys, given))
        return Result.rows("show", ["partition"], [(r,) for r in rows])
    if isinstance(statement, AddPartitions):
        known = {p.values for p in storage.partitions}
        added = []
        access = None
        for spec, location in statement.partitions:
            given = check_spec(table, spec, complete=True)
            values = tuple(given[k] for k in keys)
            if values in known:
                if statement.if_not_exists:
                    continue
                raise CatalogError(f"partition {partition_dir(keys, values)} of {table.qualified} already exists")
            if location:
                access = access or file_access(session)
                location = access.location(location).uri
            known.add(values)
            added.append(Partition(values, location))
        if added:
            store_partitions(session.metastore, table, storage.partitions + tuple(added))
        return Result.done("ddl")
    if isinstance(statement, DropPartitions):
        remaining = list(storage.partitions)
        dropped = []
        for spec in statement.partitions:
            given = check_spec(table, spec, complete=False)
            matching = [p for p in remaining if matches(p.values, keys, given)]
            if not matching and not statement.if_exists:
                raise CatalogError(f"no partition of {table.qualified} matches {spec}")
            for partition in matching:
                remaining.remove(partition)
                dropped.append(partition)
        if dropped:
            if storage.managed and not table.external:
                base = file_access(session).table_location(storage.location, storage.managed)
                for partition in dropped:
                    folder = base.child(partition_dir(keys, partition.values))
                    try:
                        if folder.fs.get_file_info(folder.path).type == pafs.FileType.Directory:
                            folder.fs.delete_dir(folder.path)
                    except OSError:
                        pass
            store_partitions(session.metastore, table, remaining)
        return Result.done("ddl", *[f"Dropped the partition {partition_dir(keys, p.values)}" for p in dropped])
    raise ParseError("unsupported partition statement", line=1, col=1)


def _repair(session: "Session", statement: RepairTable) -> Result:
    table = _file_table(session, statement.table)
    keys = list(table.storage.partition_columns)
    if not keys:
        return Result.done("ddl")
    storage = table.storage
    base = file_access(session).table_location(storage.location, storage.managed)
    found = set(discover_partitions(base, keys))
    registered = {p.values for p in storage.partitions}
    messages = []
    partitions = list(storage.partitions)
    if statement.mode in ("add", "sync"):
        missing = sorted(found - registered, key=sort_key)
        if missing:
            names = [f"{table.name}:{partition_dir(keys, v)}" for v in missing]
            messages.append("Partitions not in metastore:\t" + "\t".join(names))
            messages += [f"Repair: Added partition to metastore {n}" for n in names]
            partitions += [Partition(v) for v in missing]
    if statement.mode in ("drop", "sync"):
        gone = [p for p in partitions if not p.location and p.values not in found]
        if gone:
            names = [f"{table.name}:{partition_dir(keys, p.values)}" for p in gone]
            messages.append("Partitions missing from filesystem:\t" + "\t".join(names))
            messages += [f"Repair: Dropped partition from metastore {n}" for n in names]
            partitions = [p for p in partitions if p not in gone]
    if tuple(partitions) != storage.partitions:
        store_partitions(session.metastore, table, partitions)
    return Result.done("ddl", *messages)
