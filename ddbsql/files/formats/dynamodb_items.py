"""What the two DynamoDB export layouts share: items read into rows through the
table's column bindings, rows encoded as items into rolling JSON-lines files.

Items become rows exactly as DynamoDB items do (:func:`ddbsql.exec.decode.decode_page`),
and rows become items through :func:`ddbsql.exec.encode.encode_batch`: numbers keep
their digits, sets, lists, maps, binary and NULL their types.
"""
from __future__ import annotations

import base64
import dataclasses
import hashlib
from typing import Callable, Iterator, Sequence

import pyarrow as pa

from ...catalog.binding import ColumnBinding
from ...exec.decode import decode_page
from ...exec.encode import encode_batch
from ..compression import Hashing
from ..locations import Location, io_error, open_output
from ..reading import ReadLog, ReadSpec

ITEMS_PER_BATCH = 10_000


def verify_checksums(spec: ReadSpec) -> bool:
    """``ddbsql.export.verify`` (on unless "false"): check item counts and checksums."""
    return str(spec.properties.get("ddbsql.export.verify", "true")).lower() != "false"


def item_batches(items: Iterator[dict], spec: ReadSpec, log: ReadLog) -> Iterator[pa.RecordBatch]:
    """Items as batches of ``spec.schema``, through ``spec.bindings``."""
    bindings = spec.bindings or []
    schema = spec.schema
    page: list[dict] = []
    for item in items:
        page.append(item)
        if len(page) >= ITEMS_PER_BATCH:
            yield _decode(page, bindings, schema, log)
            page = []
    if page:
        yield _decode(page, bindings, schema, log)


def _decode(page: list[dict], bindings: list[ColumnBinding], schema: pa.Schema, log: ReadLog) -> pa.RecordBatch:
    if not bindings:
        batch = pa.record_batch({"__rows": pa.nulls(len(page))})
        log.count(len(page))
        return batch
    batch = decode_page(page, bindings, log.warnings)
    log.count(len(page))
    return pa.RecordBatch.from_arrays([batch.column(f.name) for f in schema], schema=schema)


def read_small(location: Location) -> bytes:
    try:
        with location.fs.open_input_stream(location.path, compression=None) as f:
            return f.read()
    except OSError as exc:
        raise io_error(exc, location) from None


def write_bytes(location: Location, data: bytes) -> None:
    stream = open_output(location)
    try:
        stream.write(data)
    finally:
        stream.close()


def checksum(data: bytes) -> bytes:
    """The base64 MD5 of ``data``."""
    return base64.b64encode(hashlib.md5(data).digest())


@dataclasses.dataclass
class ItemWriteReport:
    rows: int = 0
    items: int = 0
    rejected: int = 0
    files: int = 0
    bytes: int = 0


class ItemFiles:
    """Rows to items to compressed JSON-lines files, rolling at a size or item count."""

    def __init__(self, folder: Location, *, bindings: list[ColumnBinding], key_attributes: Sequence[str],
                 null_serialization: bool, line: Callable[[dict], str], compression: str | None,
                 max_bytes: int, max_items: int | None, name: Callable[[], str],
                 reject: Callable[[int, dict | None, str], None]):
        self.folder = folder
        self.bindings = bindings
        self.key_attributes = tuple(key_attributes)
        self.null_serialization = null_serialization
        self.line = line
        self.compression = compression
        self.max_bytes = max_bytes
        self.max_items = max_items
        self.name = name
        self.reject = reject
        self.report = ItemWriteReport()
        self.written: list[tuple[Location, int, bytes, bytes, int]] = []  # location, items, md5, plain md5, size
        self._stream = None
        self._raw = None
        self._plain = None
        self._location = None
        self._items = 0
        self._bytes = 0

    def _open(self) -> None:
        self._location = self.folder.child(self.name())
        self._raw = Hashing(open_output(self._location))
        if self.compression == "gzip":
            self._stream = pa.CompressedOutputStream(pa.PythonFile(self._raw, mode="w"), "gzip")
        elif self.compression:
            self._stream = pa.CompressedOutputStream(pa.PythonFile(self._raw, mode="w"), self.compression)
        else:
            self._stream = self._raw
        self._plain = hashlib.md5()
        self._items = 0
        self._bytes = 0

    def _close(self) -> None:
        if self._stream is None:
            return
        self._stream.close()
        if not self._raw.closed:
            self._raw.close()
        self.written.append((self._location, self._items, self._raw.md5.digest(), self._plain.digest(),
                             self._raw.size))
        self.report.files += 1
        self.report.bytes += self._raw.size
        self._stream = None

    def write(self, batch: pa.RecordBatch) -> None:
        items, rejects = encode_batch(batch, self.bindings, key_attributes=self.key_attributes,
                                      null_serialization=self.null_serialization)
        for row, item, reason in rejects:
            self.reject(self.report.rows + row, item, reason)
        self.report.rows += batch.num_rows
        self.report.rejected += len(rejects)
        chunk: list[str] = []
        for item in items:
            if self._stream is None:
                self._open()
            text = self.line(item) + "\n"
            chunk.append(text)
            self._items += 1
            self._bytes += len(text)
            self.report.items += 1
            if self._bytes >= self.max_bytes or (self.max_items and self._items >= self.max_items):
                self._flush(chunk)
                chunk = []
                self._close()
        if chunk:
            self._flush(chunk)

    def _flush(self, chunk: list[str]) -> None:
        data = "".join(chunk).encode("utf-8")
        self._plain.update(data)
        self._stream.write(data)

    def close(self, *, keep_empty: bool) -> None:
        if self._stream is None and keep_empty and not self.written:
            self._open()
        self._close()

    def abort(self) -> None:
        try:
            if self._stream is not None:
                self._stream.close()
        except Exception:
            pass
        self._stream = None
