"""Arrow rows to DynamoDB items and BatchWriteItem bodies, equal to :func:`~ddbsql.exec.encode.encode_batch`.

:func:`encode_batch_fast` returns what the reference returns — the items in row order
and the rejects with the item as far as it was built — plus each item's size by
DynamoDB's rules (what the governor charges), computed column-wise.  Columns whose Arrow
type is the natural one for their Hive type (strings, integers, decimals, booleans,
binary) are converted a column at a time by Arrow; every other column (floating point,
timestamps, dates, nested, the whole-item column, or an Arrow type that differs from
the binding's) is encoded by the reference encoder itself, one column at a time, so the
results are the same by construction.

:func:`batch_write_body` serialises a BatchWriteItem request to the bytes botocore would
send (the same JSON), about ten times faster than botocore's validating serialiser;
:func:`~ddbsql.exec.fastpath.rawcalls.raw_batch_write` sends it signed.
"""
from __future__ import annotations

import base64
import json
from decimal import Decimal
from typing import Any, Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ...catalog.binding import ColumnBinding
from ...types import INTEGERS
from ..encode import MAX_ITEM_BYTES, encode_batch, item_size

__all__ = ["encode_batch_fast", "batch_write_body", "request_fragment", "batch_write_body_of"]

_STRINGS = ("string", "varchar", "char")


def encode_batch_fast(batch: pa.RecordBatch, bindings: Sequence[ColumnBinding], *,
                      key_attributes: Sequence[str], null_serialization: bool = False,
                      ) -> tuple[list[dict], list[tuple[int, dict | None, str]], list[int]]:
    """``(items, rejects, sizes)``: ``encode_batch``'s result and ``item_size`` of each item.

    Same arguments, errors and results as :func:`ddbsql.exec.encode.encode_batch`;
    ``sizes[i]`` is the size in bytes of ``items[i]`` by DynamoDB's rules.
    """
    if batch.num_columns != len(bindings):
        raise ValueError(f"batch has {batch.num_columns} columns for {len(bindings)} bindings")
    for binding in bindings:
        if binding.attribute is None and not binding.is_item:
            raise ValueError(f"column '{binding.name}' is bound to no attribute")
    n = batch.num_rows
    columns = []
    exact_sizes = True
    for i, binding in enumerate(bindings):
        column = _fast_column(batch.column(i), binding, null_serialization)
        if column is None:
            column = _reference_column(batch, i, binding, null_serialization)
            if column is None:  # a value too large on its own: the whole batch the reference way
                items, rejects = encode_batch(batch, bindings, key_attributes=key_attributes,
                                              null_serialization=null_serialization)
                return items, rejects, [item_size(item) for item in items]
        columns.append(column)
    attributes = [b.attribute for b in bindings if not b.is_item]
    if any(b.is_item for b in bindings) or len(set(attributes)) != len(attributes):
        exact_sizes = False
    order = sorted(range(len(bindings)), key=lambda i: not bindings[i].is_item)
    ordered = [columns[i] for i in order]
    sizes = None
    if exact_sizes:
        sizes = np.zeros(n, dtype=np.int64)
        for column in columns:
            sizes += column.sizes()
    return _assemble(n, ordered, tuple(key_attributes), sizes)


class _Column:
    """One column's attribute values per row (None: absent), errors by row, sizes."""

    __slots__ = ("attribute", "is_item", "values", "errors", "_sizes")

    def __init__(self, attribute: str | None, is_item: bool, values: list, errors: dict | None = None,
                 sizes: np.ndarray | None = None):
        self.attribute = attribute
        self.is_item = is_item
        self.values = values
        self.errors = errors or {}
        self._sizes = sizes

    def sizes(self) -> np.ndarray:
        if self._sizes is None:
            name = len(self.attribute.encode("utf-8"))
            self._sizes = np.array([0 if v is None else name + item_size({"": v}) for v in self.values],
                                   dtype=np.int64)
        return self._sizes


def _assemble(n: int, columns: list[_Column], key_attributes: tuple, sizes: np.ndarray | None):
    items: list[dict] = []
    rejects: list[tuple[int, dict | None, str]] = []
    out_sizes: list[int] = []
    simple = not any(c.errors or c.is_item for c in columns)
    names = [c.attribute for c in columns]
    value_lists = [c.values for c in columns]
    size_list = sizes.tolist() if sizes is not None else None
    for row, values in enumerate(zip(*value_lists)) if value_lists else enumerate([()] * n):
        if simple:
            item = {name: v for name, v in zip(names, values) if v is not None}
        else:
            item = {}
            failed = None
            for column, v in zip(columns, values):
                reason = column.errors.get(row) if column.errors else None
                if reason is not None:
                    failed = reason
                    break
                if column.is_item:
                    if v:
                        item.update(v)
                elif v is not None:
                    item[column.attribute] = v
            if failed is not None:
                rejects.append((row, item or None, failed))
                continue
        reason = _key_problem(item, key_attributes)
        size = size_list[row] if size_list is not None else item_size(item)
        if reason is None and size > MAX_ITEM_BYTES:
            reason = f"item is {size} bytes, over DynamoDB's 400 KB limit"
        if reason is not None:
            rejects.append((row, item or None, reason))
            continue
        items.append(item)
        out_sizes.append(size)
    return items, rejects, out_sizes


def _key_problem(item: dict, key_attributes: tuple) -> str | None:
    for key in key_attributes:
        av = item.get(key)
        if av is None or "NULL" in av:
            return f"missing key attribute '{key}'"
        if av.get("S") == "":
            return f"empty string in key attribute '{key}'"
        if av.get("B") == b"":
            return f"empty binary value in key attribute '{key}'"
    return None


# --- columns the Arrow way ----------------------------------------------------------------

def _fast_column(array: pa.Array, binding: ColumnBinding, null_serialization: bool) -> _Column | None:
    if binding.is_item:
        return None
    name = binding.hive_type.name
    arrow = array.type
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    if name in _STRINGS and (pa.types.is_string(arrow) or pa.types.is_large_string(arrow)):
        return _tagged(binding, array, "S", array.to_pylist(), pc.binary_length(array), null_serialization)
    if name in INTEGERS and pa.types.is_integer(arrow):
        texts = array.cast(pa.string())
        return _tagged(binding, array, "N", texts.to_pylist(), _number_sizes(texts), null_serialization)
    if name == "decimal" and pa.types.is_decimal128(arrow) and arrow.scale >= 0:
        texts = _decimal_texts(array)
        return _tagged(binding, array, "N", texts.to_pylist(), _number_sizes(texts), null_serialization)
    if name == "boolean" and pa.types.is_boolean(arrow):
        if binding.ddb_type == "N":
            texts = pc.if_else(array, "1", "0")
            return _tagged(binding, array, "N", texts.to_pylist(), _number_sizes(texts), null_serialization)
        return _tagged(binding, array, "BOOL", array.to_pylist(), None, null_serialization)
    if name == "binary" and (pa.types.is_binary(arrow) or pa.types.is_large_binary(arrow)):
        return _tagged(binding, array, "B", array.to_pylist(), pc.binary_length(array), null_serialization)
    return None


def _tagged(binding: ColumnBinding, array: pa.Array, tag: str, values: list, value_sizes, null_serialization: bool):
    """``{tag: value}`` per row, absent (or NULL) where the value is NULL; and the sizes."""
    if null_serialization:
        avs = [{"NULL": True} if v is None else {tag: v} for v in values]
    else:
        avs = [None if v is None else {tag: v} for v in values]
    name = len(binding.attribute.encode("utf-8"))
    valid = array.is_valid().to_numpy(zero_copy_only=False)
    if value_sizes is None:
        value = np.ones(len(values), dtype=np.int64)
    else:
        value = value_sizes.fill_null(0).to_numpy(zero_copy_only=False).astype(np.int64)
    sizes = np.where(valid, name + value, name + 1 if null_serialization else 0)
    return _Column(binding.attribute, False, avs, sizes=sizes)


def _decimal_texts(array: pa.Array) -> pa.Array:
    """The N text of each decimal as the reference writes it: plain digits at the
    column's scale (``format(d, "f")``), and zero as ``0``."""
    texts = array.cast(pa.string())
    zero = pc.equal(array, pa.scalar(Decimal(0).scaleb(-array.type.scale), array.type))
    texts = pc.if_else(zero, "0", texts)
    scientific = pc.fill_null(pc.match_substring(texts, "E"), False)
    if pc.any(scientific).as_py():
        rows = np.flatnonzero(scientific.to_numpy(zero_copy_only=False))
        plain = [format(array[int(r)].as_py(), "f") for r in rows]
        mask = np.zeros(len(array), dtype=bool)
        mask[rows] = True
        texts = pc.replace_with_mask(texts, pa.array(mask), pa.array(plain, pa.string()))
    return texts


def _number_sizes(texts: pa.Array) -> pa.Array:
    """DynamoDB's size of each N text: one byte per two significant digits, plus one."""
    digits = pc.replace_substring(pc.replace_substring(texts, "-", ""), ".", "")
    significant = pc.binary_length(pc.utf8_trim(digits, characters="0"))
    return pc.add(pc.divide(pc.add(significant, 1), 2), 1)


# --- columns the reference way ----------------------------------------------------------------

def _reference_column(batch: pa.RecordBatch, i: int, binding: ColumnBinding,
                      null_serialization: bool) -> _Column | None:
    """The column encoded by ``encode_batch`` on its own; None if a lone value was too large."""
    single = pa.RecordBatch.from_arrays([batch.column(i)], names=[binding.name])
    items, rejects = encode_batch(single, [binding], key_attributes=(), null_serialization=null_serialization)
    errors = {}
    for row, _, reason in rejects:
        if reason.startswith("item is "):
            return None
        errors[row] = reason
    values: list[Any] = [None] * batch.num_rows
    it = iter(items)
    for row in range(batch.num_rows):
        if row in errors:
            continue
        item = next(it)
        values[row] = (item or None) if binding.is_item else item.get(binding.attribute)
    return _Column(binding.attribute, binding.is_item, values, errors)


# --- request bodies ------------------------------------------------------------------------------

def _blob(value: Any) -> str:
    if isinstance(value, (bytes, bytearray, memoryview)):
        return base64.b64encode(bytes(value)).strip().decode("utf-8")
    raise TypeError(f"cannot serialise {type(value).__name__} in a DynamoDB request")


def batch_write_body(params: dict) -> bytes:
    """The JSON body of ``BatchWriteItem(**params)``, byte for byte what botocore sends
    (binary base64-encoded, members in the order given), without its validation pass."""
    return json.dumps(params, default=_blob).encode("utf-8")


_COMPACT = json.JSONEncoder(default=_blob, separators=(",", ":"), ensure_ascii=True)


def request_fragment(item: dict, *, delete: bool = False) -> bytes:
    """One member of a BatchWriteItem request list, as compact JSON: ``{"PutRequest":{"Item":…}}``
    (``{"DeleteRequest":{"Key":…}}`` with ``delete``), binary base64-encoded."""
    if delete:
        return b'{"DeleteRequest":{"Key":' + _COMPACT.encode(item).encode("ascii") + b"}}"
    return b'{"PutRequest":{"Item":' + _COMPACT.encode(item).encode("ascii") + b"}}"


def batch_write_body_of(table_name: str, fragments: Sequence[bytes], *, consumed: bool = True) -> bytes:
    """The body of a BatchWriteItem of ``fragments`` (:func:`request_fragment`) into one
    table: the same request as :func:`batch_write_body` of the same items, compact."""
    tail = b'},"ReturnConsumedCapacity":"TOTAL"}' if consumed else b"}}"
    return (b'{"RequestItems":{' + _COMPACT.encode(table_name).encode("ascii") + b":["
            + b",".join(fragments) + b"]" + tail)
