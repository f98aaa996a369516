"""Rules for Hive built-ins DuckDB has no counterpart for: calls to the functions ddbsql
installs on its DuckDB connections (``ddbsql.exec.hive_functions``), or SQL that
computes the same value."""
from __future__ import annotations

from sqlglot import exp

from .base import Ctx, error_at, tpl

_T = exp.DataType.Type
_SMALL_INTS = {_T.TINYINT, _T.SMALLINT, _T.INT, _T.UTINYINT, _T.USMALLINT}


def _hash_of(arg: exp.Expression, ctx: Ctx) -> exp.Expression:
    """Hive's hash of one value, by its type."""
    if isinstance(arg, exp.Null):
        return exp.Literal.number(0)
    if isinstance(arg, exp.Literal):
        if arg.is_string:
            return exp.func("hive_hash_string", arg)
        if arg.is_int:
            value = int(arg.this)
            if -2 ** 31 <= value < 2 ** 31:
                return exp.Literal.number(value)
            return exp.func("hive_hash_bigint", exp.cast(arg, exp.DataType.build("BIGINT")))
        return exp.func("hive_hash_double", exp.cast(arg, exp.DataType.build("DOUBLE")))
    t = ctx.dtype(arg)
    if t is None:
        return exp.func("hive_hash_any", arg)
    if t.is_type(*exp.DataType.TEXT_TYPES):
        return exp.func("hive_hash_string", exp.cast(arg, exp.DataType.build("VARCHAR")))
    if t.is_type(*_SMALL_INTS):
        return tpl("COALESCE(CAST(_X AS INTEGER), 0)", _X=arg)
    if t.is_type(_T.BIGINT, _T.UINT):
        return exp.func("hive_hash_bigint", exp.cast(arg, exp.DataType.build("BIGINT")))
    if t.is_type(_T.BOOLEAN):
        return tpl("CASE WHEN _X THEN 1 ELSE 0 END", _X=arg)
    if t.is_type(_T.FLOAT):
        return exp.func("hive_hash_float", arg)
    if t.is_type(_T.DOUBLE, _T.DECIMAL):
        return exp.func("hive_hash_double", exp.cast(arg, exp.DataType.build("DOUBLE")))
    if t.is_type(_T.DATE):
        return tpl("COALESCE(CAST(_X - DATE '1970-01-01' AS INTEGER), 0)", _X=arg)
    if ctx.is_timestamp(arg):
        return exp.func("hive_hash_timestamp", exp.cast(arg, exp.DataType.build("TIMESTAMP")))
    raise error_at(arg, f"hash() of a {t.sql(dialect='hive')} value is not supported")


def fix_hash(node, ctx):
    """hash(a, b, ...): Java hashCode per type, combined as r = 31 * r + hash(arg)."""
    args = node.expressions
    if not args:
        return exp.Literal.number(0)
    out = _hash_of(args[0], ctx)
    for arg in args[1:]:
        out = exp.func("hive_hash_combine", out, _hash_of(arg, ctx))
    return out


def fix_shift(node, ctx):
    """shiftleft/shiftright/shiftrightunsigned(a, b): Java's <<, >>, >>> on an int
    (tinyint, smallint and int a) or a long (bigint a); the count taken mod 32 or 64."""
    if len(node.expressions) != 2:
        return None
    a, b = node.expressions
    t = ctx.dtype(a)
    literal = isinstance(a, exp.Literal) and a.is_int
    if literal:
        wide = not -2 ** 31 <= int(a.this) < 2 ** 31
    elif t is not None and t.is_type(*_SMALL_INTS):
        wide = False
    elif t is not None and t.is_type(_T.BIGINT):
        wide = True
    else:
        raise error_at(node, f"{node.name}() needs a tinyint, smallint, int or bigint first argument")
    name = f"hive_{node.name.lower()}{64 if wide else 32}"
    return exp.func(name, a, exp.cast(b, exp.DataType.build("INTEGER")))


def fix_current_database(node, ctx):
    """current_database(): the database USE selected (``default`` unless told)."""
    return exp.Literal.string(ctx.database)
