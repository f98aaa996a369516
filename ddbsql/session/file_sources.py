"""Binding file tables into a statement: one Arrow stream per reference.

Only the columns the statement uses are read, and only the registered partitions its
WHERE clause can match (see :func:`ddbsql.files.partitions.partition_filter`).  Values
that do not fit their column read as NULL and malformed rows are skipped; both are
counted in the statement's warnings and written, with file and line, to the reject folder.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa

from ..catalog.model import TableDef
from ..files.locations import FileAccess, FileSystems, S3Access
from ..files.partitions import partition_filter, partition_sources
from ..files.reading import ReadLog
from ..files.rows import read_rows, read_spec, wanted_columns
from ..planner.scopes import ReferenceFilter

if TYPE_CHECKING:
    from .session import Session
    from .sources import ScanRecord, SourceBinder


def s3_access(session: "Session") -> S3Access:
    clients = session.clients
    credentials = clients.credentials()
    return S3Access(region=clients.region(), endpoint=clients.s3_endpoint(),
                    access_key=getattr(credentials, "access_key", None),
                    secret_key=getattr(credentials, "secret_key", None),
                    session_token=getattr(credentials, "token", None))


def file_access(session: "Session") -> FileAccess:
    """The local disk and S3 as this session reaches them (S3 set up on first use)."""
    return FileAccess(FileSystems(lambda: s3_access(session)), session.options.allow_local_files,
                      reject_dir(session))


def reject_dir(session: "Session") -> Path:
    return Path(session.settings.get("ddbsql.reject.dir"))


def file_source(binder: "SourceBinder", definition: TableDef, where: ReferenceFilter, needed: set[str] | None,
                record: "ScanRecord") -> str:
    """Register a stream of ``definition``'s rows for one reference; returns its name."""
    session = binder.session
    wanted = wanted_columns(definition, needed)
    if getattr(binder, "explain", False):
        # EXPLAIN plans only: an empty stream of the right shape, no file is listed
        schema = pa.schema([pa.field(c.name, c.type.to_arrow()) for c in wanted])
        name = session.engine.register_stream(pa.RecordBatchReader.from_batches(schema, iter(())))
        binder.schema[name] = {c.name: str(c.type) for c in definition.columns}
        return name
    access = file_access(session)
    sources = partition_sources(access, definition, partition_filter(definition, where))
    spec = read_spec(definition, wanted)
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
    return name
