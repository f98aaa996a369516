"""The HiveQL dialect ddbsql parses: sqlglot's Hive dialect, plus the tree corrections
in :data:`TREE_FIXES` applied to every parsed statement.

Kept in one place so that extensions (extra keywords, functions, tree corrections) are
made as data on this dialect rather than scattered through the code.
"""
from __future__ import annotations

from typing import Callable

from sqlglot import exp
from sqlglot.dialects.hive import Hive


class HiveQL(Hive):
    """sqlglot's Hive dialect, under ddbsql's name."""


DIALECT = HiveQL


def _from_first_joins(select: exp.Select) -> None:
    """``FROM a JOIN b ON … SELECT …``: sqlglot hangs the joins on the FROM table;
    they belong to the SELECT, as in ``SELECT … FROM a JOIN b ON …``."""
    source = select.args.get("from_") or select.args.get("from")
    table = source.this if source is not None else None
    joins = table.args.get("joins") if table is not None else None
    if not joins:
        return
    table.set("joins", None)
    select.set("joins", [*joins, *(select.args.get("joins") or [])])


#: (node class, correction made in place), applied to every node of a parsed statement.
TREE_FIXES: tuple[tuple[type[exp.Expression], Callable[[exp.Expression], None]], ...] = (
    (exp.Select, _from_first_joins),
)


def normalize(tree: exp.Expression) -> exp.Expression:
    """Apply :data:`TREE_FIXES` to ``tree`` (in place) and return it."""
    for node in list(tree.walk()):
        for cls, fix in TREE_FIXES:
            if isinstance(node, cls):
                fix(node)
    return tree
