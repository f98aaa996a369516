"""A set of DynamoDB keys that does not have to fit in memory.

Replace mode must remember the key of every row a statement produced, then delete the
table's other items: for a table of a hundred million items that is more than memory
should hold.  Keys are kept as 16-byte digests (:func:`~ddbsql.exec.writer.key_digest`,
numbers by value), in memory up to ``memory_limit`` of them, then in a SQLite file in
a temporary folder that :meth:`KeySet.close` removes.
"""
from __future__ import annotations

import shutil
import sqlite3
import tempfile
import threading
from pathlib import Path

from .writer import key_digest

#: Digests kept in memory before the set moves to disk (about 80 MB).
MEMORY_LIMIT = 1_000_000
#: Digests added to the file in one transaction.
FLUSH_EVERY = 50_000


class KeySet:
    """``add(key)`` and ``key in keys`` for :func:`~ddbsql.exec.writer.key_of` keys; thread-safe."""

    def __init__(self, *, memory_limit: int | None = None, folder: str | Path | None = None):
        self.memory_limit = MEMORY_LIMIT if memory_limit is None else memory_limit
        self._folder = folder
        self._memory: set[bytes] = set()
        self._pending: set[bytes] = set()
        self._db: sqlite3.Connection | None = None
        self._dir: str | None = None
        self._count_on_disk = 0
        self._lock = threading.Lock()

    @property
    def on_disk(self) -> bool:
        return self._db is not None

    def add(self, key: tuple) -> None:
        self.add_digest(key_digest(key))

    def add_digest(self, digest: bytes) -> None:
        """Add a key by its :func:`~ddbsql.exec.writer.key_digest`."""
        with self._lock:
            if self._db is None:
                self._memory.add(digest)
                if len(self._memory) > self.memory_limit:
                    self._spill()
                return
            self._pending.add(digest)
            if len(self._pending) >= FLUSH_EVERY:
                self._flush()

    def __contains__(self, key: tuple) -> bool:
        return self.has_digest(key_digest(key))

    def has_digest(self, digest: bytes) -> bool:
        """Whether a key with this :func:`~ddbsql.exec.writer.key_digest` was added."""
        with self._lock:
            if self._db is None:
                return digest in self._memory
            if digest in self._pending:
                return True
            return self._db.execute("SELECT 1 FROM keys WHERE d = ?", (digest,)).fetchone() is not None

    def __len__(self) -> int:
        with self._lock:
            if self._db is None:
                return len(self._memory)
            self._flush()
            return self._db.execute("SELECT count(*) FROM keys").fetchone()[0]

    def _spill(self) -> None:
        self._dir = tempfile.mkdtemp(prefix="ddbsql-keys-", dir=self._folder)
        self._db = sqlite3.connect(str(Path(self._dir) / "keys.sqlite"), check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=OFF")
        self._db.execute("PRAGMA synchronous=OFF")
        self._db.execute("CREATE TABLE keys (d BLOB PRIMARY KEY) WITHOUT ROWID")
        self._pending, self._memory = self._memory, set()
        self._flush()

    def _flush(self) -> None:
        if self._pending:
            with self._db:
                self._db.executemany("INSERT OR IGNORE INTO keys VALUES (?)", ((d,) for d in self._pending))
            self._pending = set()

    def close(self) -> None:
        """Forget the keys; remove the file, if the set had moved to disk."""
        with self._lock:
            self._memory = set()
            self._pending = set()
            if self._db is not None:
                self._db.close()
                self._db = None
            if self._dir is not None:
                shutil.rmtree(self._dir, ignore_errors=True)
                self._dir = None
