"""Running bound SQL in DuckDB: result streams, Hive's output names, one-line errors
(a scan's own error first when one caused DuckDB's)."""
from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Iterator

import duckdb
import pyarrow as pa
from sqlglot import exp

from ...errors import Cancelled, ExecutionError
from .read_progress import read_progress
from .binder import SourceBinder

if TYPE_CHECKING:
    from .context import StatementContext

ROWS_PER_BATCH = 65_536


def hive_output_names(tree: exp.Expression) -> exp.Expression:
    """Name result columns as Hive does (in place): lower case, and ``_c0``, ``_c1``… for
    unnamed expressions."""
    select = tree
    while isinstance(select, (exp.Union, exp.Except, exp.Intersect)):
        select = select.this
    if isinstance(select, exp.Select):
        for i, expression in enumerate(list(select.expressions)):
            if isinstance(expression, exp.Alias):
                expression.set("alias", exp.to_identifier(expression.alias.lower()))
            elif isinstance(expression, exp.Column) and not isinstance(expression.this, exp.Star):
                if expression.name != expression.name.lower():
                    expression.replace(exp.alias_(expression.copy(), expression.name.lower()))
            elif not isinstance(expression, exp.Star):
                expression.replace(exp.alias_(expression.copy(), f"_c{i}"))
    return tree


def duckdb_error(exc: duckdb.Error) -> ExecutionError:
    """A one-line error from a DuckDB exception (its SQL excerpt is of translated text, so dropped)."""
    text = str(exc).strip()
    first = text.split("\n", 1)[0]
    if isinstance(exc, duckdb.InterruptException):
        return Cancelled("statement cancelled")
    return ExecutionError(first)


def execute_duckdb(session: "StatementContext", sql: str, binder: SourceBinder) -> pa.RecordBatchReader:
    """Run translated SQL in the session's DuckDB and return its result stream."""
    try:
        return session.engine.con.sql(sql).to_arrow_reader(ROWS_PER_BATCH)
    except duckdb.Error as exc:
        raise failure(exc, binder) from None


def failure(exc: duckdb.Error, binder: SourceBinder) -> Exception:
    """The error to report for a DuckDB failure: a scan's own error when one caused it."""
    return binder.scan_error() or duckdb_error(exc)


def result_batches(reader: pa.RecordBatchReader, binder: SourceBinder, *,
                   progress: bool = False) -> Iterator[pa.RecordBatch]:
    """The batches of a DuckDB result stream, its errors reported as the statement's
    (a scan's own error first); the stream is closed at the end, early or not.
    ``progress``: show the read progress line meanwhile (statements that write into
    DynamoDB show their own)."""
    try:
        with read_progress(binder.session, binder) if progress else contextlib.nullcontext():
            while True:
                try:
                    yield reader.read_next_batch()
                except StopIteration:
                    return
                except duckdb.Error as exc:
                    raise failure(exc, binder) from None
    finally:
        reader.close()  # DuckDB holds the connection until its result stream is closed
