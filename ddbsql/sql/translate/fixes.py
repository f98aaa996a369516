"""The fix table: every Hive rule, and how it is applied to a tree."""
from __future__ import annotations

from sqlglot import exp

from . import aggregates, clauses, conversions, dates, function_rules, intervals, numbers, strings
from .base import Ctx, Fix

FIXES: tuple[Fix, ...] = (
    # implicit conversions first: the rules after them see the converted arguments
    Fix("numeric_args", tuple(conversions.DOUBLE_ARGS), conversions.fix_numeric_args,
        "text where a number is expected converts to DOUBLE (NULL if not a number)"),
    Fix("string_comparison", conversions.COMPARISONS, conversions.fix_string_comparison,
        "text vs number compares as DOUBLE"),
    Fix("between", (exp.Between,), conversions.fix_between, "text vs number compares as DOUBLE"),
    Fix("in", (exp.In,), conversions.fix_in, "text vs number compares as DOUBLE"),
    Fix("unix_timestamp", (exp.StrToUnix, "to_unix_timestamp"), dates.fix_unix_timestamp,
        "Java-pattern parse of a prefix, lenient; BIGINT seconds; NULL when unparseable"),
    Fix("from_unixtime", (exp.UnixToStr,), dates.fix_from_unixtime,
        "'yyyy-MM-dd HH:mm:ss' (or Java pattern) text of epoch seconds, UTC"),
    Fix("date_format", (exp.TimeToStr,), dates.fix_date_format, "Java pattern formatting"),
    Fix("to_date", (exp.TsOrDsToDate,), dates.fix_to_date,
        "strings parsed as a lenient 'yyyy-MM-dd' prefix, NULL when unparseable"),
    Fix("date_part", (exp.DayOfMonth, exp.WeekOfYear, exp.Quarter, exp.DayOfYear), dates.fix_date_part,
        "string arguments parsed like to_date"),
    Fix("dayofweek", (exp.DayOfWeek,), dates.fix_dayofweek, "1 = Sunday .. 7 = Saturday"),
    Fix("time_part", (exp.Hour, exp.Minute, exp.Second), dates.fix_time_part,
        "strings parsed as 'yyyy-MM-dd HH:mm:ss' or 'HH:mm:ss' prefix"),
    Fix("date_add", (exp.TsOrDsAdd,), dates.fix_date_add, "date_add/date_sub return DATE"),
    Fix("add_months", (exp.AddMonths,), dates.fix_add_months, "string result, month-end kept"),
    Fix("last_day", (exp.LastDay,), dates.fix_last_day, "string result"),
    Fix("current_timestamp", (exp.CurrentTimestamp,), dates.fix_current_timestamp,
        "TIMESTAMP without time zone (UTC)"),
    Fix("utc_timestamp", ("from_utc_timestamp", "to_utc_timestamp"), dates.fix_utc_timestamp,
        "time zone shift of a naive timestamp"),
    Fix("substr", (exp.Substring,), strings.fix_substr,
        "pos 0 = 1, negative from the end, '' when out of range or len <= 0"),
    Fix("regexp_replace", (exp.RegexpReplace,), strings.fix_regexp_replace, "Java $n replacement groups"),
    Fix("size", (exp.ArraySize,), strings.fix_size, "-1 for NULL; works for maps"),
    Fix("get_json_object", (exp.JSONExtractScalar,), strings.fix_get_json_object,
        "NULL for invalid JSON"),
    Fix("aggregate_result", (exp.ArrayUniqueAgg, exp.ArrayAgg, exp.ApproxQuantile, exp.Quantile,
                             exp.Sum), aggregates.fix_aggregate_result,
        "collect_* never NULL; percentile DOUBLE and interpolated; sum(int) BIGINT"),
    Fix("window_aggregate", (exp.Window,), aggregates.fix_window_aggregate,
        "aggregate_result for window aggregates"),
    Fix("cast_to_date", (exp.TryCast, exp.Cast, exp.Date), dates.fix_cast_to_date,
        "text to DATE read like to_date: lenient prefix, roll-over, NULL when unparseable"),
    Fix("cast", (exp.TryCast, exp.Cast), numbers.fix_cast,
        "invalid text -> NULL; to integer types truncates toward zero"),
    Fix("type_function", numbers.TYPE_FUNCTIONS, numbers.fix_type_function, "int(x) etc. are casts"),
    Fix("div", (exp.IntDiv,), numbers.fix_int_div, "BIGINT operands, truncating division, NULL on 0"),
    Fix("mod", (exp.Mod,), numbers.fix_mod, "NULL on 0"),
    Fix("pmod", ("pmod",), numbers.fix_pmod, "positive modulus"),
    Fix("round", (exp.Round,), numbers.fix_round, "HALF_UP on the decimal value of a double"),
    Fix("bround", ("bround",), numbers.fix_bround, "HALF_EVEN rounding"),
    Fix("floor_ceil", (exp.Floor, exp.Ceil), numbers.fix_floor_ceil, "BIGINT result"),
    Fix("long_integer", (exp.Literal,), numbers.fix_long_integer, "a whole number beyond 38 digits is a DOUBLE"),
    Fix("like", (exp.Like,), strings.fix_like, "backslash is the escape character"),
    Fix("isnull", ("isnull", "isnotnull"), strings.fix_isnull, "functions for IS [NOT] NULL"),
    Fix("negative", (exp.Negative, "positive"), numbers.fix_sign_functions, "unary minus/plus functions"),
    Fix("variance", (exp.Variance,), aggregates.fix_variance, "variance() is the population variance"),
    Fix("stddev", (exp.Stddev, "std"), aggregates.fix_stddev, "stddev()/std() are population"),
    Fix("sha2", (exp.SHA2,), strings.fix_sha2, "refuse bit lengths other than 256"),
    Fix("greatest_least", (exp.Greatest, exp.Least), numbers.fix_greatest_least,
        "NULL when any argument is NULL"),
    Fix("trunc", (exp.TimestampTrunc, exp.DateTrunc), dates.fix_trunc, "first day of month/quarter/year, string"),
    Fix("next_day", (exp.NextDay,), dates.fix_next_day, "string result, lenient date argument"),
    Fix("months_between", (exp.MonthsBetween,), dates.fix_months_between, "lenient date arguments"),
    Fix("elt", (exp.Elt,), strings.fix_elt, "n-th argument"),
    Fix("field", ("field",), strings.fix_field, "position of the first argument among the others"),
    Fix("find_in_set", ("find_in_set",), strings.fix_find_in_set, "position in a comma list"),
    Fix("substring_index", (exp.SubstringIndex,), strings.fix_substring_index, "text around the n-th delimiter"),
    Fix("format_number", ("format_number",), strings.fix_format_number, "grouped fixed-point text"),
    Fix("chr", (exp.Chr,), strings.fix_chr, "character n mod 256, '' for negative n"),
    Fix("e", ("e",), strings.fix_e, "Euler's number"),
    Fix("octet_length", ("octet_length",), strings.fix_octet_length, "UTF-8 byte count"),
    Fix("hash", ("hash",), function_rules.fix_hash,
        "Java hashCode per type (String: 31*r + UTF-8 byte), arguments combined as 31*r + h"),
    Fix("shift", ("shiftleft", "shiftright", "shiftrightunsigned"), function_rules.fix_shift,
        "Java <<, >>, >>> on int (32-bit) or bigint (64-bit), count mod 32/64"),
    Fix("interval_span", (exp.Interval,), intervals.fix_interval_span,
        "INTERVAL 'y-m' YEAR TO MONTH, INTERVAL 'd h:m:s.f' DAY TO SECOND"),
    Fix("interval_function", ("interval_year_month", "interval_day_time"), intervals.fix_interval_function,
        "text to an interval, NULL when it is not one"),
    Fix("sign", (exp.Sign,), numbers.fix_sign, "DOUBLE result"),
    Fix("factorial", (exp.Factorial,), numbers.fix_factorial, "NULL outside 0..20"),
    Fix("current_database", (exp.CurrentDatabase, "current_database"), function_rules.fix_current_database,
        "the session's current database"),
    Fix("group_by", (exp.Group,), clauses.fix_group_by, "WITH ROLLUP / WITH CUBE / GROUPING SETS"),
    Fix("range_on_text", (exp.Window,), clauses.fix_range_on_text,
        "RANGE n PRECEDING/FOLLOWING ordered by text: the current row's peers"),
    Fix("named_windows", (exp.Select,), clauses.fix_named_windows,
        "WINDOW w2 AS w1 / (w1 ROWS …), in any order, frames included"),
    Fix("nested_windows", (exp.Select,), clauses.fix_nested_windows,
        "a window function inside a window aggregate is computed first"),
    Fix("sort_by", (exp.Select,), clauses.fix_sort_by, "SORT BY / CLUSTER BY order the output"),
    Fix("lateral_view", (exp.Select,), clauses.fix_lateral_view,
        "explode(map) gives key/value rows; OUTER keeps rows whose array/map is empty"),
)

_BY_CLASS: dict[type, list[Fix]] = {}
_BY_NAME: dict[str, list[Fix]] = {}
for _fix in FIXES:
    for _on in _fix.on:
        if isinstance(_on, str):
            _BY_NAME.setdefault(_on, []).append(_fix)
        else:
            _BY_CLASS.setdefault(_on, []).append(_fix)


def apply_fixes(root: exp.Expression, ctx: Ctx) -> exp.Expression:
    """Post-order: children are rewritten before their parent sees them; nodes a rule
    creates are not visited again."""
    for node in reversed(list(root.walk(bfs=False))):
        cls = type(node)
        fixes = _BY_CLASS.get(cls, ())
        if isinstance(node, exp.Anonymous):
            fixes = _BY_NAME.get(str(node.this).lower(), ())
        for fix in fixes:
            parent, key, index = node.parent, node.arg_key, node.index
            new = fix.rewrite(node, ctx)
            if new is None or new is node:
                continue
            if new.type is None and node.type is not None:
                new.type = node.type.copy()
            if parent is None:
                root = new
            else:
                parent.set(key, new, index)
            if type(new) is not cls:
                break  # later fixes for this class do not apply to the new node
            node = new
    return root


def rules_for(node: exp.Expression) -> tuple[Fix, ...]:
    """The rules of the fix table that rewrite ``node`` (read-only: SHOW/DESCRIBE FUNCTION
    report them)."""
    if isinstance(node, exp.Anonymous):
        return tuple(_BY_NAME.get(str(node.this).lower(), ()))
    return tuple(_BY_CLASS.get(type(node), ()))
