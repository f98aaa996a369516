"""JSON-lines files (the JSON SerDes): reading them and encoding rows as JSON objects."""
from __future__ import annotations

import json
from typing import Iterator

import pyarrow as pa

from ...catalog.model import Column
from ..compression import iter_line_arrays, iter_lines, skip_lines
from ..output_settings import OutputSpec
from ..reading import ReadLog, ReadSpec, int_property
from .json_arrow import JsonBlockReader
from .text_values import JsonNumber, convert_json_values, dump_json, json_ready


def read_json_file(fs, path, uri, spec: ReadSpec, wanted: list[tuple[int, Column]], log: ReadLog, *,
                   fast: bool = True) -> Iterator[pa.RecordBatch]:
    """Batches of one JSON-lines file (the JSON SerDes: one object per line).

    Lines are read by ``pyarrow.json`` where it reads them exactly as the reference reader
    (Python's :mod:`json` and the SerDe value rules) does (see :mod:`.json_arrow`), the
    others by the reference reader; values, NULLs and reject entries are the same either
    way.  ``fast=False`` reads every line with the reference reader.
    """
    header = int_property(spec.properties, "skip.header.line.count")
    props = spec.storage.serde_properties
    ignore_malformed = str(props.get("ignore.malformed.json", "")).lower() == "true"
    # JSON SerDe mapping property: "mapping.<column>"="json key"
    keys = {c.name: props.get(f"mapping.{c.name}", c.spelling or c.name) for _, c in wanted}
    blocks = JsonBlockReader.of(wanted, keys) if fast else None

    def reference(first: int, lines: list[str]) -> pa.RecordBatch | None:
        return _reference_block(first, lines, wanted, keys, ignore_malformed, uri, log)

    if blocks is not None:
        # lines split by Arrow: Python strings are made only for the lines json must read
        for first, texts in skip_lines(iter_line_arrays(fs, path, uri), header, 0):
            yield from blocks.batches(first, texts, uri, log, reference)
        return
    for first, lines in skip_lines(iter_lines(fs, path, uri), header, 0):
        batch = reference(first, lines)
        if batch is not None and batch.num_rows:
            yield batch


def _reference_block(first: int, lines: list[str], wanted: list[tuple[int, Column]], keys: dict[str, str],
                     ignore_malformed: bool, uri: str, log: ReadLog) -> pa.RecordBatch | None:
    """The rows of ``lines`` (line ``first`` on) through :mod:`json`, one line at a time."""
    columns: list[list] = [[] for _ in wanted]
    line_numbers: list[int] = []
    for offset, line in enumerate(lines):
        if not line.strip():
            continue
        number = first + offset
        try:
            obj = json.loads(line, parse_float=JsonNumber)
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
        return None
    if not wanted:
        return pa.record_batch({"__rows": pa.nulls(len(line_numbers))})
    arrays = []
    for i, (_, column) in enumerate(wanted):
        arr, bad = convert_json_values(columns[i], column.type)
        for row, reason in bad:
            log.bad_value(uri, line_numbers[row], column.name, reason, columns[i][row])
        arrays.append(arr)
    return pa.RecordBatch.from_arrays(arrays, names=[c.name for _, c in wanted])


class JsonEncoder:
    """Rows to JSON objects, one a line, keyed by column name."""

    def __init__(self, spec: OutputSpec):
        self.columns = spec.columns

    def encode(self, batch: pa.RecordBatch) -> bytes:
        if batch.num_rows == 0:
            return b""
        columns = self.columns
        names = [n for n, _ in columns]
        values = [batch.column(i).to_pylist() for i in range(len(columns))]
        lines = []
        for row in zip(*values):
            lines.append(dump_json({n: json_ready(v, t) for n, v, (_, t) in zip(names, row, columns)}))
        return ("\n".join(lines) + "\n").encode("utf-8")
