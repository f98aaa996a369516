"""HiveQL -> DuckDB SQL, keeping Hive's semantics.

sqlglot parses HiveQL (``read="hive"``) and can print DuckDB SQL, but a literal
transpilation changes meaning in many places: ``unix_timestamp`` raises on bad input
and returns a DOUBLE, ``cast(2.7 as int)`` rounds, ``substr(s, 0, 2)`` drops a
character, ``size(NULL)`` is NULL, ``variance`` is the sample variance, ``SORT BY`` is
dropped, ``7 div 0`` raises...  :func:`to_duckdb` fixes these by rewriting a *copy*
of the tree before generating SQL.  Every rewrite is one small function listed in
:data:`FIXES` (the fix table), keyed by the sqlglot node class or, for functions
sqlglot does not know, by the Hive function name.

Time semantics: ddbsql runs DuckDB with ``SET TimeZone='UTC'``, like EMR's default
JVM time zone, and every date/time rewrite here computes in UTC (naive timestamps).

Java ``SimpleDateFormat`` patterns (``unix_timestamp``, ``from_unixtime``,
``date_format``, ``to_date``...) are compiled here: parsing follows Java's lenient
parse -- the pattern only has to match a *prefix* of the text, numeric fields take
any number of digits unless they abut another field, out-of-range fields roll over
(``2016-13-01`` is ``2017-01-01``) -- and anything unparseable is NULL, never an error.

The reference is Hive 2.3 (EMR 5.x); docs/hive-functions.md lists every function
with what ddbsql does and where it differs.
"""
from __future__ import annotations

import contextlib
import dataclasses
import datetime
import functools
import logging
import re
import threading
from typing import Callable, Iterable, Mapping

import sqlglot
from sqlglot import exp
from sqlglot.dialects.hive import Hive
from sqlglot.errors import ErrorLevel
from sqlglot.time import format_time

from ddbsql.errors import ParseError

__all__ = ["to_duckdb", "hive_to_duckdb", "parse_hive", "quiet_sqlglot", "FIXES", "Fix"]


# --------------------------------------------------------------------------------------
# public entry points
# --------------------------------------------------------------------------------------

Schema = Mapping[str, Mapping[str, str]]


def to_duckdb(tree: exp.Expression, *, schema: Schema | None = None,
              source: str | None = None) -> str:
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

    Raises :class:`ddbsql.errors.ParseError` for Hive constructs that cannot be
    translated faithfully (e.g. a non-constant ``unix_timestamp`` format, ``sha2`` with
    512 bits).
    """
    with quiet_sqlglot():
        work = tree.copy()
        _annotate(work, schema)
        ctx = _Ctx(source=source)
        work = _apply_fixes(work, ctx)
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
            trees = sqlglot.parse(sql, read="hive")
        except sqlglot.errors.ParseError as e:
            info = e.errors[0] if e.errors else {}
            msg = info.get("description") or str(e).splitlines()[0]
            raise ParseError(msg, line=info.get("line"), col=info.get("col")) from None
        except sqlglot.errors.TokenError as e:
            raise ParseError(str(e).splitlines()[0]) from None
    return [t for t in trees if t is not None]


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


# --------------------------------------------------------------------------------------
# the fix table machinery
# --------------------------------------------------------------------------------------

Rewrite = Callable[[exp.Expression, "_Ctx"], "exp.Expression | None"]


@dataclasses.dataclass(frozen=True)
class Fix:
    """One Hive-semantics rule: rewrite nodes of ``on`` (a sqlglot class, or the
    lower-case name of a function sqlglot leaves as ``exp.Anonymous``)."""

    name: str
    on: tuple[type[exp.Expression] | str, ...]
    rewrite: Rewrite
    hive: str  # the Hive behaviour the rule keeps, one line


@dataclasses.dataclass
class _Ctx:
    source: str | None

    # type helpers: None/False when unknown ---------------------------------------
    def dtype(self, node: exp.Expression) -> exp.DataType | None:
        t = node.type if isinstance(node, exp.Expression) else None
        if t is None or t.is_type(exp.DataType.Type.UNKNOWN, exp.DataType.Type.NULL):
            return None
        return t

    def is_(self, node: exp.Expression, types: Iterable[exp.DataType.Type]) -> bool:
        t = self.dtype(node)
        return t is not None and t.is_type(*types)

    def is_int(self, node):
        return self.is_(node, exp.DataType.INTEGER_TYPES)

    def is_float(self, node):
        return self.is_(node, exp.DataType.REAL_TYPES - {exp.DataType.Type.DECIMAL})

    def is_fractional(self, node):
        return self.is_(node, exp.DataType.REAL_TYPES)

    def is_text(self, node):
        return self.is_(node, exp.DataType.TEXT_TYPES)

    def is_date(self, node):
        return self.is_(node, {exp.DataType.Type.DATE})

    def is_timestamp(self, node):
        return self.is_(node, _TIMESTAMP_DTYPES)


def _apply_fixes(root: exp.Expression, ctx: _Ctx) -> exp.Expression:
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


def _annotate(tree: exp.Expression, schema: Schema | None) -> bool:
    """Best-effort sqlglot type annotation (columns typed from ``schema``)."""
    try:
        if schema:
            _type_columns(tree, schema)
        from sqlglot.optimizer.annotate_types import annotate_types
        annotate_types(tree, dialect="hive", overwrite_types=False)
        for node in list(tree.walk()):  # it does not descend into CAST(...) operands
            if node._type is None and not isinstance(node, (exp.Identifier, exp.DataType)):
                annotate_types(node, dialect="hive", overwrite_types=False)
        return True
    except Exception:  # noqa: BLE001 - typing is an optimisation only
        return False


def _type_columns(tree: exp.Expression, schema: Schema) -> None:
    from sqlglot.optimizer.scope import traverse_scope

    tables = {str(t).lower(): {str(c).lower(): v for c, v in cols.items()}
              for t, cols in schema.items()}
    for scope in traverse_scope(tree):
        srcs = {}
        for alias, src in scope.sources.items():
            if isinstance(src, exp.Table) and src.name.lower() in tables:
                srcs[alias.lower()] = tables[src.name.lower()]
            else:
                srcs[alias.lower()] = None
        for col in scope.columns:
            if col.type is not None and not col.type.is_type(exp.DataType.Type.UNKNOWN):
                continue
            name = col.name.lower()
            if col.table:
                cols = srcs.get(col.table.lower())
                hive_type = cols.get(name) if cols else None
            else:
                if any(c is None for c in srcs.values()):
                    continue
                found = [c[name] for c in srcs.values() if name in c]
                hive_type = found[0] if len(found) == 1 else None
            if hive_type:
                col.type = exp.DataType.build(hive_type, dialect="hive")


# --------------------------------------------------------------------------------------
# small AST helpers
# --------------------------------------------------------------------------------------

@functools.lru_cache(maxsize=512)
def _parsed_template(sql: str) -> exp.Expression:
    return sqlglot.parse_one(sql, read="duckdb")


def _tpl(sql: str, **args: exp.Expression) -> exp.Expression:
    """Build an expression from DuckDB SQL where the upper-case identifiers ``_X`` name
    the arguments (each occurrence gets its own copy).  An argument that is an
    ``exp.Identifier`` replaces identifiers (aliases) of that name instead."""
    tree = _parsed_template(sql).copy()
    for col in list(tree.find_all(exp.Column)):
        if not col.table and col.name in args and not isinstance(args[col.name], exp.Identifier):
            col.replace(args[col.name].copy())
    for ident in list(tree.find_all(exp.Identifier)):
        if isinstance(args.get(ident.name), exp.Identifier):
            ident.replace(args[ident.name].copy())
    return tree


def _lit(value) -> exp.Expression:
    if isinstance(value, str):
        return exp.Literal.string(value)
    return exp.Literal.number(value)


def _sql_str(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _int_literal(node: exp.Expression | None) -> int | None:
    if node is None:
        return None
    if isinstance(node, exp.Neg):
        inner = _int_literal(node.this)
        return None if inner is None else -inner
    if isinstance(node, exp.Literal) and not node.is_string and node.is_int:
        return int(node.this)
    return None


def _error(node: exp.Expression, message: str) -> ParseError:
    """A ParseError at the node's position (sqlglot keeps token positions in ``meta``:
    ``col`` is the column of the token's last character)."""
    ancestors = []
    parent = node.parent
    while parent is not None:
        ancestors.append(parent)
        parent = parent.parent
    for n in (*node.walk(), *ancestors):
        meta = n.meta if n._meta else {}
        if meta.get("line") is not None:
            col = meta.get("col")
            if col is not None and meta.get("start") is not None and meta.get("end") is not None:
                col -= meta["end"] - meta["start"]
            return ParseError(message, line=meta["line"], col=col)
    return ParseError(message)


def _hive_format(node: exp.Expression, fn: str) -> str:
    """The Java pattern of a format argument (sqlglot converts it to strftime at parse
    time; the inverse Hive mapping gives it back)."""
    if not (isinstance(node, exp.Literal) and node.is_string):
        raise _error(node, f"{fn}: the date format must be a string literal")
    return format_time(node.this, Hive.INVERSE_TIME_MAPPING, Hive.INVERSE_TIME_TRIE)


def _varchar(node: exp.Expression) -> exp.Expression:
    if isinstance(node, exp.Literal) and node.is_string:
        return node
    return exp.cast(node, exp.DataType.build("VARCHAR"))


# --------------------------------------------------------------------------------------
# Java SimpleDateFormat
# --------------------------------------------------------------------------------------

_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august",
           "september", "october", "november", "december")
_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@dataclasses.dataclass(frozen=True)
class _Tok:
    letter: str = ""   # pattern letter, "" for literal text
    count: int = 0
    text: str = ""     # literal text


def _java_tokens(fmt: str) -> list[_Tok]:
    toks: list[_Tok] = []

    def literal(s: str):
        if toks and not toks[-1].letter:
            toks[-1] = _Tok(text=toks[-1].text + s)
        else:
            toks.append(_Tok(text=s))

    i, n = 0, len(fmt)
    while i < n:
        c = fmt[i]
        if c == "'":
            if i + 1 < n and fmt[i + 1] == "'":
                literal("'")
                i += 2
                continue
            j, buf = i + 1, []
            while True:
                if j >= n:
                    raise ParseError(f"unterminated quote in date format {fmt!r}")
                if fmt[j] == "'":
                    if j + 1 < n and fmt[j + 1] == "'":
                        buf.append("'")
                        j += 2
                        continue
                    break
                buf.append(fmt[j])
                j += 1
            literal("".join(buf))
            i = j + 1
        elif c.isascii() and c.isalpha():
            j = i
            while j < n and fmt[j] == c:
                j += 1
            toks.append(_Tok(letter=c, count=j - i))
            i = j
        else:
            literal(c)
            i += 1
    return toks


def _alternatives(names: Iterable[str]) -> str:
    names = list(names)
    return "(?i:" + "|".join([*names, *(n[:3] for n in names)]) + ")"


def _re_escape(text: str) -> str:
    """Escape RE2 metacharacters (only those: RE2 rejects some needless escapes)."""
    return re.sub(r"([\\.^$|?*+()\[\]{}])", r"\\\1", text)


_TZ_RE = r"(?:(?:GMT|UTC)?([+-])(\d{2}):?(\d{2})?|Z|UTC|GMT)"


@functools.lru_cache(maxsize=256)
def _java_epoch_sql(fmt: str) -> str:
    """DuckDB SQL computing Hive's ``unix_timestamp(_S, fmt)`` (BIGINT seconds, NULL if
    the text does not start with something ``fmt`` can parse) from the VARCHAR ``_S``.

    The pattern becomes an anchored RE2 regex with one group per field; the fields are
    then combined arithmetically, which reproduces Java's lenient roll-over.
    """
    toks = _java_tokens(fmt)
    parts, groups, ngroups = ["^"], {}, 0

    def group(key: str, regex: str, count: int = 0, n: int = 1):
        nonlocal ngroups
        groups[key] = (ngroups + 1, count)
        ngroups += n
        parts.append(regex)

    for i, tok in enumerate(toks):
        if not tok.letter:
            parts.append(_re_escape(tok.text))
            continue
        letter, count = tok.letter, tok.count
        nxt = toks[i + 1] if i + 1 < len(toks) else None
        number = rf"(\d{{{count}}})" if nxt is not None and nxt.letter else r"(\d+)"
        if letter in "yY":
            group("y", number, count)
        elif letter in "ML":
            if count <= 2:
                group("M", number)
            else:
                group("Mtext", "(" + _alternatives(_MONTHS) + ")")
        elif letter in "dDHkKhmsS":
            group(letter, number)
        elif letter == "E":
            parts.append(_alternatives(_DAYS))
        elif letter == "u":
            parts.append(number.replace("(", "(?:", 1))
        elif letter == "a":
            group("a", "((?i:AM|PM))")
        elif letter == "G":
            parts.append("(?i:AD|BC)")
        elif letter in "zZX":
            group("tz", _TZ_RE, n=3)
        else:
            raise ParseError(f"date format letter {letter!r} in {fmt!r} is not supported")
    regex = _sql_str("".join(parts))

    def g(key: str, offset: int = 0) -> str:
        return f"REGEXP_EXTRACT(_S, {regex}, {groups[key][0] + offset})"

    def num(key: str) -> str:
        return f"TRY_CAST({g(key)} AS BIGINT)"

    if "y" in groups:
        year = num("y")
        if groups["y"][1] <= 2:  # Java's 2-digit year window: 80 years back, 20 ahead
            start = datetime.date.today().year - 80
            year = (f"CASE WHEN LENGTH({g('y')}) = 2 THEN {year} + {start // 100 * 100}"
                    f" + CASE WHEN {year} < {start % 100} THEN 100 ELSE 0 END ELSE {year} END")
    else:
        year = "1970"
    if "M" in groups:
        month = num("M")
    elif "Mtext" in groups:
        names = ", ".join(_sql_str(m[:3]) for m in _MONTHS)
        month = f"LIST_POSITION([{names}], LOWER(LEFT({g('Mtext')}, 3)))"
    else:
        month = "1"
    day_offset = f"{num('d')} - 1" if "d" in groups else (
        f"{num('D')} - 1" if "D" in groups else "0")
    if "H" in groups:
        hour = num("H")
    elif "k" in groups:
        hour = f"({num('k')} % 24)"
    elif "h" in groups or "K" in groups:
        hour = f"({num('h' if 'h' in groups else 'K')} % 12)"
        if "a" in groups:
            hour += f" + CASE WHEN UPPER({g('a')}) = 'PM' THEN 12 ELSE 0 END"
    else:
        hour = "0"
    minute = num("m") if "m" in groups else "0"
    second = num("s") if "s" in groups else "0"
    millis = num("S") if "S" in groups else "0"
    if "tz" in groups:
        tz = (f"CASE WHEN {g('tz')} = '' THEN 0 ELSE (CASE WHEN {g('tz')} = '-' THEN -1 ELSE 1 END)"
              f" * (TRY_CAST({g('tz', 1)} AS BIGINT) * 60"
              f" + COALESCE(TRY_CAST(NULLIF({g('tz', 2)}, '') AS BIGINT), 0)) END")
    else:
        tz = "0"
    date = f"MAKE_DATE({year}, 1, 1)"
    if month != "1":
        date += f" + TO_MONTHS(CAST({month} - 1 AS INTEGER))"
    days = f"CAST({date} AS DATE) - DATE '1970-01-01'"
    if day_offset != "0":
        days += f" + {day_offset}"
    ms = f"({days}) * 86400000"
    for value, scale in ((hour, 3600000), (minute, 60000), (second, 1000), (millis, 1)):
        if value != "0":
            ms += f" + ({value})" + (f" * {scale}" if scale != 1 else "")
    if tz != "0":
        ms += f" - ({tz}) * 60000"
    seconds = f"TRY(({ms}) // 1000)"
    if not groups:  # a pattern of literal text only: 0 when it matches
        seconds = f"CASE WHEN REGEXP_MATCHES(_S, {regex}) THEN CAST(0 AS BIGINT) END"
    return f"CAST({seconds} AS BIGINT)"


def _epoch_of(text: exp.Expression, fmt: str) -> exp.Expression:
    return _tpl(_java_epoch_sql(fmt), _S=_varchar(text))


def _ts_of_epoch(seconds: exp.Expression) -> exp.Expression:
    """Naive (UTC) TIMESTAMP of epoch seconds."""
    return _tpl("MAKE_TIMESTAMP(_E * 1000000)", _E=seconds)


def _java_strftime(fmt: str, *, whole_seconds: bool) -> str:
    """DuckDB strftime format for a Java pattern (formatting side)."""
    out = []
    for tok in _java_tokens(fmt):
        if not tok.letter:
            out.append(tok.text.replace("%", "%%"))
            continue
        letter, count = tok.letter, tok.count
        if letter in "yY":
            out.append("%y" if count == 2 else "%Y")
        elif letter in "ML":
            out.append({1: "%-m", 2: "%m", 3: "%b"}.get(count, "%B"))
        elif letter in "dHhms":
            spec = {"d": "d", "H": "H", "h": "I", "m": "M", "s": "S"}[letter]
            out.append(("%-" if count == 1 else "%") + spec)
        elif letter == "S":
            out.append("0" * count if whole_seconds else ("%g" if count <= 3 else "%f"))
        elif letter == "D":
            out.append("%-j" if count < 3 else "%j")
        elif letter == "E":
            out.append("%A" if count >= 4 else "%a")
        elif letter == "u":
            out.append("%u")
        elif letter == "a":
            out.append("%p")
        elif letter == "G":
            out.append("AD")
        elif letter == "z":
            out.append("UTC")
        elif letter == "Z":
            out.append("+0000")
        elif letter == "X":
            out.append("Z")
        else:
            raise ParseError(f"date format letter {letter!r} in {fmt!r} is not supported")
    return "".join(out)


def _hive_date(node: exp.Expression, ctx: _Ctx) -> exp.Expression:
    """A Hive date argument as DuckDB DATE: DATE/TIMESTAMP as is, strings parsed like
    SimpleDateFormat('yyyy-MM-dd') (prefix, lenient; NULL when unparseable)."""
    if ctx.is_date(node):
        return node
    if ctx.is_timestamp(node):
        return exp.cast(node, exp.DataType.build("DATE"))
    return exp.cast(_ts_of_epoch(_epoch_of(node, "yyyy-MM-dd")), exp.DataType.build("DATE"))


def _hive_time(node: exp.Expression, ctx: _Ctx) -> exp.Expression:
    """A Hive timestamp argument for hour()/minute()/second(): strings parsed with
    'yyyy-MM-dd HH:mm:ss', then 'HH:mm:ss' (Hive 2 UDFHour & co)."""
    if ctx.is_timestamp(node):
        return node
    if ctx.is_date(node):
        return exp.cast(node, exp.DataType.build("TIMESTAMP"))
    return exp.func("COALESCE", _ts_of_epoch(_epoch_of(node, "yyyy-MM-dd HH:mm:ss")),
                    _ts_of_epoch(_epoch_of(node, "HH:mm:ss")))


# --------------------------------------------------------------------------------------
# the rules
# --------------------------------------------------------------------------------------

_TIMESTAMP_DTYPES = {exp.DataType.Type.TIMESTAMP, exp.DataType.Type.TIMESTAMPTZ,
                     exp.DataType.Type.TIMESTAMPLTZ, exp.DataType.Type.TIMESTAMPNTZ,
                     exp.DataType.Type.DATETIME, exp.DataType.Type.TIMESTAMP_S,
                     exp.DataType.Type.TIMESTAMP_MS, exp.DataType.Type.TIMESTAMP_NS}
_INT_DTYPES = {exp.DataType.Type.TINYINT, exp.DataType.Type.SMALLINT,
               exp.DataType.Type.INT, exp.DataType.Type.BIGINT}


def fix_unix_timestamp(node, ctx):
    """unix_timestamp([x[, fmt]]) / to_unix_timestamp: BIGINT, NULL when unparseable."""
    if isinstance(node, exp.Anonymous):  # to_unix_timestamp(x[, fmt])
        args = node.expressions
        if not args:
            return fix_unix_timestamp(exp.StrToUnix(this=exp.CurrentTimestamp()), ctx)
        fmt = _hive_format(args[1], "to_unix_timestamp") if len(args) > 1 else None
        text = args[0]
    else:
        text = node.this
        fmt = _hive_format(node.args["format"], "unix_timestamp") if node.args.get("format") else None
    if isinstance(text, exp.CurrentTimestamp) or (
            fmt in (None, "yyyy-MM-dd HH:mm:ss") and (ctx.is_timestamp(text) or ctx.is_date(text))):
        return _tpl("CAST(FLOOR(EPOCH(_X)) AS BIGINT)", _X=text)
    return _epoch_of(text, fmt or "yyyy-MM-dd HH:mm:ss")


def fix_from_unixtime(node, ctx):
    """from_unixtime(n[, fmt]): 'yyyy-MM-dd HH:mm:ss' text of epoch seconds, in UTC."""
    fmt = _hive_format(node.args["format"], "from_unixtime") if node.args.get("format") else \
        "yyyy-MM-dd HH:mm:ss"
    seconds = _int_cast(node.this, exp.DataType.build("BIGINT"), ctx)
    return exp.func("STRFTIME", _ts_of_epoch(seconds),
                    _lit(_java_strftime(fmt, whole_seconds=True)))


def fix_date_format(node, ctx):
    """date_format(ts|date|string, fmt): Java pattern; strings cast like Hive (NULL if bad)."""
    this = node.this
    if isinstance(this, exp.TimeStrToTime):
        this = this.this
    fmt = _hive_format(node.args["format"], "date_format")
    ts = this if ctx.is_timestamp(this) else exp.TryCast(this=this, to=exp.DataType.build("TIMESTAMP"))
    return exp.func("STRFTIME", ts, _lit(_java_strftime(fmt, whole_seconds=False)))


def fix_to_date(node, ctx):
    """to_date(x) and the date argument of year/month/day/datediff: lenient yyyy-MM-dd prefix."""
    return _hive_date(node.this, ctx)


def fix_date_part(node, ctx):
    """dayofmonth/weekofyear/quarter/dayofyear of a string: parse it like Hive first."""
    if isinstance(node.this, exp.TsOrDsToDate):
        return None
    new = node.copy()
    new.set("this", _hive_date(node.this, ctx))
    return new


def fix_dayofweek(node, ctx):
    """dayofweek: 1 = Sunday ... 7 = Saturday (DuckDB counts from 0)."""
    return exp.Add(this=exp.func("DAYOFWEEK", _hive_date(node.this, ctx)), expression=_lit(1))


def fix_time_part(node, ctx):
    """hour/minute/second of a string: 'yyyy-MM-dd HH:mm:ss' or 'HH:mm:ss' prefix, else NULL."""
    new = node.copy()
    new.set("this", _hive_time(node.this, ctx))
    return new


def fix_date_add(node, ctx):
    """date_add/date_sub: DATE result (DuckDB's DATE + INTERVAL gives a TIMESTAMP)."""
    days = exp.cast(node.expression, exp.DataType.build("INTEGER"))
    return exp.Add(this=_hive_date(node.this, ctx), expression=days)


def fix_add_months(node, ctx):
    """add_months: 'yyyy-MM-dd' string; last day of month stays the last day."""
    return _tpl("CAST(CASE WHEN _D = LAST_DAY(_D) THEN LAST_DAY(_D + TO_MONTHS(CAST(_N AS INTEGER)))"
                " ELSE CAST(_D + TO_MONTHS(CAST(_N AS INTEGER)) AS DATE) END AS VARCHAR)",
                _D=_hive_date(node.this, ctx), _N=node.expression)


def fix_last_day(node, ctx):
    """last_day: 'yyyy-MM-dd' string."""
    return _tpl("CAST(LAST_DAY(_D) AS VARCHAR)", _D=_hive_date(node.this, ctx))


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
    tz = node.expressions[1]
    if str(node.this).lower() == "from_utc_timestamp":
        return _tpl("TIMEZONE(_Z, TIMEZONE('UTC', _T))", _T=ts, _Z=tz)
    return _tpl("TIMEZONE('UTC', TIMEZONE(_Z, _T))", _T=ts, _Z=tz)


def fix_substr(node, ctx):
    """substr/substring: 1-based, pos 0 = 1, negative pos from the end, '' when |pos| >
    length or len <= 0."""
    s, pos, length = node.this, node.args.get("start"), node.args.get("length")
    p, n = _int_literal(pos), _int_literal(length)
    if pos is None:
        return None
    if n is not None and n <= 0:
        return _tpl("CASE WHEN _S IS NULL OR _P IS NULL THEN NULL ELSE '' END", _S=s, _P=pos)
    if p is not None and p > 0 and (length is None or n is not None):
        return None
    args = {"_S": s, "_P": pos}
    call = "SUBSTRING(_S, CASE WHEN _P = 0 THEN 1 ELSE _P END)"
    if p is not None:
        call = "SUBSTRING(_S, " + ("1" if p == 0 else "_P")
        call += ", _L)" if length is not None else ")"
    elif length is not None:
        call = "SUBSTRING(_S, CASE WHEN _P = 0 THEN 1 ELSE _P END, _L)"
    if length is not None:
        args["_L"] = length
        if n is None:
            return _tpl(f"CASE WHEN _S IS NULL OR _P IS NULL OR _L IS NULL THEN NULL"
                        f" WHEN ABS(_P) > LENGTH(_S) OR _L <= 0 THEN '' ELSE {call} END", **args)
    return _tpl(f"CASE WHEN ABS(_P) > LENGTH(_S) THEN '' ELSE {call} END", **args)


def _java_replacement(text: str) -> str:
    out, i = [], 0
    while i < len(text):
        c = text[i]
        if c == "\\" and i + 1 < len(text):
            nxt = text[i + 1]
            out.append("\\\\" if nxt == "\\" else nxt)
            i += 2
        elif c == "$" and i + 1 < len(text) and text[i + 1].isdigit():
            out.append("\\" + text[i + 1])
            i += 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


def fix_regexp_replace(node, ctx):
    """regexp_replace: Java replacement syntax ($1 groups, \\ escapes) -> RE2 (\\1)."""
    rep = node.args.get("replacement")
    if not (isinstance(rep, exp.Literal) and rep.is_string):
        return None
    converted = _java_replacement(rep.this)
    if converted == rep.this:
        return None
    new = node.copy()
    new.set("replacement", _lit(converted))
    return new


def fix_size(node, ctx):
    """size(array|map): element count, -1 for NULL."""
    return _tpl("COALESCE(CAST(CARDINALITY(_X) AS BIGINT), -1)", _X=node.this)


def fix_get_json_object(node, ctx):
    """get_json_object: NULL (not an error) for invalid JSON; [*] paths give JSON text."""
    path = node.expression
    if isinstance(path, exp.JSONPath) and path.find(exp.JSONPathWildcard):
        inner = _tpl("CAST(TO_JSON(JSON_EXTRACT(_J, _P)) AS VARCHAR)", _J=node.this,
                     _P=_lit(path.sql(dialect="duckdb").strip("'")))
    else:
        inner = node
    return _tpl("CASE WHEN JSON_VALID(_J) THEN _R END", _J=node.this, _R=inner)


def _coalesce_empty_list(agg: exp.Expression) -> exp.Expression:
    return exp.func("COALESCE", agg, exp.Array(expressions=[]))


def _cast_double(agg: exp.Expression, quantile: exp.Expression | None) -> exp.Expression:
    return exp.cast(agg, exp.DataType.build(
        "DOUBLE[]" if isinstance(quantile, exp.Array) else "DOUBLE", dialect="duckdb"))


def _agg_wrapper(agg: exp.Expression, ctx: _Ctx) -> Callable[[exp.Expression], exp.Expression] | None:
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


def _int_cast(x: exp.Expression, to: exp.DataType, ctx: _Ctx) -> exp.Expression:
    if ctx.is_int(x) or _int_literal(x) is not None:
        return exp.TryCast(this=x, to=to)
    if ctx.is_fractional(x):
        inner = exp.func("TRUNC", x)
    elif ctx.is_timestamp(x):
        inner = _tpl("FLOOR(EPOCH(CAST(_X AS TIMESTAMP)))", _X=x)
    elif ctx.is_(x, {exp.DataType.Type.BOOLEAN}):
        return exp.TryCast(this=x, to=to)
    else:
        inner = exp.func("TRUNC", exp.TryCast(this=x, to=exp.DataType.build("DECIMAL(38, 10)")))
    return exp.TryCast(this=inner, to=to)


def fix_cast(node, ctx):
    """cast(x as tinyint|smallint|int|bigint): truncate toward zero (DuckDB rounds);
    decimal means decimal(10,0); invalid text -> NULL."""
    to = node.to
    if to.is_type(*_INT_DTYPES):
        return _int_cast(node.this, to, ctx)
    if to.is_type(exp.DataType.Type.DECIMAL) and not to.expressions:
        return exp.TryCast(this=node.this, to=exp.DataType.build("DECIMAL(10, 0)"))
    if isinstance(node, exp.Cast) and not isinstance(node, exp.TryCast):
        return exp.TryCast(this=node.this, to=to)
    return None


_TYPE_FUNCTIONS = ("tinyint", "smallint", "int", "bigint", "float", "double", "boolean",
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
    if not (ctx.is_int(a) or _int_literal(a) is not None):
        a = _int_cast(a, exp.DataType.build("BIGINT"), ctx)
    if not (ctx.is_int(b) or _int_literal(b) is not None):
        b = _int_cast(b, exp.DataType.build("BIGINT"), ctx)
    return _tpl("_A // NULLIF(_B, 0)", _A=a, _B=b)


def fix_mod(node, ctx):
    """a % b: NULL when b = 0 (DuckDB raises); sign of a, like Java."""
    return _tpl("_A % NULLIF(_B, 0)", _A=node.this, _B=node.expression)


def fix_pmod(node, ctx):
    """pmod(a, b): positive modulus."""
    if len(node.expressions) != 2:
        return None
    a, b = node.expressions
    return _tpl("((_A % NULLIF(_B, 0)) + _B) % NULLIF(_B, 0)", _A=a, _B=b)


def fix_round(node, ctx):
    """round(double, d): HALF_UP on the decimal value (Hive's BigDecimal), not on the
    binary double."""
    d = node.args.get("decimals")
    if not ctx.is_float(node.this) or (d is not None and _int_literal(d) is None):
        return None
    return _tpl("COALESCE(CAST(ROUND(TRY_CAST(_X AS DECIMAL(38, 10)), _D) AS DOUBLE), ROUND(_X, _D))",
                _X=node.this, _D=d if d is not None else _lit(0))


def fix_bround(node, ctx):
    """bround(x[, d]): HALF_EVEN."""
    args = node.expressions
    if not 1 <= len(args) <= 2:
        return None
    return exp.func("ROUND_EVEN", args[0], args[1] if len(args) == 2 else _lit(0))


def fix_floor_ceil(node, ctx):
    """floor/ceil: BIGINT."""
    return exp.TryCast(this=node, to=exp.DataType.build("BIGINT"))


def fix_string_arithmetic(node, ctx):
    """'1' + 2: Hive converts text operands of arithmetic to DOUBLE (NULL if not a number).

    Changes ``node`` in place: copying it would copy the whole operand chain below it at
    every operator, and a long sum would take quadratic time."""
    changed = False
    for key in ("this", "expression"):
        side = node.args.get(key)
        if side is not None and ((isinstance(side, exp.Literal) and side.is_string) or ctx.is_text(side)):
            node.set(key, exp.TryCast(this=side, to=exp.DataType.build("DOUBLE")))
            changed = True
    return node if changed else None


def fix_long_integer(node, ctx):
    """A whole-number literal of more than 38 digits is a DOUBLE, as in Hive (DuckDB would
    make it a BIGNUM, which neither DynamoDB nor a reader of results can take)."""
    text = node.this
    if node.is_string or not isinstance(text, str) or not text.isdigit() or len(text.lstrip("0")) <= 38:
        return None
    return exp.Cast(this=exp.Literal.string(text), to=exp.DataType.build("DOUBLE"))


def _is_number(node: exp.Expression, ctx: _Ctx) -> bool:
    return (isinstance(node, exp.Literal) and not node.is_string) or ctx.is_(
        node, exp.DataType.INTEGER_TYPES | exp.DataType.REAL_TYPES)


def fix_string_comparison(node, ctx):
    """text column <op> number: Hive compares as DOUBLE (DuckDB refuses '<' and '>')."""
    a, b = node.this, node.expression
    if ctx.is_text(a) and _is_number(b, ctx):
        key, side = "this", a
    elif ctx.is_text(b) and _is_number(a, ctx):
        key, side = "expression", b
    else:
        return None
    new = node.copy()
    new.set(key, exp.TryCast(this=side.copy(), to=exp.DataType.build("DOUBLE")))
    return new


def fix_like(node, ctx):
    """LIKE: backslash escapes % and _ (Hive's default escape)."""
    if isinstance(node.parent, exp.Escape):
        return None
    pat = node.expression
    if isinstance(pat, exp.Literal) and pat.is_string and "\\" not in pat.this:
        return None
    return exp.Escape(this=node, expression=_lit("\\"))


def fix_isnull(node, ctx):
    """isnull(x) / isnotnull(x)."""
    if len(node.expressions) != 1:
        return None
    test = exp.Is(this=node.expressions[0], expression=exp.Null())
    return test if str(node.this).lower() == "isnull" else exp.Not(this=test)


def fix_sign_functions(node, ctx):
    """negative(x) / positive(x)."""
    if isinstance(node, exp.Negative):
        return exp.Neg(this=exp.Paren(this=node.this))
    if len(node.expressions) != 1:
        return None
    return exp.Paren(this=node.expressions[0])


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
    return exp.StddevPop(this=x)


def fix_sha2(node, ctx):
    """sha2(x, 256|0): only SHA-256 exists in DuckDB."""
    bits = _int_literal(node.args.get("length"))
    if bits in (None, 0, 256):
        return exp.func("SHA256", node.this)
    raise _error(node, f"sha2 with {bits} bits is not supported (DuckDB only has SHA-256)")


def fix_sort_by(node, ctx):
    """SORT BY / CLUSTER BY: ordered output (sqlglot drops them for DuckDB); DISTRIBUTE BY
    is meaningless on one node."""
    sort, cluster = node.args.get("sort"), node.args.get("cluster")
    if not (sort or cluster or node.args.get("distribute")):
        return None
    new = node.copy()
    for key in ("sort", "cluster", "distribute"):
        new.set(key, None)
    if not node.args.get("order"):
        if sort:
            new.set("order", exp.Order(expressions=[e.copy() for e in sort.expressions]))
        elif cluster:
            new.set("order", exp.Order(expressions=[exp.Ordered(this=e.copy(), nulls_first=True)
                                                    for e in cluster.expressions]))
    return new


def fix_group_by(node, ctx):
    """GROUP BY a, b WITH ROLLUP | WITH CUBE | GROUPING SETS (...): the SQL-standard
    ROLLUP(a, b) / CUBE(a, b) / GROUPING SETS forms DuckDB understands."""
    exprs = node.expressions
    kind = next((k for k in ("rollup", "cube") if node.args.get(k)), None)
    new = node.copy()
    if kind and not any(m.expressions for m in node.args[kind]) and exprs:
        cls = exp.Rollup if kind == "rollup" else exp.Cube
        new.set(kind, [cls(expressions=[e.copy() for e in exprs])])
    elif not (node.args.get("grouping_sets") and exprs):
        return None
    new.set("expressions", [])
    return new


def fix_greatest_least(node, ctx):
    """greatest/least: NULL when any argument is NULL (Hive 2.0+)."""
    if not node.args.get("ignore_nulls"):
        return None
    new = node.copy()
    new.set("ignore_nulls", False)
    return new


_TRUNC_UNITS = {"MONTH": "month", "MON": "month", "MM": "month", "YEAR": "year",
                "YYYY": "year", "YY": "year", "QUARTER": "quarter", "Q": "quarter"}


def fix_trunc(node, ctx):
    """trunc(date, 'MM'|'YEAR'|'Q'...): first day, as a 'yyyy-MM-dd' string."""
    unit = node.args.get("unit")
    name = unit.name.upper() if isinstance(unit, (exp.Var, exp.Literal)) else None
    if name not in _TRUNC_UNITS:
        return None
    return _tpl(f"CAST(CAST(DATE_TRUNC('{_TRUNC_UNITS[name]}', _D) AS DATE) AS VARCHAR)",
                _D=_hive_date(node.this, ctx))


def fix_next_day(node, ctx):
    """next_day(date, 'MO'...): string result; string dates parsed like to_date."""
    new = node.copy()
    new.set("this", _hive_date(node.this, ctx))
    return exp.cast(new, exp.DataType.build("VARCHAR"))


def fix_months_between(node, ctx):
    """months_between: string dates parsed like to_date (time of day ignored)."""
    new = node.copy()
    new.set("this", _hive_date(node.this, ctx))
    new.set("expression", _hive_date(node.expression, ctx))
    return new


def fix_elt(node, ctx):
    """elt(n, s1, s2...): the n-th string, NULL when out of range."""
    return exp.Bracket(this=exp.Array(expressions=[e.copy() for e in node.expressions]),
                       expressions=[node.this.copy()], offset=1, safe=True)


def fix_field(node, ctx):
    """field(v, s1, s2...): 1-based position of v, 0 when absent or NULL."""
    if len(node.expressions) < 2:
        return None
    v, *rest = node.expressions
    return _tpl("COALESCE(LIST_POSITION(_L, _V), 0)", _V=v, _L=exp.Array(expressions=rest))


def fix_find_in_set(node, ctx):
    """find_in_set(s, 'a,b,c'): 1-based position, 0 when absent or s has a comma."""
    if len(node.expressions) != 2:
        return None
    return _tpl("CASE WHEN _S IS NULL OR _L IS NULL THEN NULL WHEN CONTAINS(_S, ',') THEN 0"
                " ELSE COALESCE(LIST_POSITION(STRING_SPLIT(_L, ','), _S), 0) END",
                _S=node.expressions[0], _L=node.expressions[1])


def fix_substring_index(node, ctx):
    """substring_index(s, delim, n): text before the n-th delimiter (after, if n < 0)."""
    return _tpl("CASE WHEN _N > 0 THEN ARRAY_TO_STRING(STRING_SPLIT(_S, _D)[1:_N], _D)"
                " WHEN _N < 0 THEN ARRAY_TO_STRING(STRING_SPLIT(_S, _D)[_N:], _D) ELSE '' END",
                _S=node.this, _D=node.args["delimiter"], _N=node.args["count"])


def fix_format_number(node, ctx):
    """format_number(x, d): '1,234.57' (d a literal)."""
    if len(node.expressions) != 2 or _int_literal(node.expressions[1]) is None:
        return None
    digits = _int_literal(node.expressions[1])
    return exp.func("FORMAT", _lit("{:,.%df}" % max(digits, 0)),
                    exp.cast(node.expressions[0], exp.DataType.build("DOUBLE")))


def fix_e(node, ctx):
    """e(): Euler's number."""
    return exp.func("EXP", _lit(1)) if not node.expressions else None


def fix_octet_length(node, ctx):
    """octet_length(s): UTF-8 bytes."""
    if len(node.expressions) != 1:
        return None
    return _tpl("OCTET_LENGTH(ENCODE(CAST(_S AS VARCHAR)))", _S=node.expressions[0])


def _is_map_explode(lateral: exp.Expression, ctx: _Ctx) -> bool:
    fn = lateral.this
    if type(fn) is not exp.Explode:
        return False
    alias = lateral.args.get("alias")
    return len(alias.columns if alias else []) == 2 or ctx.is_(fn.this, {exp.DataType.Type.MAP})


def _is_json_tuple(lateral: exp.Expression) -> bool:
    fn = lateral.this
    return isinstance(fn, exp.Anonymous) and str(fn.this).lower() == "json_tuple" \
        and len(fn.expressions) >= 2 and all(
            isinstance(k, exp.Literal) and k.is_string for k in fn.expressions[1:])


def fix_lateral_view(node, ctx):
    """LATERAL VIEW explode(map) t AS k, v: one row per entry (DuckDB cannot UNNEST a
    map); LATERAL VIEW OUTER: a row of NULLs when the array/map is NULL or empty
    (sqlglot drops OUTER); LATERAL VIEW json_tuple(j, 'k1', 'k2') t AS a, b: top-level
    values as strings.  The laterals of the SELECT become LATERAL joins, in order."""
    laterals = node.args.get("laterals") or []
    if not any(_is_map_explode(lat, ctx) or lat.args.get("outer") or _is_json_tuple(lat)
               for lat in laterals):
        return None
    new = node.copy()
    keep, joins = [], list(new.args.get("joins") or [])
    for lat in new.args.get("laterals") or []:
        fn, alias = lat.this, lat.args.get("alias")
        cols = list(alias.columns) if alias else []
        if _is_map_explode(lat, ctx) and len(cols) == 2:
            projections = "UNNEST(MAP_KEYS(_X)) AS _C1, UNNEST(MAP_VALUES(_X)) AS _C2"
        elif type(fn) is exp.Explode and len(cols) == 1:
            projections = "UNNEST(_X) AS _C1"
        elif isinstance(fn, exp.Posexplode) and len(cols) == 2:
            projections = "UNNEST(GENERATE_SERIES(0, LEN(_X) - 1)) AS _C1, UNNEST(_X) AS _C2"
        elif _is_json_tuple(lat) and len(cols) == len(fn.expressions) - 1:
            paths = ['$."' + k.name.replace('"', '\\"') + '"' for k in fn.expressions[1:]]
            projections = ", ".join(
                f"CASE WHEN JSON_VALID(_X) THEN JSON_EXTRACT_STRING(_X, {_sql_str(path)}) END"
                f" AS _C{i + 1}" for i, path in enumerate(paths))
        else:
            keep.append(lat)
            continue
        join = "LEFT JOIN LATERAL (SELECT {}) AS _A ON TRUE" if lat.args.get("outer") else \
            "CROSS JOIN LATERAL (SELECT {}) AS _A"
        names = {f"_C{i + 1}": c for i, c in enumerate(cols)}
        table = alias.this if alias and alias.this else exp.to_identifier("_lateral")
        arg = fn.expressions[0] if _is_json_tuple(lat) else fn.this
        joins.append(_tpl("SELECT 1 FROM _T " + join.format(projections),
                          _X=arg, _A=table, **names).args["joins"][0])
    new.set("laterals", keep or None)
    new.set("joins", joins)
    return new


FIXES: tuple[Fix, ...] = (
    Fix("unix_timestamp", (exp.StrToUnix, "to_unix_timestamp"), fix_unix_timestamp,
        "Java-pattern parse of a prefix, lenient; BIGINT seconds; NULL when unparseable"),
    Fix("from_unixtime", (exp.UnixToStr,), fix_from_unixtime,
        "'yyyy-MM-dd HH:mm:ss' (or Java pattern) text of epoch seconds, UTC"),
    Fix("date_format", (exp.TimeToStr,), fix_date_format, "Java pattern formatting"),
    Fix("to_date", (exp.TsOrDsToDate,), fix_to_date,
        "strings parsed as a lenient 'yyyy-MM-dd' prefix, NULL when unparseable"),
    Fix("date_part", (exp.DayOfMonth, exp.WeekOfYear, exp.Quarter, exp.DayOfYear), fix_date_part,
        "string arguments parsed like to_date"),
    Fix("dayofweek", (exp.DayOfWeek,), fix_dayofweek, "1 = Sunday .. 7 = Saturday"),
    Fix("time_part", (exp.Hour, exp.Minute, exp.Second), fix_time_part,
        "strings parsed as 'yyyy-MM-dd HH:mm:ss' or 'HH:mm:ss' prefix"),
    Fix("date_add", (exp.TsOrDsAdd,), fix_date_add, "date_add/date_sub return DATE"),
    Fix("add_months", (exp.AddMonths,), fix_add_months, "string result, month-end kept"),
    Fix("last_day", (exp.LastDay,), fix_last_day, "string result"),
    Fix("current_timestamp", (exp.CurrentTimestamp,), fix_current_timestamp,
        "TIMESTAMP without time zone (UTC)"),
    Fix("utc_timestamp", ("from_utc_timestamp", "to_utc_timestamp"), fix_utc_timestamp,
        "time zone shift of a naive timestamp"),
    Fix("substr", (exp.Substring,), fix_substr,
        "pos 0 = 1, negative from the end, '' when out of range or len <= 0"),
    Fix("regexp_replace", (exp.RegexpReplace,), fix_regexp_replace, "Java $n replacement groups"),
    Fix("size", (exp.ArraySize,), fix_size, "-1 for NULL; works for maps"),
    Fix("get_json_object", (exp.JSONExtractScalar,), fix_get_json_object,
        "NULL for invalid JSON"),
    Fix("aggregate_result", (exp.ArrayUniqueAgg, exp.ArrayAgg, exp.ApproxQuantile, exp.Quantile,
                             exp.Sum), fix_aggregate_result,
        "collect_* never NULL; percentile DOUBLE and interpolated; sum(int) BIGINT"),
    Fix("window_aggregate", (exp.Window,), fix_window_aggregate,
        "aggregate_result for window aggregates"),
    Fix("cast", (exp.TryCast, exp.Cast), fix_cast,
        "invalid text -> NULL; to integer types truncates toward zero"),
    Fix("type_function", _TYPE_FUNCTIONS, fix_type_function, "int(x) etc. are casts"),
    Fix("div", (exp.IntDiv,), fix_int_div, "BIGINT operands, truncating division, NULL on 0"),
    Fix("mod", (exp.Mod,), fix_mod, "NULL on 0"),
    Fix("pmod", ("pmod",), fix_pmod, "positive modulus"),
    Fix("round", (exp.Round,), fix_round, "HALF_UP on the decimal value of a double"),
    Fix("bround", ("bround",), fix_bround, "HALF_EVEN rounding"),
    Fix("floor_ceil", (exp.Floor, exp.Ceil), fix_floor_ceil, "BIGINT result"),
    Fix("long_integer", (exp.Literal,), fix_long_integer, "a whole number beyond 38 digits is a DOUBLE"),
    Fix("string_arithmetic", (exp.Add, exp.Sub, exp.Mul, exp.Div), fix_string_arithmetic,
        "text operands converted to DOUBLE"),
    Fix("string_comparison", (exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE),
        fix_string_comparison, "text vs number compares as DOUBLE"),
    Fix("like", (exp.Like,), fix_like, "backslash is the escape character"),
    Fix("isnull", ("isnull", "isnotnull"), fix_isnull, "functions for IS [NOT] NULL"),
    Fix("negative", (exp.Negative, "positive"), fix_sign_functions, "unary minus/plus functions"),
    Fix("variance", (exp.Variance,), fix_variance, "variance() is the population variance"),
    Fix("stddev", (exp.Stddev, "std"), fix_stddev, "stddev()/std() are population"),
    Fix("sha2", (exp.SHA2,), fix_sha2, "refuse bit lengths other than 256"),
    Fix("greatest_least", (exp.Greatest, exp.Least), fix_greatest_least,
        "NULL when any argument is NULL"),
    Fix("trunc", (exp.TimestampTrunc, exp.DateTrunc), fix_trunc, "first day of month/quarter/year, string"),
    Fix("next_day", (exp.NextDay,), fix_next_day, "string result, lenient date argument"),
    Fix("months_between", (exp.MonthsBetween,), fix_months_between, "lenient date arguments"),
    Fix("elt", (exp.Elt,), fix_elt, "n-th argument"),
    Fix("field", ("field",), fix_field, "position of the first argument among the others"),
    Fix("find_in_set", ("find_in_set",), fix_find_in_set, "position in a comma list"),
    Fix("substring_index", (exp.SubstringIndex,), fix_substring_index, "text around the n-th delimiter"),
    Fix("format_number", ("format_number",), fix_format_number, "grouped fixed-point text"),
    Fix("e", ("e",), fix_e, "Euler's number"),
    Fix("octet_length", ("octet_length",), fix_octet_length, "UTF-8 byte count"),
    Fix("group_by", (exp.Group,), fix_group_by, "WITH ROLLUP / WITH CUBE / GROUPING SETS"),
    Fix("sort_by", (exp.Select,), fix_sort_by, "SORT BY / CLUSTER BY order the output"),
    Fix("lateral_view", (exp.Select,), fix_lateral_view,
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
