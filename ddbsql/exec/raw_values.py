"""Attribute values carried through SQL unconverted: one AttributeValue as JSON text and back.

UPDATE, DELETE and MERGE condition each change on the attributes it read holding exactly
what DynamoDB returned.  The value travels through the finding query as text, so that
no conversion to a column type (a double rounding a 38-digit number, a timestamp
reformatting its text, a map losing an attribute of another type) stands between what
was read and what the condition compares.  Numbers stay their N text; binary values
(B, BS) travel as base64 and come back as bytes.
"""
from __future__ import annotations

import base64
import json

from decimal import Decimal, InvalidOperation

__all__ = ["attribute_json", "attribute_from_json", "plain", "from_plain", "same_value"]


def attribute_json(av: dict | None) -> str | None:
    """The JSON text of one low-level AttributeValue (None for a missing attribute)."""
    if av is None:
        return None
    return json.dumps(_to_json(av), ensure_ascii=False, separators=(",", ":"))


def attribute_from_json(text: str | None) -> dict | None:
    """The AttributeValue :func:`attribute_json` wrote (None for None)."""
    if text is None:
        return None
    return _from_json(json.loads(text))


def plain(av: dict) -> dict:
    """``av`` as plain JSON data (binary as base64)."""
    return _to_json(av)


def from_plain(data: dict) -> dict:
    """The AttributeValue :func:`plain` gave."""
    return _from_json(data)


def same_value(a: dict | None, b: dict | None) -> bool:
    """Whether two AttributeValues are equal as DynamoDB compares them: numbers by value
    (``1.50`` is ``1.5``), sets whatever their order, lists and maps member by member;
    None (no attribute) equals only None."""
    if a is None or b is None:
        return a is None and b is None
    (tag, x), (other, y) = next(iter(a.items())), next(iter(b.items()))
    if tag != other:
        return False
    if tag == "N":
        return _number(x) == _number(y)
    if tag == "NS":
        return {_number(v) for v in x} == {_number(v) for v in y}
    if tag in ("SS", "BS"):
        return {bytes(v) if tag == "BS" else v for v in x} == {bytes(v) if tag == "BS" else v for v in y}
    if tag == "L":
        return len(x) == len(y) and all(same_value(u, v) for u, v in zip(x, y))
    if tag == "M":
        return x.keys() == y.keys() and all(same_value(x[k], y[k]) for k in x)
    if tag == "B":
        return bytes(x) == bytes(y)
    return x == y


def _number(text: str):
    try:
        return Decimal(text)
    except InvalidOperation:
        return text


def _to_json(av: dict) -> dict:
    tag, value = next(iter(av.items()))
    if tag == "B":
        return {tag: base64.b64encode(bytes(value)).decode("ascii")}
    if tag == "BS":
        return {tag: [base64.b64encode(bytes(v)).decode("ascii") for v in value]}
    if tag == "M":
        return {tag: {name: _to_json(v) for name, v in value.items()}}
    if tag == "L":
        return {tag: [_to_json(v) for v in value]}
    return {tag: value}


def _from_json(av: dict) -> dict:
    tag, value = next(iter(av.items()))
    if tag == "B":
        return {tag: base64.b64decode(value)}
    if tag == "BS":
        return {tag: [base64.b64decode(v) for v in value]}
    if tag == "M":
        return {tag: {name: _from_json(v) for name, v in value.items()}}
    if tag == "L":
        return {tag: [_from_json(v) for v in value]}
    return {tag: value}
