"""Hive's built-in functions and how ddbsql translates each: the facts behind ``SHOW
FUNCTIONS`` and ``DESCRIBE FUNCTION``.

:data:`HIVE_FUNCTIONS` is the list Hive 2.3 (EMR 5.x) prints for ``SHOW FUNCTIONS``,
less its symbol operators (``+``, ``<=>``…) and the functions of its own machinery
(``compute_stats``, ``ewah_bitmap*``, ``noop*``, ``windowingtablefunction``…).
:func:`translation` parses a sample call of one function with ddbsql's Hive dialect and
translates it with the fix table (:func:`ddbsql.sql.translate.rules_for` names the rules
that keep Hive's behaviour); whether DuckDB runs the result is for the caller to check
against DuckDB's function catalog (:attr:`Translation.unknown_names`).
"""
from __future__ import annotations

import dataclasses
import functools

import sqlglot
from sqlglot import exp

from .dialect import DIALECT
from .translate import Fix, rules_for, to_duckdb

HIVE_FUNCTIONS: tuple[str, ...] = tuple(sorted(set("""
abs acos add_months aes_decrypt aes_encrypt and array array_contains ascii asin assert_true atan avg
base64 between bigint bin binary boolean bround case cbrt ceil ceiling char chr coalesce collect_list
collect_set concat concat_ws context_ngrams conv corr cos count covar_pop covar_samp crc32 create_union
cume_dist current_database current_date current_timestamp current_user date date_add date_format
date_sub datediff day dayofmonth dayofweek decimal decode degrees dense_rank div double e elt encode exp
explode factorial field find_in_set first_value float floor floor_day floor_hour floor_minute floor_month
floor_quarter floor_second floor_week floor_year format_number from_unixtime from_utc_timestamp
get_json_object get_splits greatest grouping hash hex histogram_numeric hour if in in_file index initcap
inline instr int isnotnull isnull java_method json_tuple lag last_day last_value lcase lead least length
levenshtein like ln locate log log10 log2 logged_in_user lower lpad ltrim map map_keys map_values mask
mask_first_n mask_hash mask_last_n mask_show_first_n mask_show_last_n matchpath max md5 min minute month
months_between named_struct negative next_day ngrams not ntile nvl or parse_url parse_url_tuple
percent_rank percentile percentile_approx pi pmod posexplode positive pow power printf quarter radians
rand rank reflect reflect2 regexp regexp_extract regexp_replace repeat replace reverse rlike round
row_number rpad rtrim second sentences sha sha1 sha2 shiftleft shiftright shiftrightunsigned sign sin
size smallint sort_array soundex space split sqrt stack std stddev stddev_pop stddev_samp str_to_map
string struct substr substring substring_index sum tan timestamp tinyint to_date to_unix_timestamp
to_utc_timestamp translate trim trunc ucase unbase64 unhex unix_timestamp upper var_pop var_samp
varchar variance version weekofyear when xpath xpath_boolean xpath_double xpath_float xpath_int
xpath_long xpath_number xpath_short xpath_string year
""".split())))

#: names that are syntax (operators, CASE) rather than calls: sqlglot parses them as such
SYNTAX = frozenset({"and", "or", "not", "between", "in", "like", "rlike", "regexp", "case", "when", "div"})


@dataclasses.dataclass(frozen=True)
class Translation:
    """How one Hive function reaches DuckDB.

    ``call`` is the sample call translated (``upper(a)``) and ``duckdb`` its DuckDB SQL
    (None for :data:`SYNTAX` or a call ddbsql cannot translate, ``error`` then says why);
    ``rules`` the fix-table rules that rewrite it; ``unknown_names`` the functions of the
    DuckDB SQL that sqlglot does not know, which DuckDB must have for it to run.
    """

    name: str
    call: str | None
    duckdb: str | None
    rules: tuple[Fix, ...]
    unknown_names: tuple[str, ...]
    syntax: bool = False
    error: str | None = None


@functools.lru_cache(maxsize=None)
def translation(name: str) -> Translation:
    """The translation of a sample call of ``name``: the fewest arguments (0 to 3; columns,
    or the last one a string literal, as format arguments must be) whose translation no
    longer calls ``name`` itself, else the first that translates at all."""
    name = name.lower()
    if name in SYNTAX:
        return Translation(name, None, None, (), (), syntax=True)
    first: Translation | None = None
    error = None
    for arity in range(4):
        for args in _samples(arity):
            call = f"{name}({', '.join(args)})"
            try:
                tree = sqlglot.parse_one(call, read=DIALECT)
                duck = to_duckdb(tree)
            except Exception as exc:  # sqlglot's and ddbsql's refusals alike: try other arguments
                error = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
                continue
            unknown = tuple(sorted({node.name.lower() for node in _anonymous(duck)}))
            found = Translation(name, call, duck, rules_for(tree), unknown)
            if name not in unknown:
                return found
            first = first or found
    return first or Translation(name, None, None, (), (), error=error)


def _samples(arity: int) -> list[list[str]]:
    columns = list("abcd"[:arity])
    return [columns] + ([columns[:-1] + ["'yyyy-MM-dd'"]] if arity else [])


def _anonymous(duckdb_sql: str) -> list[exp.Anonymous]:
    try:
        return list(sqlglot.parse_one(duckdb_sql, read="duckdb").find_all(exp.Anonymous))
    except Exception:
        return []
