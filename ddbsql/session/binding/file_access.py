"""How a statement reaches files: the local disk and S3 with this session's credentials,
the folder of managed file tables and the folder of reject files."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from ...catalog.names import check_name
from ...files.locations import FileAccess, FileSystems, S3Access

if TYPE_CHECKING:
    from .context import StatementContext


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
