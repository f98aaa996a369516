"""ddbsql's SQLite files (the metastore with its job records, job checkpoints): opening
them with their schema version checked, and every failure as one clear
:class:`~ddbsql.errors.CatalogError` naming the file, never a ``sqlite3`` exception.

The metastore's schema version is SQLite's ``PRAGMA user_version``: 0 is a file from
before versions were kept (its tables are checked and it is stamped), a version newer
than :data:`METASTORE_VERSION` is refused.
"""
from __future__ import annotations

import contextlib
import functools
import json
import sqlite3
from pathlib import Path
from typing import Callable, Iterator, Mapping, Sequence, TypeVar

from ..errors import CatalogError

#: the metastore schema this ddbsql reads and writes
METASTORE_VERSION = 1

F = TypeVar("F", bound=Callable)


def _reason(exc: BaseException) -> str:
    text = str(exc).lower()
    if isinstance(exc, sqlite3.DatabaseError):
        if "not a database" in text or "malformed" in text or "file is encrypted" in text:
            return "it is damaged or is not a ddbsql file"
        if "readonly" in text or "read-only" in text:
            return "it is read-only: ddbsql cannot record the change"
        if "unable to open" in text:
            return "it cannot be opened (a folder, or a folder that cannot be written?)"
        if "locked" in text or "busy" in text:
            return "another process holds it locked; retry when it is done"
        if "disk i/o" in text or "disk is full" in text:
            return f"the disk failed ({exc})"
    if isinstance(exc, OSError):
        return exc.strerror or str(exc)
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


@contextlib.contextmanager
def guarded(what: str) -> Iterator[None]:
    """Turn a ``sqlite3`` or file-system failure inside into a CatalogError about ``what``."""
    try:
        yield
    except (sqlite3.Error, OSError) as exc:
        raise CatalogError(f"{what}: {_reason(exc)}") from None


def guard(method: F) -> F:
    """:func:`guarded` around a method of an object with a ``describe()`` of its file."""
    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        with guarded(self.describe()):
            return method(self, *args, **kwargs)
    return wrapper  # type: ignore[return-value]


def loads(text: str | None, what: str, default=None):
    """JSON stored in a file, or a CatalogError naming ``what`` when it is damaged."""
    if text is None:
        return default
    try:
        return json.loads(text)
    except ValueError:
        raise CatalogError(f"{what} is damaged in the metastore (not valid JSON)") from None


def connect(path: str | Path, what: str) -> sqlite3.Connection:
    """Open a SQLite file (its folder made if needed), failures as CatalogError."""
    with guarded(what):
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            if Path(path).is_dir():
                raise CatalogError(f"{what}: it is a folder, not a file")
        return sqlite3.connect(str(path), check_same_thread=False, timeout=30)


def ensure_schema(db: sqlite3.Connection, what: str, tables: Mapping[str, tuple[str, Sequence[str]]],
                  *, version: int | None = None) -> None:
    """Create the missing ``tables`` (name -> (CREATE statement, required columns)), refuse
    a table that lacks a required column, and with ``version`` refuse a newer file and stamp
    an unversioned one.  Writes only what is missing (a read-only file that is complete
    opens)."""
    with guarded(what):
        if version is not None:
            found = db.execute("PRAGMA user_version").fetchone()[0]
            if found > version:
                raise CatalogError(f"{what}: written by a newer ddbsql (schema version {found}; this ddbsql reads "
                                   f"version {version}); upgrade ddbsql to use it")
        existing = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        for name, (create, columns) in tables.items():
            if name in existing:
                have = {r[1] for r in db.execute(f"PRAGMA table_info({name})")}
                missing = [c for c in columns if c not in have]
                if missing:
                    raise CatalogError(f"{what}: its table '{name}' lacks column(s) {', '.join(missing)} (damaged, "
                                       "or not a ddbsql file)")
            else:
                with db:
                    db.execute(create)
        if version is not None and db.execute("PRAGMA user_version").fetchone()[0] != version:
            try:
                db.execute(f"PRAGMA user_version = {int(version)}")
            except sqlite3.OperationalError as exc:
                if "readonly" not in str(exc).lower():
                    raise
