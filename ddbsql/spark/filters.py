"""Spark's pushed filters as HiveQL predicates, for ddbsql's planner to decide.

Spark (4.1+) hands a Python data source the conjuncts of a WHERE it could translate
(:mod:`pyspark.sql.datasource` ``EqualTo``, ``In``, ``StringStartsWith``, …).  Each
becomes the Hive predicate with the same meaning on the values ddbsql decodes; the
planner (:func:`ddbsql.planner.access.plan_access`) then chooses GetItem, Query or a
filtered Scan and says which conjuncts DynamoDB decides *exactly*.  Only those are
reported to Spark as pushed; every other filter is handed back and Spark applies it
after the read, so pushdown never changes a result.
"""
from __future__ import annotations

import decimal
import math
from typing import Any

from sqlglot import exp

_COMPARISONS = {"EqualTo": exp.EQ, "GreaterThan": exp.GT, "GreaterThanOrEqual": exp.GTE,
                "LessThan": exp.LT, "LessThanOrEqual": exp.LTE}


def literal(value: Any) -> exp.Expression | None:
    """A Hive literal with the value of a Spark filter operand; None when there is none
    (dates, timestamps, arrays, NaN, …: the planner would not push those anyway)."""
    if value is None:
        return exp.Null()
    if isinstance(value, bool):
        return exp.Boolean(this=value)
    if isinstance(value, int):
        return exp.Literal.number(str(value))
    if isinstance(value, float):
        return exp.Literal.number(repr(value)) if math.isfinite(value) else None
    if isinstance(value, decimal.Decimal):
        return exp.Literal.number(format(value, "f")) if value.is_finite() else None
    if isinstance(value, str):
        return exp.Literal.string(value)
    return None


def _column(attribute: tuple) -> exp.Column | None:
    if len(attribute) != 1:  # a nested field (a.b): not a DynamoDB attribute of its own
        return None
    return exp.Column(this=exp.to_identifier(str(attribute[0]).lower()))


def to_predicate(spark_filter: Any) -> exp.Expression | None:
    """The Hive predicate of one Spark filter, or None when it has no faithful form."""
    kind = type(spark_filter).__name__
    if kind == "Not":
        inner = to_predicate(spark_filter.child)
        return exp.Not(this=exp.Paren(this=inner)) if inner is not None else None
    column = _column(getattr(spark_filter, "attribute", ()))
    if column is None:
        return None
    if kind in _COMPARISONS:
        value = literal(spark_filter.value)
        if value is None or isinstance(value, exp.Null):
            return None
        return _COMPARISONS[kind](this=column, expression=value)
    if kind == "EqualNullSafe":
        if spark_filter.value is None:
            return exp.Is(this=column, expression=exp.Null())
        value = literal(spark_filter.value)
        # only TRUE matters in a conjunct: a <=> v is TRUE exactly where a = v is
        return exp.EQ(this=column, expression=value) if value is not None else None
    if kind == "In":
        values = [literal(v) for v in spark_filter.value]
        if not values or any(v is None or isinstance(v, exp.Null) for v in values):
            return None
        return exp.In(this=column, expressions=values)
    if kind == "IsNull":
        return exp.Is(this=column, expression=exp.Null())
    if kind == "IsNotNull":
        return exp.Not(this=exp.Is(this=column, expression=exp.Null()))
    if kind == "StringStartsWith":
        prefix = spark_filter.value
        if not isinstance(prefix, str) or any(ch in prefix for ch in "%_\\"):
            return None  # LIKE would need escapes: leave it to Spark
        return exp.Like(this=column, expression=exp.Literal.string(prefix + "%"))
    return None  # StringEndsWith, StringContains: DynamoDB has contains() but not Hive's LIKE semantics
