"""File tables: rows in files on S3 or a local disk (see :mod:`ddbsql.files`).

A reference reads only the columns the statement uses, and only the registered
partitions its WHERE clause can match (see :func:`ddbsql.files.table_partitions.partition_filter`).
Values that do not fit their column read as NULL and malformed rows are skipped; both
are counted in the statement's warnings and written, with file and line, to the reject folder.
"""
from __future__ import annotations

import dataclasses
import os
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.fs as pafs
from sqlglot import exp

from ...catalog.model import TableDef, TableKind
from ...errors import ExecutionError, NotPermittedError
from ...exec.decode import DecodeWarnings
from ...exec.scanner import ScanStats
from ...files.table_partitions import partition_filter, partition_sources
from ...files.reading import ReadLog
from ...files.rows import read_rows, read_spec, wanted_columns
from ...files.serde import describe_partition_rows, describe_storage_rows, show_create_lines
from ...planner.scopes import ReferenceFilter
from ..binding.file_access import file_access, managed_location
from ..binding.scans import ScanRecord
from ..writing.file_writes import FileTableTarget
from .table_storage import Row, TableStorage

if TYPE_CHECKING:
    from ..binding.context import StatementContext
    from ..binding.binder import SourceBinder


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

    def write_target(self, table: TableDef, insert: exp.Insert, node: exp.Table, columns: list[str] | None,
                     text: str) -> FileTableTarget:
        """Written as new files in the table's folder (or its partitions' folders)."""
        return FileTableTarget.resolve(table, insert, node, columns, text)

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
