"""DB-API parameters bound into the parsed statement as literal nodes.

Binding happens on the syntax tree, after parsing: a parameter value can only ever be
a value, never SQL text.  Placeholders are ``?`` (qmark, bound from a sequence) and
``:name`` (named, bound from a mapping).
"""
from __future__ import annotations

import datetime
import decimal
from typing import Any, Mapping, Sequence

from sqlglot import exp

from ..errors import ParseError
from .positions import Edits
from .script import spans


def literal(value: Any) -> exp.Expression:
    """The syntax node for one Python value."""
    if value is None:
        return exp.Null()
    if isinstance(value, bool):
        return exp.Boolean(this=value)
    if isinstance(value, int):
        return exp.Literal.number(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return exp.cast(exp.Literal.string(repr(value)), "DOUBLE")
        return exp.cast(exp.Literal.number(repr(value)), "DOUBLE")
    if isinstance(value, decimal.Decimal):
        if not value.is_finite():
            raise ParseError(f"parameter {value!r} is not a finite number")
        text = format(value, "f")
        sign, digits, exponent = value.as_tuple()
        scale = max(0, -exponent)
        precision = min(38, max(len(digits) + max(exponent, 0), scale, 1))
        return exp.cast(exp.Literal.string(text), f"DECIMAL({precision}, {min(scale, precision)})")
    if isinstance(value, str):
        return exp.Literal.string(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return exp.Unhex(this=exp.Literal.string(bytes(value).hex()))
    if isinstance(value, datetime.datetime):
        if value.tzinfo is not None:  # ddbsql computes in UTC, as EMR runs Hive
            value = value.astimezone(datetime.timezone.utc).replace(tzinfo=None)
        return exp.cast(exp.Literal.string(value.isoformat(sep=" ")), "TIMESTAMP")
    if isinstance(value, datetime.date):
        return exp.cast(exp.Literal.string(value.isoformat()), "DATE")
    if isinstance(value, (list, tuple)):
        return exp.Array(expressions=[literal(v) for v in value])
    if isinstance(value, Mapping):
        return exp.Map(keys=exp.Array(expressions=[literal(k) for k in value]),
                       values=exp.Array(expressions=[literal(v) for v in value.values()]))
    raise ParseError(f"parameters of type {type(value).__name__} are not supported")


def number_qmarks(text: str, edits: Edits | None = None) -> str:
    """``text`` with each ``?`` placeholder (outside quotes and comments) renamed ``:__p0``,
    ``:__p1``… in text order, so sequence parameters bind by position whatever order the
    syntax tree keeps its parts in.  Each renaming is recorded in ``edits`` if given."""
    out = []
    count = 0
    for span in spans(text):
        if span.kind != "code":
            out.append(text[span.start:span.end])
            continue
        last = span.start
        at = text.find("?", last, span.end)
        while at >= 0:
            name = f":__p{count}"
            out += [text[last:at], name]
            if edits is not None:
                edits.add(at, at + 1, len(name))
            count += 1
            last = at + 1
            at = text.find("?", last, span.end)
        out.append(text[last:span.end])
    return "".join(out)


def as_mapping(parameters: Sequence[Any] | Mapping[str, Any]) -> Mapping[str, Any]:
    """Sequence parameters keyed as :func:`number_qmarks` names their placeholders."""
    if isinstance(parameters, Mapping):
        return parameters
    return {f"__p{i}": value for i, value in enumerate(parameters)}


def bind_parameters(tree: exp.Expression, parameters: Sequence[Any] | Mapping[str, Any] | None) -> exp.Expression:
    """A copy of ``tree`` with every placeholder replaced by its parameter's literal.

    The number (or names) of placeholders must match ``parameters`` exactly.
    """
    placeholders = list(tree.find_all(exp.Placeholder))
    if parameters is None:
        if placeholders:
            raise ParseError(f"the statement has {len(placeholders)} parameter placeholder(s) but no parameters were given")
        return tree
    tree = tree.copy()
    placeholders = list(tree.find_all(exp.Placeholder))
    if isinstance(parameters, Mapping):
        for node in placeholders:
            if not _name(node):
                raise ParseError("'?' placeholders need a sequence of parameters, not a mapping")
            if _name(node) not in parameters:
                raise ParseError(f"no value for parameter :{_name(node)}")
            node.replace(literal(parameters[_name(node)]))
        return tree
    values = list(parameters)
    if any(_name(node) for node in placeholders):
        raise ParseError("named placeholders need a mapping of parameters")
    if len(values) != len(placeholders):
        raise ParseError(f"the statement has {len(placeholders)} placeholder(s) but {len(values)} parameter(s) were given")
    for node, value in zip(placeholders, values):
        node.replace(literal(value))
    return tree


def _name(node: exp.Placeholder) -> str | None:
    """The name of a ``:name`` placeholder; None for ``?``."""
    return node.this if isinstance(node.this, str) and node.this else None
