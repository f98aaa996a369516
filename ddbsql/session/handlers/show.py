"""DESCRIBE [FORMATTED|EXTENDED] and SHOW TABLES / DATABASES / CREATE TABLE / COLUMNS /
TBLPROPERTIES."""
from __future__ import annotations

import getpass
import time
from typing import TYPE_CHECKING

from sqlglot import exp

from ...catalog.builtin import DATABASE as BUILTIN_DATABASE, builtin_region
from ...catalog.model import TableDef
from ...catalog.store import hive_pattern_matches
from ...errors import CatalogError, ParseError
from ...sql.statements import ShowColumns, ShowCreateTable, ShowDatabases, ShowTables
from ...sql.positions import position_of
from ..storage import kind_of
from ..result import Result

if TYPE_CHECKING:
    from ..session import Session

DESCRIBE_NAMES = ["col_name", "data_type", "comment"]


def run_describe(session: "Session", tree: exp.Describe, text: str) -> Result:
    target = tree.this
    if not isinstance(target, exp.Table):
        raise ParseError("DESCRIBE needs a table name", line=1, col=1)
    table = session.catalog_table(target.name, target.db.lower() or None, missing_ok=True)
    if table is None:
        line, col = position_of(target, text)
        raise CatalogError(f"Table not found '{target.sql()}'", line=line, col=col)
    style = (tree.args.get("style") or "").upper()
    rows = describe_columns(table)
    if style in ("FORMATTED", "EXTENDED"):
        rows = [("# col_name", "data_type", "comment"), ("", "", "")] + rows + [("", "", "")]
        rows += describe_details(session, table)
    return Result.rows("describe", DESCRIBE_NAMES, rows)


def describe_columns(table: TableDef) -> list[tuple[str, str, str]]:
    return kind_of(table).describe_columns(table)


def describe_details(session: "Session", table: TableDef) -> list[tuple[str, str, str]]:
    created = time.strftime("%a %b %d %H:%M:%S UTC %Y", time.gmtime(table.created))
    rows = [("# Detailed Table Information", "", ""), ("Database:", table.database, ""),
            ("Owner:", getpass.getuser(), ""), ("CreateTime:", created, ""), ("LastAccessTime:", "UNKNOWN", ""),
            ("Retention:", "0", ""),
            ("Table Type:", "EXTERNAL_TABLE" if table.external else "MANAGED_TABLE", ""),
            ("Table Parameters:", "", "")]
    params = dict(table.properties)
    if table.external:
        params["EXTERNAL"] = "TRUE"
    if table.comment:
        params["comment"] = table.comment
    kind = kind_of(table)
    params.update(kind.table_parameters(table))
    rows += [("", key, value) for key, value in sorted(params.items())]
    return rows + kind.storage_rows(session, table)


def _quoted(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def show_create(table: TableDef) -> str:
    """Runnable Hive DDL for ``table``.  A table of a built-in dynamodb database is
    printed unqualified, in lower case: run as is, it defines it in the current database."""
    columns = table.data_columns
    cols = ",\n".join(f"  `{(c.spelling or c.name).replace('`', '``')}` {c.type}"
                      + (f" COMMENT {_quoted(c.comment)}" if c.comment else "") for c in columns)
    name = (f"`{table.database}`.`{table.name}`" if builtin_region(table.database) is None
            else f"`{table.name.lower()}`")
    lines = [f"CREATE {'EXTERNAL ' if table.external else ''}TABLE {name}(", cols + ")"]
    if table.comment:
        lines.append(f"COMMENT '{table.comment}'")
    lines += kind_of(table).show_create_lines(table)
    if table.properties:
        props = ",\n".join(f"  {_quoted(k)}={_quoted(v)}" for k, v in table.properties.items())
        lines += ["TBLPROPERTIES (", props + ")"]
    return "\n".join(lines)


def run_show(session: "Session", statement) -> Result:
    if isinstance(statement, ShowTables):
        database = statement.database or session.database
        if builtin_region(database) is not None:
            names = [n for n in session.builtin.names(database)
                     if statement.pattern is None or hive_pattern_matches(statement.pattern, n.lower())]
            return Result.rows("show", ["tab_name"], [(n,) for n in names])
        if not session.metastore.has_database(database):
            raise CatalogError(f"Database does not exist: {database}")
        names = session.metastore.tables(database, statement.pattern)
        return Result.rows("show", ["tab_name"], [(n,) for n in names])
    if isinstance(statement, ShowDatabases):
        names = session.metastore.databases(statement.pattern)
        if statement.pattern is None or hive_pattern_matches(statement.pattern, BUILTIN_DATABASE):
            names = sorted(set(names) | {BUILTIN_DATABASE})
        return Result.rows("show", ["database_name"], [(n,) for n in names])
    table = session.catalog_table(statement.table.written, statement.table.database)
    if isinstance(statement, ShowCreateTable):
        return Result.rows("show", ["createtab_stmt"], [(line,) for line in show_create(table).split("\n")])
    if isinstance(statement, ShowColumns):
        return Result.rows("show", ["field"], [(c.name,) for c in table.columns])
    props = table.properties
    if statement.key:
        value = props.get(statement.key.lower())
        text = value if value is not None else f"Table {table.qualified} does not have property: {statement.key}"
        return Result.rows("show", ["prpt_value"], [(text,)])
    return Result.rows("show", ["prpt_name", "prpt_value"], sorted(props.items()))
