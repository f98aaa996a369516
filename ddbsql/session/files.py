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
from typing import TYPE_CHECKING, Any, Iterator

import duckdb
import pyarrow as pa
import pyarrow.fs as pafs
from sqlglot import exp

from ..catalog.mapping import bindings_for
from ..catalog.model import FILE_FORMATS, Column, FileStorage, Partition, TableDef
from ..catalog.serdes import INPUT_FORMATS, IO_FORMATS, LAZY_SIMPLE, SERDE_OF, format_of_serde
from ..errors import CatalogError, ConfigError, ExecutionError, ParseError, SemanticError, TypeMappingError
from ..config import parse_size
from ..exec import ddbexport as dx
from ..exec import files as xf
from ..exec import hivetext as ht
from ..exec.rejects import RejectLog
from ..sql import partitions as sp
from ..types import from_arrow
from .file_sources import file_systems, location_of, reject_dir, table_location
from .queries import execute_duckdb, failure, hive_output_names, result_batches
from .result import Result
from .sources import SourceBinder, position_of

if TYPE_CHECKING:
    from .session import Session

#: STORED AS names -> format
_STORED_AS = {"TEXTFILE": "text", "PARQUET": "parquet", "PARQUETFILE": "parquet", "ORC": "orc", "ORCFILE": "orc",
              "JSONFILE": "json", "DYNAMODB_EXPORT": "dynamodb-export", "EMR_DYNAMODB_EXPORT": "emr-export",
              "DYNAMODB_EMR_EXPORT": "emr-export"}
_FORMAT_STORED_AS = {"text": "TEXTFILE", "csv": "TEXTFILE", "json": "JSONFILE", "parquet": "PARQUET", "orc": "ORC",
                     "dynamodb-export": "DYNAMODB_EXPORT", "emr-export": "EMR_DYNAMODB_EXPORT"}
_UNSUPPORTED_STORED = ("SEQUENCEFILE", "RCFILE", "AVRO", "INPUTFORMAT")
DEFAULT_MAX_BYTES = 256 << 20


# ==================================================================== storage clauses

def _literal_text(node) -> str | None:
    if node is None:
        return None
    if isinstance(node, exp.Literal):
        return node.this
    return node.name if hasattr(node, "name") else str(node)


def _serde_properties(node) -> dict[str, str]:
    props: dict[str, str] = {}
    serde_props = node.args.get("serde_properties") if node is not None else None
    for prop in serde_props.expressions if serde_props is not None else []:
        props[prop.name] = _literal_text(prop.args.get("value")) or ""
    return props


def _delimited(node: exp.RowFormatDelimitedProperty) -> dict[str, str]:
    props: dict[str, str] = {}
    for arg, key in (("fields", "field.delim"), ("escaped", "escape.delim"), ("collection_items", "colelction.delim"),
                     ("map_keys", "mapkey.delim"), ("lines", "line.delim"), ("null", "serialization.null.format")):
        value = _literal_text(node.args.get(arg))
        if value is not None:
            props[key] = value
    if "field.delim" in props:
        props["serialization.format"] = props["field.delim"]
    return props


@dataclasses.dataclass
class StorageClauses:
    """What CREATE TABLE / INSERT … DIRECTORY said about the files."""

    format: str = "text"
    serde: str | None = None
    serde_properties: dict[str, str] = dataclasses.field(default_factory=dict)
    input_format: str | None = None
    output_format: str | None = None


def storage_clauses(row_format, stored, table_props: dict[str, str] | None = None) -> StorageClauses:
    """Interpret ROW FORMAT …, STORED AS … and TBLPROPERTIES ("ddbsql.format")."""
    clauses = StorageClauses()
    serde_format = None
    if isinstance(row_format, exp.RowFormatDelimitedProperty):
        clauses.serde = LAZY_SIMPLE
        clauses.serde_properties.update(_delimited(row_format))
    elif isinstance(row_format, exp.RowFormatSerdeProperty):
        clauses.serde = _literal_text(row_format.this)
        clauses.serde_properties.update(_serde_properties(row_format))
        serde_format = format_of_serde(clauses.serde)
    stored_format = None
    if isinstance(stored, exp.FileFormatProperty):
        value = stored.this
        if isinstance(value, exp.InputOutputFormat):
            clauses.input_format = _literal_text(value.args.get("input_format"))
            clauses.output_format = _literal_text(value.args.get("output_format"))
            stored_format = INPUT_FORMATS.get(clauses.input_format or "")
            if stored_format is None:
                raise SemanticError(f"INPUTFORMAT '{clauses.input_format}' is not supported (ddbsql reads text, "
                                    "Parquet and ORC)")
        else:
            name = (value.name if hasattr(value, "name") else str(value)).upper()
            stored_format = _STORED_AS.get(name)
            if stored_format is None:
                raise SemanticError(f"STORED AS {name} is not supported (use TEXTFILE, PARQUET, ORC, JSONFILE, "
                                    "DYNAMODB_EXPORT or EMR_DYNAMODB_EXPORT)")
    if stored_format in (None, "text"):
        clauses.format = serde_format or "text"
    else:
        clauses.format = stored_format
    explicit = (table_props or {}).get("ddbsql.format")
    if explicit:
        if explicit.lower() not in FILE_FORMATS:
            raise ConfigError(f'"ddbsql.format"="{explicit}": use one of {", ".join(FILE_FORMATS)}')
        clauses.format = explicit.lower()
    if clauses.format == "text":
        line = clauses.serde_properties.get("line.delim")
        if line is not None and _line_separator(line) != "\n":
            raise SemanticError("LINES TERMINATED BY supports only '\\n' (as in Hive)")
    return clauses


def _line_separator(value: str) -> str:
    return ht.hive_separator(value, "\n")


def default_location(session: "Session", database: str, name: str) -> str:
    """Where a table without LOCATION keeps its files: next to the metastore."""
    path = session.metastore.path
    if str(path) == ":memory:":
        base = Path(tempfile.gettempdir()) / "ddbsql-files"
    else:
        base = Path(path).parent / "files"
    return str(base / f"{database}.db" / name)


# ==================================================================== CREATE TABLE

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
            location = _literal_text(prop.this)
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
    if clauses.format in ("dynamodb-export", "emr-export") and partition_names:
        raise SemanticError("DynamoDB export tables cannot be partitioned")
    managed = location is None
    if location is None:
        location = default_location(session, database, name)
    systems = file_systems(session)
    where = xf.parse_location(location, systems, allow_local=session.options.allow_local_files or managed,
                              what="LOCATION")
    if not where.local:
        xf.check_bucket(where)
    storage = FileStorage(where.uri if where.local else where.uri, clauses.format, clauses.serde,
                          clauses.serde_properties, partition_names, (), clauses.input_format,
                          clauses.output_format, managed)
    if ctas:
        return _create_as_select(session, tree, text, database, name, props, comment, storage, external,
                                 partition_names)
    columns = data_columns + partition_columns
    table = TableDef(database, name, columns, "file", props, external, comment, time.time(), storage)
    _check_dynamodb_bindings(table)
    session.metastore.put(table)
    messages = []
    if partition_names:
        found = xf.discover_partitions(where, partition_names)
        if found:
            messages.append(f"{len(found)} partition folder(s) found under {where.uri}: run MSCK REPAIR TABLE "
                            f"{name} to register them")
    return Result.done("ddl", *messages)


def _check_dynamodb_bindings(table: TableDef) -> None:
    if table.storage.format in ("dynamodb-export", "emr-export"):
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
    table = TableDef(database, name, columns, "file", props, external, comment, time.time(), storage)
    _check_dynamodb_bindings(table)
    session.metastore.put(table)
    try:
        target = _FileTarget(table, overwrite=True, static={}, dynamic=list(partition_names))
        written = _write_table(session, target, None, binder, " ".join(text.split())[:200], reader=reader)
    except BaseException:
        session.metastore.remove(database, name)
        raise
    return Result("ddl", rowcount=written.rowcount, messages=written.messages)


# ==================================================================== describing

def _escaped(text: str) -> str:
    out = []
    for c in text:
        if c == "\\":
            out.append("\\\\")
        elif c == "'":
            out.append("\\'")
        elif c == "\n":
            out.append("\\n")
        elif c == "\t":
            out.append("\\t")
        elif ord(c) < 0x20 or ord(c) == 0x7F:
            out.append(f"\\u{ord(c):04x}")
        else:
            out.append(c)
    return "".join(out)


def show_create_lines(table: TableDef) -> list[str]:
    """The storage clauses of SHOW CREATE TABLE for a file table."""
    storage = table.storage
    lines = []
    if storage.partition_columns:
        cols = ",\n".join(f"  `{c.spelling or c.name}` {c.type}" for c in table.partition_columns)
        lines += ["PARTITIONED BY (", cols + ")"]
    props = storage.serde_properties
    if storage.format == "text" and (storage.serde in (None, LAZY_SIMPLE)):
        clauses = []
        for key, words in (("field.delim", "FIELDS TERMINATED BY"), ("escape.delim", "ESCAPED BY"),
                           ("colelction.delim", "COLLECTION ITEMS TERMINATED BY"),
                           ("mapkey.delim", "MAP KEYS TERMINATED BY"), ("line.delim", "LINES TERMINATED BY"),
                           ("serialization.null.format", "NULL DEFINED AS")):
            if key in props:
                clauses.append(f"  {words} '{_escaped(props[key])}'")
        if clauses:
            lines += ["ROW FORMAT DELIMITED"] + clauses
    elif storage.format in ("text", "csv", "json") and storage.serde:
        lines += ["ROW FORMAT SERDE", f"  '{storage.serde}'"]
        if props:
            pairs = ",\n".join(f"  '{_escaped(k)}'='{_escaped(v)}'" for k, v in props.items())
            lines += ["WITH SERDEPROPERTIES (", pairs + ")"]
    if storage.input_format and storage.format in ("text", "parquet", "orc"):
        lines += ["STORED AS INPUTFORMAT", f"  '{storage.input_format}'", "OUTPUTFORMAT",
                  f"  '{storage.output_format or IO_FORMATS[storage.format][1]}'"]
    else:
        lines.append(f"STORED AS {_FORMAT_STORED_AS[storage.format]}")
    if not storage.managed:
        lines += ["LOCATION", f"  '{_escaped(storage.location)}'"]
    return lines


def describe_partition_rows(table: TableDef) -> list[tuple[str, str, str]]:
    if table.storage is None or not table.storage.partition_columns:
        return []
    rows = [("", "", ""), ("# Partition Information", "", ""), ("# col_name", "data_type", "comment"), ("", "", "")]
    rows += [(c.name, str(c.type), c.comment or "") for c in table.partition_columns]
    return rows


def describe_storage_rows(table: TableDef) -> list[tuple[str, str, str]]:
    storage = table.storage
    input_format, output_format = IO_FORMATS.get(storage.format if storage.format != "csv" and
                                                  storage.format != "json" else "text", (None, None))
    rows = [("Location:", storage.location, "")]
    rows += [("", "", ""), ("# Storage Information", "", "")]
    rows.append(("SerDe Library:", storage.serde or SERDE_OF.get(storage.format, f"ddbsql {storage.format}"), ""))
    rows.append(("InputFormat:", storage.input_format or input_format or f"ddbsql {storage.format}", ""))
    rows.append(("OutputFormat:", storage.output_format or output_format or f"ddbsql {storage.format}", ""))
    rows.append(("Format:", storage.format, "ddbsql"))
    rows += [("Compressed:", "No", ""), ("Num Buckets:", "-1", ""), ("Bucket Columns:", "[]", ""),
             ("Sort Columns:", "[]", "")]
    if storage.serde_properties:
        rows.append(("Storage Desc Params:", "", ""))
        rows += [("", k, _escaped(v)) for k, v in sorted(storage.serde_properties.items())]
    if storage.partition_columns:
        rows.append(("Partitions:", str(len(storage.partitions)), "registered"))
    return rows


def drop_table_files(session: "Session", table: TableDef) -> None:
    """DROP TABLE of a table whose files ddbsql placed itself (no LOCATION): delete them."""
    storage = table.storage
    if storage is None or not storage.managed or table.external:
        return
    systems = file_systems(session)
    where = xf.parse_location(storage.location, systems, allow_local=True)
    try:
        if where.fs.get_file_info(where.path).type == pafs.FileType.Directory:
            where.fs.delete_dir(where.path)
    except OSError as exc:
        raise ExecutionError(f"cannot delete {where.uri}: {exc}") from None


# ==================================================================== settings

def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in ("true", "1", "yes", "on")


def _setting(session: "Session", *keys: str) -> str | None:
    for key in keys:
        value = session.settings.lookup(key)
        if value is not None and value != "":
            return value
    return None


def max_file_bytes(session: "Session", props: dict[str, str] | None = None) -> int:
    raw = (props or {}).get("ddbsql.output.file.max.bytes") or _setting(session, "ddbsql.output.file.max.bytes")
    if raw is None:
        return DEFAULT_MAX_BYTES
    try:
        return parse_size(raw)
    except ValueError as exc:
        raise ConfigError(f"ddbsql.output.file.max.bytes={raw}: {exc}") from None


def compress_output(session: "Session") -> bool:
    return _truthy(_setting(session, "hive.exec.compress.output", "mapreduce.output.fileoutputformat.compress",
                            "mapred.output.compress"))


def output_codec(session: "Session") -> str | None:
    """The text codec when ``hive.exec.compress.output`` is on (Hadoop's default: deflate)."""
    if not compress_output(session):
        return None
    name = _setting(session, "mapreduce.output.fileoutputformat.compress.codec", "mapred.output.compression.codec")
    return xf.codec_of(name) or "deflate"


_PARQUET_CODECS = {"uncompressed": "none", "none": "none", "snappy": "snappy", "gzip": "gzip", "lzo": None,
                   "brotli": "brotli", "lz4": "lz4", "lz4_raw": "lz4", "zstd": "zstd"}
_ORC_CODECS = {"none": "uncompressed", "uncompressed": "uncompressed", "zlib": "zlib", "snappy": "snappy",
               "lz4": "lz4", "zstd": "zstd"}


def output_spec(session: "Session", fmt: str, columns: list[tuple[str, Any]], serde_properties: dict[str, str],
                table_props: dict[str, str] | None = None) -> xf.OutputSpec:
    props = table_props or {}
    if fmt in ("text", "csv", "json"):
        compression = xf.compression_for_text(output_codec(session))
    elif fmt == "parquet":
        raw = props.get("parquet.compression") or _setting(session, "parquet.compression")
        if raw is None and compress_output(session):
            codec = output_codec(session)
            raw = {"deflate": "gzip", "bz2": "snappy"}.get(codec, codec)
        compression = _PARQUET_CODECS.get((raw or "snappy").lower())
        if compression is None:
            raise ConfigError(f"parquet.compression={raw}: use UNCOMPRESSED, SNAPPY, GZIP, ZSTD, LZ4 or BROTLI")
    elif fmt == "orc":
        raw = props.get("orc.compress") or _setting(session, "orc.compress") or "ZLIB"
        compression = _ORC_CODECS.get(raw.lower())
        if compression is None:
            raise ConfigError(f"orc.compress={raw}: use NONE, ZLIB, SNAPPY, LZ4 or ZSTD")
    else:
        compression = None
    return xf.OutputSpec(fmt, columns, dict(serde_properties), compression, max_file_bytes(session, props))


# ==================================================================== INSERT

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
        table = session.catalog_table(target.name, target.db.lower() or None, missing_ok=True)
        return table is not None and table.kind == "file"
    return False


def handles(session: "Session", tree: exp.Expression) -> bool:
    """Whether an INSERT / multi-insert writes files (a DIRECTORY or a file table)."""
    inserts = tree.expressions if isinstance(tree, exp.MultitableInserts) else [tree]
    return any(isinstance(i, exp.Insert) and _is_file_insert(session, i) for i in inserts)


def _partition_spec(node) -> list[tuple[str, str | None]]:
    if not isinstance(node, exp.Partition):
        return []
    pairs = []
    for item in node.expressions:
        if isinstance(item, exp.EQ):
            value = item.expression
            text = value.this if isinstance(value, exp.Literal) else value.sql(dialect="hive")
            pairs.append((item.this.name.lower(), str(text)))
        elif isinstance(item, (exp.Column, exp.Identifier)):
            pairs.append((item.name.lower(), None))
        else:
            raise ParseError(f"unsupported partition spec item {item.sql(dialect='hive')}", line=1, col=1)
    return pairs


def _resolve(session: "Session", insert: exp.Insert, text: str):
    target = insert.this
    if isinstance(target, exp.Directory):
        if not insert.args.get("overwrite"):
            raise ParseError("INSERT INTO DIRECTORY is not valid HiveQL: use INSERT OVERWRITE DIRECTORY", line=1, col=1)
        clauses = storage_clauses(target.args.get("row_format"), insert.args.get("stored"))
        return _DirectoryTarget(_literal_text(target.this), bool(target.args.get("local")), clauses, target)
    columns = None
    if isinstance(target, exp.Schema):
        columns = [c.name.lower() for c in target.expressions]
        target = target.this
    table = session.catalog_table(target.name, target.db.lower() or None, missing_ok=True)
    if table is None:
        line, col = position_of(target, text)
        raise SemanticError(f"Table not found '{target.sql()}'", line=line, col=col)
    spec = _partition_spec(target.args.get("partition"))
    keys = list(table.storage.partition_columns)
    given = [k for k, _ in spec]
    for key in given:
        if key not in keys:
            raise SemanticError(f"{key} is not a partition column of {table.qualified} "
                                f"(partition columns: {', '.join(keys) or 'none'})")
    if spec and given != keys[:len(given)]:
        raise SemanticError(f"the PARTITION clause must name the partition columns in order ({', '.join(keys)})")
    static: dict[str, str | None] = {}
    dynamic: list[str] = []
    for key in keys:
        value = dict(spec).get(key, None) if key in given else None
        if key in given and value is not None:
            if dynamic:
                raise SemanticError("static partition values must come before dynamic ones (as in Hive)")
            static[key] = value
        else:
            dynamic.append(key)
    for key, value in static.items():
        column = table.column(key)
        try:
            ht.primitive_value(value, column.type)
        except ht.Bad as exc:
            raise SemanticError(f"partition value {key}='{value}' does not fit {column.type}: {exc.reason}") from None
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
    systems = file_systems(session)
    where = xf.parse_location(target.location_text, systems, allow_local=session.options.allow_local_files,
                              what="DIRECTORY")
    if target.local and not where.local:
        raise SemanticError(f"INSERT OVERWRITE LOCAL DIRECTORY needs a local path, not {where.uri}")
    if not where.local:
        xf.check_bucket(where)
    reader = execute_duckdb(session, sql, binder)
    columns = [(f.name, from_arrow(f.type)) for f in reader.schema]
    fmt = target.clauses.format
    if fmt in ("dynamodb-export", "emr-export"):
        table = TableDef("default", "directory", tuple(Column(n.lower(), t, None, n) for n, t in columns), "file",
                         {}, True, None, 0.0, FileStorage(where.uri, fmt))
        return _write_items(session, table, where, reader, binder, label, overwrite=True, what="Wrote")
    spec = output_spec(session, fmt, columns, target.clauses.serde_properties)
    staging = xf.Staging(where)
    output = xf.Output(staging.folder(), spec)
    rows = 0
    try:
        for batch in result_batches(reader, binder):
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


def _partition_text(value: Any, hive_type) -> str | None:
    if value is None:
        return None
    if hive_type.name in ("string", "varchar", "char"):
        return value if value != "" else None
    return ht.format_value(value, hive_type, ht.TextFormat(escape=None), 1)


def _runs(batch: pa.RecordBatch, keys: list[str], types: list) -> Iterator[tuple[tuple, pa.RecordBatch]]:
    """Consecutive rows of ``batch`` with the same dynamic partition values."""
    if not keys:
        yield (), batch
        return
    values = list(zip(*[[_partition_text(v, t) for v in batch.column(k).to_pylist()] for k, t in zip(keys, types)]))
    start = 0
    for i in range(1, len(values) + 1):
        if i == len(values) or values[i] != values[start]:
            yield values[start], batch.slice(start, i - start)
            start = i


class _PartitionWriter:
    """The outputs and staging folders of one INSERT into a file table."""

    def __init__(self, session: "Session", table: TableDef, base: xf.Location, spec: xf.OutputSpec,
                 overwrite: bool, systems: xf.FileSystems):
        self.session = session
        self.table = table
        self.base = base
        self.spec = spec
        self.overwrite = overwrite
        self.systems = systems
        self.names = list(table.storage.partition_columns)
        self.custom = {p.values: p.location for p in table.storage.partitions if p.location}
        self.stagings: dict[tuple, xf.Staging] = {}
        self.outputs: dict[tuple, xf.Output] = {}
        self.closed: set[tuple] = set()
        self.current: tuple | None = None
        self.files: list[xf.WrittenFile] = []

    def folder(self, values: tuple) -> xf.Location:
        if not self.names:
            return self.base
        custom = self.custom.get(values)
        if custom:
            return location_of(self.session, self.systems, custom)
        return self.base.child(xf.partition_dir(self.names, values))

    def _close(self, values: tuple, *, keep_empty: bool = False) -> None:
        if values in self.outputs and values not in self.closed:
            self.closed.add(values)
            self.files += self.outputs[values].close(keep_empty=keep_empty)

    def output(self, values: tuple) -> xf.Output:
        if self.current is not None and values != self.current:
            self._close(self.current)
        self.current = values
        output = self.outputs.get(values)
        if output is None:
            folder = self.folder(values)
            staging = xf.Staging(folder)
            self.stagings[values] = staging
            taken = set() if self.overwrite else xf.existing_names(folder)
            output = xf.Output(staging.folder(), self.spec, taken=taken)
            self.outputs[values] = output
        elif values in self.closed:
            raise ExecutionError("internal error: rows of one partition arrived after another's")
        return output

    def finish(self, static_values: tuple | None) -> None:
        if not self.names and () not in self.outputs:
            self.output(())
        if static_values is not None and static_values not in self.outputs and self.overwrite:
            # INSERT OVERWRITE of a static partition with no rows still empties it
            self.output(static_values)
        for values in list(self.outputs):
            self._close(values, keep_empty=not self.names)

    def commit(self) -> None:
        for staging in self.stagings.values():
            staging.commit(replace=[""] if self.overwrite else [], recursive_replace=not self.names)

    def abort(self) -> None:
        for output in self.outputs.values():
            output.abort()
        for staging in self.stagings.values():
            staging.abort()


def _write_table(session: "Session", target: _FileTarget, sql: str | None, binder: SourceBinder, label: str,
                 reader: pa.RecordBatchReader | None = None) -> Result:
    table = target.table
    storage = table.storage
    systems = file_systems(session)
    base = table_location(session, systems, table)
    if not base.local:
        xf.check_bucket(base)
    if storage.format in ("dynamodb-export", "emr-export"):
        if not target.overwrite:
            raise SemanticError(f"{table.qualified} is a DynamoDB export, which is written whole: use "
                                "INSERT OVERWRITE TABLE")
        reader = reader or execute_duckdb(session, sql, binder)
        return _write_items(session, table, base, reader, binder, label, overwrite=True, what="Loaded")
    data = [(c.name, c.type) for c in table.data_columns]
    spec = output_spec(session, storage.format, data, storage.serde_properties, table.properties)
    keys = list(storage.partition_columns)
    static_values = tuple(target.static.get(k) for k in keys) if keys and not target.dynamic else None
    reader = reader or execute_duckdb(session, sql, binder)
    writer = _PartitionWriter(session, table, base, spec, target.overwrite, systems)
    dynamic_types = [table.column(k).type for k in target.dynamic]
    rows = 0
    written_partitions: set[tuple] = set()
    try:
        for batch in result_batches(reader, binder):
            for values, run in _runs(batch, target.dynamic, dynamic_types):
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
        _register(session, table, partitions)
    files = writer.files
    size = sum(f.size for f in files)
    where = base.uri
    text = _summary("Loaded", rows, f"{table.qualified} ({where})", len(files), size, spec.compression)
    if keys:
        text += f"; {len(partitions)} partition(s)"
    return Result("insert", rowcount=rows, messages=binder.warning_messages() + [text])


def _write_items(session: "Session", table: TableDef, base: xf.Location, reader: pa.RecordBatchReader,
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
    rejects = RejectLog(reject_dir(session), table=table.qualified, statement=label)
    max_bytes = max_file_bytes(session, props)
    if storage.format == "dynamodb-export":
        in_place = base.fs.get_file_info(base.child(dx.SUMMARY).path).type == pafs.FileType.File
        staging = xf.Staging(base) if in_place else None
        old = [] if in_place else dx.existing_exports(base)
        options = dict(table=table.name, region=session.region_of(table), bindings=bindings, key_attributes=keys,
                       null_serialization=null_serialization, max_bytes=max_bytes, reject=rejects.add)
        if in_place:
            # the LOCATION is an export folder itself: rewrite it (staged, then swapped)
            writer = dx.ExportWriter(staging.folder(), final=base, base=base, **options)
        else:
            writer = dx.ExportWriter.new(base, **options)
        written_to = base.uri if in_place else writer.folder.uri
    else:
        staging = xf.Staging(base)
        old = []
        codec = output_codec(session)
        if codec not in (None, "gzip", "bz2", "zstd"):
            raise ConfigError(f"{codec} compression is not available for EMR exports (use GzipCodec)")
        writer = dx.EmrExportWriter(staging.folder(), base, bindings=bindings, key_attributes=keys,
                                    null_serialization=null_serialization, compression=codec, max_bytes=max_bytes,
                                    reject=rejects.add)
        written_to = base.uri
    try:
        for batch in result_batches(reader, binder):
            writer.write(_conform(batch, columns))
        writer.close()
        if staging is not None:
            staging.commit(replace=[""] if overwrite else [], recursive_replace=storage.format == "dynamodb-export")
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
    kind = "DynamoDB export" if storage.format == "dynamodb-export" else "EMR DynamoDB export"
    text = (f"{what} {report.items} item(s) to {written_to} ({kind}) in {report.files} file(s), "
            f"{report.bytes:,} bytes, from {report.rows} row(s)")
    if report.rejected:
        text += f"; {report.rejected} row(s) rejected, reasons in {rejects.path}"
    return Result("insert", rowcount=report.items, messages=binder.warning_messages() + [text])


def _register(session: "Session", table: TableDef, partitions: set[tuple]) -> list[tuple]:
    """Add partitions to the catalog (re-reading the table first); returns those added."""
    current = session.metastore.get(table.database, table.name) or table
    storage = current.storage
    known = {p.values for p in storage.partitions}
    added = sorted((v for v in partitions if v not in known), key=lambda v: tuple("" if x is None else x for x in v))
    if not added:
        return []
    updated = dataclasses.replace(storage, partitions=storage.partitions + tuple(Partition(v) for v in added))
    session.metastore.put(dataclasses.replace(current, storage=updated), replace=True)
    return added


# ==================================================================== LOAD DATA

def run_load(session: "Session", tree: exp.LoadData, text: str) -> Result:
    """LOAD DATA [LOCAL] INPATH '…' [OVERWRITE] INTO TABLE t [PARTITION (…)]: the files are
    copied (LOCAL) or moved into the table's folder, not parsed."""
    target = tree.this
    table = session.catalog_table(target.name, target.db.lower() or None, missing_ok=True)
    if table is None:
        line, col = position_of(target, text)
        raise SemanticError(f"Table not found '{target.sql()}'", line=line, col=col)
    if table.kind != "file":
        raise SemanticError(f"LOAD DATA needs a file table; {table.qualified} is a {table.kind} table. Create an "
                            "external table over the files (CREATE EXTERNAL TABLE … LOCATION) and "
                            f"INSERT INTO {table.name} SELECT … from it")
    storage = table.storage
    if storage.format in ("dynamodb-export", "emr-export"):
        raise SemanticError("LOAD DATA into a DynamoDB export table is not supported: point a table's LOCATION at "
                            "the export instead")
    local = bool(tree.args.get("local"))
    overwrite = bool(tree.args.get("overwrite"))
    inpath = _literal_text(tree.args.get("inpath"))
    systems = file_systems(session)
    source = xf.parse_location(inpath, systems, allow_local=session.options.allow_local_files, what="INPATH")
    if local and not source.local:
        raise SemanticError(f"LOAD DATA LOCAL INPATH needs a local path, not {source.uri}")
    files = xf.list_data_files(source, recursive=False)
    if not files:
        raise ExecutionError(f"LOAD DATA: no files at {source.uri}")
    keys = list(storage.partition_columns)
    spec = dict(_partition_spec(tree.args.get("partition")))
    if keys and (set(spec) != set(keys) or any(v is None for v in spec.values())):
        raise SemanticError(f"LOAD DATA into {table.qualified} needs PARTITION ({', '.join(f'{k}=…' for k in keys)})")
    if not keys and spec:
        raise SemanticError(f"{table.qualified} is not partitioned")
    base = table_location(session, systems, table)
    values = tuple(spec[k] for k in keys) if keys else ()
    custom = {p.values: p.location for p in storage.partitions if p.location}
    folder = (location_of(session, systems, custom[values]) if values in custom else
              base.child(xf.partition_dir(keys, values)) if keys else base)
    staging = xf.Staging(folder)
    taken = set() if overwrite else xf.existing_names(folder)
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
        _register(session, table, {values})
    return Result.done("insert", f"Loaded {len(names)} file(s) into {table.qualified} ({folder.uri}){moved}")


# ==================================================================== partitions

def _file_table(session: "Session", ref: sp.TableRef) -> TableDef:
    table = session.catalog_table(ref.name, ref.database, missing_ok=True)
    if table is None:
        raise SemanticError(f"Table not found '{ref}'")
    if table.kind != "file":
        raise SemanticError(f"{table.qualified} is not a file table (partitions are for file tables)")
    return table


def _check_spec(table: TableDef, spec: sp.PartitionSpec, *, complete: bool) -> dict[str, str | None]:
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
        column = table.column(key)
        if value is not None:
            try:
                ht.primitive_value(value, column.type)
            except ht.Bad as exc:
                raise SemanticError(f"partition value {key}='{value}' does not fit {column.type}: "
                                    f"{exc.reason}") from None
    return given


def _matches(values: tuple, keys: list[str], given: dict[str, str | None]) -> bool:
    current = dict(zip(keys, values))
    return all(current.get(k) == v for k, v in given.items())


def run_partition_statement(session: "Session", statement) -> Result:
    if isinstance(statement, sp.RepairTable):
        return _repair(session, statement)
    table = _file_table(session, statement.table)
    keys = list(table.storage.partition_columns)
    storage = table.storage
    if isinstance(statement, sp.ShowPartitions):
        if not keys:
            raise SemanticError(f"Table {table.name} is not a partitioned table")
        given = _check_spec(table, statement.spec, complete=False) if statement.spec else {}
        rows = sorted(xf.partition_dir(keys, p.values) for p in storage.partitions
                      if _matches(p.values, keys, given))
        return Result.rows("show", ["partition"], [(r,) for r in rows])
    if isinstance(statement, sp.AddPartitions):
        known = {p.values for p in storage.partitions}
        added = []
        systems = None
        for spec, location in statement.partitions:
            given = _check_spec(table, spec, complete=True)
            values = tuple(given[k] for k in keys)
            if values in known:
                if statement.if_not_exists:
                    continue
                raise CatalogError(f"partition {xf.partition_dir(keys, values)} of {table.qualified} already exists")
            if location:
                systems = systems or file_systems(session)
                where = location_of(session, systems, location)
                location = where.uri
            known.add(values)
            added.append(Partition(values, location))
        if added:
            updated = dataclasses.replace(storage, partitions=storage.partitions + tuple(added))
            session.metastore.put(dataclasses.replace(table, storage=updated), replace=True)
        return Result.done("ddl")
    if isinstance(statement, sp.DropPartitions):
        remaining = list(storage.partitions)
        dropped = []
        for spec in statement.partitions:
            given = _check_spec(table, spec, complete=False)
            matching = [p for p in remaining if _matches(p.values, keys, given)]
            if not matching and not statement.if_exists:
                raise CatalogError(f"no partition of {table.qualified} matches {spec}")
            for partition in matching:
                remaining.remove(partition)
                dropped.append(partition)
        if dropped:
            if storage.managed and not table.external:
                systems = file_systems(session)
                base = table_location(session, systems, table)
                for partition in dropped:
                    folder = base.child(xf.partition_dir(keys, partition.values))
                    try:
                        if folder.fs.get_file_info(folder.path).type == pafs.FileType.Directory:
                            folder.fs.delete_dir(folder.path)
                    except OSError:
                        pass
            updated = dataclasses.replace(storage, partitions=tuple(remaining))
            session.metastore.put(dataclasses.replace(table, storage=updated), replace=True)
        return Result.done("ddl", *[f"Dropped the partition {xf.partition_dir(keys, p.values)}" for p in dropped])
    raise ParseError("unsupported partition statement", line=1, col=1)


def _repair(session: "Session", statement: sp.RepairTable) -> Result:
    table = _file_table(session, statement.table)
    keys = list(table.storage.partition_columns)
    if not keys:
        return Result.done("ddl")
    systems = file_systems(session)
    base = table_location(session, systems, table)
    found = set(xf.discover_partitions(base, keys))
    storage = table.storage
    registered = {p.values for p in storage.partitions}
    messages = []
    partitions = list(storage.partitions)
    if statement.mode in ("add", "sync"):
        missing = sorted(found - registered, key=lambda v: tuple("" if x is None else x for x in v))
        if missing:
            names = [f"{table.name}:{xf.partition_dir(keys, v)}" for v in missing]
            messages.append("Partitions not in metastore:\t" + "\t".join(names))
            messages += [f"Repair: Added partition to metastore {n}" for n in names]
            partitions += [Partition(v) for v in missing]
    if statement.mode in ("drop", "sync"):
        gone = [p for p in partitions if not p.location and p.values not in found]
        if gone:
            names = [f"{table.name}:{xf.partition_dir(keys, p.values)}" for p in gone]
            messages.append("Partitions missing from filesystem:\t" + "\t".join(names))
            messages += [f"Repair: Dropped partition from metastore {n}" for n in names]
            partitions = [p for p in partitions if p not in gone]
    if tuple(partitions) != storage.partitions:
        updated = dataclasses.replace(storage, partitions=tuple(partitions))
        session.metastore.put(dataclasses.replace(table, storage=updated), replace=True)
    return Result.done("ddl", *messages)


# ==================================================================== ALTER TABLE

def alter_set_location(session: "Session", table: TableDef, text: str) -> TableDef:
    systems = file_systems(session)
    where = xf.parse_location(text, systems, allow_local=session.options.allow_local_files, what="LOCATION")
    return dataclasses.replace(table, storage=dataclasses.replace(table.storage, location=where.uri, managed=False))


def alter_set_serde_properties(table: TableDef, props: dict[str, str]) -> TableDef:
    merged = dict(table.storage.serde_properties)
    merged.update(props)
    return dataclasses.replace(table, storage=dataclasses.replace(table.storage, serde_properties=merged))


def partition_spec_of(node) -> sp.PartitionSpec:
    """A sqlglot PARTITION (…) node (exp.Partition or Anonymous) as a PartitionSpec."""
    pairs = []
    for item in node.expressions:
        if isinstance(item, exp.EQ):
            value = item.expression
            pairs.append((item.this.name.lower(), str(value.this if isinstance(value, exp.Literal) else value.sql())))
        else:
            raise ParseError("a partition spec needs key=value pairs", line=1, col=1)
    return sp.PartitionSpec(tuple(pairs))

