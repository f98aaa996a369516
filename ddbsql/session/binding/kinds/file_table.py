"""File tables: rows in files on S3 or a local disk (see :mod:`ddbsql.files`).

A reference reads only the columns the statement uses, and only the registered
partitions its WHERE clause can match (see :func:`ddbsql.files.table_partitions.partition_filter`).
Values that do not fit their column read as NULL and malformed rows are skipped; both
are counted in the statement's warnings and written, with file and line, to the reject folder.
"""
from __future__ import annotations

import dataclasses
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.fs as pafs
from sqlglot import exp

from ....catalog.model import TableDef, TableKind
from ....catalog.names import check_name
from ....errors import ExecutionError, NotPermittedError
from ....exec.decode import DecodeWarnings
from ....exec.scanner import ScanStats
from ....files.locations import FileAccess, FileSystems, S3Access
from ....files.table_partitions import partition_filter, partition_sources
from ....files.reading import ReadLog
from ....files.rows import read_rows, read_spec, wanted_columns
from ....files.serde import describe_partition_rows, describe_storage_rows, show_create_lines
from ....planner.scopes import ReferenceFilter
from ..scans import ScanRecord
from .table_storage import Row, TableStorage

if TYPE_CHECKING:
    from ..context import StatementContext
    from ..binder import SourceBinder


def s3_access(session: "StatementContext") -> S3Access:
    clients = session.clients
    credentials = clients.credentials()
    return S3Access(region=clients.region(), endpoint=clients.s3_endpoint(),
                    access_key=getattr(credentials, "access_key", None),
                    secret_key=getattr(credentials, "secret_key", None),
                    session_token=getattr(credentials, "token", None))


def file_access(session: "StatementContext") -> FileAccess:
    """The local disk and S3 as this session reaches them (S3 set up on first use)."""
    return FileAccess(FileSystems(lambda: s3_access(session)), session.options.allow_local_files,
                      reject_dir(session), managed_root(session))


def managed_root(session: "StatementContext") -> Path:
    """The folder of managed file tables: ``files`` beside the metastore."""
    path = session.metastore.path
    if str(path) == ":memory:":
        return Path(tempfile.gettempdir()) / "ddbsql-files"
    return Path(os.path.abspath(path)).parent / "files"


def managed_location(session: "StatementContext", database: str, name: str) -> str:
    """Where a table without LOCATION keeps its files (names checked: never outside
    :func:`managed_root`)."""
    return str(managed_root(session) / f"{check_name(database, 'database')}.db" / check_name(name))


def reject_dir(session: "StatementContext") -> Path:
    return Path(session.settings.get("ddbsql.reject.dir"))


class FileTable(TableStorage):
    """A table over files (its :class:`~ddbsql.catalog.model.FileStorage` says where and how)."""

    kind = TableKind.FILE

    def describe_columns(self, table: TableDef) -> list[Row]:
        return super().describe_columns(table) + describe_partition_rows(table)

    def storage_rows(self, session: "StatementContext", table: TableDef) -> list[Row]:
        return describe_storage_rows(table)

    def show_create_lines(self, table: TableDef) -> list[str]:
        return show_create_lines(table)

    def drop(self, session: "StatementContext", table: TableDef) -> None:
        """A table whose files ddbsql placed itself (no LOCATION) takes them with it."""
        storage = table.storage
        if storage is None or not storage.managed or table.external:
            return
        expected = managed_location(session, table.database, table.name)
        if os.path.normpath(storage.location) != os.path.normpath(expected):
            raise NotPermittedError(f"{table.qualified} is recorded as managed but its files are at "
                                    f"{storage.location}, not at {expected}: they are left in place; the table was "
                                    "not dropped")
        where = file_access(session).table_location(storage.location, True)
        try:
            if where.fs.get_file_info(where.path).type == pafs.FileType.Directory:
                where.fs.delete_dir(where.path)
        except OSError as exc:
            raise ExecutionError(f"cannot delete {where.uri}: {exc}") from None

    def set_location(self, session: "StatementContext", table: TableDef, text: str) -> TableDef:
        where = file_access(session).location(text, what="LOCATION")
        return dataclasses.replace(table, storage=dataclasses.replace(table.storage, location=where.uri,
                                                                      managed=False))

    def set_serde_properties(self, table: TableDef, props: dict[str, str]) -> TableDef:
        merged = dict(table.storage.serde_properties)
        merged.update(props)
        return dataclasses.replace(table, storage=dataclasses.replace(table.storage, serde_properties=merged))

    def bind(self, binder: "SourceBinder", definition: TableDef, where: ReferenceFilter, columns: set[str] | None,
             label: str) -> exp.Table:
        """A stream of ``definition``'s rows for one reference."""
        session = binder.session
        wanted = wanted_columns(definition, columns)
        if binder.explain:
            # EXPLAIN plans only: an empty stream of the right shape, no file is listed
            schema = pa.schema([pa.field(c.name, c.type.to_arrow()) for c in wanted])
            name = session.engine.register_stream(pa.RecordBatchReader.from_batches(schema, iter(())))
            binder.schema[name] = {c.name: str(c.type) for c in definition.columns}
            return exp.Table(this=exp.to_identifier(name))
        access = file_access(session)
        sources = partition_sources(access, definition, partition_filter(definition, where))
        spec = read_spec(definition, wanted)
        record = ScanRecord(definition, DecodeWarnings(), ScanStats())
        binder.scans.append(record)
        log = ReadLog(access.reject_dir, table=definition.qualified, statement=" ".join(binder.text.split())[:200],
                      warnings=record.warnings, stats=record.stats)

        def batches():
            try:
                yield from read_rows(spec, sources, log, session.cancel_event)
            finally:
                log.close()

        reader = pa.RecordBatchReader.from_batches(spec.schema, record.watch(batches()))
        name = session.engine.register_stream(reader)
        binder.schema[name] = {c.name: str(c.type) for c in definition.columns}
        return exp.Table(this=exp.to_identifier(name))
