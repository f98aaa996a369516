"""Compressed input and output streams, Hadoop's codec names, and text files as lines.

Text inputs ending ``.gz``, ``.bz2``, ``.zst``, ``.lz4`` (LZ4 frame), ``.br`` or
``.deflate`` (Hadoop's DefaultCodec) are decompressed on the fly.
"""
from __future__ import annotations

import hashlib
import zlib
from typing import Iterator

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.fs as pafs

from ..errors import ConfigError, ExecutionError
from .locations import io_error

#: bytes read from a text file at a time
BLOCK_BYTES = 4 << 20
#: rows per record batch for line-oriented formats
BATCH_ROWS = 65_536


class Inflate:
    """A readable stream inflating Hadoop's DefaultCodec (zlib) data."""

    def __init__(self, raw):
        self.raw = raw
        self.inflater = zlib.decompressobj()
        self.done = False

    def read(self, n: int = -1) -> bytes:
        while not self.done:
            chunk = self.raw.read(BLOCK_BYTES)
            if not chunk:
                self.done = True
                return self.inflater.flush()
            out = self.inflater.decompress(chunk)
            if self.inflater.eof and self.inflater.unused_data:
                rest = self.inflater.unused_data
                self.inflater = zlib.decompressobj()
                out += self.inflater.decompress(rest)
            if out:
                return out
        return b""

    def close(self) -> None:
        self.raw.close()


_UNSUPPORTED_EXTENSIONS = {".snappy": "Hadoop Snappy", ".lzo": "LZO", ".lzo_deflate": "LZO"}


def open_input(fs: pafs.FileSystem, path: str, uri: str):
    """A readable, decompressing stream for ``path`` (compression by extension)."""
    lower = path.lower()
    for ext, name in _UNSUPPORTED_EXTENSIONS.items():
        if lower.endswith(ext):
            raise ExecutionError(f"{uri}: {name} compressed text is not supported (use gzip, bzip2 or zstd)")
    try:
        if lower.endswith(".deflate"):
            return Inflate(fs.open_input_stream(path, compression=None))
        return fs.open_input_stream(path, compression="detect")
    except OSError as exc:
        raise io_error(exc, uri) from None


def _line_blocks(fs: pafs.FileSystem, path: str, uri: str) -> Iterator[bytes]:
    """A text file as blocks of whole lines (``\n`` apart, the last ``\n`` of each block
    dropped); the file's last line, without a ``\n`` after it, is a block of its own."""
    stream = open_input(fs, path, uri)
    try:
        rest = b""
        while True:
            try:
                chunk = stream.read(BLOCK_BYTES)
            except OSError as exc:
                raise ExecutionError(f"{uri}: cannot read ({str(exc).splitlines()[0]})") from None
            if not chunk:
                break
            data = rest + chunk if rest else chunk
            cut = data.rfind(b"\n")
            if cut < 0:
                rest = data
                continue
            block, rest = data[:cut], data[cut + 1:]
            yield block
        if rest:
            yield rest
    finally:
        stream.close()


def iter_lines(fs: pafs.FileSystem, path: str, uri: str) -> Iterator[tuple[int, list[str]]]:
    """``(first line number, lines)`` blocks of a text file; line numbers from 1; ``\r\n``
    and ``\n`` end lines; the file is decoded as UTF-8 (bad bytes replaced)."""
    number = 1
    for block in _line_blocks(fs, path, uri):
        text = block.decode("utf-8", "replace")
        lines = text.split("\n")
        if "\r" in text:
            lines = [line[:-1] if line.endswith("\r") else line for line in lines]
        for start in range(0, len(lines), BATCH_ROWS):
            part = lines[start:start + BATCH_ROWS]
            yield number, part
            number += len(part)


def iter_line_arrays(fs: pafs.FileSystem, path: str, uri: str) -> Iterator[tuple[int, pa.Array]]:
    """The blocks of :func:`iter_lines` as Arrow string arrays, split by Arrow: the same
    lines, numbers and blocks (a chunk that is not valid UTF-8 is decoded and split by
    Python, its bad bytes replaced, as there)."""
    number = 1
    for block in _line_blocks(fs, path, uri):
        lines = _split_lines(block)
        for start in range(0, len(lines), BATCH_ROWS):
            part = lines.slice(start, BATCH_ROWS)
            yield number, part
            number += len(part)


def _split_lines(block: bytes) -> pa.Array:
    """``block``'s lines (``\\n`` apart, one ``\\r`` before it dropped) as a string array."""
    try:
        text = pa.array([block], pa.binary()).cast(pa.string())
    except pa.ArrowInvalid:   # not UTF-8: Python's decoding replaces the bad bytes
        decoded = block.decode("utf-8", "replace")
        lines = pa.array(decoded.split("\n"), pa.string())
    else:
        lines = pc.split_pattern(text, "\n").values
    if b"\r" in block:
        lines = pc.if_else(pc.ends_with(lines, "\r"), pc.utf8_slice_codeunits(lines, 0, -1), lines)
    return lines


def skip_lines(blocks: Iterator[tuple[int, list[str]]], header: int, footer: int
              ) -> Iterator[tuple[int, list[str]]]:
    """Drop the first ``header`` and last ``footer`` lines of a file (blocks of lists, or
    with no footer of Arrow arrays too)."""
    pending: list[tuple[int, str]] = []
    for first, lines in blocks:
        if header:
            drop = min(header, len(lines))
            lines = lines[drop:]
            first += drop
            header -= drop
        if not footer:
            if lines:
                yield first, lines
            continue
        pending.extend((first + i, line) for i, line in enumerate(lines))
        if len(pending) > footer:
            out = pending[:-footer]
            pending = pending[-footer:]
            yield out[0][0], [line for _, line in out]


#: Hadoop codec class (or short name) -> (ddbsql codec, file extension)
_CODECS = {
    "org.apache.hadoop.io.compress.gzipcodec": "gzip", "gzip": "gzip", "gz": "gzip",
    "org.apache.hadoop.io.compress.bzip2codec": "bz2", "bzip2": "bz2", "bz2": "bz2",
    "org.apache.hadoop.io.compress.zstandardcodec": "zstd", "zstd": "zstd", "zstandard": "zstd",
    "org.apache.hadoop.io.compress.defaultcodec": "deflate", "deflate": "deflate", "default": "deflate",
    "org.apache.hadoop.io.compress.deflatecodec": "deflate",
    "org.apache.hadoop.io.compress.snappycodec": "snappy", "snappy": "snappy",
    "org.apache.hadoop.io.compress.lz4codec": "lz4", "lz4": "lz4",
    "com.hadoop.compression.lzo.lzopcodec": "lzo", "com.hadoop.compression.lzo.lzocodec": "lzo",
}
EXTENSIONS = {"gzip": ".gz", "bz2": ".bz2", "zstd": ".zst", "deflate": ".deflate"}


def codec_of(text: str | None) -> str | None:
    """The ddbsql codec name for a Hadoop codec class or short name."""
    if not text:
        return None
    codec = _CODECS.get(text.strip().lower())
    if codec is None:
        raise ConfigError(f"unknown compression codec '{text}' (use org.apache.hadoop.io.compress.GzipCodec, "
                          "BZip2Codec, ZStandardCodec or DefaultCodec)")
    return codec


def compression_for_text(codec: str | None) -> str | None:
    """Check a codec can compress a text file (Hadoop's Snappy/LZ4/LZO framings cannot)."""
    if codec is None or codec in EXTENSIONS:
        return codec
    raise ConfigError(f"{codec} compression of text output is not supported (Hadoop frames it its own way); "
                      "use GzipCodec, BZip2Codec, ZStandardCodec or DefaultCodec")


class Deflate:
    """A writable stream compressing with zlib (Hadoop's DefaultCodec, ``.deflate``)."""

    def __init__(self, raw):
        self.raw = raw
        self.compressor = zlib.compressobj()

    def write(self, data: bytes) -> None:
        out = self.compressor.compress(data)
        if out:
            self.raw.write(out)

    def close(self) -> None:
        self.raw.write(self.compressor.flush())
        self.raw.close()


class Hashing:
    """Passes writes through to ``raw``, keeping the MD5 and size of what was written."""

    def __init__(self, raw):
        self.raw = raw
        self.md5 = hashlib.md5()
        self.size = 0

    def write(self, data) -> int:
        data = bytes(data)
        self.md5.update(data)
        self.size += len(data)
        self.raw.write(data)
        return len(data)

    def close(self) -> None:
        self.raw.close()

    # pyarrow writers need these of a file-like object
    @property
    def closed(self) -> bool:
        return bool(getattr(self.raw, "closed", False))

    def flush(self) -> None:
        pass

    def tell(self) -> int:
        return self.size
