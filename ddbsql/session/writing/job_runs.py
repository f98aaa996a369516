"""Resumable write jobs: an INSERT into DynamoDB (and an UPDATE, DELETE or MERGE, see
:mod:`ddbsql.exec.change_log`) that a crash or kill -9 does not restart from zero.

Identity
    A job is identified by a hash of its statement (after variable substitution,
    whitespace normalised, and as SQL with any DB-API parameters bound), the current database, its target tables and the settings
    that shape the rows written (``ddbsql.write.mode``, ``ddbsql.write.version.column``,
    ``dynamodb.deletion.mode``, ``dynamodb.null.serialization``).  Budgets and worker
    counts are not part of it: a job may be resumed with another budget.

Checkpoint (see :mod:`ddbsql.catalog.jobs`, :mod:`ddbsql.exec.checkpoint`)
    *Every* INSERT into DynamoDB records the key digest of each row DynamoDB
    acknowledged, committed every :data:`CHECKPOINT_SECONDS`.  A straight copy — one
    DynamoDB table read by a Scan, no join, aggregate, DISTINCT, ORDER/SORT/CLUSTER BY,
    LIMIT, window or subquery, not ``replace`` mode — also records, per Scan segment,
    the ``LastEvaluatedKey`` up to which every row is acknowledged: its pages are run
    through DuckDB one at a time, so each output row is known to come from its page.

Resume
    With ``SET ddbsql.job.resume=true`` (or ``ddbsql --resume JOB``) the statement of an
    unfinished job continues: Scan segments of a straight copy restart from their
    positions, the query (or the rest of the Scan) runs again, and rows whose key an
    earlier run had acknowledged are not sent nor counted as written again.  Without
    it, running the statement of an unfinished job starts afresh and says so.
"""
from __future__ import annotations

import dataclasses
import datetime
import hashlib
import json
from typing import TYPE_CHECKING, Callable, Iterator, Sequence

import duckdb
import pyarrow as pa
from sqlglot import exp

from ...catalog.jobs import CANCELLED, DONE, FAILED, JobRecord, SegmentState
from ...errors import DdbsqlError, ExecutionError
from ...exec.checkpoint import JobTracker
from ...exec.scanner import scan_batches
from ...exec.writer import WriteReport
from ...planner.scan import ScanPlan
from ...sql.dialect import DIALECT
from .dynamodb_writes import InsertTarget, PreparedWrite, prepare_write, write_from, write_plain
from ..binding.execution import duckdb_error, failure
from ..result import Result

if TYPE_CHECKING:
    from ..session import Session
    from ..binding.scans import ScanRecord
    from ..binding.binder import SourceBinder

RESUME = "ddbsql.job.resume"
#: settings that change which items a statement writes: part of a job's identity
SHAPING = ("ddbsql.write.mode", "ddbsql.write.version.column", "dynamodb.deletion.mode",
           "dynamodb.null.serialization")
#: how often acknowledged rows and segment positions are committed
CHECKPOINT_SECONDS = 2.0
#: Scan pages read ahead of the writer in a straight copy (writing is the slower side:
#: more would only hold memory)
READ_AHEAD_PAGES = 2


def statement_identity(tree: exp.Expression | None) -> str | None:
    """The statement as SQL text, parameters bound into it (two executions of one text with
    other parameters are other jobs)."""
    if tree is None:
        return None
    try:
        return tree.sql(dialect=DIALECT)
    except Exception:
        return None


def job_id(session: "Session", text: str, targets: Sequence[str], identity: str | None = None) -> str:
    payload = {"statement": " ".join(text.split()), "database": session.database, "targets": list(targets),
               "settings": {k: session.settings.lookup(k) for k in SHAPING}}
    if identity is not None:
        payload["bound"] = identity
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode("utf-8")).hexdigest()[:16]


def _when(stamp: float) -> str:
    return datetime.datetime.fromtimestamp(stamp).strftime("%Y-%m-%d %H:%M:%S")


class JobRun:
    """One run of a job: its record, checkpoint and one tracker per DynamoDB target."""

    def __init__(self, session: "Session", record: JobRecord | None, checkpoint=None, *, resuming: bool = False,
                 notes: list[str] | None = None):
        self.session = session
        self.record = record
        self.checkpoint = checkpoint
        self.resuming = resuming
        self.notes = notes or []
        self.trackers: dict[int, JobTracker] = {}
        #: per target: rows covered by segment positions an earlier run reached (written, all)
        self.prior_segments: dict[int, tuple[int, int]] = {}
        self.written: dict[int, int] = {}
        #: per target: the writer (its reject count is what a failed run reports)
        self.writers: dict[int, object] = {}
        self._finished = False

    @property
    def active(self) -> bool:
        return self.record is not None

    def hook(self, index: int) -> Callable[[Sequence[str]], JobTracker] | None:
        """A factory of the tracker of target ``index`` (given its key attributes)."""
        if not self.active:
            return None

        def make(key_attributes: Sequence[str]) -> JobTracker:
            prior, segments = {}, {}
            if self.resuming:
                prior = self.checkpoint.prior(index, self.record.runs)
                segments = self.checkpoint.segments(index)
            self.prior_segments[index] = (sum(s.written for s in segments.values()),
                                          sum(s.rows for s in segments.values()))
            tracker = JobTracker(self.checkpoint, index, key_attributes, run=self.record.runs, prior=prior,
                                 segments=segments, interval=CHECKPOINT_SECONDS).start()
            self.trackers[index] = tracker
            return tracker
        return make

    def segment_states(self, index: int) -> dict[int, SegmentState]:
        return self.checkpoint.segments(index) if self.resuming else {}

    def report_notes(self, index: int, report: WriteReport) -> list[str]:
        tracker = self.trackers.get(index)
        if tracker is None:
            return []
        written_before, rows_before = self.prior_segments.get(index, (0, 0))
        already = written_before + tracker.resumed_written
        self.written[index] = already + report.written + report.deleted
        notes = []
        if self.resuming:
            text = (f"Job {self.record.id}: {already} row(s) already written by the interrupted run(s), "
                    f"not sent again")
            if rows_before:
                text += f" ({rows_before} of them not read again: their Scan pages were done)"
            if tracker.resumed_declined:
                text += f"; {tracker.resumed_declined} row(s) the interrupted run(s) found declined by the condition"
            notes.append(text)
        if tracker.error is not None:
            notes.append(f"WARNING: job {self.record.id}: the checkpoint could not be written "
                         f"({tracker.error}); a resume may write some rows again")
        return notes

    def watch(self, index: int, writer) -> None:
        """Count ``writer``'s rejects as target ``index``'s."""
        self.writers[index] = writer

    def counts(self) -> tuple[int, int]:
        """Rows written (by every run of the job) and rejected (by this run) so far."""
        written = 0
        for index, tracker in self.trackers.items():
            if index in self.written:
                written += self.written[index]
            else:
                written += self.prior_segments.get(index, (0, 0))[0] + tracker.resumed_written + tracker.written
        rejected = sum(getattr(getattr(w, "rejects", None), "count", 0) for w in self.writers.values())
        return written, rejected

    def finish(self, ok: bool, error: BaseException | None = None) -> None:
        """Record how the run ended.  A failed or cancelled run records the rows written so far,
        and ``error`` (a ddbsql error) is told them and how to resume."""
        if not self.active or self._finished:
            return
        self._finished = True
        for tracker in self.trackers.values():
            tracker.close()
        self.checkpoint.close()
        store = self.session.metastore.jobs()
        written, rejected = self.counts()
        if ok:
            state, message = DONE, None
        else:
            state = CANCELLED if self.session.cancel_event.is_set() else FAILED
            reason = "cancelled" if state == CANCELLED else \
                (getattr(error, "message", None) or str(error) if error else "failed")
            account = (f"job {self.record.id} {state}: {written} row(s) written, {rejected} rejected so far; "
                       f"continue it with: ddbsql --resume {self.record.id} (or SET {RESUME}=true and run the "
                       "statement again)")
            message = f"{reason}; {account}"
            if isinstance(error, DdbsqlError):
                error.message = f"{error.message}; {account}"
                error.args = (error.message,)
        store.finish(self.record, state, written=written, message=message)


def start(session: "Session", targets: Sequence[InsertTarget], text: str, label: str, *,
          multi: bool = False, tree: exp.Expression | None = None) -> JobRun:
    """The job of an INSERT into these DynamoDB ``targets``: resumed, superseded or new."""
    if not targets:
        return JobRun(session, None)
    return start_job(session, [t.table.qualified for t in targets], text, tree)


def start_job(session: "Session", names: Sequence[str], text: str, tree: exp.Expression | None = None) -> JobRun:
    """The job of a statement writing the DynamoDB tables ``names`` (qualified): resumed,
    superseded or new."""
    store = session.metastore.jobs()
    names = list(names)
    jid = job_id(session, text, names, statement_identity(tree))
    existing = store.get(jid)
    resume = bool(session.settings.get(RESUME))
    notes: list[str] = []
    if existing is not None and existing.unfinished and existing.running_elsewhere():
        raise ExecutionError(f"job {jid} (this statement) is running in process {existing.pid} on this host; "
                             "wait for it to end or stop it first")
    if existing is not None and existing.unfinished and resume:
        record = existing
        record.runs += 1
        checkpoint = store.open_checkpoint(jid, fresh=False)
        keys, rows = checkpoint.counts()
        notes.append(f"Resuming job {jid} (run {record.runs}; started {_when(record.started)}; the previous run "
                     f"was left {record.state}): {keys + rows} row(s) checkpointed")
        store.start(record)
        return JobRun(session, record, checkpoint, resuming=True, notes=notes)
    if existing is not None and existing.unfinished:
        notes.append(f"WARNING: an unfinished run of this statement (job {jid}, {existing.state}, started "
                     f"{_when(existing.started)}) is superseded: its checkpoint is discarded and the statement "
                     f"runs from the start (SET {RESUME}=true continues it instead)")
    elif resume:
        notes.append(f"{RESUME}=true: no unfinished job {jid} for this statement; it runs from the start")
    settings = {k: v for k, v in session.settings.hiveconf.items() if k != RESUME}
    record = store.start(JobRecord(jid, statement=session.settings.redact(text), database=session.database,
                                   settings=settings,
                                   targets=names))
    checkpoint = store.open_checkpoint(jid, fresh=True)
    return JobRun(session, record, checkpoint, notes=notes)


# single INSERT

def write_single(session: "Session", target: InsertTarget, sql: str, binder: "SourceBinder", label: str, *,
                 source: exp.Expression | None = None, bound: exp.Expression | None = None,
                 tree: exp.Expression | None = None) -> Result:
    """One INSERT into one DynamoDB table, as a resumable job."""
    run = start(session, [target], binder.text, label, tree=tree)
    try:
        prepared = prepare_write(session, target, label, hook=run.hook(0))
        run.watch(0, prepared.writer)
        straight = None
        if run.active and source is not None and bound is not None:
            straight = _straight_copy(source, bound, binder, prepared)
        if straight is not None:
            record, name = straight
            batches = _page_batches(session, run, prepared, record, name, sql, binder)
            result = write_from(session, prepared, batches, binder, run.notes,
                                       after=lambda report: run.report_notes(0, report))
        else:
            result = write_plain(session, prepared, sql, binder, run.notes,
                                        after=lambda report: run.report_notes(0, report))
    except BaseException as exc:
        run.finish(False, exc)
        raise
    run.finish(not session.cancel_event.is_set())
    return result


_NOT_STRAIGHT = ("joins", "group", "having", "order", "limit", "offset", "distinct", "qualify", "windows", "sort",
                 "cluster", "distribute", "with")


def _straight_copy(source: exp.Expression, bound: exp.Expression, binder: "SourceBinder",
                   prepared: PreparedWrite) -> tuple["ScanRecord", str] | None:
    """The scan and source name of a straight copy (see the module documentation), else None."""
    if prepared.replace or not isinstance(source, exp.Select):
        return None
    if any(source.args.get(arg) for arg in _NOT_STRAIGHT):
        return None
    if any(s is not source for s in source.find_all(exp.Select)) or source.find(exp.AggFunc, exp.Window):
        return None
    if len(binder.scans) != 1:
        return None
    record = binder.scans[0]
    plan = record.plan
    if plan is None or not isinstance(plan.read, ScanPlan) or plan.stop_after is not None:
        return None
    if record.expiry is not None:  # pages would carry the hidden TTL column: the stream drops it
        return None
    tables = list(bound.find_all(exp.Table))
    if len(tables) != 1:
        return None
    return record, tables[0].name


def _page_batches(session: "Session", run: JobRun, prepared: PreparedWrite, record: "ScanRecord", name: str,
                  sql: str, binder: "SourceBinder") -> Iterator[pa.RecordBatch]:
    """The rows of a straight copy, one Scan page at a time through DuckDB, each page
    announced to the target's tracker (so segment positions follow acknowledged rows)."""
    tracker = run.trackers[0]
    plan: ScanPlan = record.plan.read
    states = run.segment_states(0)
    total = next(iter(states.values())).total if states else plan.segments
    if total != plan.segments:
        plan = dataclasses.replace(plan, segments=total)
    segments = [s for s in range(total) if not (s in states and states[s].finished)]
    start_keys = {s: states[s].start_key for s in segments if s in states and states[s].start_key}
    table = record.table
    pages = scan_batches(session.dynamodb_client(table), plan, session.retry_policy(), warnings=record.warnings,
                         stats=record.stats, cancel=session.cancel_event,
                         governor=session.governor_for(table), segments=segments, start_keys=start_keys, pages=True,
                         queue_depth=READ_AHEAD_PAGES)
    con = session.engine.con
    row = 0
    try:
        for page in record.watch(pages):
            out: list[pa.RecordBatch] = []
            if page.batch is not None:
                con.register(name, pa.Table.from_batches([page.batch]))
                try:
                    result = con.sql(sql).arrow()
                except duckdb.Error as exc:
                    raise failure(exc, binder) if binder.scan_error() else duckdb_error(exc) from None
                if hasattr(result, "read_all"):
                    result = result.read_all()
                out = result.combine_chunks().to_batches() if result.num_rows else []
            count = sum(b.num_rows for b in out)
            tracker.add_page(page.segment, page.number, row, count, page.last_key, total=total)
            row += count
            yield from out
    finally:
        close = getattr(pages, "close", None)
        if close is not None:
            close()


def resume_job(session: "Session", wanted: str, keep: Sequence[str] = ()) -> str:
    """Set ``session`` up to continue unfinished job ``wanted`` (an id or its first
    characters): its settings (but those in ``keep``, given anew), its database and
    ``ddbsql.job.resume=true``; returns the job's statement."""
    if not wanted.strip():
        raise ExecutionError("--resume needs a job id, or its first characters (ddbsql --jobs lists them)")
    store = session.metastore.jobs()
    matches = store.find(wanted.strip())
    exact = [r for r in matches if r.id == wanted.strip()]
    matches = exact or matches
    if not matches:
        raise ExecutionError(f"no write job '{wanted}' in the metastore {session.metastore.path} "
                             "(ddbsql --jobs lists them)")
    if len(matches) > 1:
        raise ExecutionError(f"'{wanted}' names {len(matches)} jobs ({', '.join(r.id for r in matches)}); give "
                             "more of the id")
    record = matches[0]
    if not record.unfinished:
        raise ExecutionError(f"job {record.id} is {record.state}: there is nothing to resume")
    for key, value in record.settings.items():
        if key not in keep:
            session.settings.set(key, value)
    session.settings.set(RESUME, "true")
    if not session.metastore.has_database(record.database):
        raise ExecutionError(f"job {record.id} ran in database '{record.database}', which no longer exists")
    session.database = record.database
    return record.statement
