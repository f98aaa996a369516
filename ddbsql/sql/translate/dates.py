"""Rules for dates and times: Java patterns, lenient string dates, UTC wall clock."""
from __future__ import annotations

import datetime

from sqlglot import exp

from ddbsql.errors import ParseError

from .base import Ctx, error_at, hive_format, lit, tpl, varchar
from .javadate import epoch_sql, java_strftime
from .numbers import int_cast

def epoch_of(text: exp.Expression, fmt: str, ctx: Ctx) -> exp.Expression:
    """Hive's ``unix_timestamp(text, fmt)``: BIGINT seconds, NULL when unparseable."""
    return tpl(epoch_sql(fmt, ctx.century_start), _S=varchar(text))


def ts_of_epoch(seconds: exp.Expression) -> exp.Expression:
    """Naive (UTC) TIMESTAMP of epoch seconds."""
    return tpl("MAKE_TIMESTAMP(_E * 1000000)", _E=seconds)


def hive_date(node: exp.Expression, ctx: Ctx) -> exp.Expression:
    """A Hive date argument as DuckDB DATE: DATE/TIMESTAMP as is, strings parsed like
    SimpleDateFormat('yyyy-MM-dd') (prefix, lenient; NULL when unparseable)."""
    if ctx.is_date(node):
        return node
    if ctx.is_timestamp(node):
        return exp.cast(node, exp.DataType.build("DATE"))
    return exp.cast(ts_of_epoch(epoch_of(node, "yyyy-MM-dd", ctx)), exp.DataType.build("DATE"))


def hive_time(node: exp.Expression, ctx: Ctx) -> exp.Expression:
    """A Hive timestamp argument for hour()/minute()/second(): strings parsed with
    'yyyy-MM-dd HH:mm:ss', then 'HH:mm:ss' (Hive 2 UDFHour & co)."""
    if ctx.is_timestamp(node):
        return node
    if ctx.is_date(node):
        return exp.cast(node, exp.DataType.build("TIMESTAMP"))
    return exp.func("COALESCE", ts_of_epoch(epoch_of(node, "yyyy-MM-dd HH:mm:ss", ctx)),
                    ts_of_epoch(epoch_of(node, "HH:mm:ss", ctx)))

def fix_unix_timestamp(node, ctx):
    """unix_timestamp([x[, fmt]]) / to_unix_timestamp: BIGINT, NULL when unparseable."""
    if isinstance(node, exp.Anonymous):  # to_unix_timestamp(x[, fmt])
        args = node.expressions
        if not args:
            return fix_unix_timestamp(exp.StrToUnix(this=exp.CurrentTimestamp()), ctx)
        fmt = hive_format(args[1], "to_unix_timestamp") if len(args) > 1 else None
        text = args[0]
    else:
        text = node.this
        fmt = hive_format(node.args["format"], "unix_timestamp") if node.args.get("format") else None
    if isinstance(text, exp.CurrentTimestamp) or (
            fmt in (None, "yyyy-MM-dd HH:mm:ss") and (ctx.is_timestamp(text) or ctx.is_date(text))):
        return tpl("CAST(FLOOR(EPOCH(_X)) AS BIGINT)", _X=text)
    return epoch_of(text, fmt or "yyyy-MM-dd HH:mm:ss", ctx)


def fix_from_unixtime(node, ctx):
    """from_unixtime(n[, fmt]): 'yyyy-MM-dd HH:mm:ss' text of epoch seconds, in UTC."""
    fmt = hive_format(node.args["format"], "from_unixtime") if node.args.get("format") else \
        "yyyy-MM-dd HH:mm:ss"
    seconds = int_cast(node.this, exp.DataType.build("BIGINT"), ctx)
    return exp.func("STRFTIME", ts_of_epoch(seconds),
                    lit(java_strftime(fmt, whole_seconds=True)))


def fix_date_format(node, ctx):
    """date_format(ts|date|string, fmt): Java pattern; strings cast like Hive (NULL if bad)."""
    this = node.this
    if isinstance(this, exp.TimeStrToTime):
        this = this.this
    fmt = hive_format(node.args["format"], "date_format")
    try:
        pattern = java_strftime(fmt, whole_seconds=False)
    except ParseError:
        return exp.cast(exp.Null(), exp.DataType.build("VARCHAR"))  # Hive: NULL for a bad pattern
    if ctx.is_timestamp(this):
        ts = this
    elif ctx.is_date(this):
        ts = exp.cast(this, exp.DataType.build("TIMESTAMP"))
    else:  # a timestamp, or a date with anything after it ('2015-04-08 10')
        ts = exp.func("COALESCE", exp.TryCast(this=this, to=exp.DataType.build("TIMESTAMP")),
                      exp.cast(hive_date(this, ctx), exp.DataType.build("TIMESTAMP")))
    return exp.func("STRFTIME", ts, lit(pattern))


def fix_to_date(node, ctx):
    """to_date(x) and the date argument of year/month/day/datediff: lenient yyyy-MM-dd prefix."""
    if ctx.is_(node.this, {exp.DataType.Type.INTERVAL}):
        return node.this  # year()/month()/day() of an interval read its fields
    return hive_date(node.this, ctx)


def fix_date_part(node, ctx):
    """dayofmonth/weekofyear/quarter/dayofyear of a string: parse it like Hive first."""
    if isinstance(node.this, exp.TsOrDsToDate) or ctx.is_(node.this, {exp.DataType.Type.INTERVAL}):
        return None
    new = node.copy()
    new.set("this", hive_date(node.this, ctx))
    return new


def fix_dayofweek(node, ctx):
    """dayofweek: 1 = Sunday ... 7 = Saturday (DuckDB counts from 0)."""
    return exp.Add(this=exp.func("DAYOFWEEK", hive_date(node.this, ctx)), expression=lit(1))


def fix_time_part(node, ctx):
    """hour/minute/second of a string: 'yyyy-MM-dd HH:mm:ss' or 'HH:mm:ss' prefix, else NULL."""
    if ctx.is_(node.this, {exp.DataType.Type.INTERVAL}):
        return None  # the field of an interval
    new = node.copy()
    new.set("this", hive_time(node.this, ctx))
    return new


def fix_date_add(node, ctx):
    """date_add/date_sub: DATE result (DuckDB's DATE + INTERVAL gives a TIMESTAMP)."""
    days = exp.cast(node.expression, exp.DataType.build("INTEGER"))
    return exp.Add(this=hive_date(node.this, ctx), expression=days)


def fix_add_months(node, ctx):
    """add_months: 'yyyy-MM-dd' string; last day of month stays the last day.  Hive 3's
    third argument, an output format, is refused rather than ignored."""
    if node.args.get("preserve_end_of_month") is not None:  # sqlglot's name for the third argument
        raise error_at(node, "add_months with an output format (Hive 3) is not supported")
    return tpl("CAST(CASE WHEN _D = LAST_DAY(_D) THEN LAST_DAY(_D + TO_MONTHS(CAST(_N AS INTEGER)))"
                " ELSE CAST(_D + TO_MONTHS(CAST(_N AS INTEGER)) AS DATE) END AS VARCHAR)",
                _D=hive_date(node.this, ctx), _N=node.expression)


def fix_last_day(node, ctx):
    """last_day: 'yyyy-MM-dd' string."""
    return tpl("CAST(LAST_DAY(_D) AS VARCHAR)", _D=hive_date(node.this, ctx))


def fix_current_timestamp(node, ctx):
    """current_timestamp: a TIMESTAMP (no time zone), UTC wall clock."""
    if isinstance(node.parent, exp.StrToUnix):
        return None
    return exp.cast(node, exp.DataType.build("TIMESTAMP"))


def fix_utc_timestamp(node, ctx):
    """from_utc_timestamp / to_utc_timestamp(ts, tz)."""
    if len(node.expressions) != 2:
        return None
    ts = exp.TryCast(this=node.expressions[0], to=exp.DataType.build("TIMESTAMP"))
    tz = exp.func("hive_time_zone", node.expressions[1])  # Java: an unknown zone is GMT
    if str(node.this).lower() == "from_utc_timestamp":
        return tpl("TIMEZONE(_Z, TIMEZONE('UTC', _T))", _T=ts, _Z=tz)
    return tpl("TIMEZONE('UTC', TIMEZONE(_Z, _T))", _T=ts, _Z=tz)


_TRUNC_UNITS = {"MONTH": "month", "MON": "month", "MM": "month", "YEAR": "year",
                "YYYY": "year", "YY": "year", "QUARTER": "quarter", "Q": "quarter"}


def fix_trunc(node, ctx):
    """trunc(date, 'MM'|'YEAR'|'Q'...): first day, as a 'yyyy-MM-dd' string."""
    unit = node.args.get("unit")
    name = unit.name.upper() if isinstance(unit, (exp.Var, exp.Literal)) else None
    if name not in _TRUNC_UNITS:
        if isinstance(unit, (exp.Var, exp.Literal, exp.Null)) or (
                isinstance(unit, exp.Cast) and isinstance(unit.this, exp.Null)):
            return exp.cast(exp.Null(), exp.DataType.build("VARCHAR"))  # Hive: NULL
        return None
    return tpl(f"CAST(CAST(DATE_TRUNC('{_TRUNC_UNITS[name]}', _D) AS DATE) AS VARCHAR)",
                _D=hive_date(node.this, ctx))


def fix_next_day(node, ctx):
    """next_day(date, 'MO'...): string result; string dates parsed like to_date."""
    new = node.copy()
    new.set("this", hive_date(node.this, ctx))
    return exp.cast(new, exp.DataType.build("VARCHAR"))


def _hive_timestamp_or_date(node: exp.Expression, ctx: Ctx) -> exp.Expression:
    """A TIMESTAMP from a timestamp, a date, or text read as 'yyyy-MM-dd HH:mm:ss' and
    else as 'yyyy-MM-dd' (Hive 2.1's months_between argument)."""
    if ctx.is_timestamp(node):
        return node
    if ctx.is_date(node):
        return exp.cast(node, exp.DataType.build("TIMESTAMP"))
    return exp.func("COALESCE", ts_of_epoch(epoch_of(node, "yyyy-MM-dd HH:mm:ss", ctx)),
                    ts_of_epoch(epoch_of(node, "yyyy-MM-dd", ctx)))


def fix_months_between(node, ctx):
    """months_between(a, b): whole months when both days are the same or both are
    month ends, else months + (day-and-time difference in seconds) / 31 days; rounded
    HALF_UP to 8 decimals (Hive 2.1 GenericUDFMonthsBetween)."""
    return exp.func("hive_months_between", _hive_timestamp_or_date(node.this, ctx),
                    _hive_timestamp_or_date(node.expression, ctx))


def fix_cast_to_date(node, ctx):
    """cast(text as date) / date(text): read like to_date -- a lenient 'yyyy-MM-dd'
    prefix, out-of-range fields rolled over ('2002-02-31' is 2002-03-03), NULL when
    unparseable ('1')."""
    if not isinstance(node, exp.Date) and not node.to.is_type(exp.DataType.Type.DATE):
        return None
    x = node.this
    if isinstance(x, exp.Literal) and x.is_string and _is_iso_date(x.this):
        return None if isinstance(node, exp.Cast) else exp.cast(x, exp.DataType.build("DATE"))
    if (isinstance(x, exp.Literal) and x.is_string) or ctx.is_text(x):
        return hive_date(x, ctx)
    return None


def _is_iso_date(text: str) -> bool:
    try:
        return len(text) == 10 and datetime.date.fromisoformat(text) is not None
    except ValueError:
        return False
