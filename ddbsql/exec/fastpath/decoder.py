"""Scan/Query response bodies straight to Arrow, equal to :func:`~ddbsql.exec.decode.decode_page`.

:func:`decode_body` reads the whole response body with :mod:`pyarrow.json` against a
schema built from the bindings: every bound attribute is a struct of the DynamoDB type
tags its column reads (``S``, ``N``, ``BOOL``…), lists typed from the Hive type.  Tags
a column does not read are skipped by the parser (each costs build time); a value whose
tag was skipped shows as a present attribute with no tag, and the page is read again
for that attribute with every tag, so that NULL reads as NULL and a wrong type's warning
names the type, as the reference decoder does; the plan then keeps ``NULL`` (or every
tag) for that attribute on later pages, so a table rarely pays twice.  No Python object
is built per item: numbers are parsed by Arrow casts, guarded by patterns where Arrow and
Python would disagree (hex, ``+1``, exponents, leap seconds); the few values outside the
patterns are decoded by the reference decoder itself, so results and warning counts are
the same bit for bit.

Columns the schema cannot express — the whole-item column (any attribute name), maps
and structs (any member name; struct fields match case-insensitively) — are decoded by
the reference decoder from the items parsed with :mod:`json`, as is a page the Arrow
reader rejects.  Correctness first; the fast path is for the common shapes.
"""
from __future__ import annotations

import base64
import functools
import io
import json
from collections import Counter
from decimal import Decimal
from typing import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pajson

from ...catalog.binding import ColumnBinding, TimeEncoding
from ...types import HiveType
from ..decode import DecodeWarnings, decode_page
from .meta import PageMeta, botocore_items, botocore_members, split_body

__all__ = ["decode_body", "decode_items_json", "fast_columns"]

_TAGS = ("S", "N", "B", "BOOL", "NULL", "SS", "NS", "BS", "L", "M")
_STRINGS = ("string", "varchar", "char")
_INT_RANGES = {
    "tinyint": (-(2 ** 7), 2 ** 7 - 1),
    "smallint": (-(2 ** 15), 2 ** 15 - 1),
    "int": (-(2 ** 31), 2 ** 31 - 1),
    "bigint": (-(2 ** 63), 2 ** 63 - 1),
}
_OPAQUE_LIST = pa.list_(pa.struct([]))
_OPAQUE_STRUCT = pa.struct([])

# Patterns for which Arrow's parse equals Python's (the reference's) exactly.
_CANONICAL_INT = r"^-?(0|[1-9][0-9]{0,17})$"          # fits int64; no "+", "0x", "007", "-0"
_PLAIN_FLOAT = r"^-?[0-9]{1,40}(\.[0-9]{1,40})?([eE][-+]?[0-9]{1,3})?$"
_PLAIN_DECIMAL = r"^-?[0-9]{1,38}(\.[0-9]{1,38})?$"
_YEAR = r"(000[1-9]|00[1-9][0-9]|0[1-9][0-9]{2}|[1-9][0-9]{3})"
_ISO_DATE = rf"^{_YEAR}-[0-9]{{2}}-[0-9]{{2}}$"
_ISO_TIMESTAMP = rf"^{_YEAR}-[0-9]{{2}}-[0-9]{{2}}T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]{{6}}|\.[0-9]{{3}})?$"
_EPOCH_SECONDS = r"^-?[0-9]{1,10}$"
_SECONDS_PER_DAY = 86_400


class _NeedsAllTags(Exception):
    """A value's tag was not in the read schema: read the attribute again with every tag."""


class _Irregular(Exception):
    """Something the vectorised path does not model (several tags in one value, a null
    list element); the column is decoded by the reference decoder instead."""


# --- plans ----------------------------------------------------------------------------

def _read_tags(hive_type: HiveType) -> tuple[str, ...] | None:
    """The tags a column of ``hive_type`` reads, or None when it needs the reference decoder."""
    name = hive_type.name
    if name in _STRINGS:
        return ("S",)
    if name in _INT_RANGES or name in ("float", "double", "decimal"):
        return ("N",)
    if name == "boolean":
        return ("BOOL", "N")
    if name == "binary":
        return ("B",)
    if name in ("timestamp", "date"):
        return ("S", "N")
    if name == "array":
        if _read_tags(hive_type.params[0]) is None:
            return None
        return ("SS", "NS", "BS", "L")
    return None  # map, struct: member names are data, the schema cannot name them


def fast_columns(bindings: Sequence[ColumnBinding]) -> list[bool]:
    """For each binding, whether :func:`decode_body` decodes it without Python items."""
    return [p is not None for p in _plan(tuple(bindings)).attribute_of]


#: How much of each attribute value the Arrow reader keeps: the tags the column reads;
#: those and NULL; every tag.  A plan starts each attribute at the first and moves it up
#: for good the first time a page holds a tag it left out (that page is read again).
READ_TAGS, WITH_NULL, EVERY_TAG = 0, 1, 2


def _av_type(hive_type: HiveType, level: int) -> pa.StructType:
    """The read schema of one attribute value of a column of ``hive_type`` at ``level``."""
    if level == EVERY_TAG:
        wanted = set(_TAGS)
    else:
        wanted = set(_read_tags(hive_type)) | ({"NULL"} if level == WITH_NULL else set())
    fields = []
    for tag in _TAGS:
        if tag not in wanted:
            continue
        if tag in ("S", "N", "B"):
            arrow = pa.string()
        elif tag in ("BOOL", "NULL"):
            arrow = pa.bool_()
        elif tag in ("SS", "NS", "BS"):
            arrow = pa.list_(pa.string())
        elif tag == "L":
            arrow = pa.list_(_av_type(hive_type.params[0], level)) if hive_type.name == "array" else _OPAQUE_LIST
        else:
            arrow = _OPAQUE_STRUCT
        fields.append(pa.field(tag, arrow))
    return pa.struct(fields)


class _Plan:
    """How one tuple of bindings is read; learns, page by page, which tags to keep."""

    def __init__(self, attribute_of: tuple, attributes: tuple):
        #: per binding: the attribute index in the read schema, or None (reference decoder)
        self.attribute_of = attribute_of
        #: the attributes read, with the Hive type that types their lists
        self.attributes = attributes
        self.levels = [READ_TAGS] * len(attributes)

    def options(self) -> pajson.ParseOptions:
        return _options_for(tuple((name, t, level) for (name, t), level in zip(self.attributes, self.levels)))

    def learn(self, at: int, level: int) -> None:
        if level > self.levels[at]:
            self.levels[at] = level


@functools.lru_cache(maxsize=256)
def _plan(bindings: tuple) -> _Plan:
    attributes: list[tuple[str, HiveType]] = []
    index: dict[str, int] = {}
    attribute_of = []
    for binding in bindings:
        tags = (None if binding.is_item or binding.raw or binding.attribute is None or binding.ddb_type == "TEXT"
                else _read_tags(binding.hive_type))
        if binding.time_encoding is TimeEncoding.EPOCH_MILLIS:
            tags = None  # N in milliseconds: the reference decoder's
        if tags is None:
            attribute_of.append(None)
            continue
        at = index.get(binding.attribute)
        if at is None:
            index[binding.attribute] = at = len(attributes)
            attributes.append((binding.attribute, binding.hive_type))
        elif attributes[at][1] != binding.hive_type:
            # Two columns read one attribute as different types: one schema struct
            # cannot be typed for both; the later one takes the reference decoder.
            attribute_of.append(None)
            continue
        attribute_of.append(at)
    return _Plan(tuple(attribute_of), tuple(attributes))


@functools.lru_cache(maxsize=1024)
def _options_for(attributes: tuple) -> pajson.ParseOptions:
    """Reader options for ``(name, hive type, level)`` attributes."""
    item = pa.struct([pa.field(name, _av_type(t, level)) for name, t, level in attributes])
    schema = pa.schema([pa.field("Items", pa.list_(item))])
    return pajson.ParseOptions(explicit_schema=schema, unexpected_field_behavior="ignore")


# --- entry points -----------------------------------------------------------------------

def decode_body(body: bytes, bindings: Sequence[ColumnBinding], key_attributes: Sequence[str] = (),
                warnings: DecodeWarnings | None = None) -> tuple[pa.RecordBatch, PageMeta]:
    """Decode one Scan/Query response body: ``(batch, meta)``.

    ``batch`` equals ``decode_page(items, bindings, warnings)`` on the items botocore
    would have parsed from ``body`` — same schema, values and warning counts.  ``meta``
    holds every other member of the response (``Count``, ``ScannedCount``,
    ``LastEvaluatedKey`` with binary as bytes, ``ConsumedCapacity``…).
    ``key_attributes`` is accepted for symmetry with the encoder; the members are parsed
    exactly without it.  Raises ``ValueError`` if ``body`` is not a JSON object.
    """
    body = bytes(body)
    members, span = split_body(body)
    if span is not None:
        meta = PageMeta(botocore_members(members))
        local = DecodeWarnings()
        batch, rows = _decode_items(body, tuple(bindings), local)
        if rows == meta.get("Count", rows):
            _merge(warnings, local)
            meta.setdefault("Count", rows)
            return batch, meta
        members = json.loads(body)  # the split went wrong somehow: parse it all
    items = botocore_items(members.pop("Items", None) or [])
    meta = PageMeta(botocore_members(members))
    meta.setdefault("Count", len(items))
    return decode_page(items, bindings, warnings), meta


def _merge(into: DecodeWarnings | None, local: DecodeWarnings) -> None:
    if into is not None:
        for column, reason, n in local.items():
            into.add(column, reason, n)


def decode_items_json(body: bytes, bindings: Sequence[ColumnBinding],
                      warnings: DecodeWarnings | None = None) -> pa.RecordBatch:
    """The batch of the ``Items`` array of the JSON object ``body`` (see :func:`decode_body`)."""
    return _decode_items(body, tuple(bindings), warnings)[0]


def _decode_items(body: bytes, bindings: tuple, warnings: DecodeWarnings | None) -> tuple[pa.RecordBatch, int]:
    """``(batch, number of items)``."""
    plan = _plan(bindings)
    page = _Page(body)
    items = page.read(plan.options()) if plan.attributes else None
    if items is None and plan.attributes:  # Arrow could not read it as DynamoDB JSON
        python_items = page.python_items()
        return decode_page(python_items, bindings, warnings), len(python_items)

    # Decode each attribute once; those holding a tag their schema left out are read
    # again, all in one more pass, with every tag.
    done: dict[int, tuple[pa.Array, Counter] | None] = {}
    again: list[int] = []
    for at in sorted({at for at in plan.attribute_of if at is not None}):
        try:
            done[at] = _decode_attribute(items.field(at), plan.attributes[at][1], set())
        except _NeedsAllTags:
            again.append(at)
    if again:
        attributes = tuple((*plan.attributes[at], EVERY_TAG) for at in again)
        reread = page.read(_options_for(attributes))
        for i, at in enumerate(again):
            seen: set = set()
            try:
                done[at] = None if reread is None else _decode_attribute(reread.field(i), attributes[i][1], seen)
            except _NeedsAllTags:
                done[at] = None
            # later pages keep what this one needed
            plan.learn(at, WITH_NULL if seen <= {"NULL"} else EVERY_TAG)
    counts: list[Counter] = []
    arrays: list[pa.Array] = []
    for binding, at in zip(bindings, plan.attribute_of):
        result = None if at is None else done.get(at)
        if result is None:
            local = DecodeWarnings()
            column = decode_page(page.python_items(), [binding], local)
            result = column.column(0), Counter({reason: n for _, reason, n in local.items()})
        arrays.append(result[0])
        counts.append(result[1])
    if warnings is not None:
        for binding, counter in zip(bindings, counts):
            for reason, n in counter.items():
                warnings.add(binding.name, reason, n)
    schema = pa.schema([pa.field(b.name, b.hive_type.to_arrow(), nullable=True) for b in bindings])
    rows = len(items) if items is not None else len(page.python_items())
    return pa.RecordBatch.from_arrays(arrays, schema=schema), rows


class _Page:
    """One body, read by Arrow on demand, with its Python items parsed only if needed."""

    def __init__(self, body: bytes):
        if b"\n" in body or b"\r" in body:
            # outside strings (where JSON cannot hold them raw) these are whitespace;
            # the Arrow reader takes a newline for the end of a document
            body = body.replace(b"\r", b" ").replace(b"\n", b" ")
        self.body = body
        self._python_items: list | None = None

    def read(self, options: pajson.ParseOptions) -> pa.StructArray | None:
        """The Items array read with ``options``; None if Arrow cannot read it exactly."""
        # The parse of a whole body is the largest short-lived allocation of a Scan, made on
        # the segment's thread and freed on another: pyarrow's default allocator (mimalloc)
        # keeps such memory per thread, so a long copy from many segments grew by tens of MB;
        # the system allocator gives it back.
        try:
            table = pajson.read_json(io.BytesIO(self.body),
                                     read_options=pajson.ReadOptions(block_size=len(self.body) + 1,
                                                                      use_threads=False),
                                     parse_options=options, memory_pool=pa.system_memory_pool())
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            return None
        if table.num_rows != 1:
            return None
        column = table.column("Items")
        lists = column.chunk(0) if column.num_chunks == 1 else pa.concat_arrays(column.chunks)
        if lists.null_count:
            return None
        items = lists.flatten()
        if items.null_count:
            return None  # a null item: not a DynamoDB response
        return items

    def python_items(self) -> list[dict]:
        if self._python_items is None:
            whole = json.loads(self.body)
            self._python_items = botocore_items(whole.get("Items") or [])
        return self._python_items


def _decode_attribute(avs: pa.StructArray, hive_type: HiveType, seen: set) -> tuple[pa.Array, Counter] | None:
    """One attribute's column and warning counts; None for the reference decoder.
    Raises :class:`_NeedsAllTags` when a value's tag was not read; adds to ``seen``
    the tags found that the type does not read."""
    counts: Counter = Counter()
    try:
        return _decode(avs, hive_type, counts, "", seen), counts
    except _Irregular:
        return None


# --- one level of attribute values -------------------------------------------------------

def _decode(avs: pa.StructArray, hive_type: HiveType, counts: Counter, where: str, seen: set) -> pa.Array:
    """Decode attribute values ``avs`` as ``hive_type``; count mismatches in ``counts``.

    A missing value or NULL reads as NULL; a value of a tag the type does not read, or
    one that does not fit, reads as NULL and is counted under its reason, prefixed with
    ``where`` (the nested position, as the reference reports it) when given.
    """
    n = len(avs)
    children = {avs.type.field(i).name: child for i, child in enumerate(avs.flatten())}
    tag_counts = {tag: len(child) - child.null_count for tag, child in children.items()}
    # Each present value carries exactly one tag, unless a tag was not read (then it
    # carries none here) or the body is not DynamoDB's (several).
    if sum(tag_counts.values()) != n - avs.null_count or sum(1 for v in tag_counts.values() if v) > 1:
        _check_tags(avs, children)
    read = _read_tags(hive_type)
    want = _WANT[hive_type.name]
    for tag, valid in tag_counts.items():
        if valid and tag not in read:
            seen.add(tag)
            if tag != "NULL":
                _count(counts, where, f"expected {want}, found {tag}", valid)
    return _DECODERS[hive_type.name](children, hive_type, counts, where, n, seen)


_WANT = {**{t: "S" for t in _STRINGS}, **{t: "N" for t in (*_INT_RANGES, "float", "double", "decimal")},
         "boolean": "BOOL", "binary": "B", "timestamp": "S or N", "date": "S or N", "array": "L, SS, NS or BS"}


def _check_tags(avs: pa.StructArray, children: dict) -> None:
    """Rows present with no tag read need every tag; rows with several are irregular."""
    total = np.zeros(len(avs), dtype=np.int8)
    for child in children.values():
        if child.null_count < len(child):
            total += child.is_valid().to_numpy(zero_copy_only=False)
    if total.max(initial=0) > 1:
        raise _Irregular("an attribute value with several type tags")
    present = avs.is_valid().to_numpy(zero_copy_only=False)
    if np.any(present & (total == 0)):
        raise _NeedsAllTags()


def _count(counts: Counter, where: str, reason: str, n: int = 1) -> None:
    if n:
        counts[f"{where}: {reason}" if where else reason] += n


def _reference(values: list[dict], hive_type: HiveType, counts: Counter, where: str) -> pa.Array:
    """Decode a few attribute values with the reference decoder, counting as it reports."""
    local = DecodeWarnings()
    batch = decode_page([{"v": av} for av in values], [ColumnBinding("v", hive_type, "v", "S")], local)
    for _, reason, n in local.items():
        _count(counts, where, reason, n)
    return batch.column(0)


def _with_reference(fast: pa.Array, slow: np.ndarray, source: pa.Array, tag: str, hive_type: HiveType,
                    counts: Counter, where: str) -> pa.Array:
    """``fast`` with the rows of boolean mask ``slow`` decoded by the reference from ``source``'s text."""
    if not slow.any():
        return fast
    texts = source.filter(pa.array(slow)).to_pylist()
    decoded = _reference([{tag: t} for t in texts], hive_type, counts, where)
    return pc.replace_with_mask(fast, pa.array(slow), decoded.cast(fast.type))


def _mask(array: pa.Array) -> np.ndarray:
    """A boolean array as numpy, NULL as False."""
    return pc.fill_null(array, False).to_numpy(zero_copy_only=False)


def _null_like(arrow_type: pa.DataType, n: int) -> pa.Array:
    return pa.nulls(n, type=arrow_type)


def _matching(texts: pa.Array, pattern: str) -> tuple[pa.Array, np.ndarray, np.ndarray]:
    """``(fast texts, fast mask, slow mask)``: texts matching ``pattern``, and the others."""
    matched = pc.match_substring_regex(texts, pattern)
    fast = _mask(matched)
    slow = texts.is_valid().to_numpy(zero_copy_only=False) & ~fast
    if slow.any():
        texts = pc.if_else(matched, texts, pa.scalar(None, texts.type))
    return texts, fast, slow


# --- scalars ---------------------------------------------------------------------------

def _string(children, hive_type, counts, where, n, seen):
    s = children.get("S")
    return _null_like(pa.string(), n) if s is None else s.cast(pa.string())


def _integer(children, hive_type, counts, where, n, seen):
    arrow = hive_type.to_arrow()
    texts = children.get("N")
    if texts is None:
        return _null_like(arrow, n)
    texts, fast, slow = _matching(texts, _CANONICAL_INT)
    values = texts.cast(pa.int64())
    low, high = _INT_RANGES[hive_type.name]
    if hive_type.name != "bigint":
        out = _mask(pc.or_(pc.less(values, low), pc.greater(values, high)))
        if out.any():
            _count(counts, where, f"out of range for {hive_type.name}", int(out.sum()))
            values = pc.if_else(pa.array(out), pa.scalar(None, pa.int64()), values)
    values = values.cast(arrow)
    return _with_reference(values, slow, children["N"], "N", hive_type, counts, where)


def _floating(children, hive_type, counts, where, n, seen):
    arrow = hive_type.to_arrow()
    texts = children.get("N")
    if texts is None:
        return _null_like(arrow, n)
    texts, fast, slow = _matching(texts, _PLAIN_FLOAT)
    values = texts.cast(pa.float64())
    infinite = _mask(pc.is_inf(values))
    if infinite.any():  # let the reference say what overflow means
        slow = slow | infinite
        values = pc.if_else(pa.array(infinite), pa.scalar(None, pa.float64()), values)
    values = values.cast(arrow, safe=False)
    return _with_reference(values, slow, children["N"], "N", hive_type, counts, where)


def _decimal(children, hive_type, counts, where, n, seen):
    precision, scale = hive_type.params
    arrow = hive_type.to_arrow()
    texts = children.get("N")
    if texts is None:
        return _null_like(arrow, n)
    texts, fast, slow = _matching(texts, _PLAIN_DECIMAL)
    if not fast.any():
        return _with_reference(_null_like(arrow, n), slow, children["N"], "N", hive_type, counts, where)
    lengths = pc.binary_length(texts).fill_null(0).to_numpy(zero_copy_only=False)
    dots = pc.find_substring(texts, ".").fill_null(-1).to_numpy(zero_copy_only=False)
    negative = _mask(pc.starts_with(texts, "-")).astype(np.int64)
    whole = np.where(dots >= 0, dots, lengths) - negative
    fraction = np.where(dots >= 0, lengths - dots - 1, 0)
    wide = pa.decimal128(38, scale)
    exact = fast & (fraction <= scale) & (whole + scale <= 38)
    rounded = fast & (fraction > scale)
    result = pc.if_else(pa.array(exact), texts, pa.scalar(None, pa.string())).cast(wide)
    if rounded.any():
        digits = int(fraction[rounded].max())
        rounded &= whole + digits <= 37
        if rounded.any():
            finer = pc.if_else(pa.array(rounded), texts, pa.scalar(None, pa.string())).cast(pa.decimal128(38, digits))
            finer = pc.round(finer, ndigits=scale, round_mode="half_towards_infinity").cast(wide)
            result = pc.if_else(pa.array(rounded), finer, result)
    slow = slow | (fast & ~exact & ~rounded)
    largest = pa.scalar(Decimal((0, (9,) * precision, -scale)), wide)
    over = _mask(pc.greater(pc.abs(result), largest))
    if over.any():
        _count(counts, where, f"overflows {hive_type}", int(over.sum()))
        result = pc.if_else(pa.array(over), pa.scalar(None, wide), result)
    return _with_reference(result.cast(arrow), slow, children["N"], "N", hive_type, counts, where)


def _boolean(children, hive_type, counts, where, n, seen):
    flags = children.get("BOOL")
    texts = children.get("N")
    values = _null_like(pa.bool_(), n) if flags is None else flags
    if texts is None or texts.null_count == len(texts):
        return values
    binary = pc.is_in(texts, pa.array(["0", "1"]))
    numbers = pc.if_else(binary, pc.equal(texts, "1"), pa.scalar(None, pa.bool_()))
    values = pc.coalesce(values, numbers)
    slow = texts.is_valid().to_numpy(zero_copy_only=False) & ~_mask(binary)
    return _with_reference(values, slow, texts, "N", hive_type, counts, where)


def _binary(children, hive_type, counts, where, n, seen):
    texts = children.get("B")
    if texts is None:
        return _null_like(pa.binary(), n)
    b64decode = base64.b64decode  # as botocore decodes blobs: not validating
    return pa.array([None if t is None else b64decode(t) for t in texts.to_pylist()], type=pa.binary())


def _timestamp(children, hive_type, counts, where, n, seen):
    arrow = pa.timestamp("us")
    result = _null_like(arrow, n)
    slow_s = slow_n = None
    texts = children.get("S")
    if texts is not None and texts.null_count < len(texts):
        matched, fast, slow_s = _matching(texts, _ISO_TIMESTAMP)
        try:
            result = matched.cast(arrow)
        except pa.ArrowInvalid:  # an impossible date: the reference names it
            slow_s = slow_s | fast
    numbers = children.get("N")
    if numbers is not None and numbers.null_count < len(numbers):
        matched, fast, slow_n = _matching(numbers, _EPOCH_SECONDS)
        seconds = matched.cast(pa.int64())
        micros = pc.multiply(seconds, 1_000_000).cast(arrow)
        result = pc.coalesce(result, micros)
    if slow_s is not None:
        result = _with_reference(result, slow_s, texts, "S", hive_type, counts, where)
    if slow_n is not None:
        result = _with_reference(result, slow_n, numbers, "N", hive_type, counts, where)
    return result


def _date(children, hive_type, counts, where, n, seen):
    arrow = pa.date32()
    result = _null_like(arrow, n)
    slow_s = slow_n = None
    texts = children.get("S")
    if texts is not None and texts.null_count < len(texts):
        matched, fast, slow_s = _matching(texts, _ISO_DATE)
        try:
            result = matched.cast(arrow)
        except pa.ArrowInvalid:
            slow_s = slow_s | fast
    numbers = children.get("N")
    if numbers is not None and numbers.null_count < len(numbers):
        matched, fast, slow_n = _matching(numbers, _EPOCH_SECONDS)
        seconds = matched.cast(pa.int64()).fill_null(0).to_numpy(zero_copy_only=False)
        days = np.floor_divide(seconds, _SECONDS_PER_DAY).astype(np.int32)
        result = pc.coalesce(result, pa.array(days, type=pa.int32(), mask=~fast).cast(arrow))
    if slow_s is not None:
        result = _with_reference(result, slow_s, texts, "S", hive_type, counts, where)
    if slow_n is not None:
        result = _with_reference(result, slow_n, numbers, "N", hive_type, counts, where)
    return result


# --- arrays -------------------------------------------------------------------------------

def _array(children, hive_type, counts, where, n, seen):
    element = hive_type.params[0]
    arrow = hive_type.to_arrow()
    sources = []  # (lists, element lengths per row, decoded elements)
    for tag in ("L", "SS", "NS", "BS"):
        lists = children.get(tag)
        if lists is None or lists.null_count == len(lists):
            continue
        lengths = pc.list_value_length(lists).fill_null(0).to_numpy(zero_copy_only=False)
        flat = lists.flatten()
        if flat.null_count:
            raise _Irregular("a null list element or set member")
        if tag != "L":  # set members as the attribute values the reference makes of them
            flat = pa.StructArray.from_arrays([flat], names=[tag[0]])
        sources.append((lists, lengths, _decode(flat, element, counts, "array element", seen)))
    if not sources:
        return _null_like(arrow, n)
    if len(sources) == 1:
        lists, lengths, values = sources[0]
        return pa.ListArray.from_arrays(_offsets(lengths), values, type=arrow, mask=lists.is_null())
    # Lists and sets in one page: lay the decoded elements out in row order.
    row_lengths = np.zeros(n, dtype=np.int64)
    starts = np.zeros(n, dtype=np.int64)
    valid = np.zeros(n, dtype=bool)
    base = 0
    for lists, lengths, values in sources:
        here = lists.is_valid().to_numpy(zero_copy_only=False)
        offsets = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(lengths, out=offsets[1:])
        row_lengths = np.where(here, lengths, row_lengths)
        starts = np.where(here, offsets[:-1] + base, starts)
        valid |= here
        base += len(values)
    combined = pa.concat_arrays([values for _, _, values in sources])
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(row_lengths, out=offsets[1:])
    take = np.repeat(starts - offsets[:-1], row_lengths) + np.arange(int(offsets[-1]), dtype=np.int64)
    return pa.ListArray.from_arrays(pa.array(offsets.astype(np.int32)), combined.take(pa.array(take)),
                                    type=arrow, mask=pa.array(~valid))


def _offsets(lengths: np.ndarray) -> pa.Array:
    offsets = np.zeros(len(lengths) + 1, dtype=np.int32)
    np.cumsum(lengths, out=offsets[1:])
    return pa.array(offsets)


_DECODERS = {
    **{t: _string for t in _STRINGS},
    **{t: _integer for t in _INT_RANGES},
    "float": _floating, "double": _floating, "decimal": _decimal,
    "boolean": _boolean, "binary": _binary, "timestamp": _timestamp, "date": _date,
    "array": _array,
}
