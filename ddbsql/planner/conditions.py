"""DynamoDB condition expressions as values, and their text with placeholders.

A condition is a small tree (:class:`Compare`, :class:`Between`, :class:`In`,
:class:`BeginsWith`, :class:`HasType`, :class:`Not`, :class:`AllOf`, :class:`AnyOf`)
over attribute names and typed attribute values (``{"S": "x"}``, ``{"N": "12.5"}``).
:class:`Placeholders` renders them: every attribute name becomes a ``#cN``
placeholder and every value a ``:vN`` placeholder, always, so reserved words and
names such as ``a.b``, ``#x`` or ``two words`` need no special case.
"""
from __future__ import annotations

import dataclasses
import json
from decimal import Context, Decimal
from typing import Iterable, Union

_WIDE = Context(prec=200)
#: A low-level DynamoDB attribute value: exactly one of S, N, B, BOOL.
Value = dict


@dataclasses.dataclass(frozen=True)
class Compare:
    """``attribute op value``; ``op`` is one of ``= <> < <= > >=``."""

    attribute: str
    op: str
    value: Value = dataclasses.field(hash=False)


@dataclasses.dataclass(frozen=True)
class Between:
    attribute: str
    low: Value = dataclasses.field(hash=False)
    high: Value = dataclasses.field(hash=False)


@dataclasses.dataclass(frozen=True)
class In:
    attribute: str
    values: tuple = dataclasses.field(hash=False)


@dataclasses.dataclass(frozen=True)
class BeginsWith:
    attribute: str
    prefix: Value = dataclasses.field(hash=False)


@dataclasses.dataclass(frozen=True)
class HasType:
    """``attribute_type(attribute, :t)``: the attribute exists and has DynamoDB type ``type``."""

    attribute: str
    type: str


@dataclasses.dataclass(frozen=True)
class Not:
    operand: "Condition"


@dataclasses.dataclass(frozen=True)
class AllOf:
    """Conjunction of two or more conditions."""

    operands: tuple


@dataclasses.dataclass(frozen=True)
class AnyOf:
    """Disjunction of two or more conditions."""

    operands: tuple


Condition = Union[Compare, Between, In, BeginsWith, HasType, Not, AllOf, AnyOf]


def _add(flat: list, operands) -> None:
    for operand in operands:
        if operand not in flat:  # AND and OR are idempotent: say each part once
            flat.append(operand)


def conjoin(conditions: Iterable[Condition]) -> Condition | None:
    """AND of ``conditions`` (flattened, repeated operands once); None when there are none."""
    flat: list[Condition] = []
    for condition in conditions:
        _add(flat, condition.operands if isinstance(condition, AllOf) else (condition,))
    if not flat:
        return None
    return flat[0] if len(flat) == 1 else AllOf(tuple(flat))


def disjoin(conditions: Iterable[Condition]) -> Condition | None:
    """OR of ``conditions`` (flattened, repeated operands once); None when there are none."""
    flat: list[Condition] = []
    for condition in conditions:
        _add(flat, condition.operands if isinstance(condition, AnyOf) else (condition,))
    if not flat:
        return None
    return flat[0] if len(flat) == 1 else AnyOf(tuple(flat))


def attributes_of(condition: Condition) -> set[str]:
    """Every attribute name ``condition`` reads."""
    if isinstance(condition, (Not,)):
        return attributes_of(condition.operand)
    if isinstance(condition, (AllOf, AnyOf)):
        return set().union(*(attributes_of(c) for c in condition.operands))
    return {condition.attribute}


def value_key(value: Value) -> tuple:
    """A hashable identity of a value under DynamoDB equality (N compares as a number)."""
    tag, raw = next(iter(value.items()))
    if tag == "N":
        return ("N", Decimal(raw).normalize(_WIDE))  # the default context rounds to 28 digits
    if tag == "B":
        return ("B", bytes(raw))
    return (tag, raw)


class Placeholders:
    """Allocates ``#cN`` / ``:vN`` placeholders for one request and renders conditions.

    Names are numbered in first-use order and reused for the same attribute; equal
    values share one placeholder.  ``names``/``values`` are what the request sends as
    ``ExpressionAttributeNames``/``ExpressionAttributeValues``; only placeholders used
    by a rendered expression are in them (DynamoDB rejects unused ones).
    """

    def __init__(self) -> None:
        self.names: dict[str, str] = {}
        self.values: dict[str, Value] = {}
        self._by_attribute: dict[str, str] = {}
        self._by_value: dict[str, str] = {}

    def name(self, attribute: str) -> str:
        placeholder = self._by_attribute.get(attribute)
        if placeholder is None:
            placeholder = f"#c{len(self._by_attribute)}"
            self._by_attribute[attribute] = placeholder
            self.names[placeholder] = attribute
        return placeholder

    def value(self, value: Value) -> str:
        key = json.dumps(value, sort_keys=True, default=repr)
        placeholder = self._by_value.get(key)
        if placeholder is None:
            placeholder = f":v{len(self._by_value)}"
            self._by_value[key] = placeholder
            self.values[placeholder] = value
        return placeholder

    def projection(self, attributes: Iterable[str]) -> str:
        return ", ".join(self.name(a) for a in attributes)

    def render(self, condition: Condition, *, nested: bool = False) -> str:
        """Expression text of ``condition``; ``nested`` wraps AND/OR in parentheses."""
        if isinstance(condition, Compare):
            return f"{self.name(condition.attribute)} {condition.op} {self.value(condition.value)}"
        if isinstance(condition, Between):
            return (f"{self.name(condition.attribute)} BETWEEN {self.value(condition.low)} "
                    f"AND {self.value(condition.high)}")
        if isinstance(condition, In):
            return f"{self.name(condition.attribute)} IN ({', '.join(self.value(v) for v in condition.values)})"
        if isinstance(condition, BeginsWith):
            return f"begins_with({self.name(condition.attribute)}, {self.value(condition.prefix)})"
        if isinstance(condition, HasType):
            return f"attribute_type({self.name(condition.attribute)}, {self.value({'S': condition.type})})"
        if isinstance(condition, Not):
            operand = self.render(condition.operand, nested=True)
            # Parenthesised unless a function call or already wrapped: NOT binds tighter than AND/OR.
            if isinstance(condition.operand, (Compare, Between, In, Not)):
                operand = f"({operand})"
            return f"NOT {operand}"
        word = " AND " if isinstance(condition, AllOf) else " OR "
        text = word.join(self.render(c, nested=True) for c in condition.operands)
        return f"({text})" if nested else text


def operator_count(condition: Condition) -> int:
    """Operators and functions in ``condition``, as DynamoDB counts them (limit 300)."""
    if isinstance(condition, Not):
        return 1 + operator_count(condition.operand)
    if isinstance(condition, (AllOf, AnyOf)):
        return len(condition.operands) - 1 + sum(operator_count(c) for c in condition.operands)
    return 1
