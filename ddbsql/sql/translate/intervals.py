"""Rules for Hive's intervals: ``INTERVAL '10-11' YEAR TO MONTH``, ``INTERVAL
'1 2:3:4.5' DAY TO SECOND``, ``interval_year_month(text)`` / ``interval_day_time(text)``,
and ``year()``..``second()`` of an interval reading its fields.  Values are DuckDB
INTERVALs; the command line prints them as Hive does (``4-1``,
``0 00:00:01.000000000``)."""
from __future__ import annotations

import re
from decimal import Decimal

from sqlglot import exp

from .base import error_at, lit

_YEAR_MONTH = re.compile(r"^\s*([+-]?)(\d+)-(\d+)\s*$")
_DAY_TIME = re.compile(r"^\s*([+-]?)(\d+) (\d+):(\d+):(\d+(?:\.\d+)?)\s*$")


def _span(unit: exp.Expression) -> tuple[str, str] | None:
    if isinstance(unit, exp.IntervalSpan):
        return unit.this.name.upper(), unit.expression.name.upper()
    return None


def _months(months: int) -> exp.Expression:
    return exp.func("TO_MONTHS", lit(months))


def _day_time(sign: int, days: int, micros: int) -> exp.Expression:
    return exp.Add(this=exp.func("TO_DAYS", lit(sign * days)),
                   expression=exp.func("TO_MICROSECONDS", lit(sign * micros)))


def fix_interval_span(node, ctx):
    """INTERVAL 'y-m' YEAR TO MONTH and INTERVAL 'd h:m:s.f' DAY TO SECOND literals."""
    span = _span(node.args.get("unit"))
    if span is None:
        return None
    text = node.this
    if not (isinstance(text, exp.Literal) and text.is_string):
        raise error_at(node, "an INTERVAL … TO … value must be a string literal")
    if span == ("YEAR", "MONTH"):
        m = _YEAR_MONTH.match(text.this)
        if not m:
            raise error_at(node, f"invalid year-month interval {text.this!r} (expected 'y-m')")
        sign = -1 if m.group(1) == "-" else 1
        return _months(sign * (int(m.group(2)) * 12 + int(m.group(3))))
    if span == ("DAY", "SECOND"):
        m = _DAY_TIME.match(text.this)
        if not m:
            raise error_at(node, f"invalid day-time interval {text.this!r} (expected 'd h:m:s[.f]')")
        sign = -1 if m.group(1) == "-" else 1
        micros = int((int(m.group(3)) * 3600 + int(m.group(4)) * 60 + Decimal(m.group(5))) * 1_000_000)
        return _day_time(sign, int(m.group(2)), micros)
    return None


def fix_interval_function(node, ctx):
    """interval_year_month(text) / interval_day_time(text): NULL when the text is not one."""
    if len(node.expressions) != 1:
        return None
    name = "hive_interval_year_month" if node.name.lower() == "interval_year_month" else "hive_interval_day_time"
    return exp.func(name, exp.cast(node.expressions[0], exp.DataType.build("VARCHAR")))
