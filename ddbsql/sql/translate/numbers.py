"""Rules for numbers: casts that truncate, NULL on division by zero, Hive's rounding,
text operands of arithmetic and comparison converted to DOUBLE."""
from __future__ import annotations

from sqlglot import exp

from .base import INT_DTYPES, Ctx, int_literal, lit, tpl

def int_cast(x: exp.Expression, to: exp.DataType, ctx: Ctx) -> exp.Expression:
    if ctx.is_int(x) or int_literal(x) is not None:
        return exp.TryCast(this=x, to=to)
    if ctx.is_fractional(x):
        inner = exp.func("TRUNC", x)
    elif ctx.is_timestamp(x):
        inner = tpl("FLOOR(EPOCH(CAST(_X AS TIMESTAMP)))", _X=x)
    elif ctx.is_(x, {exp.DataType.Type.BOOLEAN}):
        return exp.TryCast(this=x, to=to)
    else:
        inner = exp.func("TRUNC", exp.TryCast(this=x, to=exp.DataType.build("DECIMAL(38, 10)")))
    return exp.TryCast(this=inner, to=to)


def fix_cast(node, ctx):
    """cast(x as tinyint|smallint|int|bigint): truncate toward zero (DuckDB rounds);
    decimal means decimal(10,0); invalid text -> NULL."""
    to = node.to
    if to.is_type(*INT_DTYPES):
        return int_cast(node.this, to, ctx)
    if to.is_type(exp.DataType.Type.DECIMAL) and not to.expressions:
        return exp.TryCast(this=node.this, to=exp.DataType.build("DECIMAL(10, 0)"))
    if isinstance(node, exp.Cast) and not isinstance(node, exp.TryCast):
        return exp.TryCast(this=node.this, to=to)
    return None


TYPE_FUNCTIONS = ("tinyint", "smallint", "int", "bigint", "float", "double", "boolean",
                   "date", "timestamp", "binary", "decimal")


def fix_type_function(node, ctx):
    """int(x), bigint(x), double(x)...: Hive's cast functions."""
    if len(node.expressions) != 1:
        return None
    cast = exp.TryCast(this=node.expressions[0],
                       to=exp.DataType.build(str(node.this).lower(), dialect="hive"))
    return fix_cast(cast, ctx) or cast


def fix_int_div(node, ctx):
    """a div b: both sides converted to BIGINT (truncated) first, then truncating
    integer division; NULL when b is 0."""
    a, b = node.this, node.expression
    if not (ctx.is_int(a) or int_literal(a) is not None):
        a = int_cast(a, exp.DataType.build("BIGINT"), ctx)
    if not (ctx.is_int(b) or int_literal(b) is not None):
        b = int_cast(b, exp.DataType.build("BIGINT"), ctx)
    return tpl("_A // NULLIF(_B, 0)", _A=a, _B=b)


def fix_mod(node, ctx):
    """a % b: NULL when b = 0 (DuckDB raises); sign of a, like Java."""
    return tpl("_A % NULLIF(_B, 0)", _A=node.this, _B=node.expression)


def fix_pmod(node, ctx):
    """pmod(a, b): positive modulus."""
    if len(node.expressions) != 2:
        return None
    a, b = node.expressions
    return tpl("((_A % NULLIF(_B, 0)) + _B) % NULLIF(_B, 0)", _A=a, _B=b)


def fix_round(node, ctx):
    """round(double, d): HALF_UP on the decimal value (Hive's BigDecimal), not on the
    binary double."""
    d = node.args.get("decimals")
    if not ctx.is_float(node.this) or (d is not None and int_literal(d) is None):
        return None
    return tpl("COALESCE(CAST(ROUND(TRY_CAST(_X AS DECIMAL(38, 10)), _D) AS DOUBLE), ROUND(_X, _D))",
                _X=node.this, _D=d if d is not None else lit(0))


def fix_bround(node, ctx):
    """bround(x[, d]): HALF_EVEN."""
    args = node.expressions
    if not 1 <= len(args) <= 2:
        return None
    rounded = exp.func("ROUND_EVEN", args[0], args[1] if len(args) == 2 else lit(0))
    x = args[0]
    if ctx.is_(x, {exp.DataType.Type.DECIMAL}) or ctx.is_int(x) or (isinstance(x, exp.Literal) and x.is_int):
        return rounded
    return exp.cast(rounded, exp.DataType.build("DOUBLE"))  # a double stays a double


def fix_floor_ceil(node, ctx):
    """floor/ceil: BIGINT."""
    return exp.TryCast(this=node, to=exp.DataType.build("BIGINT"))


def fix_long_integer(node, ctx):
    """A whole-number literal of more than 38 digits is a DOUBLE, as in Hive (DuckDB would
    make it a BIGNUM, which neither DynamoDB nor a reader of results can take)."""
    text = node.this
    if node.is_string or not isinstance(text, str) or not text.isdigit() or len(text.lstrip("0")) <= 38:
        return None
    return exp.Cast(this=exp.Literal.string(text), to=exp.DataType.build("DOUBLE"))


def fix_sign_functions(node, ctx):
    """negative(x) / positive(x)."""
    if isinstance(node, exp.Negative):
        return exp.Neg(this=exp.Paren(this=node.this))
    if len(node.expressions) != 1:
        return None
    return exp.Paren(this=node.expressions[0])


def fix_greatest_least(node, ctx):
    """greatest/least: NULL when any argument is NULL (Hive 2.0+)."""
    if not node.args.get("ignore_nulls"):
        return None
    new = node.copy()
    new.set("ignore_nulls", False)
    return new


def fix_factorial(node, ctx):
    """factorial(n): NULL outside 0..20 (a BIGINT cannot hold 21!)."""
    return tpl("CASE WHEN _N BETWEEN 0 AND 20 THEN CAST(FACTORIAL(CAST(_N AS INTEGER)) AS BIGINT) END",
               _N=node.this)


def fix_sign(node, ctx):
    """sign(x): a DOUBLE (-1.0, 0.0, 1.0), as Hive's UDFSign."""
    if isinstance(node.parent, exp.Cast):
        return None
    return exp.cast(node, exp.DataType.build("DOUBLE"))
