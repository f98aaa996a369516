"""What reading files needs: the spec of a read and the log of what it found wrong."""
from __future__ import annotations

import dataclasses
import json
import re
import threading
import time
from pathlib import Path
from typing import Any

import pyarrow as pa

from ..catalog.binding import ColumnBinding
from ..catalog.model import Column, FileStorage
from ..errors import ConfigError
from .locations import Location


class ReadLog:
    """What reading files found wrong: values read as NULL and rows skipped.

    Counts go to ``warnings`` (a :class:`~ddbsql.exec.decode.DecodeWarnings`, reported
    by the statement); every case is also a line of the reject file
    (``<dir>/<time>-<table>-read.jsonl``: statement, table, file, line, column, reason,
    text), created on the first one.
    """

    def __init__(self, directory: Path | None, *, table: str, statement: str, warnings, stats=None,
                 clock=time.time):
        self.directory = directory
        self.table = table
        self.statement = statement
        self.warnings = warnings
        self.stats = stats
        self.rows = 0
        self.values_nulled = 0
        self.rows_skipped = 0
        self.path: Path | None = None
        self._clock = clock
        self._file = None
        self._lock = threading.Lock()

    def _write(self, record: dict) -> None:
        if self.directory is None:
            return
        with self._lock:
            if self._file is None:
                self.directory.mkdir(parents=True, exist_ok=True)
                stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime(self._clock()))
                safe = re.sub(r"[^A-Za-z0-9_.-]", "_", self.table)
                path = self.directory / f"{stamp}-{safe}-read.jsonl"
                n = 1
                while path.exists():
                    n += 1
                    path = self.directory / f"{stamp}-{safe}-read-{n}.jsonl"
                self.path = path
                self._file = path.open("w", encoding="utf-8")
            self._file.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")
            self._file.flush()

    def bad_value(self, file: str, line: int | None, column: str, reason: str, text: Any = None) -> None:
        self.values_nulled += 1
        self.warnings.add(column, reason)
        self._write({"statement": self.statement, "table": self.table, "file": file, "line": line,
                     "column": column, "reason": f"read as NULL: {reason}", "text": _excerpt(text)})

    def bad_row(self, file: str, line: int | None, reason: str, text: Any = None) -> None:
        self.rows_skipped += 1
        self.warnings.add("(row)", f"row skipped: {reason}")
        self._write({"statement": self.statement, "table": self.table, "file": file, "line": line,
                     "column": None, "reason": f"row skipped: {reason}", "text": _excerpt(text)})

    def count(self, rows: int) -> None:
        self.rows += rows
        if self.stats is not None:
            self.stats.items += rows
            self.stats.scanned += rows

    def close(self) -> None:
        with self._lock:
            if self._file is not None:
                self._file.close()
                self._file = None


def _excerpt(text: Any) -> Any:
    if isinstance(text, (bytes, bytearray)):
        text = bytes(text).decode("utf-8", "replace")
    if isinstance(text, str) and len(text) > 500:
        return text[:497] + "..."
    return text



@dataclasses.dataclass
class Source:
    """One folder (a partition, or the whole table) and its partition values."""

    location: Location
    values: dict[str, str | None] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass
class ReadSpec:
    """What to read: the storage, every data column (file order), and the columns wanted."""

    storage: FileStorage
    table: str
    data_columns: tuple[Column, ...]
    partition_columns: tuple[Column, ...]
    wanted: list[Column]
    properties: dict[str, str] = dataclasses.field(default_factory=dict)
    #: for the formats holding DynamoDB items: the wanted columns' bindings
    bindings: list[ColumnBinding] | None = None

    @property
    def schema(self) -> pa.Schema:
        return pa.schema([pa.field(c.name, c.type.to_arrow()) for c in self.wanted])


def int_property(props: dict[str, str], key: str) -> int:
    try:
        return max(0, int(props.get(key, "0") or 0))
    except ValueError:
        raise ConfigError(f'TBLPROPERTIES "{key}" must be a whole number') from None


def header_and_footer(spec: ReadSpec) -> tuple[int, int]:
    """``skip.header.line.count`` and ``skip.footer.line.count`` of the table."""
    return (int_property(spec.properties, "skip.header.line.count"),
            int_property(spec.properties, "skip.footer.line.count"))
