"""File tables and file output: CREATE … LOCATION, INSERT … DIRECTORY / into file tables,
LOAD DATA, partitions (ADD/DROP PARTITION, MSCK REPAIR TABLE, SHOW PARTITIONS).

Writes never expose half a result: new files go to a hidden staging folder inside the
target (``_ddbsql_staging_<token>/``) and are moved into place only once the statement
has produced every row; an OVERWRITE then deletes the old files.  A statement that
fails leaves the old files as they were.  See docs/files.md.
"""
from __future__ import annotations

import dataclasses
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import pyarrow as pa
import pyarrow.fs as pafs
from sqlglot import exp

from ..catalog.mapping import bindings_for
from ..catalog.model import Column, FileFormat, FileStorage, Partition, TableDef, TableKind
from ..errors import CatalogError, ConfigError, ExecutionError, ParseError, SemanticError, TypeMappingError
from ..exec.rejects import RejectLog
from ..files.formats.dynamodb_export import SUMMARY, ExportWriter, existing_exports
from ..files.formats.emr_export import EmrExportWriter
from ..files.locations import Location, check_bucket, existing_names, list_data_files
from ..files.output import Output
from ..files.output_settings import max_file_bytes, output_codec, output_spec
from ..files.partition_writer import PartitionWriter
from ..files.partitions import (check_spec, discover_partitions, matches, partition_dir, partition_folder, runs,
                                register_partitions, sort_key, static_and_dynamic, store_partitions)
from ..files.serde import StorageClauses, literal_text, storage_clauses
from ..files.staging import Staging
from ..sql import partitions as sp
from ..sql.partitions import spec_of_node
from ..types import from_arrow
from .kinds.file_table import file_access
from .queries import execute_duckdb, failure, hive_output_names, result_batches
from .result import Result
from ..sql.positions import position_of
from .sources import SourceBinder

if TYPE_CHECKING:
    from .session import Session


def default_location(session: "Session", database: str, name: str) -> str:
    """Where a table without LOCATION keeps its files: next to the metastore."""
    path = session.metastore.path
    if str(path) == ":memory:":
        base = Path(tempfile.gettempdir()) / "ddbsql-files"
    else:
        base = Path(path).parent / "files"
    return str(base / f"{database}.db" / name)




def run_create(session: "Session", tree: exp.Create, text: str, database: str, name: str,
               props: dict[str, str], comment: str | None) -> Result:
    """CREATE [EXTERNAL] TABLE … [PARTITIONED BY] [ROW FORMAT] [STORED AS] [LOCATION] [AS SELECT]."""
    from .ddl import _columns  # ddl imports this module

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
        elif isinstance(prop, (exp.SchemaCommentProperty, exp.Property, exp.StorageHandlerProperty)):
            continue
        elif isinstance(prop, exp.ClusteredByProperty):
            raise SemanticError("CLUSTERED BY … INTO n BUCKETS is not supported for file tables")
        else:
            raise SemanticError(f"{prop.key} is not supported for file tables")
    clauses = storage_clauses(row_format, stored, props)
    ctas = tree.expression is not None
    if ctas and external:
        raise SemanticError("CREATE EXTERNAL TABLE … AS SELECT is not allowed (as in Hive): create the table, "
                            "then INSERT OVERWRITE TABLE … SELECT")
    data_columns: tuple[Column, ...] = ()
    if isinstance(tree.this, exp.Schema):
        data_columns = _columns(tree.this)
    elif not ctas:
        raise SemanticError("CREATE TABLE needs a column list or AS SELECT")
    partition_columns: tuple[Column, ...] = ()
    partition_names: tuple[str, ...] = ()
    if partitioned is not None:
        schema = partitioned.this
        defs = [c for c in schema.expressions if isinstance(c, exp.ColumnDef)]
        if defs and len(defs) == len(schema.expressions):
            partition_columns = _columns(exp.Schema(expressions=defs))
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
            raise type(exc)(f"{table.name}: {exc.message}") from None


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
        target = _FileTarget(table, overwrite=True, static={}, dynamic=list(partition_names))
        written = _write_table(session, target, None, binder, " ".join(text.split())[:200], reader=reader)
    except BaseException:
        session.metastore.remove(database, name)
        raise
    return Result("ddl", rowcount=written.rowcount, messages=written.messages)






@dataclasses.dataclass
class _FileTarget:
    table: TableDef
    overwrite: bool
    static: dict[str, str | None]
    dynamic: list[str]
    columns: list[str] | None = None
    node: exp.Expression | None = None


@dataclasses.dataclass
class _DirectoryTarget:
    location_text: str
    local: bool
    clauses: StorageClauses
    node: exp.Expression


def _is_file_insert(session: "Session", insert: exp.Insert) -> bool:
    target = insert.this
    if isinstance(target, exp.Directory):
        return True
    if isinstance(target, exp.Schema):
        target = target.this
    if isinstance(target, exp.Table):
        table = session.catalog_table(target.name.lower(), target.db.lower() or None, missing_ok=True)
        return table is not None and table.kind is TableKind.FILE
    return False


def handles(session: "Session", tree: exp.Expression) -> bool:
    """Whether an INSERT / multi-insert writes files (a DIRECTORY or a file table)."""
    inserts = tree.expressions if isinstance(tree, exp.MultitableInserts) else [tree]
    return any(isinstance(i, exp.Insert) and _is_file_insert(session, i) for i in inserts)



def _resolve(session: "Session", insert: exp.Insert, text: str):
    target = insert.this
    if isinstance(target, exp.Directory):
        if not insert.args.get("overwrite"):
            raise ParseError("INSERT INTO DIRECTORY is not valid HiveQL: use INSERT OVERWRITE DIRECTORY", line=1, col=1)
        clauses = storage_clauses(target.args.get("row_format"), insert.args.get("stored"))
        return _DirectoryTarget(literal_text(target.this), bool(target.args.get("local")), clauses, target)
    columns = None
    if isinstance(target, exp.Schema):
        columns = [c.name.lower() for c in target.expressions]
        target = target.this
    table = session.catalog_table(target.name.lower(), target.db.lower() or None, missing_ok=True)
    if table is None:
        line, col = position_of(target, text)
        raise SemanticError(f"Table not found '{target.sql()}'", line=line, col=col)
    static, dynamic = static_and_dynamic(table, spec_of_node(target.args.get("partition"), dynamic=True))
    if columns:
        data = {c.name for c in table.data_columns}
        for name in columns:
            if name not in data:
                line, col = position_of(target, text)
                raise SemanticError(f"column '{name}' is not a data column of {table.name}", line=line, col=col)
    return _FileTarget(table, bool(insert.args.get("overwrite")), static, dynamic, columns, target)


def _shape(session: "Session", source_sql: str, target: _FileTarget, text: str) -> str:
    """SQL giving the target's data columns (then its dynamic partition columns), typed."""
    try:
        arity = len(session.engine.con.sql(source_sql).columns)
    except duckdb.Error as exc:
        raise ExecutionError(str(exc).split("\n", 1)[0]) from None
    table = target.table
    wanted = (target.columns or [c.name for c in table.data_columns]) + target.dynamic
    if arity != len(wanted):
        line, col = position_of(target.node, text) if target.node is not None else (None, None)
        raise SemanticError(
            f"Cannot insert into target table {table.name}: the query produces {arity} column(s) but "
            f"{len(wanted)} are expected ({', '.join(wanted)})", line=line, col=col)
    position = {name: i for i, name in enumerate(wanted)}
    selects = []
    for column in list(table.data_columns) + [table.column(k) for k in target.dynamic]:
        index = position.get(column.name)
        value = f'q."c{index}"' if index is not None else "NULL"
        selects.append(f'TRY_CAST({value} AS {column.type.duckdb_sql()}) AS "{column.name}"')
    aliases = ", ".join(f'"c{i}"' for i in range(arity))
    sql = f"SELECT {', '.join(selects)} FROM ({source_sql}) AS q({aliases})"
    if target.dynamic:
        sql += " ORDER BY " + ", ".join(f'"{k}"' for k in target.dynamic)
    return sql


def _source_sql(binder: SourceBinder, source: exp.Expression) -> str:
    if source is None:
        raise ParseError("INSERT needs a SELECT or VALUES", line=1, col=1)
    bound = hive_output_names(binder.bind(source)) if not isinstance(source, exp.Values) else source
    return binder.to_duckdb(bound)


def run_insert_statement(session: "Session", tree: exp.Expression, text: str, label: str) -> Result:
    if isinstance(tree, exp.MultitableInserts):
        return _run_multi(session, tree, text, label)
    target = _resolve(session, tree, text)
    binder = SourceBinder(session, text)
    sql = _source_sql(binder, tree.expression)
    return _write_target(session, target, sql, binder, text, label)


def _write_target(session: "Session", target, sql: str, binder: SourceBinder, text: str, label: str) -> Result:
    if isinstance(target, _DirectoryTarget):
        return _write_directory(session, target, sql, binder, label)
    return _write_table(session, target, _shape(session, sql, target, text), binder, label)


def _run_multi(session: "Session", tree: exp.MultitableInserts, text: str, label: str) -> Result:
    """``FROM src INSERT … INSERT …`` with at least one file target: ``src`` is read once."""
    from . import writes  # writes imports this module

    source = tree.args.get("source")
    if source is None:
        raise ParseError("multi-insert needs a FROM clause", line=1, col=1)
    inserts = [i for i in tree.expressions if isinstance(i, exp.Insert)]
    targets = [(_resolve(session, i, text) if _is_file_insert(session, i) else writes.resolve_target(session, i, text))
               for i in inserts]
    binder = SourceBinder(session, text)
    results = []
    with writes.staged_multi_source(session, source, inserts, binder) as select_sql:
        for insert, target in zip(inserts, targets):
            sql = select_sql(insert)
            if isinstance(target, (_FileTarget, _DirectoryTarget)):
                results.append(_write_target(session, target, sql, binder, text, label))
            else:
                shaped = writes.cast_to_target(session, sql, target, text)
                results.append(writes.write(session, target, shaped, binder, label))
            binder.scans.clear()
    messages = [m for r in results for m in r.messages]
    return Result("insert", rowcount=sum(max(r.rowcount, 0) for r in results), messages=messages)


def _conform(batch: pa.RecordBatch, columns: list[tuple[str, Any]]) -> pa.RecordBatch:
    """``batch`` with each column cast to its Hive type's Arrow type."""
    arrays = []
    for i, (name, hive_type) in enumerate(columns):
        arr = batch.column(i)
        target = hive_type.to_arrow()
        if arr.type != target:
            try:
                arr = arr.cast(target)
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
                arr = pa.array([None if v is None else str(v) for v in arr.to_pylist()], pa.string()).cast(target) \
                    if target == pa.string() else pa.array(arr.to_pylist(), type=target)
        arrays.append(arr)
    return pa.RecordBatch.from_arrays(arrays, names=[n for n, _ in columns])


def _summary(what: str, rows: int, where: str, files: int, size: int, compression: str | None) -> str:
    text = f"{what} {rows} row(s) to {where} in {files} file(s), {size:,} bytes"
    if compression and compression not in ("none", "uncompressed"):
        text += f", {compression}"
    return text


def _write_directory(session: "Session", target: _DirectoryTarget, sql: str, binder: SourceBinder,
                     label: str) -> Result:
    where = file_access(session).location(target.location_text, what="DIRECTORY")
    if target.local and not where.local:
        raise SemanticError(f"INSERT OVERWRITE LOCAL DIRECTORY needs a local path, not {where.uri}")
    if not where.local:
        check_bucket(where)
    reader = execute_duckdb(session, sql, binder)
    columns = [(f.name, from_arrow(f.type)) for f in reader.schema]
    fmt = target.clauses.format
    if fmt.holds_items:
        table = TableDef("default", "directory", tuple(Column(n.lower(), t, None, n) for n, t in columns),
                         TableKind.FILE,
                         {}, True, None, 0.0, FileStorage(where.uri, fmt))
        return _write_items(session, table, where, reader, binder, label, overwrite=True, what="Wrote")
    spec = output_spec(session.settings.lookup, fmt, columns, target.clauses.serde_properties)
    staging = Staging(where)
    output = Output(staging.folder(), spec)
    rows = 0
    try:
        for batch in result_batches(reader, binder, progress=True):
            output.write(_conform(batch, columns))
            rows += batch.num_rows
        files = output.close(keep_empty=True)
        staging.commit(replace=[""], recursive_replace=False)
    except BaseException:
        output.abort()
        staging.abort()
        raise
    size = sum(f.size for f in files)
    messages = binder.warning_messages() + [_summary("Wrote", rows, where.uri, len(files), size, spec.compression)]
    return Result("insert", rowcount=rows, messages=messages)


def _write_table(session: "Session", target: _FileTarget, sql: str | None, binder: SourceBinder, label: str,
                 reader: pa.RecordBatchReader | None = None) -> Result:
    table = target.table
    storage = table.storage
    access = file_access(session)
    base = access.table_location(storage.location, storage.managed)
    if not base.local:
        check_bucket(base)
    if storage.format.holds_items:
        if not target.overwrite:
            raise SemanticError(f"{table.qualified} is a DynamoDB export, which is written whole: use "
                                "INSERT OVERWRITE TABLE")
        reader = reader or execute_duckdb(session, sql, binder)
        return _write_items(session, table, base, reader, binder, label, overwrite=True, what="Loaded")
    data = [(c.name, c.type) for c in table.data_columns]
    spec = output_spec(session.settings.lookup, storage.format, data, storage.serde_properties, table.properties)
    keys = list(storage.partition_columns)
    static_values = tuple(target.static.get(k) for k in keys) if keys and not target.dynamic else None
    reader = reader or execute_duckdb(session, sql, binder)
    writer = PartitionWriter(access, table, base, spec, target.overwrite)
    dynamic_types = [table.column(k).type for k in target.dynamic]
    rows = 0
    written_partitions: set[tuple] = set()
    try:
        for batch in result_batches(reader, binder, progress=True):
            for values, run in runs(batch, target.dynamic, dynamic_types):
                full = tuple(target.static.get(k) if k in target.static else values[target.dynamic.index(k)]
                             for k in keys)
                writer.output(full).write(_conform(run, data))
                written_partitions.add(full)
                rows += run.num_rows
        writer.finish(static_values)
        writer.commit()
    except BaseException:
        writer.abort()
        raise
    partitions = written_partitions | ({static_values} if static_values is not None else set())
    if keys:
        register_partitions(session.metastore, table, partitions)
    files = writer.files
    size = sum(f.size for f in files)
    where = base.uri
    text = _summary("Loaded", rows, f"{table.qualified} ({where})", len(files), size, spec.compression)
    if keys:
        text += f"; {len(partitions)} partition(s)"
    return Result("insert", rowcount=rows, messages=binder.warning_messages() + [text])


def _write_items(session: "Session", table: TableDef, base: Location, reader: pa.RecordBatchReader,
                 binder: SourceBinder, label: str, *, overwrite: bool, what: str) -> Result:
    """Rows to a DynamoDB export or an EMR export under ``base``."""
    storage = table.storage
    columns = [(c.name, c.type) for c in table.columns]
    try:
        bindings = bindings_for(table)
    except (CatalogError, TypeMappingError) as exc:
        raise type(exc)(f"cannot write {storage.format}: {exc.message}") from None
    props = table.properties
    keys = [k for k in (props.get("ddbsql.hash.key"), props.get("ddbsql.range.key")) if k]
    null_serialization = bool(session.settings.get("dynamodb.null.serialization",
                                                   props.get("dynamodb.null.serialization")))
    rejects = RejectLog(file_access(session).reject_dir, table=table.qualified, statement=label)
    max_bytes = max_file_bytes(session.settings.lookup, props)
    if storage.format == FileFormat.DYNAMODB_EXPORT:
        in_place = base.fs.get_file_info(base.child(SUMMARY).path).type == pafs.FileType.File
        staging = Staging(base) if in_place else None
        old = [] if in_place else existing_exports(base)
        options = dict(table=table.name, region=session.region_of(table), bindings=bindings, key_attributes=keys,
                       null_serialization=null_serialization, max_bytes=max_bytes, reject=rejects.add)
        if in_place:
            # the LOCATION is an export folder itself: rewrite it (staged, then swapped)
            writer = ExportWriter(staging.folder(), final=base, base=base, **options)
        else:
            writer = ExportWriter.new(base, **options)
        written_to = base.uri if in_place else writer.folder.uri
    else:
        staging = Staging(base)
        old = []
        codec = output_codec(session.settings.lookup)
        if codec not in (None, "gzip", "bz2", "zstd"):
            raise ConfigError(f"{codec} compression is not available for EMR exports (use GzipCodec)")
        writer = EmrExportWriter(staging.folder(), base, bindings=bindings, key_attributes=keys,
                                    null_serialization=null_serialization, compression=codec, max_bytes=max_bytes,
                                    reject=rejects.add)
        written_to = base.uri
    try:
        for batch in result_batches(reader, binder, progress=True):
            writer.write(_conform(batch, columns))
        writer.close()
        if staging is not None:
            staging.commit(replace=[""] if overwrite else [], recursive_replace=storage.format == FileFormat.DYNAMODB_EXPORT)
        if overwrite:
            for folder in old:
                if folder.path != writer.folder.path:
                    try:
                        folder.fs.delete_dir(folder.path)
                    except OSError as exc:
                        raise ExecutionError(f"the new export is complete, but the old one at {folder.uri} could "
                                             f"not be deleted: {exc}") from None
    except BaseException:
        writer.abort()
        if staging is not None:
            staging.abort()
        raise
    finally:
        rejects.close()
    report = writer.report
    kind = "DynamoDB export" if storage.format == FileFormat.DYNAMODB_EXPORT else "EMR DynamoDB export"
    text = (f"{what} {report.items} item(s) to {written_to} ({kind}) in {report.files} file(s), "
            f"{report.bytes:,} bytes, from {report.rows} row(s)")
    if report.rejected:
        text += f"; {report.rejected} row(s) rejected, reasons in {rejects.path}"
    return Result("insert", rowcount=report.items, messages=binder.warning_messages() + [text])


# ==================================================================== LOAD DATA


def run_load(session: "Session", tree: exp.LoadData, text: str) -> Result:
    """LOAD DATA [LOCAL] INPATH '…' [OVERWRITE] INTO TABLE t [PARTITION (…)]: the files are
    copied (LOCAL) or moved into the table's folder, not parsed."""
    target = tree.this
    table = session.catalog_table(target.name.lower(), target.db.lower() or None, missing_ok=True)
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

def _file_table(session: "Session", ref: sp.TableRef) -> TableDef:
    table = session.catalog_table(ref.name, ref.database, missing_ok=True)
    if table is None:
        raise SemanticError(f"Table not found '{ref}'")
    if table.kind is not TableKind.FILE:
        raise SemanticError(f"{table.qualified} is not a file table (partitions are for file tables)")
    return table


def run_partition_statement(session: "Session", statement) -> Result:
    if isinstance(statement, sp.RepairTable):
        return _repair(session, statement)
    table = _file_table(session, statement.table)
    keys = list(table.storage.partition_columns)
    storage = table.storage
    if isinstance(statement, sp.ShowPartitions):
        if not keys:
            raise SemanticError(f"Table {table.name} is not a partitioned table")
        given = check_spec(table, statement.spec, complete=False) if statement.spec else {}
        rows = sorted(partition_dir(keys, p.values) for p in storage.partitions
                      if matches(p.values, keys, given))
        return Result.rows("show", ["partition"], [(r,) for r in rows])
    if isinstance(statement, sp.AddPartitions):
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
    if isinstance(statement, sp.DropPartitions):
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


def _repair(session: "Session", statement: sp.RepairTable) -> Result:
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
