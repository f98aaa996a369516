"""Rules for aggregates and window aggregates: result types and empty groups as Hive
gives them, population variance."""
from __future__ import annotations

from typing import Callable

from sqlglot import exp

from .base import Ctx

def _coalesce_empty_list(agg: exp.Expression) -> exp.Expression:
    return exp.func("COALESCE", agg, exp.Array(expressions=[]))


def _cast_double(agg: exp.Expression, quantile: exp.Expression | None) -> exp.Expression:
    return exp.cast(agg, exp.DataType.build(
        "DOUBLE[]" if isinstance(quantile, exp.Array) else "DOUBLE", dialect="duckdb"))


def _agg_wrapper(agg: exp.Expression, ctx: Ctx) -> Callable[[exp.Expression], exp.Expression] | None:
    if isinstance(agg, (exp.ArrayUniqueAgg, exp.ArrayAgg)):
        return _coalesce_empty_list
    if isinstance(agg, (exp.ApproxQuantile, exp.Quantile)):
        return lambda e: _cast_double(e, agg.args.get("quantile"))
    if isinstance(agg, exp.Sum) and ctx.is_int(agg.this):
        return lambda e: exp.cast(e, exp.DataType.build("BIGINT"))
    return None


def fix_aggregate_result(node, ctx):
    """collect_set/collect_list: [] not NULL for no values; percentile(_approx): DOUBLE;
    sum(integer): BIGINT."""
    if isinstance(node.parent, exp.Window) and node.arg_key == "this":
        return None  # the window node is wrapped instead
    wrap = _agg_wrapper(node, ctx)
    return wrap(_quantile_cont(node)) if wrap else None


def _quantile_cont(agg: exp.Expression) -> exp.Expression:
    """Hive's percentile interpolates: QUANTILE_CONT (DuckDB's QUANTILE is discrete)."""
    if not isinstance(agg, exp.Quantile):
        return agg
    return exp.Anonymous(this="QUANTILE_CONT", expressions=[agg.this, agg.args["quantile"]])


def fix_window_aggregate(node, ctx):
    """The aggregate-result rule for aggregates used as window functions."""
    agg = node.this
    wrap = _agg_wrapper(agg, ctx)
    if wrap is None:
        return None
    node = node.copy()
    node.set("this", _quantile_cont(node.this))
    return wrap(node)


def fix_variance(node, ctx):
    """variance(x) is the population variance in Hive (var_samp is the sample one)."""
    if ctx.source is not None and node._meta:
        start, end = node.meta.get("start"), node.meta.get("end")
        if start is not None and end is not None:
            if ctx.source[start:end + 1].lower() == "var_samp":
                return None
    return exp.VariancePop(this=node.this)


def fix_stddev(node, ctx):
    """stddev(x) / std(x): population standard deviation in Hive."""
    x = node.expressions[0] if isinstance(node, exp.Anonymous) else node.this
    if (isinstance(x, exp.Literal) and x.is_string) or ctx.is_text(x):
        x = exp.TryCast(this=x, to=exp.DataType.build("DOUBLE"))  # Hive's implicit conversion
    return exp.StddevPop(this=x)
