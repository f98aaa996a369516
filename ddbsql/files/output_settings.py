"""How query results are written to files: :class:`OutputSpec`, from the session's
settings (Hive's compression settings, ``parquet.compression``, ``orc.compress``,
``ddbsql.output.file.max.bytes``) and the table's properties."""
from __future__ import annotations

import dataclasses
from typing import Any, Callable

from ..catalog.model import FileFormat
from ..config import parse_size, truthy
from ..errors import ConfigError
from ..types import HiveType
from .compression import codec_of, compression_for_text

#: a setting's raw text by key (``Settings.lookup``)
Lookup = Callable[[str], "str | None"]

DEFAULT_MAX_BYTES = 256 << 20

_PARQUET_CODECS = {"uncompressed": "none", "none": "none", "snappy": "snappy", "gzip": "gzip", "lzo": None,
                   "brotli": "brotli", "lz4": "lz4", "lz4_raw": "lz4", "zstd": "zstd"}
_ORC_CODECS = {"none": "uncompressed", "uncompressed": "uncompressed", "zlib": "zlib", "snappy": "snappy",
               "lz4": "lz4", "zstd": "zstd"}


@dataclasses.dataclass
class OutputSpec:
    """How to write rows: the format, its SerDe properties, the columns, compression."""

    format: FileFormat
    columns: list[tuple[str, HiveType]]
    serde_properties: dict[str, str] = dataclasses.field(default_factory=dict)
    #: text: gzip/bz2/zstd/deflate or None; parquet/orc: their own codec names
    compression: str | None = None
    max_bytes: int = DEFAULT_MAX_BYTES


def _setting(lookup: Lookup, *keys: str) -> str | None:
    for key in keys:
        value = lookup(key)
        if value is not None and value != "":
            return value
    return None


def max_file_bytes(lookup: Lookup, props: dict[str, str] | None = None) -> int:
    raw = (props or {}).get("ddbsql.output.file.max.bytes") or _setting(lookup, "ddbsql.output.file.max.bytes")
    if raw is None:
        return DEFAULT_MAX_BYTES
    try:
        return parse_size(raw)
    except ValueError as exc:
        raise ConfigError(f"ddbsql.output.file.max.bytes={raw}: {exc}") from None


def compress_output(lookup: Lookup) -> bool:
    return truthy(_setting(lookup, "hive.exec.compress.output", "mapreduce.output.fileoutputformat.compress",
                           "mapred.output.compress"))


def output_codec(lookup: Lookup) -> str | None:
    """The text codec when ``hive.exec.compress.output`` is on (Hadoop's default: deflate)."""
    if not compress_output(lookup):
        return None
    name = _setting(lookup, "mapreduce.output.fileoutputformat.compress.codec", "mapred.output.compression.codec")
    return codec_of(name) or "deflate"


def output_spec(lookup: Lookup, fmt: FileFormat, columns: list[tuple[str, Any]], serde_properties: dict[str, str],
                table_props: dict[str, str] | None = None) -> OutputSpec:
    """How to write ``columns`` as ``fmt`` under the settings ``lookup`` reads."""
    props = table_props or {}
    if fmt in (FileFormat.TEXT, FileFormat.CSV, FileFormat.JSON):
        compression = compression_for_text(output_codec(lookup))
    elif fmt == FileFormat.PARQUET:
        raw = props.get("parquet.compression") or _setting(lookup, "parquet.compression")
        if raw is None and compress_output(lookup):
            codec = output_codec(lookup)
            raw = {"deflate": "gzip", "bz2": "snappy"}.get(codec, codec)
        compression = _PARQUET_CODECS.get((raw or "snappy").lower())
        if compression is None:
            raise ConfigError(f"parquet.compression={raw}: use UNCOMPRESSED, SNAPPY, GZIP, ZSTD, LZ4 or BROTLI")
    elif fmt == FileFormat.ORC:
        raw = props.get("orc.compress") or _setting(lookup, "orc.compress") or "ZLIB"
        compression = _ORC_CODECS.get(raw.lower())
        if compression is None:
            raise ConfigError(f"orc.compress={raw}: use NONE, ZLIB, SNAPPY, LZ4 or ZSTD")
    else:
        compression = None
    return OutputSpec(fmt, columns, dict(serde_properties), compression, max_file_bytes(lookup, props))
