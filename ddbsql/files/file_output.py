"""Writing rows to files: one folder's files, rolled at a size, named as Hive names them."""
from __future__ import annotations

import dataclasses
from typing import Callable

import pyarrow as pa

from .compression import EXTENSIONS, Deflate, Hashing
from .locations import Location, open_output
from .output_settings import OutputSpec
from .registry import FileWriter, LineEncoder, rules_of


class _OpenFile:
    """One output file being written."""

    def __init__(self, location: Location, spec: OutputSpec, encoder: LineEncoder | None):
        self.location = location
        self.spec = spec
        self.rows = 0
        self.bytes_in = 0
        self.raw = Hashing(open_output(location))
        self._writer: FileWriter | None = None
        self._encoder = encoder
        if encoder is None:
            self._writer = rules_of(spec.format).file_writer(self.raw, spec)
            self.stream = None
        else:
            codec = spec.compression
            if codec == "deflate":
                self.stream = Deflate(self.raw)
            elif codec:
                self.stream = pa.CompressedOutputStream(pa.PythonFile(self.raw, mode="w"), codec)
            else:
                self.stream = self.raw

    def write(self, batch: pa.RecordBatch) -> None:
        if batch.num_rows == 0:
            return
        if self._writer is not None:
            self._writer.write(batch)
            self.bytes_in += batch.nbytes
        else:
            data = self._encoder.encode(batch)
            self.stream.write(data)
            self.bytes_in += len(data)
        self.rows += batch.num_rows

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
        else:
            self.stream.close()
        if not getattr(self.raw, "closed", True):
            self.raw.close()

    @property
    def size(self) -> int:
        return self.raw.size


@dataclasses.dataclass
class WrittenFile:
    location: Location
    rows: int
    size: int
    md5: bytes


class Output:
    """Writes batches into files under ``folder``, starting a new file past ``max_bytes``.

    Files are named like Hive's: ``000000_0``, ``000001_0``… plus the compression's
    extension; ``taken`` names (an INSERT INTO's existing files) get ``_copy_N``.
    """

    def __init__(self, folder: Location, spec: OutputSpec, *, taken: set[str] | None = None,
                 namer: Callable[[int], str] | None = None):
        self.folder = folder
        self.spec = spec
        self.taken = set(taken or ())
        self.namer = namer
        self.files: list[WrittenFile] = []
        self._current: _OpenFile | None = None
        self._index = 0
        rules = rules_of(spec.format)
        self._encoder = rules.line_encoder(spec) if rules.lines else None

    def _name(self) -> str:
        if self.namer is not None:
            name = self.namer(self._index)
        else:
            ext = EXTENSIONS.get(self.spec.compression or "", "") if self._encoder else ""
            base = f"{self._index:06d}_0"
            name = base + ext
            copy = 0
            while name in self.taken:
                copy += 1
                name = f"{base}_copy_{copy}{ext}"
        self._index += 1
        self.taken.add(name)
        return name

    def write(self, batch: pa.RecordBatch) -> None:
        if batch.num_rows == 0:
            return
        step = batch.num_rows
        if self._encoder is not None:
            per_row = max(1, batch.nbytes // batch.num_rows)
            step = max(1, min(16_384, self.spec.max_bytes // (2 * per_row)))
        for start in range(0, batch.num_rows, step):
            if self._current is None:
                self._current = _OpenFile(self.folder.child(self._name()), self.spec, self._encoder)
            self._current.write(batch.slice(start, step))
            if self._current.bytes_in >= self.spec.max_bytes:
                self._finish()

    def _finish(self) -> None:
        current, self._current = self._current, None
        if current is not None:
            current.close()
            self.files.append(WrittenFile(current.location, current.rows, current.size, current.raw.md5.digest()))

    def close(self, *, keep_empty: bool = False) -> list[WrittenFile]:
        """Finish the last file; with ``keep_empty`` an empty output still has one file."""
        if self._current is None and keep_empty and not self.files:
            self._current = _OpenFile(self.folder.child(self._name()), self.spec, self._encoder)
        self._finish()
        return self.files

    def abort(self) -> None:
        current, self._current = self._current, None
        if current is not None:
            try:
                current.close()
            except Exception:
                pass
