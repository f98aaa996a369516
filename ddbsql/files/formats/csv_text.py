"""CSV files (OpenCSVSerde): reading them and encoding rows as CSV lines."""
from __future__ import annotations

import csv
import sys
from typing import Iterator

import pyarrow as pa

from ...catalog.model import Column
from ...types import HiveType
from ..compression import BATCH_ROWS, iter_lines
from ..output_settings import OutputSpec
from ..reading import ReadLog, ReadSpec, header_and_footer
from .text_values import TextFormat, convert_strings, dump_json, format_column, json_ready


def read_csv_file(fs, path, uri, spec: ReadSpec, wanted: list[tuple[int, Column]], log: ReadLog
                ) -> Iterator[pa.RecordBatch]:
    """Batches of one CSV file (OpenCSVSerde: every column read from text)."""
    props = spec.storage.serde_properties
    separator = props.get("separatorChar", ",") or ","
    quote_char = props.get("quoteChar", '"') or '"'
    # OpenCSVSerde's defaults are opencsv CSVWriter's: the escape character is the quote itself
    escape = props.get("escapeChar", '"') or '"'
    header, footer = header_and_footer(spec)
    fmt = TextFormat(null=None)
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
