"""Which parts of a Hive WHERE clause DynamoDB can evaluate, and how exactly.

Hive predicates have three truth values; a DynamoDB condition has two, is FALSE for a
missing attribute and compares only values of the same DynamoDB type.  And what Hive
sees is not the stored value but the decoded one (:mod:`ddbsql.exec.decode`): a
value of the wrong type, a fraction in a ``bigint`` column, a DynamoDB NULL all read
as NULL.  So each predicate is analysed into two :class:`Side` s -- a DynamoDB
condition that holds for *every* item on which Hive finds the predicate TRUE (resp.
FALSE), flagged ``exact`` when it holds for no other item.  ``NOT`` swaps the sides,
which is why both are kept.

Only these column kinds are ever pushed (anything else is :data:`UNKNOWN`):

* ``string``/``varchar`` bound to S: Hive's value is non-NULL exactly when the
  attribute has type S, and strings compare by their UTF-8 bytes on both sides:
  every comparison, IN, BETWEEN, LIKE prefix and IS [NOT] NULL is exact.
* integer columns bound to N, against number literals: a TRUE comparison implies
  the same comparison of the stored number, but an N may still read as NULL (a
  fraction, out of range), so these are sound but not exact -- except ``=`` and IN
  with whole numbers in the column's range, which only such a number can equal --
  and ``IS NULL`` is not pushed at all.
* ``boolean`` bound to BOOL (the N values 0 and 1 read as booleans too): the column
  itself, ``= true|false``, ``IS [NOT] NULL`` -- exact.

``float``, ``double`` and ``decimal`` columns are never pushed: Hive rounds what it
reads (to binary floating point, to the column's scale), so a comparison of the
stored text can disagree with Hive's in both directions.
"""
from __future__ import annotations

import dataclasses
from decimal import Context, Decimal, InvalidOperation
from typing import Mapping

from sqlglot import exp

from ..catalog.binding import ColumnBinding
from .conditions import (AllOf, AnyOf, BeginsWith, Between, Compare, Condition, HasType, In, Not, Value,
                         conjoin, disjoin, value_key)

_WIDE = Context(prec=200)
#: DynamoDB accepts at most this many operands in one IN.
MAX_IN_VALUES = 100
_FLIP = {"=": "=", "<>": "<>", "<": ">", "<=": ">=", ">": "<", ">=": "<="}
_NEGATE = {"=": "<>", "<>": "=", "<": ">=", "<=": ">", ">": "<=", ">=": "<"}
_COMPARISONS = {exp.EQ: "=", exp.NEQ: "<>", exp.LT: "<", exp.LTE: "<=", exp.GT: ">", exp.GTE: ">="}
_STRINGS = ("string", "varchar")
_INTEGER_CASTS = (exp.DataType.Type.TINYINT, exp.DataType.Type.SMALLINT, exp.DataType.Type.INT,
                  exp.DataType.Type.BIGINT)
_INTEGER_RANGES = {"tinyint": (-(2 ** 7), 2 ** 7 - 1), "smallint": (-(2 ** 15), 2 ** 15 - 1),
                   "int": (-(2 ** 31), 2 ** 31 - 1), "bigint": (-(2 ** 63), 2 ** 63 - 1)}
_TRUE_FORMS = ({"BOOL": True}, {"N": "1"})
_FALSE_FORMS = ({"BOOL": False}, {"N": "0"})


@dataclasses.dataclass(frozen=True)
class Side:
    """What DynamoDB can test about one truth value (TRUE or FALSE) of a predicate.

    ``condition`` holds for every item on which the predicate has that truth value
    (None: no such condition is known -- every item may qualify).  ``exact``: it holds
    for no other item either.  ``implies``: ``(attribute, type)`` pairs every such
    item is known to have (what makes a sparse index safe to read).
    """

    condition: Condition | None
    exact: bool = False
    implies: frozenset = frozenset()


UNKNOWN = Side(None)


@dataclasses.dataclass(frozen=True)
class KeyTerm:
    """A predicate usable as (part of) a key condition on ``attribute``.

    ``op`` is ``in`` (equality with any of ``values``; ``=`` is a one-value ``in``),
    ``<``, ``<=``, ``>``, ``>=``, ``between`` (``values`` = low, high) or ``begins``.
    Every item the predicate is TRUE for satisfies the term; ``exact``: the converse too.
    """

    attribute: str
    type: str
    op: str
    values: tuple
    exact: bool


@dataclasses.dataclass(frozen=True)
class Analysis:
    """One predicate, analysed: its TRUE and FALSE sides and its key term, if any."""

    true: Side
    false: Side
    key: KeyTerm | None = None


_NOTHING = Analysis(UNKNOWN, UNKNOWN)


def conjuncts(predicate: exp.Expression | None) -> list[exp.Expression]:
    """The operands of the top-level ANDs of ``predicate`` (parentheses looked through)."""
    if predicate is None:
        return []
    while isinstance(predicate, exp.Paren):
        predicate = predicate.this
    if isinstance(predicate, exp.And):
        return conjuncts(predicate.this) + conjuncts(predicate.expression)
    return [predicate]


def analyse(predicate: exp.Expression, columns: Mapping[str, ColumnBinding]) -> Analysis:
    """Analyse one Hive predicate whose column references all belong to one table.

    ``columns`` maps lower-case column names to bindings; a column not in it, or any
    construct not described in the module docstring, gives an analysis with nothing
    pushable.  Pure; never raises for odd input.
    """
    try:
        return _analyse(predicate, columns)
    except (InvalidOperation, ValueError, TypeError, AttributeError):
        return _NOTHING


def _analyse(node: exp.Expression, columns: Mapping[str, ColumnBinding]) -> Analysis:
    while isinstance(node, exp.Paren):
        node = node.this
    if isinstance(node, exp.Not):
        inner = _analyse(node.this, columns)
        return Analysis(inner.false, inner.true)
    if node.args.get("negate"):  # sqlglot's form of NOT LIKE / IS NOT
        positive = node.copy()
        positive.set("negate", None)
        inner = _analyse(positive, columns)
        return Analysis(inner.false, inner.true)
    if isinstance(node, exp.And):
        return _and(_analyse(node.this, columns), _analyse(node.expression, columns))
    if isinstance(node, exp.Or):
        return _or(_analyse(node.this, columns), _analyse(node.expression, columns))
    if type(node) in _COMPARISONS:
        return _comparison(node, _COMPARISONS[type(node)], columns)
    if isinstance(node, exp.NullSafeEQ):
        return _null_safe_equal(node, columns)
    if isinstance(node, exp.Between):
        return _between(node, columns)
    if isinstance(node, exp.In):
        return _in(node, columns)
    if isinstance(node, exp.Like):
        return _like(node, columns)
    if isinstance(node, exp.Is) and isinstance(node.expression, exp.Null):
        return _is_null(node.this, columns)
    if isinstance(node, exp.Column):
        return _boolean_column(node, columns)
    return _NOTHING


# -- combining ----------------------------------------------------------------------

def _all(sides: list[Side]) -> Side:
    """The side of a conjunction, from the same side of each operand."""
    known = [s for s in sides if s.condition is not None]
    return Side(conjoin(s.condition for s in known), all(s.exact for s in sides) and len(known) == len(sides),
                frozenset().union(*(s.implies for s in sides)))


def _any(sides: list[Side]) -> Side:
    """The side of a disjunction: only known when every operand's is."""
    if any(s.condition is None for s in sides):
        return UNKNOWN
    return Side(disjoin(s.condition for s in sides), all(s.exact for s in sides),
                frozenset.intersection(*(s.implies for s in sides)))


def _and(a: Analysis, b: Analysis) -> Analysis:
    return Analysis(_all([a.true, b.true]), _any([a.false, b.false]))


def _or(a: Analysis, b: Analysis) -> Analysis:
    key = None
    if (a.key and b.key and a.key.op == b.key.op == "in" and a.key.attribute == b.key.attribute
            and a.key.type == b.key.type):
        key = KeyTerm(a.key.attribute, a.key.type, "in", _distinct(a.key.values + b.key.values),
                      a.key.exact and b.key.exact)
    return Analysis(_any([a.true, b.true]), _all([a.false, b.false]), key)


# -- column kinds and literals --------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class _Column:
    attribute: str
    ddb_type: str          # S, N or BOOL
    exact: bool            # Hive non-NULL <=> the attribute has type ddb_type
    integer_range: tuple | None = None   # (low, high) of an integer column

    def equality_exact(self, values) -> bool:
        """Whether ``column = value`` (or IN values) holds exactly when the stored value equals.

        True for strings; for an integer column only when every value is a whole number
        in its range (a stored number equal to one of those always reads as itself).
        """
        if self.integer_range is None:
            return self.exact
        low, high = self.integer_range
        for value in values:
            number = Decimal(value["N"])
            if number != number.to_integral_value() or not low <= number <= high:
                return False
        return True


def _column(node: exp.Expression, columns: Mapping[str, ColumnBinding]) -> _Column | None:
    while isinstance(node, exp.Paren):
        node = node.this
    if not isinstance(node, exp.Column) or not isinstance(node.this, exp.Identifier):
        return None
    binding = columns.get(node.name.lower())
    if binding is None or binding.attribute is None:
        return None
    name = binding.hive_type.name
    if name in _STRINGS and binding.ddb_type == "S":
        return _Column(binding.attribute, "S", True)
    if binding.hive_type.is_integer and binding.ddb_type == "N":
        return _Column(binding.attribute, "N", False, _INTEGER_RANGES[name])
    if name == "boolean" and binding.ddb_type == "BOOL":
        return _Column(binding.attribute, "BOOL", True)
    return None


def number_text(node: exp.Expression) -> str | None:
    """The DynamoDB N text of a number literal whose comparison with an integer column
    means the same in DuckDB and DynamoDB; None for anything else.

    Integral literals up to 38 digits are exact everywhere; fractional ones are kept
    to 15 significant digits, where a possible detour through DOUBLE cannot move
    them across an integer.  DynamoDB's range (1E-130 .. 9.99E+125) is enforced.
    """
    negative = False
    while isinstance(node, exp.Paren):
        node = node.this
    if isinstance(node, exp.Neg):
        negative, node = True, node.this
        while isinstance(node, exp.Paren):
            node = node.this
    integral_only = False
    if isinstance(node, (exp.Cast, exp.TryCast)) and node.to.is_type(*_INTEGER_CASTS):
        integral_only, node = True, node.this   # 5L, 5S, 5Y
    if not isinstance(node, exp.Literal) or node.is_string:
        return None
    try:
        number = Decimal(node.this)
    except InvalidOperation:
        return None
    if not number.is_finite():
        return None
    number = number.copy_negate() if negative else number  # exact: unary minus rounds to 28 digits
    if number == 0:
        return "0"
    exact = number.normalize(_WIDE)  # the default context would round to 28 digits
    digits = len(exact.as_tuple().digits)
    if not -130 <= number.adjusted() <= 125:
        return None
    if number == number.to_integral_value():
        return str(int(number)) if digits <= 38 else None
    if integral_only or digits > 15:
        return None
    return format(exact, "f")


def _literal(node: exp.Expression, column: _Column) -> Value | None:
    """``node`` as a typed value comparable with ``column`` exactly as Hive would; or None."""
    while isinstance(node, exp.Paren):
        node = node.this
    if column.ddb_type == "S":
        if isinstance(node, exp.Literal) and node.is_string:
            return {"S": node.this}
        return None
    if column.ddb_type == "N":
        text = number_text(node)
        return None if text is None else {"N": text}
    return None


def _is_null_literal(node: exp.Expression) -> bool:
    while isinstance(node, exp.Paren):
        node = node.this
    return isinstance(node, exp.Null)


def order_key(value: Value):
    """Sort key of an S or N value under DynamoDB's (and Hive's) ordering."""
    if "N" in value:
        return Decimal(value["N"])
    return value["S"].encode("utf-8")


def _distinct(values: tuple) -> tuple:
    seen, out = set(), []
    for value in values:
        key = value_key(value)
        if key not in seen:
            seen.add(key)
            out.append(value)
    return tuple(out)


def _typed(column: _Column) -> frozenset:
    return frozenset({(column.attribute, column.ddb_type)})


def _guarded(column: _Column, condition: Condition) -> Condition:
    """``condition`` restricted to items whose attribute has the column's type (for NOT and <>,
    which DynamoDB makes TRUE for a missing or differently typed attribute)."""
    return AllOf((HasType(column.attribute, column.ddb_type), condition))


def _compare_condition(column: _Column, op: str, value: Value) -> Condition:
    condition = Compare(column.attribute, op, value)
    # DynamoDB finds <> TRUE for a missing or differently typed attribute.  Ordering
    # comparisons are FALSE there, but emulators (moto) raise on mixed types: guarded too.
    return condition if op == "=" else _guarded(column, condition)


# -- predicate forms ---------------------------------------------------------------------

def _operands(node: exp.Expression, columns) -> tuple[_Column, exp.Expression, bool] | None:
    """(column, other side, flipped) for ``column op x`` or ``x op column``."""
    column = _column(node.this, columns)
    if column is not None:
        return column, node.expression, False
    column = _column(node.expression, columns)
    if column is not None:
        return column, node.this, True
    return None


def _comparison(node: exp.Expression, op: str, columns) -> Analysis:
    found = _operands(node, columns)
    if found is None:
        return _NOTHING
    column, other, flipped = found
    op = _FLIP[op] if flipped else op
    if column.ddb_type == "BOOL":
        return _boolean_comparison(column, op, other)
    value = _literal(other, column)
    if value is None:
        return _NOTHING
    implies = _typed(column)
    true_exact = column.equality_exact((value,)) if op == "=" else column.exact
    false_exact = column.equality_exact((value,)) if op == "<>" else column.exact
    true = Side(_compare_condition(column, op, value), true_exact, implies)
    false = Side(_compare_condition(column, _NEGATE[op], value), false_exact, implies)
    key = None
    if op != "<>":
        key = KeyTerm(column.attribute, column.ddb_type, "in" if op == "=" else op, (value,), true_exact)
    return Analysis(true, false, key)


def _null_safe_equal(node: exp.Expression, columns) -> Analysis:
    found = _operands(node, columns)
    if found is None:
        return _NOTHING
    column, other, _ = found
    value = _literal(other, column)
    if value is None:
        return _NOTHING
    equal = Compare(column.attribute, "=", value)
    exact = column.equality_exact((value,))
    # <=> is never NULL: FALSE covers the missing and wrongly typed values too, and
    # NOT (stored = v) is only safe when a stored v always reads as v (not 1E+99 in an int).
    false = Side(Not(equal), True) if exact else UNKNOWN
    return Analysis(Side(equal, exact, _typed(column)), false,
                    KeyTerm(column.attribute, column.ddb_type, "in", (value,), exact))


def _between(node: exp.Between, columns) -> Analysis:
    column = _column(node.this, columns)
    if column is None or column.ddb_type == "BOOL":
        return _NOTHING
    low, high = _literal(node.args["low"], column), _literal(node.args["high"], column)
    if low is None or high is None:
        return _NOTHING
    implies = _typed(column)
    if order_key(low) <= order_key(high):
        true_condition: Condition = _guarded(column, Between(column.attribute, low, high))
        key = KeyTerm(column.attribute, column.ddb_type, "between", (low, high), column.exact)
    else:
        # DynamoDB rejects BETWEEN with bounds out of order; Hive finds it FALSE.
        true_condition = AllOf((HasType(column.attribute, column.ddb_type), Compare(column.attribute, ">=", low),
                                Compare(column.attribute, "<=", high)))
        key = None
    false_condition = _guarded(column, AnyOf((Compare(column.attribute, "<", low),
                                              Compare(column.attribute, ">", high))))
    return Analysis(Side(true_condition, column.exact, implies), Side(false_condition, column.exact, implies), key)


def _in(node: exp.In, columns) -> Analysis:
    column = _column(node.this, columns)
    if column is None or column.ddb_type == "BOOL" or node.args.get("query") or node.args.get("unnest"):
        return _NOTHING
    items = node.expressions
    if not items:
        return _NOTHING
    has_null = any(_is_null_literal(i) for i in items)
    values = [_literal(i, column) for i in items if not _is_null_literal(i)]
    if any(v is None for v in values):
        return _NOTHING
    if not values:
        return _NOTHING
    values = list(_distinct(tuple(values)))
    chunks = [In(column.attribute, tuple(values[i:i + MAX_IN_VALUES])) for i in range(0, len(values), MAX_IN_VALUES)]
    if len(values) == 1:
        chunks = [Compare(column.attribute, "=", values[0])]
    implies = _typed(column)
    exact = column.equality_exact(values)
    true = Side(disjoin(chunks), exact, implies)
    # With a NULL in the list the predicate is never FALSE; no condition needed.
    false = UNKNOWN if has_null else Side(_guarded(column, Not(disjoin(chunks))), column.exact, implies)
    return Analysis(true, false, KeyTerm(column.attribute, column.ddb_type, "in", tuple(values), exact))


def like_prefix(pattern: str) -> tuple[str, bool]:
    """(literal prefix of a LIKE pattern, whether the pattern is exactly that prefix
    followed by nothing but ``%``).  Backslash (Hive's escape) ends the prefix."""
    for i, ch in enumerate(pattern):
        if ch in "%_\\":
            rest = pattern[i:]
            return pattern[:i], set(rest) == {"%"}
    return pattern, False


def _like(node: exp.Like, columns) -> Analysis:
    column = _column(node.this, columns)
    pattern = node.expression
    if (column is None or column.ddb_type != "S" or not isinstance(pattern, exp.Literal)
            or not pattern.is_string or isinstance(node.parent, exp.Escape)):
        return _NOTHING
    prefix, only_percent = like_prefix(pattern.this)
    implies = _typed(column)
    if prefix == pattern.this:  # no wildcard at all: plain equality
        equal = Compare(column.attribute, "=", {"S": prefix})
        return Analysis(Side(equal, True, implies), Side(_guarded(column, Not(equal)), True, implies),
                        KeyTerm(column.attribute, "S", "in", ({"S": prefix},), True))
    present = HasType(column.attribute, "S")
    if not prefix:
        # '%' alone is TRUE for every non-NULL string and never FALSE.
        return Analysis(Side(present, only_percent, implies), UNKNOWN if only_percent else Side(present, False, implies))
    begins = BeginsWith(column.attribute, {"S": prefix})
    true = Side(begins, only_percent, implies)
    if only_percent:
        false = Side(_guarded(column, Not(begins)), True, implies)
    else:
        false = Side(present, False, implies)
    return Analysis(true, false, KeyTerm(column.attribute, "S", "begins", ({"S": prefix},), only_percent))


def _non_null(column: _Column) -> Condition:
    if column.ddb_type == "BOOL":
        return AnyOf((HasType(column.attribute, "BOOL"), In(column.attribute, ({"N": "0"}, {"N": "1"}))))
    return HasType(column.attribute, column.ddb_type)


def _is_null(node: exp.Expression, columns) -> Analysis:
    column = _column(node, columns)
    if column is None:
        return _NOTHING
    present = _non_null(column)
    implies = frozenset() if column.ddb_type == "BOOL" else _typed(column)
    not_null = Side(present, column.exact, implies)
    # IS NULL is only pushed when "non-NULL" is exactly expressible: otherwise NOT of a
    # superset would drop items Hive reads as NULL (a fraction in a bigint column).
    is_null = Side(Not(present), True) if column.exact else UNKNOWN
    return Analysis(is_null, not_null)


def _boolean_forms(column: _Column, truth: bool) -> Condition:
    forms = _TRUE_FORMS if truth else _FALSE_FORMS
    return AnyOf(tuple(Compare(column.attribute, "=", v) for v in forms))


def _boolean_column(node: exp.Column, columns) -> Analysis:
    column = _column(node, columns)
    if column is None or column.ddb_type != "BOOL":
        return _NOTHING
    return Analysis(Side(_boolean_forms(column, True), True), Side(_boolean_forms(column, False), True))


def _boolean_comparison(column: _Column, op: str, other: exp.Expression) -> Analysis:
    while isinstance(other, exp.Paren):
        other = other.this
    if not isinstance(other, exp.Boolean) or op not in ("=", "<>"):
        return _NOTHING
    truth = bool(other.this) if op == "=" else not other.this
    return Analysis(Side(_boolean_forms(column, truth), True), Side(_boolean_forms(column, not truth), True))
