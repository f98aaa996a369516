"""What executing one statement gives back."""
from __future__ import annotations

import dataclasses
from typing import Callable, Iterator

import pyarrow as pa


@dataclasses.dataclass
class Result:
    """The outcome of one statement.

    ``kind`` names the statement family (``query``, ``insert``, ``ddl``, ``describe``,
    ``set``, ``shell``, ``source``, ``show``, ``command``).  Row-returning statements
    have ``schema`` and ``batches`` (consumed once, lazily).  ``rowcount`` is the
    number of rows written or affected, -1 when unknown.  ``messages`` are for a human
    (the CLI prints them to stderr); more may be appended once ``batches`` is exhausted
    (warning counts of a scan, for instance).  ``script`` is ``(path, text)`` for
    ``source``.
    """

    kind: str
    schema: pa.Schema | None = None
    batches: Iterator[pa.RecordBatch] | None = None
    rowcount: int = -1
    messages: list[str] = dataclasses.field(default_factory=list)
    script: tuple[str, str] | None = None
    on_close: Callable[[], None] | None = None
    #: one dict per DynamoDB table an INSERT wrote (see ``dynamodb_writes.report_record``)
    write_reports: list[dict] = dataclasses.field(default_factory=list)

    @classmethod
    def rows(cls, kind: str, names: list[str], rows: list[tuple], types: list[pa.DataType] | None = None,
             messages: list[str] | None = None) -> "Result":
        """A small result built from Python rows."""
        types = types or [pa.string()] * len(names)
        schema = pa.schema([pa.field(n, t) for n, t in zip(names, types)])
        columns = [pa.array([r[i] for r in rows], type=t) for i, t in enumerate(types)]
        batch = pa.RecordBatch.from_arrays(columns, schema=schema)
        return cls(kind, schema, iter([batch]), len(rows), list(messages or []))

    @classmethod
    def done(cls, kind: str, *messages: str, rowcount: int = -1) -> "Result":
        return cls(kind, rowcount=rowcount, messages=list(messages))

    def close(self) -> None:
        """Release what the statement holds (streams, threads); idempotent."""
        if self.batches is not None and hasattr(self.batches, "close"):
            self.batches.close()
        self.batches = None
        if self.on_close is not None:
            callback, self.on_close = self.on_close, None
            callback()
