"""Writing rows to files: INSERT into a file table (partitions, DynamoDB export layouts)
and INSERT OVERWRITE [LOCAL] DIRECTORY.

Writes never expose half a result: new files go to a hidden staging folder inside the
target (``_ddbsql_staging_<token>/``) and are moved into place only once the statement
has produced every row; an OVERWRITE then deletes the old files.  A statement that
fails leaves the old files as they were.  See docs/files.md.
"""
from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

import duckdb
import pyarrow as pa
import pyarrow.fs as pafs
from sqlglot import exp

from ...catalog.mapping import bindings_for
from ...catalog.model import Column, FileFormat, FileStorage, TableDef, TableKind
from ...errors import CatalogError, ConfigError, ExecutionError, ParseError, SemanticError, TypeMappingError
from ...exec.rejects import RejectLog
from ...files.formats.dynamodb_export import SUMMARY, ExportWriter, existing_exports
from ...files.formats.emr_export import EmrExportWriter
from ...files.locations import Location, check_bucket
from ...files.file_output import Output
from ...files.output_settings import max_file_bytes, output_codec, output_spec
from ...files.partition_writer import PartitionWriter
from ...files.table_partitions import register_partitions, runs, static_and_dynamic
from ...files.serde import StorageClauses, literal_text, storage_clauses
from ...files.staging import Staging
from ...sql.partitions import spec_of_node
from ...sql.positions import position_of
from ...types import from_arrow
from ..binding.file_access import file_access
from ..binding.execution import execute_duckdb, result_batches
from ..result import Result
from ..binding.binder import SourceBinder
from .write_targets import InsertQuery, WriteOutcome

if TYPE_CHECKING:
    from ..session import Session


@dataclasses.dataclass
class FileTableTarget:
    """INSERT INTO|OVERWRITE TABLE t [PARTITION (…)] of a file table."""

    table: TableDef
    overwrite: bool
    static: dict[str, str | None]
    dynamic: list[str]
    columns: list[str] | None = None
    node: exp.Expression | None = None
    concurrent = False

    @property
    def name(self) -> str:
        return self.table.qualified

    @classmethod
    def resolve(cls, table: TableDef, insert: exp.Insert, target: exp.Table, columns: list[str] | None,
                text: str) -> "FileTableTarget":
        """The target of ``insert`` into the file table ``table`` (named by ``target``)."""
        static, dynamic = static_and_dynamic(table, spec_of_node(target.args.get("partition"), dynamic=True))
        if columns:
            data = {c.name for c in table.data_columns}
            for name in columns:
                if name not in data:
                    line, col = position_of(target, text)
                    raise SemanticError(f"column '{name}' is not a data column of {table.name}", line=line, col=col)
        return cls(table, bool(insert.args.get("overwrite")), static, dynamic, columns, target)

    def shape(self, session: "Session", source_sql: str, text: str) -> str:
        """SQL giving the target's data columns (then its dynamic partition columns), typed."""
        try:
            arity = len(session.engine.con.sql(source_sql).columns)
        except duckdb.Error as exc:
            raise ExecutionError(str(exc).split("\n", 1)[0]) from None
        table = self.table
        wanted = (self.columns or [c.name for c in table.data_columns]) + self.dynamic
        if arity != len(wanted):
            line, col = position_of(self.node, text) if self.node is not None else (None, None)
            raise SemanticError(
                f"Cannot insert into target table {table.name}: the query produces {arity} column(s) but "
                f"{len(wanted)} are expected ({', '.join(wanted)})", line=line, col=col)
        position = {name: i for i, name in enumerate(wanted)}
        selects = []
        for column in list(table.data_columns) + [table.column(k) for k in self.dynamic]:
            index = position.get(column.name)
            value = f'q."c{index}"' if index is not None else "NULL"
            selects.append(f'TRY_CAST({value} AS {column.type.duckdb_sql()}) AS "{column.name}"')
        aliases = ", ".join(f'"c{i}"' for i in range(arity))
        sql = f"SELECT {', '.join(selects)} FROM ({source_sql}) AS q({aliases})"
        if self.dynamic:
            sql += " ORDER BY " + ", ".join(f'"{k}"' for k in self.dynamic)
        return sql

    def write(self, session: "Session", sql: str, binder: SourceBinder, label: str,
              query: InsertQuery | None = None) -> WriteOutcome:
        return WriteOutcome.of(self.name, write_table(session, self, sql, binder, label))


@dataclasses.dataclass
class DirectoryTarget:
    """INSERT OVERWRITE [LOCAL] DIRECTORY '…' [ROW FORMAT …] [STORED AS …]."""

    location_text: str
    local: bool
    clauses: StorageClauses
    node: exp.Expression
    concurrent = False

    @property
    def name(self) -> str:
        return self.location_text

    @classmethod
    def resolve(cls, insert: exp.Insert) -> "DirectoryTarget":
        target = insert.this
        if not insert.args.get("overwrite"):
            raise ParseError("INSERT INTO DIRECTORY is not valid HiveQL: use INSERT OVERWRITE DIRECTORY", line=1, col=1)
        clauses = storage_clauses(target.args.get("row_format"), insert.args.get("stored"))
        return cls(literal_text(target.this), bool(target.args.get("local")), clauses, target)

    def shape(self, session: "Session", source_sql: str, text: str) -> str:
        return source_sql

    def write(self, session: "Session", sql: str, binder: SourceBinder, label: str,
              query: InsertQuery | None = None) -> WriteOutcome:
        return WriteOutcome.of(self.name, _write_directory(session, self, sql, binder, label))


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


def _write_directory(session: "Session", target: "DirectoryTarget", sql: str, binder: SourceBinder,
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


def write_table(session: "Session", target: "FileTableTarget", sql: str | None, binder: SourceBinder, label: str,
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
        raise exc.in_context(f"cannot write {storage.format}") from None
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
