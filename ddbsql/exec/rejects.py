"""The reject file: every input row a write job could not write, with the reason.

JSON lines, one object per rejected row: ``statement``, ``table``, ``row`` (0-based
position in the statement's input), ``reason`` and ``item`` (in DynamoDB JSON, binary
as base64).  The file is created on the first reject only.
"""
from __future__ import annotations

import base64
import json
import re
import tempfile
import threading
import time
from pathlib import Path

from ..errors import ConfigError, ExecutionError


def check_folder(directory: str | Path, what: str = "ddbsql.reject.dir") -> None:
    """A :class:`ConfigError` unless files can be created in ``directory`` (made on the
    first reject when it does not exist yet: then its nearest existing parent must allow it)."""
    path = Path(directory).absolute()
    probe = path
    while not probe.exists():
        if probe.parent == probe:
            break
        probe = probe.parent
    if probe.exists() and not probe.is_dir():
        raise ConfigError(f"{what}={directory}: {probe} is not a folder")
    try:  # a real file: permission bits say nothing of read-only file systems, nor to root
        with tempfile.TemporaryFile(dir=probe):
            pass
    except OSError as exc:
        raise ConfigError(f"{what}={directory}: {probe} cannot be written to ({exc.strerror or exc})") from None


def _jsonable(value):
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_jsonable(v) for v in value]
    return value


class RejectLog:
    """Collects rejects of one write target; thread-safe."""

    def __init__(self, directory: str | Path, *, table: str, statement: str, clock=time.time):
        check_folder(directory)
        self.directory = Path(directory)
        self.table = table
        self.statement = statement
        self.count = 0
        self.path: Path | None = None
        self._clock = clock
        self._lock = threading.Lock()
        self._file = None

    def add(self, row: int | None, item: dict | None, reason: str) -> None:
        record = {"statement": self.statement, "table": self.table, "row": row, "reason": reason,
                  "item": _jsonable(item) if item is not None else None}
        line = json.dumps(record, ensure_ascii=False)
        with self._lock:
            try:
                self._write(line)
            except OSError as exc:
                raise ExecutionError(f"cannot write the reject file in {self.directory}: {exc.strerror or exc}") \
                    from None
            self.count += 1

    def _write(self, line: str) -> None:
        if self._file is None:
            self.directory.mkdir(parents=True, exist_ok=True)
            stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime(self._clock()))
            safe = re.sub(r"[^A-Za-z0-9_.-]", "_", self.table)
            self.path = self.directory / f"{stamp}-{safe}.jsonl"
            suffix = 1
            while self.path.exists():
                suffix += 1
                self.path = self.directory / f"{stamp}-{safe}-{suffix}.jsonl"
            self._file = self.path.open("w", encoding="utf-8")
        self._file.write(line + "\n")
        self._file.flush()

    def close(self) -> None:
        with self._lock:
            if self._file is not None:
                self._file.close()
                self._file = None
