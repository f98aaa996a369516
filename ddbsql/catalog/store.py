"""The metastore: databases and table definitions in a SQLite file that outlives the process.

SQLite gives safe concurrent use by several ddbsql processes.  The default file is
``$DDBSQL_HOME/metastore.db`` (``~/.ddbsql`` when unset).
"""
from __future__ import annotations

import fnmatch
import json
import os
import sqlite3
import threading
import time
from pathlib import Path

from ..errors import CatalogError
from .model import DEFAULT_DATABASE, TableDef


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
        if str(path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._jobs = None
        self._db = sqlite3.connect(str(path), check_same_thread=False, timeout=30)
        with self._lock, self._db:
            self._db.execute("CREATE TABLE IF NOT EXISTS databases (name TEXT PRIMARY KEY, comment TEXT, created REAL)")
            self._db.execute("CREATE TABLE IF NOT EXISTS tables (db TEXT, name TEXT, definition TEXT,"
                             " PRIMARY KEY (db, name))")
            # schemas inferred for the built-in dynamodb databases (catalog.builtin), by table
            self._db.execute("CREATE TABLE IF NOT EXISTS inferred_schemas (key TEXT PRIMARY KEY, data TEXT)")
            self._db.execute("INSERT OR IGNORE INTO databases VALUES (?, ?, ?)",
                             (DEFAULT_DATABASE, "Default Hive database", time.time()))

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
    def databases(self, pattern: str | None = None) -> list[str]:
        with self._lock:
            names = [r[0] for r in self._db.execute("SELECT name FROM databases ORDER BY name")]
        return [n for n in names if pattern is None or hive_pattern_matches(pattern, n)]

    def has_database(self, name: str) -> bool:
        with self._lock:
            return self._db.execute("SELECT 1 FROM databases WHERE name = ?", (name,)).fetchone() is not None

    def create_database(self, name: str, *, if_not_exists: bool = False, comment: str | None = None) -> None:
        with self._lock, self._db:
            exists = self._db.execute("SELECT 1 FROM databases WHERE name = ?", (name,)).fetchone()
            if exists:
                if if_not_exists:
                    return
                raise CatalogError(f"database '{name}' already exists")
            self._db.execute("INSERT INTO databases VALUES (?, ?, ?)", (name, comment, time.time()))

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
        return [TableDef.from_json(json.loads(r[0])) for r in rows]

    # tables
    def tables(self, database: str, pattern: str | None = None) -> list[str]:
        with self._lock:
            names = [r[0] for r in self._db.execute("SELECT name FROM tables WHERE db = ? ORDER BY name", (database,))]
        return [n for n in names if pattern is None or hive_pattern_matches(pattern, n)]

    def get(self, database: str, name: str) -> TableDef | None:
        with self._lock:
            row = self._db.execute("SELECT definition FROM tables WHERE db = ? AND name = ?",
                                   (database, name)).fetchone()
        return TableDef.from_json(json.loads(row[0])) if row else None

    def put(self, table: TableDef, *, replace: bool = False) -> None:
        """Store a table; without ``replace`` an existing one is a :class:`CatalogError`."""
        with self._lock, self._db:
            if not self._db.execute("SELECT 1 FROM databases WHERE name = ?", (table.database,)).fetchone():
                raise CatalogError(f"database '{table.database}' does not exist")
            if not replace and self._db.execute("SELECT 1 FROM tables WHERE db = ? AND name = ?",
                                                (table.database, table.name)).fetchone():
                raise CatalogError(f"table {table.qualified} already exists")
            self._db.execute("INSERT OR REPLACE INTO tables VALUES (?, ?, ?)",
                             (table.database, table.name, json.dumps(table.to_json())))

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
