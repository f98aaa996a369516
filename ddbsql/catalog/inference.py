"""Columns of a DynamoDB table nobody wrote DDL for, inferred from a sample of its items.

Pure: DescribeTable's facts and the sampled items in, a :class:`TableDef` out.  The
rules (docs/usage.md, "Query without DDL", states them for users):

* the key attributes come first, typed from AttributeDefinitions: S → string,
  B → binary, N → a number type chosen as for other numbers below (``bigint`` when
  the table has no items);
* then every attribute the sample found, most common first (ties by name), at most
  ``max_columns`` of them, each typed by the DynamoDB types its values had:
  S → string, N → bigint when every value is a whole number of at most 18 digits, else
  decimal(38,s) with the largest scale seen when that fits 38 digits (else text, see
  below), B → binary,
  BOOL → boolean, SS/NS/BS → array of the element type (written back as a set),
  L and M → array<T>/map<string,T> when every element/value has one scalar type T;
* an attribute whose values have several types, or a nesting no single Hive type
  holds, is a ``string`` column bound as ``TEXT``: each value's text (a number's
  digits, ``true``/``false``, nested values as the whole-item column's JSON), never NULL
  because of its type;
* last, one ``map<string,string>`` column (``item``; ``item_`` when an attribute is
  already called that) holds every attribute of the item, so nothing the sample missed
  or the cap left out is lost.

Attribute names keep their spelling in the column mapping; the Hive column is the name
in lower case (quoted with backquotes in SQL when it is not an identifier), with
``_2``, ``_3``… added when two attributes differ only in case.  An attribute whose name
holds ``,`` or ``:`` cannot be written in ``dynamodb.column.mapping``: it stays in the
item column only.
"""
from __future__ import annotations

import collections
import dataclasses
import re
from decimal import Decimal, InvalidOperation
from typing import Iterable

from ..types import ITEM_MAP, HiveType, parse_hive_type
from .facts import TableFacts
from .mapping import COLUMN_MAPPING, REGION, TABLE_NAME, TYPE_MAPPING
from .model import Column, TableDef, TableKind

#: the ColumnBinding type of a column holding any value as its text (see catalog.binding)
TEXT = "TEXT"
ITEM_COLUMN = "item"
_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")
_BIGINT_DIGITS = 18
_SCALAR = {"S": "string", "B": "binary", "BOOL": "boolean"}
_SETS = {"SS": "S", "NS": "N", "BS": "B"}


@dataclasses.dataclass(frozen=True)
class InferredColumn:
    """One column and how it was found: ``share`` of the sampled items had the attribute."""

    column: Column
    attribute: str
    ddb_type: str | None     # a dynamodb.type.mapping override (SS, NS, BS, TEXT), or None
    share: float
    role: str = ""           # "hash key", "range key" or ""


@dataclasses.dataclass(frozen=True)
class Sample:
    """What the sampler read: items, how it spread them and what it cost."""

    items: tuple[dict, ...]
    segments: int
    read_units: float
    requests: int
    taken_at: float          # epoch seconds
    seconds: float           # how long the sample took


@dataclasses.dataclass(frozen=True)
class InferredSchema:
    """The inferred columns (key columns first, the item column last) and their sample."""

    columns: tuple[InferredColumn, ...]
    item_column: str
    sampled: int
    attributes_seen: int
    left_out: tuple[str, ...]   # attributes past the column cap (read them in the item column)

    def table(self, database: str, table_name: str, region: str) -> TableDef:
        """The TableDef a query plans with: an external DynamoDB table with a full mapping."""
        columns = tuple(c.column for c in self.columns) + (Column(self.item_column, ITEM_MAP,
                                                                  "every attribute of the item", self.item_column),)
        mapping = ",".join(f"{c.column.name}:{c.attribute}" for c in self.columns)
        types = ",".join(f"{c.column.name}:{c.ddb_type}" for c in self.columns if c.ddb_type)
        props = {TABLE_NAME: table_name, REGION: region, COLUMN_MAPPING: mapping}
        if types:
            props[TYPE_MAPPING] = types
        return TableDef(database, table_name, columns, TableKind.DYNAMODB, props, True, None, 0.0)

    def to_json(self) -> dict:
        return {"columns": [{"column": c.column.to_json(), "attribute": c.attribute, "ddb_type": c.ddb_type,
                             "share": c.share, "role": c.role} for c in self.columns],
                "item_column": self.item_column, "sampled": self.sampled,
                "attributes_seen": self.attributes_seen, "left_out": list(self.left_out)}

    @classmethod
    def from_json(cls, data: dict) -> "InferredSchema":
        return cls(tuple(InferredColumn(Column.from_json(c["column"]), c["attribute"], c.get("ddb_type"),
                                        float(c["share"]), c.get("role", "")) for c in data["columns"]),
                   data["item_column"], int(data["sampled"]), int(data["attributes_seen"]),
                   tuple(data.get("left_out") or ()))


def infer_schema(facts: TableFacts, items: Iterable[dict], *, max_columns: int) -> InferredSchema:
    """The columns of ``facts``' table as ``items`` (low-level attribute values) show them."""
    items = list(items)
    kinds: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    numbers: dict[str, list[str]] = collections.defaultdict(list)
    present: collections.Counter = collections.Counter()
    for item in items:
        for attribute, value in item.items():
            present[attribute] += 1
            _observe(kinds[attribute], numbers[attribute], value)
    total = len(items)

    keys = [(facts.hash_key, "hash key")] + ([(facts.range_key, "range key")] if facts.range_key else [])
    key_names = {name for name, _ in keys}
    others = sorted((a for a in present if a not in key_names and _mappable(a)),
                    key=lambda a: (-present[a], a))
    chosen, left_out = others[:max_columns], tuple(others[max_columns:])

    taken: set[str] = set()
    columns = []
    for attribute, role in keys:
        declared = facts.attribute_types.get(attribute, "S")
        hive = _key_type(declared, numbers.get(attribute, []))
        share = present[attribute] / total if total else 1.0
        columns.append(_column(attribute, hive, None, share, role, taken))
    for attribute in chosen:
        hive, ddb_type = _attribute_type(kinds[attribute], numbers[attribute])
        columns.append(_column(attribute, hive, ddb_type, present[attribute] / total, "", taken))
    item = ITEM_COLUMN if ITEM_COLUMN not in taken else ITEM_COLUMN + "_"
    while item in taken:
        item += "_"
    return InferredSchema(tuple(columns), item, total, len(present), left_out)


def _mappable(attribute: str) -> bool:
    """Whether ``dynamodb.column.mapping`` can name the attribute (``col:attr,…``)."""
    return bool(attribute) and "," not in attribute and ":" not in attribute and attribute.strip() == attribute


def _column(attribute: str, hive: HiveType, ddb_type: str | None, share: float, role: str,
            taken: set[str]) -> InferredColumn:
    base = attribute.lower()
    name, n = base, 1
    while name in taken:
        n += 1
        name = f"{base}_{n}"
    taken.add(name)
    comment = role or f"in {share:.0%} of sampled items"
    if ddb_type == TEXT:
        comment += "; mixed types, read as text"
    spelling = attribute if name == base else name
    return InferredColumn(Column(name, hive, comment, spelling), attribute, ddb_type, share, role)


# --- typing ------------------------------------------------------------------------

def _observe(kinds: collections.Counter, numbers: list[str], value: dict) -> None:
    """Count the type shape of one attribute value; keep number texts to size decimals."""
    kinds[_shape(value, numbers)] += 1


def _shape(value: dict, numbers: list[str]) -> str:
    """A short text naming the value's full type: ``S``, ``N``, ``SS``, ``L<N>``, ``M<S>``,
    ``L*`` (a list of several types)…; ``NULL`` for DynamoDB's NULL."""
    if not isinstance(value, dict) or len(value) != 1:
        return "?"
    tag, inner = next(iter(value.items()))
    if tag == "N":
        numbers.append(inner)
        return "N"
    if tag in _SETS:
        if tag == "NS":
            numbers.extend(inner)
        return tag
    if tag in ("L", "M"):
        members = inner if tag == "L" else list(inner.values())
        shapes = {_shape(m, numbers) for m in members if "NULL" not in m}
        if not shapes:
            return f"{tag}<>"
        if len(shapes) == 1 and next(iter(shapes)) in ("S", "N", "B", "BOOL"):
            return f"{tag}<{next(iter(shapes))}>"
        return f"{tag}*"
    return tag


def _attribute_type(kinds: collections.Counter, numbers: list[str]) -> tuple[HiveType, str | None]:
    shapes = set(kinds) - {"NULL"}
    # an empty list or map fits whatever typed list or map it appears with
    for tag in ("L", "M"):
        if f"{tag}<>" in shapes and len({s for s in shapes if s.startswith(tag)}) > 1:
            shapes.discard(f"{tag}<>")
    if len(shapes) != 1:
        return parse_hive_type("string"), TEXT
    shape = next(iter(shapes))
    if shape in _SCALAR:
        return parse_hive_type(_SCALAR[shape]), None
    number = _number_type(numbers)
    if shape == "N":
        return (number, None) if number is not None else (parse_hive_type("string"), TEXT)
    if shape in _SETS:
        element = number if shape == "NS" else parse_hive_type(_SCALAR[_SETS[shape]])
        if element is None:
            return parse_hive_type("string"), TEXT
        return parse_hive_type(f"array<{element}>"), shape
    if shape[0] in "LM" and shape[1:2] == "<" and shape != f"{shape[0]}<>":
        inner = shape[2:-1]
        element = number if inner == "N" else parse_hive_type(_SCALAR[inner])
        if element is None:
            return parse_hive_type("string"), TEXT
        text = f"array<{element}>" if shape[0] == "L" else f"map<string,{element}>"
        return parse_hive_type(text), None
    return parse_hive_type("string"), TEXT


def _key_type(declared: str, numbers: list[str]) -> HiveType:
    if declared == "N":
        return _number_type(numbers) or parse_hive_type("decimal(38,0)")
    return parse_hive_type("binary" if declared == "B" else "string")


def _number_type(texts: list[str]) -> HiveType | None:
    """bigint when every number is whole with at most 18 digits (or there is none), else
    decimal(38,s) with the largest scale seen; None when no decimal(38,s) holds them all."""
    integer_digits, scale = 0, 0
    for text in texts:
        try:
            value = Decimal(text)
        except InvalidOperation:
            continue
        sign, digits, exponent = value.normalize().as_tuple()
        if not isinstance(exponent, int):
            continue
        if value == 0:
            continue
        scale = max(scale, -exponent)
        integer_digits = max(integer_digits, len(digits) + exponent)
    if scale == 0 and integer_digits <= _BIGINT_DIGITS:
        return parse_hive_type("bigint")
    if integer_digits + scale > 38:
        return None
    return parse_hive_type(f"decimal(38,{scale})")
