"""CSV files (OpenCSVSerde): reading them and encoding rows as CSV lines."""
from __future__ import annotations

import csv
import itertools
import re
import sys
from typing import Iterator

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from ...catalog.model import Column
from ...types import HiveType
from ..compression import BATCH_ROWS, iter_lines
from ..output_settings import OutputSpec
from ..reading import ReadLog, ReadSpec, header_and_footer
from .text_values import TextFormat, convert_strings, dump_json, format_column, json_ready


def read_csv_file(fs, path, uri, spec: ReadSpec, wanted: list[tuple[int, Column]], log: ReadLog, *,
                  fast: bool = True) -> Iterator[pa.RecordBatch]:
    """Batches of one CSV file (OpenCSVSerde: every column read from text).

    A block of lines is split into fields by ``pyarrow.csv`` when every line is plain
    CSV that both readers split alike: fields unquoted (no quote character), or quoted
    whole with doubled quotes inside, no line break inside a field, no empty line, and
    every line with the same number of fields.  A block of such lines that is otherwise
    not read alike (empty or ragged lines) is read by the reference reader (Python's
    ``csv`` module), and so is the rest of the file from the first line that is not
    plain CSV (a quoted field running over lines, a stray quote), and a whole file with a
    footer to skip or an escape character of its own.  Both feed the same Hive value
    rules, so values, NULLs and reject entries (with their line numbers) are the same
    either way.  ``fast=False`` reads everything with the reference reader.
    """
    dialect = _dialect(spec)
    header, footer = header_and_footer(spec)
    state = _State(header)
    blocks = iter_lines(fs, path, uri)
    if fast and footer == 0 and dialect.plain_line is not None:
        for first, lines in blocks:
            text = "\n".join(lines)
            if not dialect.is_plain(text):
                # from here on, the reference reader takes the rest of the file as one stream
                blocks = itertools.chain([(first, lines)], blocks)
                break
            batch = _fast_block(first, lines, text, dialect, state, wanted, uri, log)
            if batch is None:   # plain lines, each a whole record: safe to read on their own
                yield from _reference_lines(first, iter(lines), dialect, state, footer, wanted, uri, log)
            elif batch.num_rows:
                yield batch
        else:
            return
    first_block = next(blocks, None)
    if first_block is None:
        return
    lines = itertools.chain(first_block[1], (line for _, block in blocks for line in block))
    yield from _reference_lines(first_block[0], lines, dialect, state, footer, wanted, uri, log)


class _Dialect:
    def __init__(self, separator: str, quote: str, escape: str):
        self.separator, self.quote, self.escape = separator, quote, escape
        #: a line of plain CSV (see :func:`read_csv_file`) as a regular expression, or None
        #: when pyarrow cannot read this dialect
        self.plain_line = None
        if escape == quote and all(len(c) == 1 and c.isascii() and c not in "\r\n" for c in (separator, quote)) \
                and separator != quote:
            sep, q = re.escape(separator), re.escape(quote)
            field = f"(?:{q}(?:[^{q}\\n\\r]|{q}{q})*{q}|[^{q}{sep}\\n\\r]*)"
            self.plain_line = f"{field}(?:{sep}{field})*"

    def is_plain(self, text: str) -> bool:
        """Whether every line of ``text`` is plain CSV.  RE2 (pyarrow's regular expressions)
        checks a block in linear time, without backtracking."""
        pattern = f"^{self.plain_line}(?:\\n{self.plain_line})*$"
        try:
            return bool(pc.match_substring_regex(pa.array([text], pa.large_string()), pattern)[0].as_py())
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            return re.fullmatch(pattern[1:-1], text) is not None


def _dialect(spec: ReadSpec) -> _Dialect:
    props = spec.storage.serde_properties
    separator = (props.get("separatorChar", ",") or ",")[0]
    quote = (props.get("quoteChar", '"') or '"')[0]
    # OpenCSVSerde's defaults are opencsv CSVWriter's: the escape character is the quote itself
    escape = (props.get("escapeChar", '"') or '"')[0]
    return _Dialect(separator, quote, escape)


class _State:
    """What carries from block to block: header lines still to skip, records not yet
    batched, and (with a footer) the last records held back."""

    def __init__(self, header: int):
        self.header = header
        self.skipped = 0
        self.pending: list[tuple[int, list[str]]] = []
        self.records: list[tuple[int, list[str]]] = []

    def flush(self, wanted, uri, log) -> Iterator[pa.RecordBatch]:
        if self.records:
            records, self.records = self.records, []
            yield _csv_batch(records, wanted, [c.name for _, c in wanted], _FORMAT, uri, log)


_FORMAT = TextFormat(null=None)


def _fast_block(first, lines, text, dialect: _Dialect, state: _State, wanted, uri, log) -> pa.RecordBatch | None:
    """The block's records (``lines``, joined as ``text``) through ``pyarrow.csv``, or None
    when it would not read them as the reference reader does (empty lines, lines of
    different lengths)."""
    if not all(lines) or state.pending or state.records:
        return None
    skip = min(state.header - state.skipped, len(lines))
    if skip:
        text = "\n".join(lines[skip:])
    data = (text + "\n").encode("utf-8") if skip < len(lines) else b""
    if not data:
        state.skipped += skip
        return pa.record_batch({"__rows": pa.nulls(0)})
    include = [f"f{index}" for index, _ in wanted]
    try:
        table = pacsv.read_csv(
            pa.py_buffer(data),
            read_options=pacsv.ReadOptions(autogenerate_column_names=True, block_size=len(data) + 1),
            parse_options=pacsv.ParseOptions(delimiter=dialect.separator, quote_char=dialect.quote, double_quote=True,
                                              escape_char=False, newlines_in_values=False, ignore_empty_lines=False),
            convert_options=pacsv.ConvertOptions(column_types={name: pa.string() for name in include},
                                                 include_columns=include or None, include_missing_columns=True,
                                                 strings_can_be_null=False, quoted_strings_can_be_null=False))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None   # rows of different lengths, or anything else pyarrow reads otherwise
    rows = table.num_rows
    if rows != len(lines) - skip:
        return None
    state.skipped += skip
    if not wanted:
        return pa.record_batch({"__rows": pa.nulls(rows)})
    arrays = []
    start = first + skip
    for (index, column), raw in zip(wanted, table.columns):
        raw = raw.combine_chunks() if raw.num_chunks != 1 else raw.chunk(0)
        if pa.types.is_null(raw.type):
            raw = pa.nulls(rows, pa.string())
        arr, bad = convert_strings(raw, column.type, _FORMAT)
        for row, reason in bad:
            log.bad_value(uri, start + row, column.name, reason, raw[row].as_py())
        arrays.append(arr)
    return pa.RecordBatch.from_arrays(arrays, names=[c.name for _, c in wanted])


def _reference_lines(first: int, lines: Iterator[str], dialect: _Dialect, state: _State, footer: int, wanted, uri,
                     log) -> Iterator[pa.RecordBatch]:
    """Records through Python's ``csv`` module (the reference reader); ``first`` is the
    number of the first of ``lines``."""
    csv.field_size_limit(min(sys.maxsize, 2 ** 31 - 1))
    reader = csv.reader((line + "\n" for line in lines), delimiter=dialect.separator, quotechar=dialect.quote,
                        escapechar=None if dialect.escape == dialect.quote else dialect.escape, doublequote=True,
                        strict=False)
    names = [c.name for _, c in wanted]
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            log.bad_row(uri, first - 1 + reader.line_num, f"malformed CSV ({exc})")
            continue
        line = first - 1 + reader.line_num
        if state.skipped < state.header:
            state.skipped += 1
            continue
        if not row:
            continue
        state.pending.append((line, row))
        if len(state.pending) > footer:
            state.records.append(state.pending.pop(0))
        if len(state.records) >= BATCH_ROWS:
            records, state.records = state.records, []
            yield _csv_batch(records, wanted, names, _FORMAT, uri, log)
    yield from state.flush(wanted, uri, log)


def _csv_batch(records, wanted, names, fmt, uri, log) -> pa.RecordBatch:
    arrays = []
    for index, column in wanted:
        raw = pa.array([r[index] if index < len(r) else None for _, r in records], pa.string())
        arr, bad = convert_strings(raw, column.type, fmt)
        for row, reason in bad:
            log.bad_value(uri, records[row][0], column.name, reason, records[row][1][index])
        arrays.append(arr)
    if not wanted:
        return pa.record_batch({"__rows": pa.nulls(len(records))})
    return pa.RecordBatch.from_arrays(arrays, names=names)


class CsvEncoder:
    """Rows to CSV lines: every value quoted, NULL an empty field, nested values as JSON."""

    def __init__(self, spec: OutputSpec):
        self.columns = spec.columns
        props = spec.serde_properties
        self.sep = (props.get("separatorChar") or ",")[0]
        self.quote = (props.get("quoteChar") or '"')[0]
        self.escape = (props.get("escapeChar") or '"')[0]

    def encode(self, batch: pa.RecordBatch) -> bytes:
        if batch.num_rows == 0:
            return b""
        fields = [self._column(batch.column(i), t) for i, (_, t) in enumerate(self.columns)]
        return ("\n".join(self.sep.join(row) for row in zip(*fields)) + "\n").encode("utf-8")

    def _column(self, arr: pa.Array, hive_type: HiveType) -> list[str]:
        plain = TextFormat(null="")
        texts = format_column(arr, hive_type, plain) if not hive_type.is_complex else [
            "" if v is None else dump_json(json_ready(v, hive_type)) for v in arr.to_pylist()]
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
