"""``SHOW FUNCTIONS`` and ``DESCRIBE FUNCTION``: Hive's built-in functions as ddbsql runs them.

A function is listed when its translation runs in DuckDB: a rule of the fix table
rewrites it, or every function its DuckDB form calls exists in DuckDB's catalog (see
:mod:`ddbsql.sql.functions`).  ``DESCRIBE FUNCTION`` of a Hive function that is not
listed says why.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from ...catalog.store import hive_pattern_matches
from ...sql.statements import DescribeFunction, ShowFunctions
from ...sql.functions import HIVE_FUNCTIONS, Translation, translation
from ..result import Result

if TYPE_CHECKING:
    from ..session import Session

COLUMN = ["tab_name"]


def run(session: "Session", statement: ShowFunctions | DescribeFunction) -> Result:
    if isinstance(statement, ShowFunctions):
        names = [n for n in HIVE_FUNCTIONS if statement.pattern is None or hive_pattern_matches(statement.pattern, n)]
        return Result.rows("show", COLUMN, [(n,) for n in names if not _missing(session, translation(n))])
    return Result.rows("show", COLUMN, [(line,) for line in describe(session, statement.name, statement.extended)])


def describe(session: "Session", name: str, extended: bool) -> list[str]:
    if name not in HIVE_FUNCTIONS:
        return [f"Function '{name}' does not exist."]
    found = translation(name)
    missing = _missing(session, found)
    if found.syntax:
        lines = [f"{name}: Hive operator or keyword; ddbsql runs it"]
    elif missing:
        lines = [f"{name}: Hive built-in function; ddbsql does not run it (DuckDB has no "
                 f"{', '.join(missing)})"]
    elif found.rules:
        lines = [f"{name}: Hive built-in function; ddbsql keeps Hive's behaviour: "
                 + "; ".join(rule.hive for rule in found.rules)]
    else:
        lines = [f"{name}: Hive built-in function; runs as translated to DuckDB"]
    if extended:
        if found.call is not None:
            lines.append(f"Translation: {found.call} -> {found.duckdb}")
        if found.rules:
            lines.append("Rules: " + ", ".join(rule.name for rule in found.rules))
        lines.append("Function type: BUILTIN")
        lines.append("Differences from Hive, per function: docs/hive-functions.md")
    return lines


def _missing(session: "Session", found: Translation) -> list[str]:
    """The functions ``found``'s DuckDB form calls that DuckDB lacks (none when a rule rewrites it)."""
    if found.syntax or found.rules:
        return []
    if found.call is None:
        return [found.name]
    known = _duckdb_functions(session)
    return [name for name in found.unknown_names if name not in known]


def _duckdb_functions(session: "Session") -> frozenset[str]:
    cached = getattr(session.engine, "_function_names", None)
    if cached is None:
        rows = session.engine.con.execute("SELECT DISTINCT lower(function_name) FROM duckdb_functions()").fetchall()
        cached = frozenset(r[0] for r in rows)
        session.engine._function_names = cached
    return cached
