"""Arrow rows straight to the JSON of BatchWriteItem PutRequests, a column at a time.

:func:`encode_put_requests` builds, with Arrow's string kernels and no Python object per
value, the ``{"PutRequest":{"Item":{…}}}`` member of every row that
:func:`~ddbsql.exec.encode.encode_batch` would write — the same item (attributes in the
same order, the same values), as compact JSON with text in UTF-8 — with its size by
DynamoDB's rules and its key values; the rows it would reject come back with the
reference's own item and reason.

It takes the batches whose every column has the Arrow type natural to its Hive type
(strings, integers, decimals, booleans) and distinct attribute names; for anything else
(binary, floating point, dates, nested values, the whole-item column, a string holding a
control character) it returns None and the caller encodes the batch the general way
(:func:`~ddbsql.exec.fastpath.encoder.encode_batch_fast`).
"""
from __future__ import annotations

import dataclasses
import json
from typing import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ...catalog.binding import ColumnBinding
from ...types import INTEGERS
from ..encode import MAX_ITEM_BYTES
from .encoder import _STRINGS, _decimal_texts, _number_sizes, encode_batch_fast

__all__ = ["PutRequests", "encode_put_requests"]

_CONTROL = r"[\x00-\x1f]"


@dataclasses.dataclass
class PutRequests:
    """The rows of one batch as BatchWriteItem members (rows the reference writes, in order)."""

    rows: list[int]                     # row index in the batch
    fragments: list[bytes]              # {"PutRequest":{"Item":{…}}}
    sizes: list[int]                    # item size by DynamoDB's rules
    key_tags: tuple[str, ...]           # "S" or "N" per key attribute
    key_values: list[list]              # per key attribute, the value of each row (N as text)
    rejects: list[tuple[int, dict | None, str]]   # as encode_batch returns them


@dataclasses.dataclass
class _Column:
    fragments: pa.Array                 # '"name":{…}' per row, null where the attribute is absent
    sizes: np.ndarray
    tag: str
    values: pa.Array                    # the value (string or N text), null where absent


def encode_put_requests(batch: pa.RecordBatch, bindings: Sequence[ColumnBinding], *,
                        key_attributes: Sequence[str], null_serialization: bool = False) -> PutRequests | None:
    """The batch as PutRequest JSON, or None when it is not one this path takes (see above)."""
    if not bindings or batch.num_columns != len(bindings) or any(b.is_item or b.attribute is None for b in bindings):
        return None
    attributes = [b.attribute for b in bindings]
    if len(set(attributes)) != len(attributes) or not set(key_attributes) <= set(attributes):
        return None
    columns = []
    for i, binding in enumerate(bindings):
        column = _column(batch.column(i), binding, null_serialization)
        if column is None:
            return None
        columns.append(column)
    n = batch.num_rows
    # each present attribute followed by a comma, the last comma trimmed (fragments end in "}");
    # not null_handling="skip": pyarrow drops the rows where every input is null
    parts = [pc.fill_null(pc.binary_join_element_wise(c.fragments, ",", ""), "") for c in columns]
    joined = pc.utf8_rtrim(pc.binary_join_element_wise(*parts, ""), characters=",")
    members = pc.binary_join_element_wise('{"PutRequest":{"Item":{', joined, "}}}", "")
    sizes = np.zeros(n, dtype=np.int64)
    for column in columns:
        sizes += column.sizes
    by_attribute = dict(zip(attributes, columns))
    keys = [by_attribute[k] for k in key_attributes]
    bad = sizes > MAX_ITEM_BYTES
    for key in keys:
        present = key.values.is_valid().to_numpy(zero_copy_only=False)
        bad |= ~present
        if key.tag == "S":
            bad |= present & (pc.binary_length(key.values).fill_null(1).to_numpy(zero_copy_only=False) == 0)
    rejects: list[tuple[int, dict | None, str]] = []
    good = np.flatnonzero(~bad)
    if bad.any():
        rows = np.flatnonzero(bad)
        # the reference's own item and reason for each of them
        _, found, _ = encode_batch_fast(batch.take(pa.array(rows)), bindings, key_attributes=key_attributes,
                                        null_serialization=null_serialization)
        rejects = [(int(rows[r]), item, reason) for r, item, reason in found]
        take = pa.array(good)
        members = members.take(take)
        key_values = [k.values.take(take).to_pylist() for k in keys]
    else:
        key_values = [k.values.to_pylist() for k in keys]
    return PutRequests(good.tolist(), members.cast(pa.binary()).to_pylist(), sizes[good].tolist(),
                       tuple(k.tag for k in keys), key_values, rejects)


def _column(array, binding: ColumnBinding, null_serialization: bool) -> _Column | None:
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    name = binding.hive_type.name
    arrow = array.type
    if name in _STRINGS and (pa.types.is_string(arrow) or pa.types.is_large_string(arrow)):
        if pa.types.is_large_string(arrow):
            try:
                array = array.cast(pa.string())
            except pa.ArrowInvalid:  # over 2 GB of text in one batch
                return None
        if pc.any(pc.match_substring_regex(array, _CONTROL)).as_py():
            return None
        escaped = pc.replace_substring(pc.replace_substring(array, "\\", "\\\\"), '"', '\\"')
        return _tagged(binding, array, "S", escaped, pc.binary_length(array), quoted=True,
                       null_serialization=null_serialization)
    if name in INTEGERS and pa.types.is_integer(arrow):
        texts = array.cast(pa.string())
    elif name == "decimal" and pa.types.is_decimal128(arrow) and arrow.scale >= 0:
        texts = _decimal_texts(array)
    elif name == "boolean" and pa.types.is_boolean(arrow):
        if binding.ddb_type != "N":
            return _tagged(binding, array, "BOOL", pc.if_else(array, "true", "false"), None, quoted=False,
                           null_serialization=null_serialization)
        texts = pc.if_else(array, "1", "0")
    else:
        return None
    return _tagged(binding, texts, "N", texts, _number_sizes(texts), quoted=True,
                   null_serialization=null_serialization)


def _tagged(binding: ColumnBinding, values: pa.Array, tag: str, text: pa.Array, value_sizes, *, quoted: bool,
            null_serialization: bool) -> _Column:
    name = json.dumps(binding.attribute, ensure_ascii=False)
    quote = '"' if quoted else ""
    fragments = pc.binary_join_element_wise(f'{name}:{{"{tag}":{quote}', text, f"{quote}}}", "")
    if fragments.type != pa.string():
        fragments = fragments.cast(pa.string())
    name_bytes = len(binding.attribute.encode("utf-8"))
    valid = values.is_valid().to_numpy(zero_copy_only=False)
    if value_sizes is None:
        value = np.ones(len(values), dtype=np.int64)
    else:
        value = value_sizes.fill_null(0).to_numpy(zero_copy_only=False).astype(np.int64)
    sizes = np.where(valid, name_bytes + value, name_bytes + 1 if null_serialization else 0)
    if null_serialization:
        fragments = fragments.fill_null(f'{name}:{{"NULL":true}}')
    return _Column(fragments, sizes, tag, values if tag != "BOOL" else text)
