"""Hive's implicit conversions, applied by type over the tree: where Hive expects a
number and is given text (a STRING column, a string literal), it converts the text to
DOUBLE (NULL when it is not a number); DuckDB refuses to bind such calls.

The table :data:`DOUBLE_ARGS` says, per node class, which arguments take a number --
Hive's conversion table (``FunctionRegistry``: STRING converts implicitly to DOUBLE)
written as data.  Comparisons of text with a number compare as DOUBLE, also in
``BETWEEN`` and ``IN``.  Nodes are changed in place: the translator works on its own
copy of the tree, and copying each node again would be quadratic in the depth.
"""
from __future__ import annotations

from sqlglot import exp

from .base import Ctx

_DOUBLE = exp.DataType.build("DOUBLE")

_UNARY = (exp.Sqrt, exp.Abs, exp.Ln, exp.Exp, exp.Cbrt, exp.Sin, exp.Cos, exp.Tan, exp.Asin,
          exp.Acos, exp.Atan, exp.Cot, exp.Sinh, exp.Cosh, exp.Tanh, exp.Degrees, exp.Radians,
          exp.Sign, exp.Round, exp.Floor, exp.Ceil, exp.Neg, exp.Negative,
          exp.Sum, exp.Avg, exp.Stddev, exp.StddevPop, exp.StddevSamp, exp.Variance,
          exp.VariancePop, exp.Quantile, exp.ApproxQuantile)
_BINARY = (exp.Add, exp.Sub, exp.Mul, exp.Div, exp.Mod, exp.Pow, exp.Log, exp.Atan2,
           exp.Corr, exp.CovarPop, exp.CovarSamp)

#: node class -> the arguments Hive reads as numbers
DOUBLE_ARGS: dict[type[exp.Expression], tuple[str, ...]] = {
    **{cls: ("this",) for cls in _UNARY},
    **{cls: ("this", "expression") for cls in _BINARY},
}

COMPARISONS = (exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE, exp.NullSafeEQ, exp.NullSafeNEQ)


def _is_text(node: exp.Expression, ctx: Ctx) -> bool:
    return (isinstance(node, exp.Literal) and node.is_string) or ctx.is_text(node)


def is_number(node: exp.Expression, ctx: Ctx) -> bool:
    return (isinstance(node, exp.Literal) and not node.is_string) or ctx.is_(
        node, exp.DataType.INTEGER_TYPES | exp.DataType.REAL_TYPES)


def _to_double(node: exp.Expression, key: str) -> None:
    arg = node.args[key]
    cast = exp.TryCast(this=arg, to=_DOUBLE.copy())
    cast.type = _DOUBLE.copy()
    node.set(key, cast)


#: nodes whose result is a DOUBLE once a text argument is converted
_DOUBLE_RESULT = (exp.Add, exp.Sub, exp.Mul, exp.Div, exp.Mod, exp.Sum, exp.Avg, exp.Stddev,
                  exp.StddevPop, exp.StddevSamp, exp.Variance, exp.VariancePop, exp.Abs)


def fix_numeric_args(node, ctx):
    """Text where Hive expects a number: converted to DOUBLE."""
    changed = False
    for key in DOUBLE_ARGS.get(type(node), ()):
        arg = node.args.get(key)
        if isinstance(arg, exp.Expression) and _is_text(arg, ctx):
            _to_double(node, key)
            changed = True
    if changed and isinstance(node, _DOUBLE_RESULT):
        node.type = _DOUBLE.copy()  # annotated before the conversion: now a DOUBLE
    return None


def fix_string_comparison(node, ctx):
    """text <op> number: Hive compares as DOUBLE (DuckDB refuses '<' and '>')."""
    a, b = node.this, node.expression
    if ctx.is_text(a) and is_number(b, ctx):
        _to_double(node, "this")
    elif ctx.is_text(b) and is_number(a, ctx):
        _to_double(node, "expression")
    return None


def fix_between(node, ctx):
    """text BETWEEN number AND number: compared as DOUBLE."""
    if ctx.is_text(node.this) and (is_number(node.args["low"], ctx) or is_number(node.args["high"], ctx)):
        _to_double(node, "this")
        for key in ("low", "high"):
            if _is_text(node.args[key], ctx):
                _to_double(node, key)
    return None


def fix_in(node, ctx):
    """text IN (numbers...): compared as DOUBLE."""
    items = node.expressions
    if not items or node.args.get("query"):
        return None
    if ctx.is_text(node.this) and any(is_number(i, ctx) for i in items):
        _to_double(node, "this")
        for i, item in enumerate(items):
            if _is_text(item, ctx):
                cast = exp.TryCast(this=item, to=_DOUBLE.copy())
                cast.type = _DOUBLE.copy()
                node.expressions[i] = cast
                cast.parent = node
    return None
