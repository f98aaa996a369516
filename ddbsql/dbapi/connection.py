"""PEP 249 Connection and Cursor over a ddbsql :class:`~ddbsql.session.session.Session`."""
from __future__ import annotations

import logging
import tempfile
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping, Sequence

import pyarrow as pa

from .. import errors
from ..config import Settings
from ..exec.clients import AwsOptions
from ..session.handlers.many import execute_many
from ..session.result import Result
from ..session.session import Session, SessionOptions
from ..session.writing.job_runs import resume_job
from ..sql.script import StatementText, split_statements
from . import exceptions
from .exceptions import Error, InterfaceError, NotSupportedError, ProgrammingError, internal_error, translate
from .type_objects import description_entry

#: each statement's messages: lines starting ``WARNING`` at WARNING level, the rest at INFO
#: (the command line prints them itself and silences this logger)
log = logging.getLogger("ddbsql.statement")


class Connection:
    """A connection: one session.  ``commit`` and ``rollback`` do nothing: every statement
    is applied as it runs, as in Hive.  The module's exception classes are attributes too
    (``conn.ProgrammingError``…), as PEP 249's optional extension has them."""

    Warning = exceptions.Warning
    Error = exceptions.Error
    InterfaceError = exceptions.InterfaceError
    DatabaseError = exceptions.DatabaseError
    DataError = exceptions.DataError
    OperationalError = exceptions.OperationalError
    IntegrityError = exceptions.IntegrityError
    InternalError = exceptions.InternalError
    ProgrammingError = exceptions.ProgrammingError
    NotSupportedError = exceptions.NotSupportedError

    def __init__(self, session: Session, *, on_close: Callable[[], None] | None = None):
        self._session = session
        self._on_close = on_close
        self._closed = False
        self._streaming: Cursor | None = None  # the cursor whose result the session still streams

    @property
    def session(self) -> Session:
        self._check()
        return self._session

    def cursor(self) -> "Cursor":
        self._check()
        return Cursor(self)

    def commit(self) -> None:
        self._check()

    def rollback(self) -> None:
        """Nothing to undo: there are no transactions, every statement is applied as it runs
        (pools call ``rollback`` on each connection they take back)."""
        self._check()

    def register(self, name: str, obj) -> None:
        """Make a pandas or Polars DataFrame, a pyarrow Table, RecordBatch or RecordBatchReader,
        or any object with ``__arrow_c_stream__`` readable as table ``name`` by this
        connection's statements (``SELECT … FROM name``, joins, ``INSERT INTO t SELECT … FROM
        name``).  A RecordBatchReader is read by one statement only.  An unqualified
        ``name`` means the registered object even where a catalog table has that name."""
        self._check()
        try:
            self._session.registry.register(name, obj)
        except errors.DdbsqlError as exc:
            raise translate(exc) from exc

    def unregister(self, name: str) -> None:
        """Forget a name :meth:`register` gave."""
        self._check()
        try:
            self._session.registry.unregister(name)
        except errors.DdbsqlError as exc:
            raise translate(exc) from exc

    # what a shell shows and asks (extensions of PEP 249)
    @property
    def database(self) -> str:
        """The current database (``USE`` changes it)."""
        self._check()
        return self._session.database

    @property
    def endpoint_url(self) -> str | None:
        """The DynamoDB endpoint this connection was opened with (None: AWS's own)."""
        self._check()
        return self._session.options.aws.endpoint_url

    def setting(self, key: str, *, explicit: bool = False) -> str | None:
        """The text of setting ``key`` (``SET``, ``-hiveconf``, else its default); with
        ``explicit`` only a value someone set."""
        self._check()
        settings = self._session.settings
        return settings.hiveconf.get(key) if explicit else settings.lookup(key)

    def write_jobs(self) -> list:
        """The write jobs recorded in the metastore (``JobRecord`` objects), oldest first."""
        self._check()
        return self._session.metastore.jobs().jobs()

    def prepare_resume(self, job: str, keep: Sequence[str] = ()) -> str:
        """Set this connection up as unfinished write ``job`` (an id, or its first
        characters) was started (its settings, except the keys in ``keep``; its database;
        ``ddbsql.job.resume=true``) and return the job's statement, to execute next."""
        self._check()
        try:
            return resume_job(self._session, job, keep)
        except errors.DdbsqlError as exc:
            raise translate(exc) from exc

    def cancel(self) -> None:
        """Stop the statement running on this connection (from another thread, or a signal handler)."""
        if not self._closed:
            self._session.cancel()

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            self._session.close()
        finally:
            if self._on_close:
                self._on_close()

    def _check(self) -> None:
        if self._closed:
            raise InterfaceError("connection is closed")

    def _before_execute(self, cursor: "Cursor") -> None:
        """The session closes the previous statement's stream when the next one runs: keep
        another cursor's unread rows by buffering them first (cursors stay independent)."""
        streaming, self._streaming = self._streaming, None
        if streaming is not None and streaming is not cursor:
            streaming._buffer()

    def __enter__(self) -> "Connection":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


#: how deep ``source FILE`` may nest (Hive has no limit but the stack's)
MAX_SOURCE_DEPTH = 32


class Cursor:
    """Runs statements and fetches their rows.  Extensions beyond PEP 249:
    :meth:`executescript`, :meth:`fetch_arrow_table`, :meth:`fetch_record_batches`,
    :meth:`fetch_df`, and the ``messages`` / ``kind`` of the last statement, and its
    ``write_reports``: one dict per DynamoDB table an INSERT wrote (rows_in, written,
    skipped, rejected, duplicates, deleted, resumed, retries, throttles, unprocessed,
    consumed_wcu, elapsed_seconds, budget_wcu_per_second, reject_path, …)."""

    def __init__(self, connection: Connection):
        self.connection = connection
        self.arraysize = 1
        self.description: list[tuple] | None = None
        self.rowcount = -1
        self.messages: list[str] = []
        self.write_reports: list[dict] = []
        #: how many ``source FILE`` scripts :meth:`executescript` is inside
        self._sourcing = 0
        #: a script run by :meth:`executescript` ended with ``quit``/``exit``
        self.quit = False
        self.kind: str | None = None
        self._result: Result | None = None
        self._batches: Iterator[pa.RecordBatch] | None = None
        self._rows: list[tuple] = []
        self._row_pos = 0
        self._closed = False
        self._logged = 0   # how many of ``messages`` went to the log

    # executing
    def execute(self, operation: str, parameters: Sequence[Any] | Mapping[str, Any] | None = None) -> "Cursor":
        """Run one statement; ``?`` or ``:name`` placeholders are bound from ``parameters``."""
        self._check()
        self._reset()
        if isinstance(parameters, (str, bytes, bytearray)):
            raise ProgrammingError(f"parameters must be a sequence or a mapping, not {type(parameters).__name__}")
        if parameters is not None and hasattr(parameters, "__len__") and len(parameters) == 0:
            parameters = None   # no values: also accepted for statements that take none (SET, !cmd…)
        self.connection._before_execute(self)
        try:
            result = self.connection.session.execute(operation, parameters)
        except errors.DdbsqlError as exc:
            raise translate(exc) from exc
        except Exception as exc:
            raise internal_error(exc) from exc
        self._adopt(result)
        return self

    def executemany(self, operation: str, seq_of_parameters) -> "Cursor":
        """Run ``operation`` for every parameter row.  ``INSERT … VALUES (?, …)`` with one
        row of values runs as ONE statement over all the rows (one write, one job record,
        one report in :attr:`write_reports`); other statements run once per row."""
        self._check()
        self._reset()
        rows = list(seq_of_parameters)
        for row in rows:
            if isinstance(row, (str, bytes, bytearray)):
                raise ProgrammingError(f"parameters must be a sequence or a mapping, not {type(row).__name__}")
        if not rows:
            self.rowcount = 0
            return self
        self.connection._before_execute(self)
        try:
            result = execute_many(self.connection.session, operation, rows)
        except errors.DdbsqlError as exc:
            raise translate(exc) from exc
        except Exception as exc:
            raise internal_error(exc) from exc
        if result is not None:
            self._adopt(result)
            return self
        total = 0
        for parameters in rows:
            self.execute(operation, parameters)
            if self.rowcount > 0:
                total += self.rowcount
        self.rowcount = total
        return self

    def executescript(self, script: str, *, source: str | None = None,
                      on_result: Callable[[StatementText, "Cursor"], None] | None = None,
                      on_error: Callable[[StatementText, Error], bool] | None = None,
                      on_start: Callable[[StatementText], None] | None = None) -> None:
        """Run every statement of a Hive script in order.

        ``on_result(statement, cursor)`` is called after each statement, with this cursor
        holding its result.  A failing statement raises (its error names the statement,
        line and column in ``source``), unless ``on_error`` returns True to go on.
        ``source FILE`` statements run the file's statements in place.  ``on_start`` is
        called before each statement runs.  ``quit``/``exit`` stops the script, and the
        scripts that sourced it, and sets :attr:`quit` (the command line then ends).
        """
        self.quit = False
        for statement in split_statements(script):
            if on_start is not None:
                on_start(statement)
            try:
                self.execute(statement.text)
            except Error as exc:
                if exc.original is not None:
                    exc.original.located(statement=statement.number, line_offset=statement.line,
                                         col_offset=statement.col, source=source)
                    exc.args = (str(exc.original),)
                if on_error is not None and on_error(statement, exc):
                    continue
                raise
            if self.kind == "source" and self._result is not None and self._result.script:
                path, text = self._result.script
                if self._sourcing >= MAX_SOURCE_DEPTH:
                    error = translate(errors.ExecutionError(
                        f"source {path}: scripts nest more than {MAX_SOURCE_DEPTH} deep (does a script source "
                        "itself?)").located(statement=statement.number, line_offset=statement.line,
                                            col_offset=statement.col, source=source))
                    if on_error is not None and on_error(statement, error):
                        continue
                    raise error
                self._sourcing += 1
                try:
                    self.executescript(text, source=path, on_result=on_result, on_error=on_error,
                                       on_start=on_start)
                finally:
                    self._sourcing -= 1
                if self.quit:
                    return
                continue
            if self.kind == "quit":
                self.quit = True
                return
            if on_result is not None:
                on_result(statement, self)

    def _adopt(self, result: Result) -> None:
        self._result = result
        self.kind = result.kind
        self.messages = result.messages
        self.write_reports = result.write_reports
        self.rowcount = result.rowcount
        self._logged = 0
        self._log_messages()
        if result.schema is not None and result.batches is not None:
            self.description = [description_entry(f) for f in result.schema]
            self._batches = iter(result.batches)
            self.connection._streaming = self
        else:
            self.description = None
            self._batches = None

    def _log_messages(self) -> None:
        """Log the messages not logged yet (a query adds its warnings once its rows are read)."""
        for line in self.messages[self._logged:]:
            if line.startswith("WARNING"):
                log.warning("%s", line.removeprefix("WARNING:").strip())
            else:
                log.info("%s", line)
        self._logged = len(self.messages)

    def _buffer(self) -> None:
        """Read the rest of the result stream into memory (a failure is raised at the next fetch)."""
        if self._batches is None:
            return
        batches, buffered, failure = self._batches, [], None
        try:
            for batch in batches:
                buffered.append(batch)
        except Exception as exc:
            failure = exc
        self._batches = _replay(buffered, failure)

    # fetching
    def _next_rows(self) -> bool:
        if self._batches is None:
            return False
        try:
            batch = next(self._batches)
        except StopIteration:
            self._batches = None
            if self._result is not None:
                self.rowcount = self._result.rowcount
            self._log_messages()
            return False
        except errors.DdbsqlError as exc:
            self._batches = None
            raise translate(exc) from exc
        except Exception as exc:
            self._batches = None
            raise internal_error(exc) from exc
        self._rows = list(zip(*(column.to_pylist(maps_as_pydicts="lossy") for column in batch.columns))) if batch.num_columns else \
            [()] * batch.num_rows
        self._row_pos = 0
        return True

    def _require_result(self) -> None:
        self._check()
        if self.description is None:
            raise InterfaceError("the last statement returned no rows")

    def fetchone(self) -> tuple | None:
        self._require_result()
        while self._row_pos >= len(self._rows):
            if not self._next_rows():
                return None
        row = self._rows[self._row_pos]
        self._row_pos += 1
        return row

    def fetchmany(self, size: int | None = None) -> list[tuple]:
        size = self.arraysize if size is None else size
        rows = []
        while len(rows) < size:
            row = self.fetchone()
            if row is None:
                break
            rows.append(row)
        return rows

    def fetchall(self) -> list[tuple]:
        self._require_result()
        rows = self._rows[self._row_pos:]
        self._rows, self._row_pos = [], 0
        while self._next_rows():
            rows.extend(self._rows)
            self._rows, self._row_pos = [], 0
        return rows

    def fetch_record_batches(self) -> pa.RecordBatchReader:
        """The remaining rows as a ``pyarrow.RecordBatchReader``, streamed as they are read;
        at least one batch (an empty result is one batch of no rows: readers that build a
        table from the batches alone, as ``polars.from_arrow`` does, still see its columns)."""
        self._require_result()
        if self._row_pos < len(self._rows):
            raise InterfaceError("fetch_record_batches after fetchone/fetchmany is not supported")
        schema = self._result.schema
        return pa.RecordBatchReader.from_batches(schema, _at_least_one(schema, self._remaining_batches()))

    def __arrow_c_stream__(self, requested_schema=None):
        """The remaining rows through the Arrow PyCapsule interface: ``pyarrow.table(cur)``,
        ``polars.DataFrame(cur)`` and DuckDB read the result stream without a copy
        (``polars.from_arrow(cur)`` reads it as one Series of row structs, as Polars 2 does
        for every stream that is not a pyarrow object)."""
        return self.fetch_record_batches().__arrow_c_stream__(requested_schema)

    def _remaining_batches(self) -> Iterator[pa.RecordBatch]:
        while self._batches is not None:
            try:
                batch = next(self._batches)
            except StopIteration:
                self._batches = None
                if self._result is not None:
                    self.rowcount = self._result.rowcount
                self._log_messages()
                return
            except errors.DdbsqlError as exc:
                self._batches = None
                raise translate(exc) from exc
            except Exception as exc:
                self._batches = None
                raise internal_error(exc) from exc
            yield batch

    def fetch_arrow_table(self) -> pa.Table:
        self._require_result()
        schema = self._result.schema
        return pa.Table.from_batches(list(self._remaining_batches()), schema=schema)

    def fetch_df(self):
        """The remaining rows as a pandas DataFrame (pandas must be installed)."""
        try:
            import pandas  # noqa: F401
        except ImportError:
            raise NotSupportedError("fetch_df needs pandas") from None
        return self.fetch_arrow_table().to_pandas()

    # the rest of PEP 249
    def setinputsizes(self, sizes) -> None:
        pass

    def setoutputsize(self, size, column=None) -> None:
        pass

    def __iter__(self) -> "Cursor":
        return self

    def __next__(self) -> tuple:
        row = self.fetchone()
        if row is None:
            raise StopIteration
        return row

    def close(self) -> None:
        """Release the result; ``rowcount`` stays readable (SQLAlchemy reads it after closing)."""
        rowcount = self.rowcount
        self._reset()
        self.rowcount = rowcount
        self._closed = True

    def _reset(self) -> None:
        self.description = None
        self.rowcount = -1
        self.messages = []
        self.kind = None
        self._batches = None
        self._rows, self._row_pos = [], 0
        self._result = None

    def _check(self) -> None:
        if self._closed:
            raise InterfaceError("cursor is closed")
        self.connection._check()

    def __enter__(self) -> "Cursor":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _replay(batches: list[pa.RecordBatch], failure: Exception | None) -> Iterator[pa.RecordBatch]:
    yield from batches
    if failure is not None:
        raise failure


def connect(*, region: str | None = None, profile: str | None = None, endpoint_url: str | None = None,
            s3_endpoint_url: str | None = None, metastore: str | Path | None = None,
            warehouse: str | Path | None = None, database: str = "default",
            hiveconf: Mapping[str, str] | None = None, hivevar: Mapping[str, str] | None = None,
            allow_shell: bool = False, allow_local_files: bool = False, allow_env: bool = False,
            progress: Callable[[str], None] | None = None, local: bool = False) -> Connection:
    """Open a ddbsql connection.

    ``local=True`` starts an embedded DynamoDB + S3 endpoint (moto) for this
    connection, with a throwaway metastore unless ``metastore`` is given.
    ``allow_shell`` enables ``!cmd``; ``allow_local_files`` enables ``source FILE`` and
    local paths; ``allow_env`` lets ``${env:X}`` read the environment.  All are off by
    default: DB-API callers often pass other people's text.
    """
    on_close = None
    if local:
        from ..exec.local_endpoint import LocalEndpoint
        endpoint = LocalEndpoint().start()
        endpoint_url = endpoint_url or endpoint.url
        s3_endpoint_url = s3_endpoint_url or endpoint.url
        region = region or "us-east-1"
        scratch = None
        if metastore is None:
            scratch = tempfile.TemporaryDirectory(prefix="ddbsql-local-")
            metastore = Path(scratch.name) / "metastore.db"

        def on_close() -> None:
            endpoint.stop()
            if scratch is not None:
                scratch.cleanup()
    options = SessionOptions(
        aws=AwsOptions(region=region, profile=profile, endpoint_url=endpoint_url, s3_endpoint_url=s3_endpoint_url,
                       local=local),
        metastore=metastore, warehouse=warehouse, database=database, allow_shell=allow_shell,
        allow_local_files=allow_local_files, allow_env=allow_env, progress=progress)
    try:
        settings = Settings(dict(hiveconf or {}), dict(hivevar or {}))
        session = Session(options, settings)
    except errors.DdbsqlError as exc:
        if on_close:
            on_close()
        raise translate(exc) from exc
    except BaseException:
        if on_close:
            on_close()
        raise
    return Connection(session, on_close=on_close)


def _at_least_one(schema: pa.Schema, batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    """``batches``, or one batch of no rows when there are none."""
    empty = True
    for batch in batches:
        empty = False
        yield batch
    if empty:
        yield pa.RecordBatch.from_pylist([], schema=schema)
