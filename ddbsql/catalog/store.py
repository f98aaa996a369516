"""The metastore: databases and table definitions in a SQLite file that outlives the process.

SQLite gives safe concurrent use by several ddbsql processes.  The default file is
``$DDBSQL_HOME/metastore.db`` (``~/.ddbsql`` when unset).
"""
from __future__ import annotations

import fnmatch
import json
import os
import threading
import time
from pathlib import Path

from ..errors import AlreadyExistsError, CatalogError
from .model import DEFAULT_DATABASE, TableDef
from .sqlite_files import METASTORE_VERSION, connect, ensure_schema, guard, guarded, loads

#: the metastore's own tables (the job records add theirs, see :mod:`.jobs`)
METASTORE_TABLES = {
    "databases": ("CREATE TABLE IF NOT EXISTS databases (name TEXT PRIMARY KEY, comment TEXT, created REAL)",
                  ("name", "comment", "created")),
    "tables": ("CREATE TABLE IF NOT EXISTS tables (db TEXT, name TEXT, definition TEXT, PRIMARY KEY (db, name))",
               ("db", "name", "definition")),
    # schemas inferred for the built-in dynamodb databases (catalog.builtin), by table
    "inferred_schemas": ("CREATE TABLE IF NOT EXISTS inferred_schemas (key TEXT PRIMARY KEY, data TEXT)",
                         ("key", "data")),
}


def default_home() -> Path:
    """ddbsql's per-user folder: ``$DDBSQL_HOME`` or ``~/.ddbsql``."""
    return Path(os.environ.get("DDBSQL_HOME") or Path.home() / ".ddbsql")


def hive_pattern_matches(pattern: str, name: str) -> bool:
    """Hive's SHOW … LIKE patterns: ``*`` is any text, ``|`` separates alternatives."""
    return any(fnmatch.fnmatchcase(name, alt.strip().lower()) for alt in pattern.split("|"))


class Metastore:
    """Databases and tables.  Thread-safe; every call is its own transaction."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._lock = threading.Lock()
        self._jobs = None
        self._db = connect(path, self.describe())
        try:
            ensure_schema(self._db, self.describe(), METASTORE_TABLES, version=METASTORE_VERSION)
            with guarded(self.describe()), self._lock:
                if self._db.execute("SELECT 1 FROM databases WHERE name = ?", (DEFAULT_DATABASE,)).fetchone() is None:
                    with self._db:
                        self._db.execute("INSERT OR IGNORE INTO databases VALUES (?, ?, ?)",
                                         (DEFAULT_DATABASE, "Default Hive database", time.time()))
        except BaseException:
            self._db.close()
            raise

    def describe(self) -> str:
        return f"the metastore {self.path}"

    def close(self) -> None:
        with self._lock:
            self._db.close()
            if self._jobs is not None:
                self._jobs.close()

    def jobs(self):
        """The write jobs recorded in this metastore (:class:`~ddbsql.catalog.jobs.JobStore`)."""
        from .jobs import JobStore
        with self._lock:
            if self._jobs is None:
                self._jobs = JobStore(None if str(self.path) == ":memory:" else self.path)
            return self._jobs

    # databases
    @guard
    def databases(self, pattern: str | None = None) -> list[str]:
        with self._lock:
            names = [r[0] for r in self._db.execute("SELECT name FROM databases ORDER BY name")]
        return [n for n in names if pattern is None or hive_pattern_matches(pattern, n)]

    @guard
    def has_database(self, name: str) -> bool:
        with self._lock:
            return self._db.execute("SELECT 1 FROM databases WHERE name = ?", (name,)).fetchone() is not None

    @guard
    def create_database(self, name: str, *, if_not_exists: bool = False, comment: str | None = None) -> None:
        # one INSERT: the check and the write are one step, also between processes
        with self._lock, self._db:
            inserted = self._db.execute("INSERT OR IGNORE INTO databases VALUES (?, ?, ?)",
                                        (name, comment, time.time())).rowcount
        if not inserted and not if_not_exists:
            raise AlreadyExistsError(f"database '{name}' already exists")

    @guard
    def drop_database(self, name: str, *, if_exists: bool = False, cascade: bool = False) -> list[TableDef]:
        """Drop a database; returns the tables dropped with it (``cascade``)."""
        if name == DEFAULT_DATABASE:
            raise CatalogError("the default database cannot be dropped")
        with self._lock, self._db:
            if not self._db.execute("SELECT 1 FROM databases WHERE name = ?", (name,)).fetchone():
                if if_exists:
                    return []
                raise CatalogError(f"database '{name}' does not exist")
            rows = self._db.execute("SELECT definition FROM tables WHERE db = ?", (name,)).fetchall()
            if rows and not cascade:
                raise CatalogError(f"database '{name}' is not empty (use DROP DATABASE … CASCADE)")
            self._db.execute("DELETE FROM tables WHERE db = ?", (name,))
            self._db.execute("DELETE FROM databases WHERE name = ?", (name,))
        return [self._definition(name, None, r[0]) for r in rows]

    @staticmethod
    def _definition(database: str, name: str | None, text: str) -> TableDef:
        what = f"the definition of table {database}.{name}" if name else f"a table definition of database {database}"
        data = loads(text, what)
        try:
            return TableDef.from_json(data)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise CatalogError(f"{what} is damaged in the metastore ({type(exc).__name__}: {exc})") from None

    # tables
    @guard
    def tables(self, database: str, pattern: str | None = None) -> list[str]:
        with self._lock:
            names = [r[0] for r in self._db.execute("SELECT name FROM tables WHERE db = ? ORDER BY name", (database,))]
        return [n for n in names if pattern is None or hive_pattern_matches(pattern, n)]

    @guard
    def get(self, database: str, name: str) -> TableDef | None:
        with self._lock:
            row = self._db.execute("SELECT definition FROM tables WHERE db = ? AND name = ?",
                                   (database, name)).fetchone()
        return self._definition(database, name, row[0]) if row else None

    @guard
    def put(self, table: TableDef, *, replace: bool = False) -> None:
        """Store a table; without ``replace`` an existing one is an :class:`AlreadyExistsError`
        (one INSERT: two processes creating the same table cannot both succeed)."""
        verb = "INSERT OR REPLACE" if replace else "INSERT OR IGNORE"
        with self._lock, self._db:
            if not self._db.execute("SELECT 1 FROM databases WHERE name = ?", (table.database,)).fetchone():
                raise CatalogError(f"database '{table.database}' does not exist")
            stored = self._db.execute(f"{verb} INTO tables VALUES (?, ?, ?)",
                                      (table.database, table.name, json.dumps(table.to_json()))).rowcount
        if not stored:
            raise AlreadyExistsError(f"table {table.qualified} already exists")

    @guard
    def remove(self, database: str, name: str) -> bool:
        with self._lock, self._db:
            cur = self._db.execute("DELETE FROM tables WHERE db = ? AND name = ?", (database, name))
            return cur.rowcount > 0

    # schemas inferred for the built-in dynamodb databases
    def cached_schema(self, key: str) -> dict | None:
        with self._lock:
            row = self._db.execute("SELECT data FROM inferred_schemas WHERE key = ?", (key,)).fetchone()
        return json.loads(row[0]) if row else None

    def store_schema(self, key: str, data: dict) -> None:
        with self._lock, self._db:
            self._db.execute("INSERT OR REPLACE INTO inferred_schemas VALUES (?, ?)", (key, json.dumps(data)))
