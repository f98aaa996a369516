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

__all__ = ["attribute_json", "attribute_from_json"]


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
