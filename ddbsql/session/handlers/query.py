"""SELECT: bind the sources, translate to DuckDB, stream the result."""
from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Iterator

import pyarrow as pa
from sqlglot import exp

from ...exec.ranges import check_python_range
from ..binding.execution import execute_duckdb, hive_output_names, result_batches
from ..binding.read_progress import start_read_progress
from ..result import Result
from ..binding.binder import SourceBinder

if TYPE_CHECKING:
    from ..session import Session


def stream(reader: pa.RecordBatchReader, binder: SourceBinder, result: Result,
           done: Callable[[], None] = lambda: None) -> Iterator[pa.RecordBatch]:
    """Yield the result batches; append the scans' warning counts once done, and call ``done``."""
    rows = 0
    try:
        for batch in result_batches(reader, binder):
            rows += batch.num_rows
            yield check_python_range(batch)
    finally:
        done()
        result.rowcount = rows
        result.messages.extend(binder.warning_messages())


def run_query(session: "Session", tree: exp.Expression, text: str) -> Result:
    binder = SourceBinder(session, text)
    bound = hive_output_names(binder.bind(tree))
    sql = binder.to_duckdb(bound)
    stop_progress = start_read_progress(session, binder)   # DuckDB may read every item before its first batch
    try:
        reader = execute_duckdb(session, sql, binder)
    except BaseException:
        stop_progress()
        raise
    result = Result("query", reader.schema)
    result.batches = stream(reader, binder, result, stop_progress)
    return result
