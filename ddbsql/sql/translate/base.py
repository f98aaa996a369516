"""What every Hive rule is built from: the :class:`Fix` record, the per-call context
:class:`Ctx` (types known from annotation, the source text, today's date), and small
helpers to build DuckDB expressions from templates."""
from __future__ import annotations

import dataclasses
import datetime
import functools
from typing import Callable, Iterable

import sqlglot
from sqlglot import exp
from sqlglot.dialects.hive import Hive
from sqlglot.time import format_time

from ddbsql.errors import ParseError

Rewrite = Callable[[exp.Expression, "Ctx"], "exp.Expression | None"]


@dataclasses.dataclass(frozen=True)
class Fix:
    """One Hive-semantics rule: rewrite nodes of ``on`` (a sqlglot class, or the
    lower-case name of a function sqlglot leaves as ``exp.Anonymous``)."""

    name: str
    on: tuple[type[exp.Expression] | str, ...]
    rewrite: Rewrite
    hive: str  # the Hive behaviour the rule keeps, one line


@dataclasses.dataclass
class Ctx:
    """What the rules know about the statement being translated."""

    source: str | None  # the SQL text the tree was parsed from, when known
    today: datetime.date = dataclasses.field(default_factory=datetime.date.today)
    database: str = "default"  # the session's current database

    @property
    def century_start(self) -> int:
        """First year of Java's two-digit-year window (80 years back, 20 ahead)."""
        return self.today.year - 80

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
        return self.is_(node, TIMESTAMP_DTYPES)


@functools.lru_cache(maxsize=512)
def _parsed_template(sql: str) -> exp.Expression:
    return sqlglot.parse_one(sql, read="duckdb")


def tpl(sql: str, **args: exp.Expression) -> exp.Expression:
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


def lit(value) -> exp.Expression:
    if isinstance(value, str):
        return exp.Literal.string(value)
    return exp.Literal.number(value)


def int_literal(node: exp.Expression | None) -> int | None:
    if node is None:
        return None
    if isinstance(node, exp.Neg):
        inner = int_literal(node.this)
        return None if inner is None else -inner
    if isinstance(node, exp.Literal) and not node.is_string and node.is_int:
        return int(node.this)
    return None


def error_at(node: exp.Expression, message: str) -> ParseError:
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


def hive_format(node: exp.Expression, fn: str) -> str:
    """The Java pattern of a format argument (sqlglot converts it to strftime at parse
    time; the inverse Hive mapping gives it back)."""
    if not (isinstance(node, exp.Literal) and node.is_string):
        raise error_at(node, f"{fn}: the date format must be a string literal")
    return format_time(node.this, Hive.INVERSE_TIME_MAPPING, Hive.INVERSE_TIME_TRIE)


def varchar(node: exp.Expression) -> exp.Expression:
    if isinstance(node, exp.Literal) and node.is_string:
        return node
    return exp.cast(node, exp.DataType.build("VARCHAR"))

TIMESTAMP_DTYPES = {exp.DataType.Type.TIMESTAMP, exp.DataType.Type.TIMESTAMPTZ,
                     exp.DataType.Type.TIMESTAMPLTZ, exp.DataType.Type.TIMESTAMPNTZ,
                     exp.DataType.Type.DATETIME, exp.DataType.Type.TIMESTAMP_S,
                     exp.DataType.Type.TIMESTAMP_MS, exp.DataType.Type.TIMESTAMP_NS}
INT_DTYPES = {exp.DataType.Type.TINYINT, exp.DataType.Type.SMALLINT,
               exp.DataType.Type.INT, exp.DataType.Type.BIGINT}
