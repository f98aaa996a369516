"""Rules for strings, JSON and collections: 1-based substr, Java regex replacement,
LIKE escapes, list positions, size of NULL."""
from __future__ import annotations

from sqlglot import exp

from .base import error_at, int_literal, lit, tpl

def fix_substr(node, ctx):
    """substr/substring: 1-based, pos 0 = 1, negative pos from the end, '' when |pos| >
    length or len <= 0."""
    s, pos, length = node.this, node.args.get("start"), node.args.get("length")
    p, n = int_literal(pos), int_literal(length)
    if pos is None:
        return None
    if n is not None and n <= 0:
        return tpl("CASE WHEN _S IS NULL OR _P IS NULL THEN NULL ELSE '' END", _S=s, _P=pos)
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
            return tpl(f"CASE WHEN _S IS NULL OR _P IS NULL OR _L IS NULL THEN NULL"
                        f" WHEN ABS(_P) > LENGTH(_S) OR _L <= 0 THEN '' ELSE {call} END", **args)
    return tpl(f"CASE WHEN ABS(_P) > LENGTH(_S) THEN '' ELSE {call} END", **args)


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
    new.set("replacement", lit(converted))
    return new


def fix_size(node, ctx):
    """size(array|map): element count, -1 for NULL."""
    return tpl("COALESCE(CAST(CARDINALITY(_X) AS BIGINT), -1)", _X=node.this)


def fix_get_json_object(node, ctx):
    """get_json_object: NULL (not an error) for invalid JSON; [*] paths give JSON text."""
    path = node.expression
    if isinstance(path, exp.Literal) and path.is_string:
        # '$.[0]' is '$[0]' to Hive; other paths sqlglot cannot read are NULL, as in Hive
        fixed = "$" + path.this[2:] if path.this.startswith("$.[") else None
        if fixed is None:
            return exp.cast(exp.Null(), exp.DataType.build("VARCHAR"))
        new = node.copy()
        new.set("expression", exp.Literal.string(fixed))
        return tpl("CASE WHEN JSON_VALID(_J) THEN _R END", _J=node.this, _R=new)
    if isinstance(path, exp.JSONPath) and path.find(exp.JSONPathWildcard):
        inner = tpl("CAST(TO_JSON(JSON_EXTRACT(_J, _P)) AS VARCHAR)", _J=node.this,
                     _P=lit(path.sql(dialect="duckdb").strip("'")))
    else:
        inner = node
    return tpl("CASE WHEN JSON_VALID(_J) THEN _R END", _J=node.this, _R=inner)


def fix_like(node, ctx):
    """LIKE: backslash escapes % and _ (Hive's default escape)."""
    if isinstance(node.parent, exp.Escape):
        return None
    pat = node.expression
    if isinstance(pat, exp.Literal) and pat.is_string and "\\" not in pat.this:
        return None
    return exp.Escape(this=node, expression=lit("\\"))


def fix_isnull(node, ctx):
    """isnull(x) / isnotnull(x)."""
    if len(node.expressions) != 1:
        return None
    test = exp.Is(this=node.expressions[0], expression=exp.Null())
    return test if str(node.this).lower() == "isnull" else exp.Not(this=test)


def fix_sha2(node, ctx):
    """sha2(x, 256|0): only SHA-256 exists in DuckDB."""
    bits = int_literal(node.args.get("length"))
    if bits in (None, 0, 256):
        return exp.func("SHA256", node.this)
    raise error_at(node, f"sha2 with {bits} bits is not supported (DuckDB only has SHA-256)")


def fix_elt(node, ctx):
    """elt(n, s1, s2...): the n-th string, NULL when out of range."""
    return exp.Bracket(this=exp.Array(expressions=[e.copy() for e in node.expressions]),
                       expressions=[node.this.copy()], offset=1, safe=True)


def fix_field(node, ctx):
    """field(v, s1, s2...): 1-based position of v, 0 when absent or NULL."""
    if len(node.expressions) < 2:
        return None
    v, *rest = node.expressions
    return tpl("COALESCE(LIST_POSITION(_L, _V), 0)", _V=v, _L=exp.Array(expressions=rest))


def fix_find_in_set(node, ctx):
    """find_in_set(s, 'a,b,c'): 1-based position, 0 when absent or s has a comma."""
    if len(node.expressions) != 2:
        return None
    return tpl("CASE WHEN _S IS NULL OR _L IS NULL THEN NULL WHEN CONTAINS(_S, ',') THEN 0"
                " ELSE COALESCE(LIST_POSITION(STRING_SPLIT(_L, ','), _S), 0) END",
                _S=node.expressions[0], _L=node.expressions[1])


def fix_substring_index(node, ctx):
    """substring_index(s, delim, n): text before the n-th delimiter (after, if n < 0)."""
    return tpl("CASE WHEN _S IS NULL OR _D IS NULL OR _N IS NULL THEN NULL"
                " WHEN _D = '' THEN ''"
                " WHEN _N > 0 THEN ARRAY_TO_STRING(STRING_SPLIT(_S, _D)[1:_N], _D)"
                " WHEN _N < 0 THEN ARRAY_TO_STRING(STRING_SPLIT(_S, _D)[_N:], _D) ELSE '' END",
                _S=node.this, _D=node.args["delimiter"], _N=node.args["count"])


def fix_format_number(node, ctx):
    """format_number(x, d): '1,234.57'; NULL when x or d is NULL, or d < 0."""
    if len(node.expressions) != 2:
        return None
    x, d = node.expressions
    digits = int_literal(d)
    if digits is not None:
        return exp.func("FORMAT", lit("{:,.%df}" % max(digits, 0)),
                        exp.cast(x, exp.DataType.build("DOUBLE")))
    return tpl("CASE WHEN _D >= 0 THEN FORMAT('{:,.{}f}', CAST(_X AS DOUBLE), CAST(_D AS INTEGER)) END",
               _X=x, _D=d)


def fix_chr(node, ctx):
    """chr(n): the character n mod 256 ('' for n < 0), n truncated to an integer."""
    if len(node.expressions) != 1:
        return None
    return tpl("CASE WHEN _N < 0 THEN '' ELSE CHR(CAST(CAST(TRUNC(_N) AS BIGINT) % 256 AS INTEGER)) END",
               _N=node.expressions[0])


def fix_e(node, ctx):
    """e(): Euler's number."""
    return exp.func("EXP", lit(1)) if not node.expressions else None


def fix_octet_length(node, ctx):
    """octet_length(s): UTF-8 bytes."""
    if len(node.expressions) != 1:
        return None
    return tpl("OCTET_LENGTH(ENCODE(CAST(_S AS VARCHAR)))", _S=node.expressions[0])
