"""Values a result may hold that no reader of it can: dates and timestamps outside years
1-9999 (Hive's range, and Python's, which the DB-API and the printer convert to).

DuckDB computes them (``date_add('2020-01-01', 999999999)``); reporting the column is
one clear error where a conversion would fail with an overflow deep in a printer.
"""
from __future__ import annotations

import datetime

import pyarrow as pa
import pyarrow.compute as pc

from ..errors import ExecutionError

_EPOCH = datetime.date(1970, 1, 1)
_FIRST_DAY = (datetime.date(1, 1, 1) - _EPOCH).days
_LAST_DAY = (datetime.date(9999, 12, 31) - _EPOCH).days
_PER_SECOND = {"s": 1, "ms": 1000, "us": 1_000_000, "ns": 1_000_000_000}


def _bounds(kind: pa.DataType) -> tuple[int, int] | None:
    if pa.types.is_date32(kind):
        return _FIRST_DAY, _LAST_DAY
    if pa.types.is_date64(kind):
        return _FIRST_DAY * 86_400_000, (_LAST_DAY + 1) * 86_400_000 - 1
    if pa.types.is_timestamp(kind):
        per = _PER_SECOND[kind.unit]
        first, last = _FIRST_DAY * 86_400 * per, (_LAST_DAY + 1) * 86_400 * per - 1
        if kind.unit == "ns":  # int64 nanoseconds cannot leave years 1677-2262
            return None
        return first, last
    return None


def check_python_range(batch: pa.RecordBatch) -> pa.RecordBatch:
    """``batch`` unchanged, or an :class:`ExecutionError` naming a column with a date or
    timestamp outside years 1-9999."""
    for field, column in zip(batch.schema, batch.columns):
        bounds = _bounds(field.type)
        if bounds is None or column.null_count == len(column):
            continue
        numbers = column.view(pa.int32() if pa.types.is_date32(field.type) else pa.int64())
        low, high = pc.min_max(numbers).values()
        if low.as_py() < bounds[0] or high.as_py() > bounds[1]:
            raise ExecutionError(f"column '{field.name}' holds a date or time outside the years 1 to 9999 (the range "
                                 "of Hive's dates and of the values ddbsql returns)")
    return batch
