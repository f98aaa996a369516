"""The DuckDB side: one DuckDB database per warehouse file and process, a connection of
it per session, and Arrow streams registered as views for the length of one statement.

DuckDB itself reaches no file and no network: external access is off, extensions are
neither installed nor loaded, and the configuration is locked, so SQL cannot turn any
of it back on.  The only paths it may open are the warehouse file (and its WAL) and a
private spill folder; ddbsql's own readers hand it every other file as Arrow data.
"""
from __future__ import annotations

import itertools
import os
import shutil
import tempfile
import threading
import time
from pathlib import Path

import duckdb
import pyarrow as pa

from ..errors import ExecutionError, Unavailable
from . import hive_functions

WAREHOUSE = "wh"
#: how long a session waits for another process to let go of the warehouse file
WAREHOUSE_WAIT_SECONDS = 10.0
#: the files DuckDB keeps for one database file: itself and its write-ahead log's stages
_WAREHOUSE_SUFFIXES = ("", ".wal", ".wal.checkpoint", ".wal.recovery")


class _Database:
    """One locked-down DuckDB database, shared by the sessions of a process that use the
    same warehouse file (DuckDB allows one writer process per file, so a process attaches
    it once and every session of the process works through a connection of its own)."""

    def __init__(self, warehouse_path: Path | None, threads: int | None):
        self.warehouse_path = warehouse_path
        self.spill = Path(tempfile.mkdtemp(prefix="ddbsql-spill-"))
        root = duckdb.connect(":memory:", config={"autoinstall_known_extensions": False,
                                                  "autoload_known_extensions": False})
        try:
            if warehouse_path is not None:
                wh = str(warehouse_path)
                root.execute("SET allowed_paths = ?", [[wh + suffix for suffix in _WAREHOUSE_SUFFIXES]])
            root.execute("SET allowed_directories = ?", [[str(self.spill) + os.sep]])
            root.execute("SET temp_directory = ?", [str(self.spill)])
            root.execute("SET TimeZone = 'UTC'")
            hive_functions.install(root)  # Hive's functions DuckDB lacks, for every session
            # stdout carries query results only: no progress bar drawn there
            root.execute("SET enable_progress_bar = false")
            if threads:
                root.execute(f"SET threads = {int(threads)}")
            root.execute("SET enable_external_access = false")
            root.execute("SET lock_configuration = true")
        except BaseException:
            root.close()
            shutil.rmtree(self.spill, ignore_errors=True)
            raise
        self.root = root
        self.users = 0
        self.attached = False
        self.lock = threading.Lock()

    def attach(self, wait_seconds: float) -> None:
        """Attach the warehouse once; another process holding it is waited for, then an
        :class:`~ddbsql.errors.Unavailable` error."""
        with self.lock:
            if self.attached:
                return
            if self.warehouse_path is None:
                self.root.execute(f"ATTACH ':memory:' AS {WAREHOUSE}")
            else:
                self.warehouse_path.parent.mkdir(parents=True, exist_ok=True)
                deadline = time.monotonic() + wait_seconds
                while True:
                    try:
                        self.root.execute(f"ATTACH ? AS {WAREHOUSE}", [str(self.warehouse_path)])
                        break
                    except duckdb.IOException as exc:
                        busy = "lock" in str(exc).lower()
                        if busy and time.monotonic() < deadline:
                            time.sleep(0.2)
                            continue
                        if busy:
                            raise Unavailable(f"the local table warehouse {self.warehouse_path} is in use by another "
                                              f"ddbsql process (waited {wait_seconds:g} s); retry when it ends"
                                              ) from None
                        raise ExecutionError(f"cannot open the local table warehouse {self.warehouse_path}: "
                                             f"{str(exc).splitlines()[0]}") from None
                    except duckdb.Error as exc:
                        raise ExecutionError(f"cannot open the local table warehouse {self.warehouse_path}: "
                                             f"{str(exc).splitlines()[0]}") from None
            self.attached = True

    def close(self) -> None:
        self.root.close()
        shutil.rmtree(self.spill, ignore_errors=True)


_databases: dict[Path, _Database] = {}
_databases_lock = threading.Lock()


def _acquire(warehouse_path: Path | None, threads: int | None) -> _Database:
    if warehouse_path is None:  # an in-memory warehouse belongs to its session alone
        database = _Database(None, threads)
        database.users = 1
        return database
    key = Path(os.path.abspath(warehouse_path))
    with _databases_lock:
        database = _databases.get(key)
        if database is None:
            database = _databases[key] = _Database(key, threads)
        database.users += 1
        return database


def _release(database: _Database) -> None:
    with _databases_lock:
        database.users -= 1
        if database.users > 0:
            return
        if database.warehouse_path is not None and _databases.get(database.warehouse_path) is database:
            del _databases[database.warehouse_path]
    database.close()


class Engine:
    """DuckDB in UTC (as EMR runs Hive), with ddbsql's warehouse attached on first use.

    Sessions of one process that name the same warehouse file share it (each through its
    own DuckDB connection, so registered streams stay private to a session)."""

    def __init__(self, warehouse_path: str | Path | None, *, threads: int | None = None,
                 wait_seconds: float = WAREHOUSE_WAIT_SECONDS):
        self.warehouse_path = Path(warehouse_path) if warehouse_path else None
        self._database = _acquire(self.warehouse_path, threads)
        try:
            self.con = self._database.root.cursor()
        except BaseException:
            _release(self._database)
            raise
        self.wait_seconds = wait_seconds
        self._names = itertools.count(1)
        self._registered: list[str] = []
        self._closed = False
        self.lock = threading.RLock()

    def warehouse(self) -> str:
        """Name of the attached warehouse catalog, attaching it if needed."""
        self._database.attach(self.wait_seconds)
        return WAREHOUSE

    def ensure_schema(self, database: str) -> None:
        self.con.execute(f'CREATE SCHEMA IF NOT EXISTS {self.warehouse()}."{database}"')

    def register_stream(self, reader: pa.RecordBatchReader) -> str:
        """Register an Arrow stream under a fresh name valid until :meth:`release`."""
        name = f"__ddbsql_src_{next(self._names)}"
        self.con.register(name, reader)
        self._registered.append(name)
        return name

    def release(self) -> None:
        """Forget every stream registered for the previous statement."""
        for name in self._registered:
            try:
                self.con.unregister(name)
            except duckdb.Error:
                pass
        self._registered.clear()

    def interrupt(self) -> None:
        """Stop the query DuckDB is running, from any thread."""
        try:
            self.con.interrupt()
        except duckdb.Error:
            pass

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self.release()
        self.con.close()
        _release(self._database)
