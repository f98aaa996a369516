"""Tracking a write job's progress for its checkpoint (see :mod:`ddbsql.catalog.jobs`).

A :class:`JobTracker` is the :class:`~ddbsql.exec.writer.WriteHook` of one target:

* every row DynamoDB acknowledged adds its key digest to the checkpoint;
* in a straight copy the rows arrive page by page (:meth:`JobTracker.add_page`): once
  every row of a Scan segment's pages up to some page is settled (acknowledged,
  rejected or skipped), the segment's position advances to that page's
  ``LastEvaluatedKey`` and the keys of those pages are dropped from the checkpoint;
* when resuming, :meth:`JobTracker.skip` says which rows the interrupted run already
  wrote: the first row of the statement with an acknowledged key is skipped, any later
  row with that key is written again (so in ``put`` mode the last row still wins).

What is recorded is committed every ``interval`` seconds (and at :meth:`close`) on a
thread of its own, never per row.  The keys waiting for a commit are bounded
(:data:`MAX_PENDING_KEYS`): beyond that the flusher is woken at once and the threads
acknowledging rows wait for it, so a checkpoint slower than the writes holds the writes
back instead of its backlog growing with the job.
"""
from __future__ import annotations

import bisect
import collections
import dataclasses
import threading
import time
from typing import Callable, Mapping, Sequence

from ..catalog.jobs import Checkpoint, SegmentState
from .keyset import KeySet
from .writer import key_digest, key_of

#: keys acknowledged but not yet committed, at most (about 100 bytes each while they wait)
MAX_PENDING_KEYS = 50_000

#: the "segment" of keys not written from a checkpointed Scan
NO_SEGMENT = -1


@dataclasses.dataclass
class _Page:
    segment: int
    number: int
    first_row: int
    rows: int
    last_key: dict | None       # the page's LastEvaluatedKey (None: the segment's last page)
    settled: int = 0
    written: int = 0


class JobTracker:
    """The checkpoint side of one target's write (thread-safe)."""

    def __init__(self, checkpoint: Checkpoint, target: int, key_attributes: Sequence[str], *, run: int,
                 prior: Mapping[bytes, bool] | None = None, segments: dict[int, SegmentState] | None = None,
                 interval: float = 2.0, clock: Callable[[], float] = time.monotonic):
        self.checkpoint = checkpoint
        self.target = target
        self.key_attributes = tuple(key_attributes)
        self.run = run
        self.interval = interval
        self.clock = clock
        #: keys an earlier run had acknowledged: ``get(digest)`` -> written (a dict, or the
        #: checkpoint's :class:`~ddbsql.catalog.jobs.PriorKeys`, asked key by key)
        self._prior = prior or {}
        #: those of them this run met once already (spills to disk beyond a million)
        self._seen = KeySet()
        #: rows not sent because an earlier run acknowledged them (written / declined)
        self.resumed_written = 0
        self.resumed_declined = 0
        #: rows this run has had acknowledged as written (what a failed run reports)
        self.written = 0
        self._lock = threading.Lock()
        #: rows of the checkpoint's keys table waiting for the next commit
        self._keys: list[tuple[int, bytes, int, int, int, int]] = []
        self._drained = threading.Condition(self._lock)    # notified after each flush
        self._wake = threading.Event()                      # flush now: the backlog is full
        # straight copy: pages in row order, and per segment the pages not yet covered
        self._segments: dict[int, SegmentState] = dict(segments or {})
        self._starts: list[int] = []
        self._pages: list[_Page] = []
        self._open: dict[int, collections.deque[_Page]] = {}
        self._advanced: dict[int, tuple[SegmentState, int]] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.error: BaseException | None = None

    # the flusher
    def start(self) -> "JobTracker":
        self._thread = threading.Thread(target=self._flush_loop, name="ddbsql-checkpoint", daemon=True)
        self._thread.start()
        return self

    def _flush_loop(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self.interval)
            self._wake.clear()
            if not self._stop.is_set():
                self.flush()

    def flush(self) -> None:
        """Commit what was recorded since the last flush (one transaction)."""
        with self._lock:
            keys, self._keys = self._keys, []
            advanced = [(dataclasses.replace(state), self.run, page) for state, page in self._advanced.values()]
            self._advanced = {}
        try:
            if keys or advanced:
                self.checkpoint.commit_rows(keys, advanced, self.target)
        except Exception as exc:  # a checkpoint that cannot be written must not break the write itself
            self.error = exc
        finally:
            with self._lock:
                self._drained.notify_all()

    def _wait_for_room(self) -> None:
        """Caller holds the lock: wait while the backlog is full (the flusher is woken)."""
        while len(self._keys) >= MAX_PENDING_KEYS and self._thread is not None and not self._stop.is_set():
            self._wake.set()
            self._drained.wait(1.0)

    def close(self) -> None:
        """Stop the flusher and commit the rest."""
        self._stop.set()
        self._wake.set()
        with self._lock:
            self._drained.notify_all()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        self.flush()
        self._seen.close()

    # straight copy: pages
    @property
    def segmented(self) -> bool:
        return bool(self._segments) or bool(self._pages)

    def add_page(self, segment: int, number: int, first_row: int, rows: int, last_key: dict | None, *,
                 total: int) -> None:
        """The next page of ``segment`` (of a ``total``-segment Scan): its rows are the
        writer's rows ``first_row`` onwards."""
        page = _Page(segment, number, first_row, rows, last_key)
        with self._lock:
            if segment not in self._segments:
                self._segments[segment] = SegmentState(segment, total, None, False, 0)
            self._starts.append(first_row)
            self._pages.append(page)
            self._open.setdefault(segment, collections.deque()).append(page)
            self._advance(segment)

    def _page_of(self, row: int) -> _Page | None:
        index = bisect.bisect_right(self._starts, row) - 1
        return self._pages[index] if index >= 0 else None

    def _advance(self, segment: int) -> None:
        pages = self._open.get(segment)
        state = self._segments[segment]
        last = None
        while pages and pages[0].settled >= pages[0].rows:
            page = pages.popleft()
            state.written += page.written
            state.rows += page.rows
            state.start_key = page.last_key
            state.finished = page.last_key is None
            last = page.number
        if last is not None:
            self._advanced[segment] = (state, last)

    def _settle(self, rows: Sequence[int], written: int = 0) -> None:
        """Caller holds the lock."""
        if not self._pages:
            return
        touched = set()
        for row in rows:
            page = self._page_of(row)
            if page is None:
                continue
            page.settled += 1
            touched.add(page.segment)
        if written:
            for row in rows[:written]:
                page = self._page_of(row)
                if page is not None:
                    page.written += 1
        for segment in touched:
            self._advance(segment)

    # the WriteHook
    def skip(self, row: int, key: tuple) -> bool:
        if not self._prior:
            return False
        digest = key_digest(key)
        with self._lock:
            written = self._prior.get(digest)
            if written is None or self._seen.has_digest(digest):
                return False            # new, or a later row with the key: written (the last row wins)
            self._seen.add_digest(digest)
            if written:
                self.resumed_written += 1
            else:
                self.resumed_declined += 1
            self._settle([row], written=1 if written else 0)
        return True

    def acknowledged(self, entries: Sequence[tuple[int, dict]], written: bool,
                     keys: Sequence[tuple] | None = None) -> None:
        if keys is None:
            keys = [key_of(item, self.key_attributes) for _, item in entries]
        digests = [(row, key_digest(key)) for (row, _), key in zip(entries, keys)]
        target, run, done = self.target, self.run, int(written)
        with self._lock:
            self._wait_for_room()
            if self._pages:
                for row, digest in digests:
                    page = self._page_of(row)
                    segment, number = (page.segment, page.number) if page is not None else (NO_SEGMENT, 0)
                    self._keys.append((target, digest, done, run, segment, number))
            else:
                self._keys.extend((target, digest, done, run, NO_SEGMENT, 0) for _, digest in digests)
            if written:
                self.written += len(entries)
            self._settle([row for row, _ in entries], written=len(entries) if written else 0)

    def settled(self, rows: Sequence[int]) -> None:
        with self._lock:
            self._settle(list(rows))
