"""Files on S3 or a local disk: reading them as Arrow streams, writing query results to them.

Everything here streams: files are read one block (text) or row group / stripe
(Parquet, ORC) at a time and written as they come, so memory stays bounded whatever
the data size.  S3 is reached through :class:`pyarrow.fs.S3FileSystem`; credentials
come from the caller (the boto3 chain) and are never logged or shown.

Locations: ``s3://bucket/key`` (``s3a://``, ``s3n://`` alike), ``file:///path``,
``/path``.  Names starting with ``_`` or ``.`` are hidden, as in Hadoop: ``_SUCCESS``,
``.crc`` files and ddbsql's own staging folders are never read as data.

Formats (``FileStorage.format``): ``text`` (Hive delimited text, LazySimpleSerDe),
``csv`` (OpenCSVSerde), ``json`` (one JSON object per line, the JSON SerDes),
``parquet``, ``orc``; the DynamoDB formats live in :mod:`ddbsql.exec.ddbexport`.
Text inputs ending ``.gz``, ``.bz2``, ``.zst``, ``.lz4`` (LZ4 frame), ``.br`` or
``.deflate`` (Hadoop's DefaultCodec) are decompressed on the fly.
"""
from __future__ import annotations

import csv
import dataclasses
import hashlib
import json
import os
import re
import secrets
import sys
import threading
import time
import zlib
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence
from urllib.parse import unquote

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.fs as pafs

from ..catalog.model import Column, FileStorage
from ..errors import ConfigError, ExecutionError, SemanticError
from .sandbox import LocalAccess
from ..types import HiveType
from . import hivetext as ht

__all__ = ["Location", "S3Access", "FileSystems", "parse_location", "ReadLog", "ReadSpec", "Source",
           "read_batches", "Output", "OutputSpec", "Staging", "partition_dir", "parse_partition_dir",
           "DEFAULT_PARTITION", "compression_for_text", "list_data_files", "is_hidden", "HiddenPrefix"]

DEFAULT_PARTITION = "__HIVE_DEFAULT_PARTITION__"
HiddenPrefix = ("_", ".")
#: bytes read from a text file at a time
BLOCK_BYTES = 4 << 20
#: rows per record batch for line-oriented formats
BATCH_ROWS = 65_536
STAGING_PREFIX = "_ddbsql_staging_"

_S3_SCHEMES = ("s3", "s3a", "s3n")


# --------------------------------------------------------------------------- locations

@dataclasses.dataclass(frozen=True)
class S3Access:
    """How to reach S3: region, endpoint and credentials (never shown by repr)."""

    region: str
    endpoint: str | None = None
    access_key: str | None = dataclasses.field(default=None, repr=False)
    secret_key: str | None = dataclasses.field(default=None, repr=False)
    session_token: str | None = dataclasses.field(default=None, repr=False)


class FileSystems:
    """The file systems of one session: the local disk and S3 (built on first use)."""

    def __init__(self, s3_access: Callable[[], S3Access] | None = None):
        self._s3_access = s3_access
        self._access: S3Access | None = None
        self._s3: dict[str, pafs.FileSystem] = {}
        self._regions: dict[str, str] = {}
        self._local = pafs.LocalFileSystem()
        self._lock = threading.Lock()

    def local(self) -> pafs.FileSystem:
        return self._local

    def s3(self, bucket: str | None = None) -> pafs.FileSystem:
        """S3 as the session reaches it.  On AWS itself each bucket is reached in its own
        region (asked once); a custom endpoint (moto, MinIO, --local) uses the session's."""
        with self._lock:
            if self._access is None:
                if self._s3_access is None:
                    raise ConfigError("S3 is not configured for this session")
                self._access = self._s3_access()
            access = self._access
            region = access.region
            if not access.endpoint and bucket:
                if bucket not in self._regions:
                    try:
                        self._regions[bucket] = pafs.resolve_s3_region(bucket)
                    except (OSError, ValueError):
                        self._regions[bucket] = access.region
                region = self._regions[bucket]
            fs = self._s3.get(region)
            if fs is None:
                kwargs: dict[str, Any] = {"region": region}
                if access.endpoint:
                    endpoint = access.endpoint
                    scheme = "https"
                    if "://" in endpoint:
                        scheme, endpoint = endpoint.split("://", 1)
                    kwargs["endpoint_override"] = endpoint.rstrip("/")
                    kwargs["scheme"] = scheme
                if access.access_key and access.secret_key:
                    kwargs.update(access_key=access.access_key, secret_key=access.secret_key)
                    if access.session_token:
                        kwargs["session_token"] = access.session_token
                fs = self._s3[region] = pafs.S3FileSystem(**kwargs)
            return fs


@dataclasses.dataclass(frozen=True)
class Location:
    """A file or folder: ``fs`` and its path there, and the ``uri`` users see."""

    fs: pafs.FileSystem
    path: str
    uri: str
    local: bool

    def child(self, *names: str) -> "Location":
        path = self.path.rstrip("/")
        uri = self.uri.rstrip("/")
        for name in names:
            name = name.strip("/")
            if not name:
                continue
            path = f"{path}/{name}"
            uri = f"{uri}/{name}"
        return Location(self.fs, path, uri, self.local)

    @property
    def name(self) -> str:
        return self.path.rstrip("/").rsplit("/", 1)[-1]

    @property
    def bucket(self) -> str | None:
        return None if self.local else self.path.split("/", 1)[0]

    @property
    def key(self) -> str:
        """The S3 key (without the bucket), or the local path."""
        if self.local:
            return self.path
        parts = self.path.split("/", 1)
        return parts[1] if len(parts) > 1 else ""

    def relative_to(self, base: "Location") -> str:
        prefix = base.path.rstrip("/") + "/"
        if not self.path.startswith(prefix):
            raise ValueError(f"{self.uri} is not under {base.uri}")
        return self.path[len(prefix):]

    def info(self) -> pafs.FileInfo:
        return self.fs.get_file_info(self.path)

    def __str__(self) -> str:
        return self.uri


def parse_location(text: str, systems: FileSystems, *, allow_local: bool | LocalAccess,
                   what: str = "location") -> Location:
    """Resolve a LOCATION / DIRECTORY / INPATH string; a local path must pass ``allow_local``
    (``True``: any local path, ``False``: none)."""
    raw = text.strip()
    if not raw:
        raise SemanticError(f"empty {what}")
    m = re.match(r"^([A-Za-z][A-Za-z0-9+.-]*)://(.*)$", raw)
    if m is None and raw.lower().startswith("file:"):
        m = re.match(r"^(file):(/.*)$", raw, re.I)
    if m is not None:
        scheme = m.group(1).lower()
        rest = m.group(2)
        if scheme in _S3_SCHEMES:
            bucket, _, key = rest.partition("/")
            if not bucket:
                raise SemanticError(f"{what} '{raw}' names no bucket")
            key = key.strip("/")
            path = f"{bucket}/{key}" if key else bucket
            return Location(systems.s3(bucket), path, f"s3://{path}", False)
        if scheme == "file":
            if rest.startswith("localhost/"):
                rest = rest[len("localhost"):]
            elif not rest.startswith("/"):
                rest = "/" + rest
            return _local(Path(unquote(rest)), systems, allow_local, what, raw)
        if scheme in ("hdfs", "viewfs", "maprfs", "wasb", "gs", "abfs", "abfss"):
            raise SemanticError(f"{what} '{raw}': {scheme}:// is not available to ddbsql; use s3://bucket/prefix "
                                "or a local path")
        raise SemanticError(f"{what} '{raw}': unknown scheme '{scheme}://' (use s3:// or a local path)")
    return _local(Path(raw).expanduser(), systems, allow_local, what, raw)


def _local(path: Path, systems: FileSystems, allow_local: bool | LocalAccess, what: str, raw: str) -> Location:
    if isinstance(allow_local, bool):
        allow_local = LocalAccess(allow_local)
    resolved = str(path.resolve()) if not path.is_absolute() else os.path.normpath(str(path))
    resolved = allow_local.check(resolved, what, raw)
    return Location(systems.local(), resolved, resolved, True)


def is_hidden(name: str) -> bool:
    return name.startswith(HiddenPrefix)


def list_data_files(location: Location, *, recursive: bool = True) -> list[pafs.FileInfo]:
    """Every visible file under ``location`` (or ``location`` itself when it is a file),
    sorted by path; a missing location has none.  A missing S3 bucket is an error."""
    info = _info(location)
    if info.type == pafs.FileType.File:
        return [info]
    if info.type == pafs.FileType.NotFound:
        return []
    try:
        infos = location.fs.get_file_info(pafs.FileSelector(location.path, recursive=recursive,
                                                             allow_not_found=True))
    except OSError as exc:
        raise _io_error(exc, location) from None
    base = location.path.rstrip("/") + "/"
    out = []
    for item in infos:
        if item.type != pafs.FileType.File:
            continue
        relative = item.path[len(base):] if item.path.startswith(base) else item.base_name
        if any(is_hidden(part) for part in relative.split("/")):
            continue
        out.append(item)
    out.sort(key=lambda i: i.path)
    return out


def _info(location: Location) -> pafs.FileInfo:
    try:
        info = location.fs.get_file_info(location.path)
    except OSError as exc:
        raise _io_error(exc, location) from None
    if info.type == pafs.FileType.NotFound and not location.local:
        bucket = location.bucket
        try:
            bucket_info = location.fs.get_file_info(bucket)
        except OSError as exc:
            raise _io_error(exc, location) from None
        if bucket_info.type == pafs.FileType.NotFound:
            raise ExecutionError(f"S3 bucket '{bucket}' does not exist (location {location.uri})")
    return info


def check_bucket(location: Location) -> None:
    """A clear error when ``location`` is on S3 and its bucket does not exist."""
    _info(location)


def _io_error(exc: BaseException, location: Location | str) -> ExecutionError:
    text = str(exc).split("\n", 1)[0]
    text = re.sub(r"\s*\(Request ID: [^)]*\)", "", text)
    if "NO_SUCH_BUCKET" in text or "bucket does not exist" in text.lower():
        bucket = location.bucket if isinstance(location, Location) else None
        return ExecutionError(f"S3 bucket '{bucket}' does not exist ({location})")
    if "ACCESS_DENIED" in text or "AccessDenied" in text:
        return ExecutionError(f"access denied to {location}: {text}")
    return ExecutionError(f"{location}: {text}")


# --------------------------------------------------------------------------- partitions

_PATH_UNSAFE = set('"#%\'*/:=?\\\x7f{[]^')


def escape_path_name(value: str) -> str:
    """Hive's FileUtils.escapePathName: unsafe characters as ``%XX``."""
    return "".join(f"%{ord(c):02X}" if c in _PATH_UNSAFE or ord(c) < 0x20 else c for c in value)


def partition_dir(names: Sequence[str], values: Sequence[str | None]) -> str:
    """``k1=v1/k2=v2`` with Hive's escaping; NULL and '' are the default partition."""
    parts = []
    for name, value in zip(names, values):
        text = DEFAULT_PARTITION if value is None or value == "" else escape_path_name(value)
        parts.append(f"{escape_path_name(name)}={text}")
    return "/".join(parts)


def parse_partition_dir(relative: str, names: Sequence[str]) -> tuple[str | None, ...] | None:
    """The partition values of a ``k=v/…`` folder path, or None when it is not one."""
    parts = [p for p in relative.strip("/").split("/") if p]
    if len(parts) != len(names):
        return None
    values: list[str | None] = []
    for part, name in zip(parts, names):
        key, sep, value = part.partition("=")
        if not sep or unquote(key).lower() != name:
            return None
        value = unquote(value)
        values.append(None if value == DEFAULT_PARTITION else value)
    return tuple(values)


def discover_partitions(location: Location, names: Sequence[str]) -> list[tuple[str | None, ...]]:
    """The ``k=v/…`` folders (holding at least one visible file) under ``location``."""
    found = set()
    base = location.path.rstrip("/") + "/"
    for item in list_data_files(location, recursive=True):
        relative = item.path[len(base):] if item.path.startswith(base) else ""
        folder = relative.rsplit("/", 1)[0] if "/" in relative else ""
        parts = folder.split("/")
        if len(parts) < len(names):
            continue
        values = parse_partition_dir("/".join(parts[:len(names)]), names)
        if values is not None:
            found.add(values)
    return sorted(found, key=lambda v: tuple("" if x is None else x for x in v))


# --------------------------------------------------------------------------- reading

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
    #: for the DynamoDB formats: the column bindings (see ddbexport)
    bindings: list | None = None

    @property
    def schema(self) -> pa.Schema:
        return pa.schema([pa.field(c.name, c.type.to_arrow()) for c in self.wanted])


def _int_property(props: dict[str, str], key: str) -> int:
    try:
        return max(0, int(props.get(key, "0") or 0))
    except ValueError:
        raise ConfigError(f'TBLPROPERTIES "{key}" must be a whole number') from None


def read_batches(spec: ReadSpec, sources: Sequence[Source], log: ReadLog,
                 cancel: threading.Event | None = None) -> Iterator[pa.RecordBatch]:
    """Every row of ``sources`` as batches of ``spec.schema``."""
    fmt = spec.storage.format
    if fmt in ("dynamodb-export", "emr-export"):
        from . import ddbexport
        yield from ddbexport.read_batches(spec, sources, log, cancel)
        return
    reader = _FILE_READERS.get(fmt)
    if reader is None:
        raise SemanticError(f"ddbsql cannot read files of format '{fmt}'")
    schema = spec.schema
    partition_names = {c.name for c in spec.partition_columns}
    data_wanted = [(i, c) for i, c in enumerate(spec.data_columns) if any(w.name == c.name for w in spec.wanted)]
    for source in sources:
        constants = {}
        for column in spec.partition_columns:
            if column.name in {w.name for w in spec.wanted}:
                raw = source.values.get(column.name)
                arr, bad = ht.convert_strings(pa.array([raw], pa.string()), column.type, ht.TextFormat(null=None))
                if bad:
                    log.bad_value(source.location.uri, None, column.name, bad[0][1], raw)
                constants[column.name] = arr[0]
        for info in list_data_files(source.location):
            if cancel is not None and cancel.is_set():
                return
            uri = _uri_of(source.location, info.path)
            for batch in reader(source.location.fs, info.path, uri, spec, data_wanted, log):
                if cancel is not None and cancel.is_set():
                    return
                n = batch.num_rows
                if n == 0:
                    continue
                arrays = []
                for column in spec.wanted:
                    if column.name in partition_names:
                        arrays.append(pa.repeat(constants[column.name], n))
                    else:
                        arrays.append(batch.column(column.name))
                log.count(n)
                yield pa.RecordBatch.from_arrays(arrays, schema=schema)


def _uri_of(base: Location, path: str) -> str:
    if base.local:
        return path
    return f"s3://{path}"


class _Inflate:
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
            return _Inflate(fs.open_input_stream(path, compression=None))
        return fs.open_input_stream(path, compression="detect")
    except OSError as exc:
        raise _io_error(exc, uri) from None


def iter_lines(fs: pafs.FileSystem, path: str, uri: str) -> Iterator[tuple[int, list[str]]]:
    """``(first line number, lines)`` blocks of a text file; line numbers from 1; ``\\r\\n``
    and ``\\n`` end lines; the file is decoded as UTF-8 (bad bytes replaced)."""
    stream = open_input(fs, path, uri)
    try:
        rest = b""
        number = 1
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
            text = block.decode("utf-8", "replace")
            lines = text.split("\n")
            if "\r" in text:
                lines = [line[:-1] if line.endswith("\r") else line for line in lines]
            for start in range(0, len(lines), BATCH_ROWS):
                part = lines[start:start + BATCH_ROWS]
                yield number, part
                number += len(part)
        if rest:
            line = rest.decode("utf-8", "replace")
            yield number, [line[:-1] if line.endswith("\r") else line]
    finally:
        stream.close()


def _skipping(blocks: Iterator[tuple[int, list[str]]], header: int, footer: int
              ) -> Iterator[tuple[int, list[str]]]:
    """Drop the first ``header`` and last ``footer`` lines of a file."""
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


def _text_reader(fs, path, uri, spec: ReadSpec, wanted: list[tuple[int, Column]], log: ReadLog
                 ) -> Iterator[pa.RecordBatch]:
    fmt = ht.TextFormat.from_properties(spec.storage.serde_properties)
    header = _int_property(spec.properties, "skip.header.line.count")
    footer = _int_property(spec.properties, "skip.footer.line.count")
    names = [c.name for _, c in wanted]
    for first, lines in _skipping(iter_lines(fs, path, uri), header, footer):
        if not wanted:
            yield pa.record_batch({"__rows": pa.nulls(len(lines))})
            continue
        fields = _split_block(lines, fmt)
        arrays = []
        for (_, column), raw in zip(wanted, fields(wanted)):
            arr, bad = ht.convert_strings(raw, column.type, fmt)
            for row, reason in bad:
                log.bad_value(uri, first + row, column.name, reason, lines[row])
            arrays.append(arr)
        yield pa.RecordBatch.from_arrays(arrays, names=names)


def _split_block(lines: list[str], fmt: ht.TextFormat):
    """A function giving, for the wanted (index, column) pairs, each column's raw fields."""
    escape = fmt.escape
    if escape is not None and any(escape in line for line in lines):
        rows = [ht.split_fields(line, fmt.field, escape) for line in lines]

        def python_fields(wanted):
            for index, _ in wanted:
                yield pa.array([r[index] if index < len(r) else None for r in rows], pa.string())
        return python_fields
    arr = pa.array(lines, pa.string())
    lists = pc.split_pattern(arr, fmt.field)
    lengths = pc.list_value_length(lists)
    starts = lists.offsets.slice(0, len(lines))
    values = lists.values

    def vector_fields(wanted):
        for index, _ in wanted:
            valid = pc.greater(lengths, index)
            if len(values) == 0:
                yield pa.nulls(len(lines), pa.string())
                continue
            positions = pc.if_else(valid, pc.add(starts, index), 0)
            taken = values.take(positions)
            yield pc.if_else(valid, taken, pa.scalar(None, pa.string()))
    return vector_fields


def _csv_reader(fs, path, uri, spec: ReadSpec, wanted: list[tuple[int, Column]], log: ReadLog
                ) -> Iterator[pa.RecordBatch]:
    props = spec.storage.serde_properties
    separator = props.get("separatorChar", ",") or ","
    quote_char = props.get("quoteChar", '"') or '"'
    # OpenCSVSerde's defaults are opencsv CSVWriter's: the escape character is the quote itself
    escape = props.get("escapeChar", '"') or '"'
    header = _int_property(spec.properties, "skip.header.line.count")
    footer = _int_property(spec.properties, "skip.footer.line.count")
    fmt = ht.TextFormat(null=None)
    names = [c.name for _, c in wanted]
    csv.field_size_limit(min(sys.maxsize, 2 ** 31 - 1))

    def lines():
        for _, block in iter_lines(fs, path, uri):
            for line in block:
                yield line + "\n"

    reader = csv.reader(lines(), delimiter=separator[0], quotechar=quote_char[0],
                        escapechar=None if escape[0] == quote_char[0] else escape[0], doublequote=True, strict=False)
    pending: list[tuple[int, list[str]]] = []
    records: list[tuple[int, list[str]]] = []
    skipped = 0
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            log.bad_row(uri, reader.line_num, f"malformed CSV ({exc})")
            continue
        line = reader.line_num
        if skipped < header:
            skipped += 1
            continue
        if not row:
            continue
        pending.append((line, row))
        if len(pending) > footer:
            records.append(pending.pop(0))
        if len(records) >= BATCH_ROWS:
            yield _csv_batch(records, wanted, names, fmt, uri, log)
            records = []
    if records:
        yield _csv_batch(records, wanted, names, fmt, uri, log)


def _csv_batch(records, wanted, names, fmt, uri, log) -> pa.RecordBatch:
    arrays = []
    for index, column in wanted:
        raw = pa.array([r[index] if index < len(r) else None for _, r in records], pa.string())
        arr, bad = ht.convert_strings(raw, column.type, fmt)
        for row, reason in bad:
            log.bad_value(uri, records[row][0], column.name, reason, records[row][1][index])
        arrays.append(arr)
    if not wanted:
        return pa.record_batch({"__rows": pa.nulls(len(records))})
    return pa.RecordBatch.from_arrays(arrays, names=names)


def _json_reader(fs, path, uri, spec: ReadSpec, wanted: list[tuple[int, Column]], log: ReadLog
                 ) -> Iterator[pa.RecordBatch]:
    names = [c.name for _, c in wanted]
    header = _int_property(spec.properties, "skip.header.line.count")
    props = spec.storage.serde_properties
    ignore_malformed = str(props.get("ignore.malformed.json", "")).lower() == "true"
    # JSON SerDe mapping property: "mapping.<column>"="json key"
    keys = {c.name: props.get(f"mapping.{c.name}", c.spelling or c.name) for _, c in wanted}
    for first, lines in _skipping(iter_lines(fs, path, uri), header, 0):
        columns: list[list] = [[] for _ in wanted]
        line_numbers: list[int] = []
        for offset, line in enumerate(lines):
            if not line.strip():
                continue
            number = first + offset
            try:
                obj = json.loads(line, parse_float=ht.JsonNumber)
            except ValueError as exc:
                if ignore_malformed:
                    obj = {}
                else:
                    log.bad_row(uri, number, f"malformed JSON ({str(exc).split(':')[0]})", line)
                    continue
            if not isinstance(obj, dict):
                log.bad_row(uri, number, "a JSON line must hold an object", line)
                continue
            folded = None
            for i, (_, column) in enumerate(wanted):
                key = keys[column.name]
                if key in obj:
                    columns[i].append(obj[key])
                    continue
                if folded is None:
                    folded = {k.lower(): v for k, v in obj.items()}
                columns[i].append(folded.get(key.lower()))
            line_numbers.append(number)
        if not line_numbers:
            continue
        if not wanted:
            yield pa.record_batch({"__rows": pa.nulls(len(line_numbers))})
            continue
        arrays = []
        for i, (_, column) in enumerate(wanted):
            arr, bad = ht.convert_json_values(columns[i], column.type)
            for row, reason in bad:
                log.bad_value(uri, line_numbers[row], column.name, reason, columns[i][row])
            arrays.append(arr)
        yield pa.RecordBatch.from_arrays(arrays, names=names)


def _columnar(file_columns: list[str], wanted: list[tuple[int, Column]]) -> dict[str, str | None]:
    """Which file column holds each wanted column: by name (case-insensitive); by position
    when the file's columns are Hive's positional ``_col0``, ``_col1``…"""
    by_lower = {}
    for name in file_columns:
        by_lower.setdefault(name.lower(), name)
    out: dict[str, str | None] = {}
    positional = file_columns and all(re.fullmatch(r"_col\d+", n) for n in file_columns)
    for index, column in wanted:
        if positional:
            out[column.name] = file_columns[index] if index < len(file_columns) else None
        else:
            out[column.name] = by_lower.get(column.name) or by_lower.get((column.spelling or column.name).lower())
    return out


def _fit(arr: pa.Array, column: Column, uri: str, log: ReadLog) -> pa.Array:
    """A file column as the table column's type."""
    target = column.type.to_arrow()
    if arr.type == target:
        return arr
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if pa.types.is_dictionary(arr.type):
        arr = arr.dictionary_decode()
    if pa.types.is_timestamp(arr.type) and pa.types.is_timestamp(target) and arr.type.tz is not None:
        arr = arr.cast(pa.timestamp(arr.type.unit))
    if pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type):
        out, bad = ht.convert_strings(arr.cast(pa.string()), column.type, ht.TextFormat(null=None))
        for row, reason in bad:
            log.bad_value(uri, None, column.name, reason)
        return out
    try:
        return arr.cast(target)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
        pass
    values = arr.to_pylist()
    out_values = []
    for value in values:
        if value is None:
            out_values.append(None)
            continue
        try:
            out_values.append(pa.scalar(value).cast(target).as_py())
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError, OverflowError, ValueError):
            try:
                text = value if isinstance(value, str) else json.dumps(value, default=str)
                reasons: list[str] = []
                out_values.append(ht.text_value(text, column.type, ht.TextFormat(null=None), 1, reasons.append))
            except ht.Bad as exc:
                log.bad_value(uri, None, column.name, f"{arr.type} value does not fit {column.type}: {exc.reason}")
                out_values.append(None)
    return pa.array(out_values, type=target)


def _parquet_reader(fs, path, uri, spec: ReadSpec, wanted: list[tuple[int, Column]], log: ReadLog
                    ) -> Iterator[pa.RecordBatch]:
    import pyarrow.parquet as pq

    try:
        handle = fs.open_input_file(path)
        parquet = pq.ParquetFile(handle)
    except (OSError, pa.ArrowInvalid) as exc:
        raise ExecutionError(f"{uri}: not a readable Parquet file ({str(exc).splitlines()[0]})") from None
    try:
        mapping = _columnar(parquet.schema_arrow.names, wanted)
        needed = sorted({n for n in mapping.values() if n})
        rows = parquet.metadata.num_rows
        if not needed:
            for start in range(0, rows, BATCH_ROWS):
                n = min(BATCH_ROWS, rows - start)
                yield _nulls_batch(wanted, n)
            return
        for batch in parquet.iter_batches(batch_size=BATCH_ROWS, columns=needed, use_threads=False):
            yield _assemble(batch, mapping, wanted, uri, log)
    except (OSError, pa.ArrowInvalid) as exc:
        raise ExecutionError(f"{uri}: cannot read Parquet ({str(exc).splitlines()[0]})") from None
    finally:
        handle.close()


def _orc_reader(fs, path, uri, spec: ReadSpec, wanted: list[tuple[int, Column]], log: ReadLog
                ) -> Iterator[pa.RecordBatch]:
    import pyarrow.orc as orc

    try:
        handle = fs.open_input_file(path)
        reader = orc.ORCFile(handle)
    except (OSError, pa.ArrowInvalid) as exc:
        raise ExecutionError(f"{uri}: not a readable ORC file ({str(exc).splitlines()[0]})") from None
    try:
        mapping = _columnar(reader.schema.names, wanted)
        needed = sorted({n for n in mapping.values() if n})
        for stripe in range(reader.nstripes):
            if needed:
                batch = reader.read_stripe(stripe, columns=needed)
                for start in range(0, batch.num_rows, BATCH_ROWS):
                    yield _assemble(batch.slice(start, BATCH_ROWS), mapping, wanted, uri, log)
            else:
                n = reader.read_stripe(stripe).num_rows
                yield _nulls_batch(wanted, n)
    except (OSError, pa.ArrowInvalid) as exc:
        raise ExecutionError(f"{uri}: cannot read ORC ({str(exc).splitlines()[0]})") from None
    finally:
        handle.close()


def _nulls_batch(wanted, n: int) -> pa.RecordBatch:
    if not wanted:
        return pa.record_batch({"__rows": pa.nulls(n)})
    return pa.RecordBatch.from_arrays([pa.nulls(n, c.type.to_arrow()) for _, c in wanted],
                                      names=[c.name for _, c in wanted])


def _assemble(batch: pa.RecordBatch, mapping: dict[str, str | None], wanted, uri: str, log: ReadLog
              ) -> pa.RecordBatch:
    if not wanted:
        return pa.record_batch({"__rows": pa.nulls(batch.num_rows)})
    arrays = []
    for _, column in wanted:
        name = mapping[column.name]
        if name is None:
            arrays.append(pa.nulls(batch.num_rows, column.type.to_arrow()))
        else:
            arrays.append(_fit(batch.column(name), column, uri, log))
    return pa.RecordBatch.from_arrays(arrays, names=[c.name for _, c in wanted])


_FILE_READERS = {"text": _text_reader, "csv": _csv_reader, "json": _json_reader, "parquet": _parquet_reader,
                 "orc": _orc_reader}


# --------------------------------------------------------------------------- writing

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
_EXTENSIONS = {"gzip": ".gz", "bz2": ".bz2", "zstd": ".zst", "deflate": ".deflate"}


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
    if codec is None or codec in _EXTENSIONS:
        return codec
    raise ConfigError(f"{codec} compression of text output is not supported (Hadoop frames it its own way); "
                      "use GzipCodec, BZip2Codec, ZStandardCodec or DefaultCodec")


class _Deflate:
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


class _Hashing:
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


def open_output(location: Location):
    """A writable stream for ``location`` (parents created on the local disk)."""
    try:
        if location.local:
            parent = location.path.rsplit("/", 1)[0]
            if parent:
                location.fs.create_dir(parent, recursive=True)
        return location.fs.open_output_stream(location.path, compression=None)
    except OSError as exc:
        raise _io_error(exc, location) from None


@dataclasses.dataclass
class OutputSpec:
    """How to write rows: the format, its SerDe properties, the columns, compression."""

    format: str
    columns: list[tuple[str, HiveType]]
    serde_properties: dict[str, str] = dataclasses.field(default_factory=dict)
    #: text: gzip/bz2/zstd/deflate or None; parquet/orc: their own codec names
    compression: str | None = None
    max_bytes: int = 256 << 20


class _TextEncoder:
    """Rows to lines of delimited text, CSV or JSON."""

    def __init__(self, spec: OutputSpec):
        self.spec = spec
        self.kind = spec.format
        props = spec.serde_properties
        if self.kind == "text":
            self.fmt = ht.TextFormat.from_properties(props)
            if self.fmt.line != "\n":
                raise ConfigError("LINES TERMINATED BY supports only '\\n' (as in Hive)")
        elif self.kind == "csv":
            self.sep = (props.get("separatorChar") or ",")[0]
            self.quote = (props.get("quoteChar") or '"')[0]
            self.escape = (props.get("escapeChar") or '"')[0]

    def encode(self, batch: pa.RecordBatch) -> bytes:
        if batch.num_rows == 0:
            return b""
        columns = self.spec.columns
        if self.kind == "text":
            fields = [ht.format_column(batch.column(i), t, self.fmt) for i, (_, t) in enumerate(columns)]
            sep = self.fmt.field
            text = "\n".join(sep.join(row) for row in zip(*fields)) + "\n"
        elif self.kind == "csv":
            fields = [self._csv_column(batch.column(i), t) for i, (_, t) in enumerate(columns)]
            text = "\n".join(self.sep.join(row) for row in zip(*fields)) + "\n"
        else:
            names = [n for n, _ in columns]
            values = [batch.column(i).to_pylist() for i in range(len(columns))]
            lines = []
            for row in zip(*values):
                lines.append(ht.dump_json({n: ht.json_ready(v, t) for n, v, (_, t) in zip(names, row, columns)}))
            text = "\n".join(lines) + "\n"
        return text.encode("utf-8")

    def _csv_column(self, arr: pa.Array, hive_type: HiveType) -> list[str]:
        plain = ht.TextFormat(null="")
        texts = ht.format_column(arr, hive_type, plain) if not hive_type.is_complex else [
            "" if v is None else ht.dump_json(ht.json_ready(v, hive_type)) for v in arr.to_pylist()]
        nulls = arr.is_null().to_pylist()
        q, e = self.quote, self.escape
        out = []
        for text, null in zip(texts, nulls):
            if null:
                out.append("")
                continue
            if e in text or q in text:
                text = "".join(e + c if c in (q, e) else c for c in text)
            out.append(q + text + q)
        return out


class _OpenFile:
    """One output file being written."""

    def __init__(self, location: Location, spec: OutputSpec, encoder: _TextEncoder | None):
        self.location = location
        self.spec = spec
        self.rows = 0
        self.bytes_in = 0
        self.raw = _Hashing(open_output(location))
        self._writer = None
        self._encoder = encoder
        if spec.format in ("parquet", "orc"):
            schema = pa.schema([pa.field(n, t.to_arrow()) for n, t in spec.columns])
            if spec.format == "parquet":
                import pyarrow.parquet as pq
                self._writer = pq.ParquetWriter(self.raw, schema, compression=spec.compression or "snappy")
            else:
                import pyarrow.orc as orc
                self._stream = pa.PythonFile(self.raw, mode="w")
                self._writer = orc.ORCWriter(self._stream, compression=spec.compression or "zlib")
            self.stream = None
        else:
            codec = spec.compression
            if codec == "deflate":
                self.stream = _Deflate(self.raw)
            elif codec:
                self.stream = pa.CompressedOutputStream(pa.PythonFile(self.raw, mode="w"), codec)
            else:
                self.stream = self.raw

    def write(self, batch: pa.RecordBatch) -> None:
        if batch.num_rows == 0:
            return
        if self._writer is not None:
            if self.spec.format == "parquet":
                self._writer.write_batch(batch)
            else:
                self._writer.write(pa.Table.from_batches([batch]))
            self.bytes_in += batch.nbytes
        else:
            data = self._encoder.encode(batch)
            self.stream.write(data)
            self.bytes_in += len(data)
        self.rows += batch.num_rows

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            if self.spec.format == "orc":
                self._stream.close()
            else:
                self.raw.close()
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
        self._encoder = _TextEncoder(spec) if spec.format in ("text", "csv", "json") else None

    def _name(self) -> str:
        if self.namer is not None:
            name = self.namer(self._index)
        else:
            ext = _EXTENSIONS.get(self.spec.compression or "", "") if self._encoder else ""
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


class Staging:
    """New files are written under ``<target>/_ddbsql_staging_<token>/`` (hidden from
    readers), then moved into place by :meth:`commit`; :meth:`abort` deletes them, so a
    statement that fails leaves the old data as it was."""

    def __init__(self, target: Location):
        self.target = target
        self.token = f"{time.strftime('%Y%m%d%H%M%S', time.gmtime())}_{secrets.token_hex(4)}"
        self.root = target.child(STAGING_PREFIX + self.token)

    def folder(self, relative: str = "") -> Location:
        return self.root.child(relative) if relative else self.root

    def commit(self, *, replace: Sequence[str] = (), recursive_replace: bool = True) -> int:
        """Move every staged file to the same place under the target, then delete the old
        visible files of the ``replace`` folders (relative to the target) that the new
        ones did not overwrite.  Returns how many old files were deleted."""
        staged = self._staged_files()
        new_paths = set()
        for item in staged:
            relative = item.path[len(self.root.path.rstrip("/")) + 1:]
            final = self.target.child(relative)
            new_paths.add(final.path)
            try:
                if final.local:
                    final.fs.create_dir(final.path.rsplit("/", 1)[0], recursive=True)
                final.fs.move(item.path, final.path)
            except OSError as exc:
                raise _io_error(exc, final) from None
        deleted = 0
        for relative in replace:
            folder = self.target.child(relative) if relative else self.target
            for item in list_data_files(folder, recursive=recursive_replace):
                if item.path in new_paths:
                    continue
                try:
                    folder.fs.delete_file(item.path)
                    deleted += 1
                except OSError as exc:
                    raise _io_error(exc, item.path) from None
        self._remove_root()
        return deleted

    def _staged_files(self) -> list[pafs.FileInfo]:
        try:
            infos = self.root.fs.get_file_info(pafs.FileSelector(self.root.path, recursive=True,
                                                                 allow_not_found=True))
        except OSError as exc:
            raise _io_error(exc, self.root) from None
        return sorted((i for i in infos if i.type == pafs.FileType.File), key=lambda i: i.path)

    def _remove_root(self) -> None:
        try:
            if self.root.fs.get_file_info(self.root.path).type != pafs.FileType.NotFound:
                self.root.fs.delete_dir(self.root.path)
        except OSError:
            pass

    def abort(self) -> None:
        self._remove_root()


def existing_names(folder: Location) -> set[str]:
    """Names of the files directly in ``folder`` (for ``_copy_N`` naming)."""
    try:
        infos = folder.fs.get_file_info(pafs.FileSelector(folder.path, recursive=False, allow_not_found=True))
    except OSError:
        return set()
    return {i.base_name for i in infos}
