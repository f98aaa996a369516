"""EXPLAIN <query>: per DynamoDB table reference, the requests its plan would send and
their estimated cost; then the DuckDB side.  Nothing is read from DynamoDB (only
DescribeTable, for the facts the plan is made from)."""
from __future__ import annotations

from typing import TYPE_CHECKING

import duckdb
from sqlglot import exp

from ..errors import ParseError
from ..planner.explain import explain_rows
from ..sql import statements as st
from .queries import duckdb_error, hive_output_names
from .result import Result
from .sources import SourceBinder

if TYPE_CHECKING:
    from .session import Session

COLUMNS = ["source", "property", "value"]
_QUERIES = (exp.Select, exp.Union, exp.Except, exp.Intersect, exp.Subquery)


def run_explain(session: "Session", statement: st.SqlStatement) -> Result:
    """Rows ``(source, property, value)``: one group per DynamoDB table reference, then DuckDB's."""
    tree, text = statement.tree, statement.text
    if not isinstance(tree, _QUERIES):
        raise ParseError(f"EXPLAIN supports queries only, not {tree.key.upper()}", line=1, col=1)
    binder = SourceBinder(session, text, explain=True)
    bound = hive_output_names(binder.bind(tree))
    sql = binder.to_duckdb(bound)
    rows: list[tuple[str, str, str]] = []
    for record in binder.scans:
        rows += [(record.label, key, value) for key, value in explain_rows(record.plan)]
    try:
        plan = session.engine.con.sql("EXPLAIN " + sql).fetchall()
    except duckdb.Error as exc:
        raise duckdb_error(exc) from None
    rows.append(("DuckDB", "sql", sql))
    rows.append(("DuckDB", "plan", "\n".join(str(r[1]).rstrip("\n") for r in plan)))
    return Result.rows("explain", COLUMNS, rows)
