"""Reading a file table's rows: the columns a statement wants, from the folders it needs,
as one stream of Arrow batches (partition values added as constant columns)."""
from __future__ import annotations

import threading
from typing import Iterator, Sequence

import pyarrow as pa

from ..catalog.mapping import bindings_for
from ..catalog.model import Column, TableDef
from .formats.text_values import TextFormat, convert_strings
from .locations import Location, list_data_files
from .reading import ReadLog, ReadSpec, Source
from .registry import rules_of


def wanted_columns(table: TableDef, needed: set[str] | None) -> list[Column]:
    """The columns to read for a statement needing ``needed`` (None: every column)."""
    if needed is None:
        return list(table.columns)
    chosen = [c for c in table.columns if c.name in needed]
    if not chosen:
        # count(*) and friends still need one value per row: the cheapest column
        partition = table.partition_columns
        chosen = [partition[0]] if partition else [table.columns[0]]
    return chosen


def read_spec(table: TableDef, wanted: list[Column]) -> ReadSpec:
    """What reading ``wanted`` of ``table`` needs (the item formats: their bindings too)."""
    storage = table.storage
    bindings = None
    if storage.format.holds_items:
        names = {c.name for c in wanted}
        bindings = [b for b in bindings_for(table) if b.name in names]
    return ReadSpec(storage, table.qualified, table.data_columns, table.partition_columns, wanted,
                    dict(table.properties), bindings)


def read_rows(spec: ReadSpec, sources: Sequence[Source], log: ReadLog,
              cancel: threading.Event | None = None) -> Iterator[pa.RecordBatch]:
    """Every row of ``sources`` as batches of ``spec.schema``."""
    rules = rules_of(spec.storage.format)
    if rules.read_folder is not None:
        yield from rules.read_folder(spec, sources, log, cancel)
        return
    reader = rules.read_file
    schema = spec.schema
    partition_names = {c.name for c in spec.partition_columns}
    data_wanted = [(i, c) for i, c in enumerate(spec.data_columns) if any(w.name == c.name for w in spec.wanted)]
    for source in sources:
        constants = {}
        for column in spec.partition_columns:
            if column.name in {w.name for w in spec.wanted}:
                raw = source.values.get(column.name)
                arr, bad = convert_strings(pa.array([raw], pa.string()), column.type, TextFormat(null=None))
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
