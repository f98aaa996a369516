"""Hive's delimited text (LazySimpleSerDe): reading files and encoding rows as lines."""
from __future__ import annotations

from typing import Iterator

import pyarrow as pa
import pyarrow.compute as pc

from ...catalog.model import Column
from ...errors import ConfigError
from ..compression import iter_lines, skip_lines
from ..output_settings import OutputSpec
from ..reading import ReadLog, ReadSpec, header_and_footer
from .text_values import TextFormat, convert_strings, format_column, split_fields


def read_text_file(fs, path, uri, spec: ReadSpec, wanted: list[tuple[int, Column]], log: ReadLog
                 ) -> Iterator[pa.RecordBatch]:
    """Batches of one delimited text file (LazySimpleSerDe), Hive's value rules."""
    fmt = TextFormat.from_properties(spec.storage.serde_properties)
    header, footer = header_and_footer(spec)
    names = [c.name for _, c in wanted]
    for first, lines in skip_lines(iter_lines(fs, path, uri), header, footer):
        if not wanted:
            yield pa.record_batch({"__rows": pa.nulls(len(lines))})
            continue
        fields = _split_block(lines, fmt)
        arrays = []
        for (_, column), raw in zip(wanted, fields(wanted)):
            arr, bad = convert_strings(raw, column.type, fmt)
            for row, reason in bad:
                log.bad_value(uri, first + row, column.name, reason, lines[row])
            arrays.append(arr)
        yield pa.RecordBatch.from_arrays(arrays, names=names)


def _split_block(lines: list[str], fmt: TextFormat):
    """A function giving, for the wanted (index, column) pairs, each column's raw fields."""
    escape = fmt.escape
    if escape is not None and any(escape in line for line in lines):
        rows = [split_fields(line, fmt.field, escape) for line in lines]

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


class TextEncoder:
    """Rows to lines of delimited text."""

    def __init__(self, spec: OutputSpec):
        self.columns = spec.columns
        self.fmt = TextFormat.from_properties(spec.serde_properties)
        if self.fmt.line != "\n":
            raise ConfigError("LINES TERMINATED BY supports only '\\n' (as in Hive)")

    def encode(self, batch: pa.RecordBatch) -> bytes:
        if batch.num_rows == 0:
            return b""
        fields = [format_column(batch.column(i), t, self.fmt) for i, (_, t) in enumerate(self.columns)]
        sep = self.fmt.field
        return ("\n".join(sep.join(row) for row in zip(*fields)) + "\n").encode("utf-8")
