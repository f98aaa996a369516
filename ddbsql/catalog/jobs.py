"""Write jobs and their checkpoints: facts that outlive the process that wrote them.

A job is one INSERT (or multi-insert) into DynamoDB tables, or one UPDATE, DELETE or
MERGE, identified by a hash of
its statement, targets and the settings that shape its rows (see
:mod:`ddbsql.session.jobs`).  The metastore's ``jobs`` table holds one row per job:
statement, database, settings, targets, state (``running``, ``failed``,
``cancelled``, ``done``), the process that ran it last, times and counters.

The checkpoint of a job lives in a file of its own next to the metastore,
``jobs/<id>.sqlite`` (it can grow with the job; it is deleted when the job is done):

``keys``
    a 16-byte digest of the key of every row DynamoDB acknowledged, per target, with
    whether it was written (or only declined by its condition), and the run, Scan
    segment and page it came from (segment -1: not from a checkpointed Scan).  Rows are
    appended (no index to keep up while a job writes thousands of rows a second); a key
    acknowledged again is a later row, and the latest one counts.  A resumed run indexes
    the digests once, then asks about each key (:meth:`Checkpoint.prior`): nothing of the
    checkpoint is held in memory;
``segments``
    per target and Scan segment of a straight copy, the ``LastEvaluatedKey`` up to
    which every row has been acknowledged (JSON; ``finished``: the whole segment), and
    how many of those rows were written;
``changes``
    UPDATE, DELETE and MERGE: per item changed, the digest of its key, the action and
    the item's *after-image* (the attribute values the change writes, JSON), committed
    before the change is sent (``done`` 0), and again once DynamoDB acknowledged it
    (``done`` 1).  Append-only; the latest row of a key counts.

Each :meth:`Checkpoint.commit` is one SQLite transaction: a kill -9 leaves the
checkpoint as of the last commit.
"""
from __future__ import annotations

import base64
import dataclasses
import json
import os
import socket
import threading
import time
from pathlib import Path
from typing import Iterable, Sequence

from ..config import without_secrets
from .sqlite_files import connect, ensure_schema, guard, loads

#: the job records, in the metastore file
JOB_TABLES = {
    "jobs": ("CREATE TABLE IF NOT EXISTS jobs (id TEXT PRIMARY KEY, statement TEXT, database TEXT, settings TEXT,"
             " targets TEXT, state TEXT, runs INTEGER, pid INTEGER, host TEXT, started REAL, updated REAL,"
             " written INTEGER, message TEXT)",
             ("id", "statement", "database", "settings", "targets", "state", "runs", "pid", "host", "started",
              "updated", "written", "message")),
}
#: a checkpoint file
CHECKPOINT_TABLES = {
    "keys": ("CREATE TABLE IF NOT EXISTS keys (target INTEGER, digest BLOB, written INTEGER, run INTEGER,"
             " segment INTEGER, page INTEGER)", ("target", "digest", "written", "run", "segment", "page")),
    "segments": ("CREATE TABLE IF NOT EXISTS segments (target INTEGER, segment INTEGER, total INTEGER,"
                 " start_key TEXT, finished INTEGER, written INTEGER, rows INTEGER, PRIMARY KEY (target, segment))",
                 ("target", "segment", "total", "start_key", "finished", "written", "rows")),
    "changes": ("CREATE TABLE IF NOT EXISTS changes (target INTEGER, digest BLOB, run INTEGER, action TEXT,"
                " after TEXT, done INTEGER)", ("target", "digest", "run", "action", "after", "done")),
}

RUNNING, FAILED, CANCELLED, DONE = "running", "failed", "cancelled", "done"
UNFINISHED = (RUNNING, FAILED, CANCELLED)


def _to_json(value):
    if isinstance(value, (bytes, bytearray, memoryview)):
        return {"$b64": base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, dict):
        return {k: _to_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_to_json(v) for v in value]
    return value


def _from_json(value):
    if isinstance(value, dict):
        if set(value) == {"$b64"}:
            return base64.b64decode(value["$b64"])
        return {k: _from_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_from_json(v) for v in value]
    return value


def dump_key(key: dict | None) -> str | None:
    """A DynamoDB key (``LastEvaluatedKey``, binary as bytes) as JSON text."""
    return None if key is None else json.dumps(_to_json(key), sort_keys=True)


def load_key(text: str | None) -> dict | None:
    return None if text is None else _from_json(loads(text, "a scan position of a checkpoint"))


@dataclasses.dataclass
class JobRecord:
    id: str
    statement: str
    database: str
    settings: dict[str, str]
    targets: list[str]
    state: str = RUNNING
    runs: int = 1
    pid: int | None = None
    host: str | None = None
    started: float = 0.0
    updated: float = 0.0
    written: int = 0
    message: str | None = None

    @property
    def unfinished(self) -> bool:
        return self.state in UNFINISHED

    def running_elsewhere(self) -> bool:
        """Marked running by another live process of this host (a crashed one is not)."""
        if self.state != RUNNING or self.pid is None or self.pid == os.getpid() or self.host != socket.gethostname():
            return False
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        except OSError:
            return False
        return True


_COLUMNS = ("id", "statement", "database", "settings", "targets", "state", "runs", "pid", "host", "started",
            "updated", "written", "message")


@dataclasses.dataclass
class SegmentState:
    """How far one Scan segment of a straight copy has been written."""

    segment: int
    total: int                  # TotalSegments of the Scan it belongs to
    start_key: dict | None      # resume with this ExclusiveStartKey (None: from the start)
    finished: bool
    written: int                # rows written from the pages before start_key, by every run
    rows: int = 0               # rows of those pages (written, skipped, rejected)


class Checkpoint:
    """The checkpoint file of one job.  Thread-safe; every commit is one transaction."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._lock = threading.Lock()
        self._db = connect(self.path, self.describe())
        try:
            ensure_schema(self._db, self.describe(), CHECKPOINT_TABLES)
        except BaseException:
            self._db.close()
            raise

    def describe(self) -> str:
        return (f"the checkpoint {self.path} (SET ddbsql.job.resume=false runs the statement afresh; "
                "ddbsql --jobs lists the jobs)")

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def commit(self, target: int, keys: Iterable[tuple[bytes, bool, int, int, int]],
               segments: Sequence[tuple[SegmentState, int, int]] = ()) -> None:
        """Record acknowledged ``keys`` (digest, written, run, segment, page) and advanced
        ``segments`` (state, run, last page now covered by it: its keys are dropped)."""
        self.commit_rows([(target, d, int(w), r, s, p) for d, w, r, s, p in keys], segments, target)

    @guard
    def commit_rows(self, rows: Sequence[tuple[int, bytes, int, int, int, int]],
                    segments: Sequence[tuple[SegmentState, int, int]] = (), target: int = 0) -> None:
        """:meth:`commit` with the keys as rows of the keys table (target, digest,
        written 0/1, run, segment, page), as a write job builds them; ``target`` is the
        target of ``segments``."""
        with self._lock, self._db:
            self._db.executemany("INSERT INTO keys VALUES (?, ?, ?, ?, ?, ?)", rows)
            for state, run, page in segments:
                self._db.execute("INSERT OR REPLACE INTO segments VALUES (?, ?, ?, ?, ?, ?, ?)",
                                 (target, state.segment, state.total, dump_key(state.start_key),
                                  int(state.finished), state.written, state.rows))
                self._db.execute("DELETE FROM keys WHERE target = ? AND run = ? AND segment = ? AND page <= ?",
                                 (target, run, state.segment, page))

    @guard
    def acknowledged(self, target: int) -> dict[bytes, bool]:
        """Digest -> written, for every acknowledged key of ``target`` still recorded (the
        latest acknowledgement of a key counts).  All in memory: see :meth:`prior`."""
        with self._lock:
            return {bytes(d): bool(w) for d, w in
                    self._db.execute("SELECT digest, written FROM keys WHERE target = ? ORDER BY rowid", (target,))}

    @guard
    def prior(self, target: int, run: int) -> "PriorKeys":
        """What runs before ``run`` acknowledged for ``target``, asked key by key from the
        file (indexed here, once)."""
        with self._lock, self._db:
            self._db.execute("CREATE INDEX IF NOT EXISTS keys_digest ON keys (target, digest)")
            any_key = self._db.execute("SELECT 1 FROM keys WHERE target = ? AND run < ? LIMIT 1",
                                       (target, run)).fetchone() is not None
        return PriorKeys(self, target, run, any_key)

    @guard
    def _latest(self, target: int, digest: bytes, run: int) -> bool | None:
        with self._lock:
            row = self._db.execute("SELECT written FROM keys WHERE target = ? AND digest = ? AND run < ?"
                                   " ORDER BY rowid DESC LIMIT 1", (target, digest, run)).fetchone()
        return None if row is None else bool(row[0])

    @guard
    def segments(self, target: int) -> dict[int, SegmentState]:
        with self._lock:
            rows = self._db.execute("SELECT segment, total, start_key, finished, written, rows FROM segments"
                                    " WHERE target = ?", (target,)).fetchall()
        return {s: SegmentState(s, total, load_key(key), bool(done), written, n)
                for s, total, key, done, written, n in rows}

    @guard
    def counts(self) -> tuple[int, int]:
        """(acknowledged keys recorded, rows covered by segment positions), every target;
        for UPDATE/DELETE/MERGE the keys are the items recorded as changed or about to be."""
        with self._lock:
            keys = self._db.execute("SELECT count(*) FROM (SELECT DISTINCT target, digest FROM keys)").fetchone()[0]
            keys += self._db.execute("SELECT count(*) FROM (SELECT DISTINCT target, digest FROM changes)").fetchone()[0]
            rows = self._db.execute("SELECT coalesce(sum(rows), 0) FROM segments").fetchone()[0]
        return keys, rows

    @guard
    def record_changes(self, target: int, run: int, entries: Iterable[tuple[bytes, str, str | None, bool]]) -> None:
        """Record item changes ``(digest, action, after-image JSON, done)`` in one transaction."""
        with self._lock, self._db:
            self._db.executemany("INSERT INTO changes VALUES (?, ?, ?, ?, ?, ?)",
                                 ((target, d, run, a, after, int(done)) for d, a, after, done in entries))

    @guard
    def index_changes(self) -> None:
        """Index the recorded changes by key (once, when a run resumes)."""
        with self._lock, self._db:
            self._db.execute("CREATE INDEX IF NOT EXISTS changes_digest ON changes (target, digest)")

    @guard
    def prior_change(self, target: int, digest: bytes, run: int) -> tuple[str, str | None, bool] | None:
        """``(action, after-image JSON, done)`` of the latest change runs before ``run``
        recorded for the item, or None."""
        with self._lock:
            row = self._db.execute("SELECT action, after, done FROM changes WHERE target = ? AND digest = ? AND run < ?"
                                   " ORDER BY rowid DESC LIMIT 1", (target, digest, run)).fetchone()
        return None if row is None else (row[0], row[1], bool(row[2]))


class PriorKeys:
    """The keys earlier runs of a job acknowledged for one target: ``get(digest)`` is
    whether the latest of them was written (True), declined by its condition (False), or
    never acknowledged (None).  False as a whole when there are none."""

    def __init__(self, checkpoint: Checkpoint, target: int, run: int, any_key: bool):
        self._checkpoint = checkpoint
        self._target = target
        self._run = run
        self._any = any_key

    def __bool__(self) -> bool:
        return self._any

    def get(self, digest: bytes) -> bool | None:
        return self._checkpoint._latest(self._target, digest, self._run) if self._any else None


class JobStore:
    """The ``jobs`` table of a metastore file, and the checkpoint files beside it.

    ``path=None`` (an in-memory metastore) keeps jobs for this process only.
    """

    def __init__(self, path: str | Path | None, *, clock=time.time):
        self.path = Path(path) if path is not None else None
        self.clock = clock
        self._lock = threading.Lock()
        self._db = connect(self.path or ":memory:", self.describe())
        self._scratch = None
        try:
            ensure_schema(self._db, self.describe(), JOB_TABLES)
        except BaseException:
            self._db.close()
            raise

    def describe(self) -> str:
        return f"the job records of the metastore {self.path or '(in memory)'}"

    def close(self) -> None:
        with self._lock:
            self._db.close()
        if self._scratch is not None:
            self._scratch.cleanup()

    @property
    def directory(self) -> Path:
        if self.path is not None:
            return self.path.parent / "jobs"
        if self._scratch is None:
            import tempfile
            self._scratch = tempfile.TemporaryDirectory(prefix="ddbsql-jobs-")
        return Path(self._scratch.name)

    def checkpoint_path(self, job_id: str) -> Path:
        return self.directory / f"{job_id}.sqlite"

    def open_checkpoint(self, job_id: str, *, fresh: bool) -> Checkpoint:
        """The job's checkpoint; ``fresh`` deletes what an earlier run left first."""
        if fresh:
            self.drop_checkpoint(job_id)
        return Checkpoint(self.checkpoint_path(job_id))

    def drop_checkpoint(self, job_id: str) -> None:
        path = self.checkpoint_path(job_id)
        for suffix in ("", "-journal", "-wal", "-shm"):
            try:
                os.unlink(str(path) + suffix)
            except FileNotFoundError:
                pass

    @guard
    def get(self, job_id: str) -> JobRecord | None:
        with self._lock:
            row = self._db.execute(f"SELECT {', '.join(_COLUMNS)} FROM jobs WHERE id = ?", (job_id,)).fetchone()
        return self._record(row) if row else None

    @guard
    def find(self, prefix: str) -> list[JobRecord]:
        """Jobs whose id starts with ``prefix`` (ids are long; a few characters usually do);
        none for an empty prefix."""
        if not prefix.replace("%", "").replace("_", ""):
            return []
        with self._lock:
            rows = self._db.execute(f"SELECT {', '.join(_COLUMNS)} FROM jobs WHERE id LIKE ? ORDER BY started",
                                    (prefix.replace("%", "").replace("_", "") + "%",)).fetchall()
        return [self._record(r) for r in rows]

    @guard
    def jobs(self) -> list[JobRecord]:
        with self._lock:
            rows = self._db.execute(f"SELECT {', '.join(_COLUMNS)} FROM jobs ORDER BY updated").fetchall()
        return [self._record(r) for r in rows]

    @staticmethod
    def _record(row) -> JobRecord:
        values = dict(zip(_COLUMNS, row))
        what = f"the record of job {values['id']}"
        values["settings"] = loads(values["settings"] or "{}", what)
        values["targets"] = loads(values["targets"] or "[]", what)
        return JobRecord(**values)

    @guard
    def save(self, record: JobRecord) -> None:
        record.updated = self.clock()
        values = dataclasses.asdict(record)
        # credentials never reach the disk (they have no part in what a job writes)
        values["settings"] = json.dumps(without_secrets(record.settings), sort_keys=True)
        values["targets"] = json.dumps(record.targets)
        with self._lock, self._db:
            self._db.execute(f"INSERT OR REPLACE INTO jobs ({', '.join(_COLUMNS)}) VALUES "
                             f"({', '.join('?' for _ in _COLUMNS)})", tuple(values[c] for c in _COLUMNS))

    def start(self, record: JobRecord) -> JobRecord:
        record.pid = os.getpid()
        record.host = socket.gethostname()
        record.state = RUNNING
        record.started = record.started or self.clock()
        self.save(record)
        return record

    def finish(self, record: JobRecord, state: str, *, written: int | None = None, message: str | None = None) -> None:
        record.state = state
        if written is not None:
            record.written = written
        record.message = message
        self.save(record)
        if state == DONE:
            self.drop_checkpoint(record.id)

    @guard
    def remove(self, job_id: str) -> None:
        with self._lock, self._db:
            self._db.execute("DELETE FROM jobs WHERE id = ?", (job_id,))
        self.drop_checkpoint(job_id)
