"""Java ``SimpleDateFormat`` patterns compiled to DuckDB SQL text.

Parsing follows Java's lenient parse: the pattern only has to match a *prefix* of the
text, numeric fields take any number of digits unless they abut another field,
out-of-range fields roll over (``2016-13-01`` is ``2017-01-01``), and anything
unparseable is NULL, never an error.  Two-digit years fall in the 100 years starting
80 years before the date the statement is translated (Java's default century).

Formatting maps the pattern to a DuckDB ``strftime`` format.  This module knows
nothing of sqlglot: it turns pattern strings into SQL strings.
"""
from __future__ import annotations

import dataclasses
import functools
import re
from typing import Iterable

from ddbsql.errors import ParseError

__all__ = ["epoch_sql", "java_strftime", "java_tokens", "sql_str", "MONTHS", "DAYS"]


def sql_str(value: str) -> str:
    """A SQL string literal."""
    return "'" + value.replace("'", "''") + "'"

MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august",
           "september", "october", "november", "december")
DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@dataclasses.dataclass(frozen=True)
class _Tok:
    letter: str = ""   # pattern letter, "" for literal text
    count: int = 0
    text: str = ""     # literal text


def java_tokens(fmt: str) -> list[_Tok]:
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
def epoch_sql(fmt: str, century_start: int) -> str:
    """DuckDB SQL computing Hive's ``unix_timestamp(_S, fmt)`` (BIGINT seconds, NULL if
    the text does not start with something ``fmt`` can parse) from the VARCHAR ``_S``.

    The pattern becomes an anchored RE2 regex with one group per field; the fields are
    then combined arithmetically, which reproduces Java's lenient roll-over.
    
    ``century_start`` is the first year of the window two-digit years fall in (Java: the
    year 80 years before today); the caller computes it for each statement.
    """
    toks = java_tokens(fmt)
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
                group("Mtext", "(" + _alternatives(MONTHS) + ")")
        elif letter in "dDHkKhmsS":
            group(letter, number)
        elif letter == "E":
            parts.append(_alternatives(DAYS))
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
    regex = sql_str("".join(parts))

    def g(key: str, offset: int = 0) -> str:
        return f"REGEXP_EXTRACT(_S, {regex}, {groups[key][0] + offset})"

    def num(key: str) -> str:
        return f"TRY_CAST({g(key)} AS BIGINT)"

    if "y" in groups:
        year = num("y")
        if groups["y"][1] <= 2:  # Java's 2-digit year window: 80 years back, 20 ahead
            start = century_start
            year = (f"CASE WHEN LENGTH({g('y')}) = 2 THEN {year} + {start // 100 * 100}"
                    f" + CASE WHEN {year} < {start % 100} THEN 100 ELSE 0 END ELSE {year} END")
    else:
        year = "1970"
    if "M" in groups:
        month = num("M")
    elif "Mtext" in groups:
        names = ", ".join(sql_str(m[:3]) for m in MONTHS)
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


def java_strftime(fmt: str, *, whole_seconds: bool) -> str:
    """DuckDB strftime format for a Java pattern (formatting side)."""
    out = []
    for tok in java_tokens(fmt):
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
