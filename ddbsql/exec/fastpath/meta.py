"""The parts of a Scan/Query response body other than ``Items``, parsed exactly and cheaply.

A Scan or Query page is one JSON object: a large ``Items`` array and a few small members
(``Count``, ``ScannedCount``, ``LastEvaluatedKey``, ``ConsumedCapacity``).  :func:`split_body`
finds the top-level ``Items`` array without parsing it — the first ``"Items":[`` whose
removal leaves valid JSON with ``Items`` at top level — and parses everything else with
:mod:`json`, so member order, whitespace and unknown members do not matter.  Anything it
cannot split it parses whole (correct, only slower).

Values come out as botocore's low-level client returns them: binary (``B``/``BS``)
base64-decoded to ``bytes``, numbers as their text.
"""
from __future__ import annotations

import base64
import json
import re
from typing import Any

__all__ = ["PageMeta", "split_body", "botocore_items", "botocore_value"]

_ITEMS_KEY = re.compile(rb'"Items"\s*:\s*\[')
#: how many closing brackets from the end are tried as the end of ``Items``
_MAX_END_CANDIDATES = 256


class PageMeta(dict):
    """A Scan/Query response without its ``Items``, as botocore would have parsed it.

    A ``dict`` (``meta.get("LastEvaluatedKey")`` works where a page did), with the
    members as attributes too.  ``Count`` defaults to the number of items decoded.
    """

    @property
    def count(self) -> int:
        return self.get("Count", 0)

    @property
    def scanned_count(self) -> int:
        return self.get("ScannedCount", self.count)

    @property
    def last_evaluated_key(self) -> dict | None:
        return self.get("LastEvaluatedKey")

    @property
    def consumed_capacity(self) -> dict | list | None:
        return self.get("ConsumedCapacity")


def split_body(body: bytes) -> tuple[dict, tuple[int, int] | None]:
    """``(members, span)``: every top-level member but ``Items``, parsed; and the byte span
    ``[start, end)`` of the ``Items`` array in ``body`` (None when the body has no
    ``Items`` or could not be split, in which case ``members["Items"]`` holds the parsed
    items).  Raises ``ValueError`` when the body is not a JSON object.
    """
    for tried, match in enumerate(_ITEMS_KEY.finditer(body)):
        # The first match is the real one unless a member before Items holds an "Items"
        # key; a match inside the array never splices into valid JSON.
        if tried == 4:
            break
        start = match.start()
        array_start = match.end() - 1
        members = _splice(body, start, array_start)
        if members is not None:
            return members[0], (array_start, members[1])
    whole = json.loads(body)
    if not isinstance(whole, dict):
        raise ValueError("response body is not a JSON object")
    return whole, None


def _splice(body: bytes, start: int, array_start: int) -> tuple[dict, int] | None:
    """Try each ``]`` from the end as the end of the Items array starting at ``array_start``."""
    head = body[:start] + b'"Items":[]'
    end = len(body)
    for _ in range(_MAX_END_CANDIDATES):
        end = body.rfind(b"]", array_start, end)
        if end < 0:
            return None
        tail = body[end + 1:]
        try:
            members = json.loads(head + tail)
        except ValueError:
            continue
        if isinstance(members, dict) and members.get("Items") == []:
            del members["Items"]
            return members, end + 1
    return None


def botocore_value(av: Any) -> Any:
    """One attribute value from response JSON in botocore's low-level form (binary as bytes)."""
    if not isinstance(av, dict):
        return av
    out = {}
    for tag, value in av.items():
        if tag == "B":
            value = base64.b64decode(value)
        elif tag == "BS":
            value = [base64.b64decode(v) for v in value]
        elif tag == "M":
            value = {k: botocore_value(v) for k, v in value.items()}
        elif tag == "L":
            value = [botocore_value(v) for v in value]
        out[tag] = value
    return out


def botocore_items(items: list) -> list[dict]:
    """Items from response JSON in botocore's low-level form (binary as bytes)."""
    return [{name: botocore_value(av) for name, av in item.items()} for item in items]


def botocore_members(members: dict) -> dict:
    """The non-Items members in botocore's form: keys' binary values as bytes."""
    out = dict(members)
    for key in ("LastEvaluatedKey",):
        value = out.get(key)
        if isinstance(value, dict):
            out[key] = {name: botocore_value(av) for name, av in value.items()}
    return out
