"""HiveQL -> DuckDB SQL, keeping Hive's semantics.

sqlglot parses HiveQL (``read="hive"``) and can print DuckDB SQL, but a literal
transpilation changes meaning in many places: ``unix_timestamp`` raises on bad input
and returns a DOUBLE, ``cast(2.7 as int)`` rounds, ``substr(s, 0, 2)`` drops a
character, ``size(NULL)`` is NULL, ``variance`` is the sample variance, ``SORT BY`` is
dropped, ``7 div 0`` raises...  :func:`to_duckdb` fixes these by rewriting a *copy*
of the tree before generating SQL.  Every rewrite is one small function listed in
:data:`FIXES` (the fix table, ``fixes.py``), keyed by the sqlglot node class or, for
functions sqlglot does not know, by the Hive function name.  The rules live in modules
by topic: ``dates``, ``numbers``, ``strings``, ``aggregates``, ``clauses``; Java
``SimpleDateFormat`` patterns are compiled by ``javadate``.

Time semantics: ddbsql runs DuckDB with ``SET TimeZone='UTC'``, like EMR's default
JVM time zone, and every date/time rewrite here computes in UTC (naive timestamps).

The reference is Hive 2.3 (EMR 5.x); docs/hive-functions.md lists every function
with what ddbsql does and where it differs.
"""
from __future__ import annotations

import contextlib
import datetime
import logging
import threading

import sqlglot
from sqlglot import exp
from sqlglot.errors import ErrorLevel

from ddbsql.errors import ParseError

from ..dialect import DIALECT, normalize
from .base import Ctx, Fix
from .fixes import FIXES, apply_fixes, rules_for
from .node_types import Schema, annotate

__all__ = ["to_duckdb", "hive_to_duckdb", "parse_hive", "quiet_sqlglot", "FIXES", "Fix", "rules_for"]

def to_duckdb(tree: exp.Expression, *, schema: Schema | None = None,
              source: str | None = None, today: datetime.date | None = None,
              database: str = "default") -> str:
    """DuckDB SQL for a parsed Hive expression/statement (SELECT, or a whole query tree),
    with Hive semantics kept.

    ``tree`` is never modified.  Optional, and only to be more exact:

    * ``schema`` -- ``{table: {column: hive_type}}`` for the tables the query reads.
      Knowing a column's type lets some rules pick an exact form (``round`` of a DOUBLE
      column rounds like Hive's BigDecimal, ``sum`` of an integer column is BIGINT,
      ``cast(int_col as bigint)`` stays a plain cast...).  Without it the rules use a
      form that is correct for any type.
    * ``source`` -- the SQL text ``tree`` was parsed from; used where sqlglot parses two
      Hive functions to the same node (``variance`` vs ``var_samp``).
    * ``today`` -- the date two-digit years are read relative to (Java's window: 80
      years back, 20 ahead); today's date when not given, read on every call.
    * ``database`` -- the current database, for ``current_database()``.

    Raises :class:`ddbsql.errors.ParseError` for Hive constructs that cannot be
    translated faithfully (e.g. a non-constant ``unix_timestamp`` format, ``sha2`` with
    512 bits).
    """
    with quiet_sqlglot():
        work = tree.copy()
        annotate(work, schema)
        ctx = Ctx(source=source, today=today or datetime.date.today(), database=database)
        work = apply_fixes(work, ctx)
        return work.sql(dialect="duckdb", unsupported_level=ErrorLevel.IGNORE)


def hive_to_duckdb(sql: str, *, schema: Schema | None = None) -> str:
    """Parse HiveQL text with ``read='hive'`` and translate it with :func:`to_duckdb`.

    Several statements are translated one by one and joined with ``;\\n``.
    """
    trees = parse_hive(sql)
    return ";\n".join(to_duckdb(t, schema=schema, source=sql) for t in trees)


def parse_hive(sql: str) -> list[exp.Expression]:
    """Parse HiveQL text into sqlglot trees (one per statement), sqlglot's warnings
    silenced and its errors turned into :class:`ddbsql.errors.ParseError`."""
    with quiet_sqlglot():
        try:
            trees = sqlglot.parse(sql, read=DIALECT)
        except sqlglot.errors.ParseError as e:
            info = e.errors[0] if e.errors else {}
            msg = info.get("description") or str(e).splitlines()[0]
            raise ParseError(msg, line=info.get("line"), col=info.get("col")) from None
        except sqlglot.errors.TokenError as e:
            raise ParseError(str(e).splitlines()[0]) from None
    return [normalize(t) for t in trees if t is not None]


_LOG_LOCK = threading.Lock()
_LOG_DEPTH = 0
_LOG_SAVED = logging.NOTSET


@contextlib.contextmanager
def quiet_sqlglot():
    """Silence sqlglot's logger warnings ("unsupported syntax", "not supported in
    DuckDB"...) while the block runs; re-entrant and thread-safe."""
    global _LOG_DEPTH, _LOG_SAVED
    logger = logging.getLogger("sqlglot")
    with _LOG_LOCK:
        if _LOG_DEPTH == 0:
            _LOG_SAVED = logger.level
            logger.setLevel(logging.ERROR)
        _LOG_DEPTH += 1
    try:
        yield
    finally:
        with _LOG_LOCK:
            _LOG_DEPTH -= 1
            if _LOG_DEPTH == 0:
                logger.setLevel(_LOG_SAVED)
