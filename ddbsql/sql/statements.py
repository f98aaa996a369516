"""Statement objects: what one piece of script text asks for, before any lookup.

Hive handles some commands before its SQL parser (``SET``, ``!cmd``, ``source``,
``ADD JAR``, ``SHOW …``); so does :func:`parse_statement`.  Everything else is parsed
by sqlglot's Hive dialect and returned as :class:`SqlStatement` with its tree.
"""
from __future__ import annotations

import dataclasses
import re

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError as SqlglotParseError, TokenError

from ..errors import ParseError
from .dialect import DIALECT
from .partitions import parse_partition_statement
from .translate import quiet_sqlglot


@dataclasses.dataclass(frozen=True)
class TableName:
    """A possibly database-qualified table name, lower case (Hive names are case-insensitive)."""

    name: str
    database: str | None = None

    @classmethod
    def of(cls, table: exp.Table) -> "TableName":
        return cls(table.name.lower(), table.db.lower() or None)

    def __str__(self) -> str:
        return f"{self.database}.{self.name}" if self.database else self.name


@dataclasses.dataclass(frozen=True)
class SetCommand:
    """``SET`` (list), ``SET -v``, ``SET key`` (show one) or ``SET key=value``."""

    key: str | None = None
    value: str | None = None
    verbose: bool = False


@dataclasses.dataclass(frozen=True)
class ShellCommand:
    """``!command``: run by the shell; its output is the statement's output."""

    command: str


@dataclasses.dataclass(frozen=True)
class SourceCommand:
    """``source FILE``: run the statements of another script file."""

    path: str


@dataclasses.dataclass(frozen=True)
class ResourceCommand:
    """``ADD JAR|FILE|ARCHIVE``, ``LIST …``, ``DELETE …``, ``RESET``: accepted, recorded, no effect."""

    text: str


@dataclasses.dataclass(frozen=True)
class ShowTables:
    database: str | None = None
    pattern: str | None = None


@dataclasses.dataclass(frozen=True)
class ShowDatabases:
    pattern: str | None = None


@dataclasses.dataclass(frozen=True)
class ShowCreateTable:
    table: TableName


@dataclasses.dataclass(frozen=True)
class ShowTblProperties:
    table: TableName
    key: str | None = None


@dataclasses.dataclass(frozen=True)
class ShowColumns:
    table: TableName


@dataclasses.dataclass(frozen=True)
class ShowFunctions:
    """``SHOW FUNCTIONS [[LIKE] 'pattern']``."""

    pattern: str | None = None


@dataclasses.dataclass(frozen=True)
class DescribeFunction:
    """``DESCRIBE FUNCTION [EXTENDED] name``."""

    name: str
    extended: bool = False


@dataclasses.dataclass(frozen=True)
class Quit:
    """``quit`` / ``exit``: the Hive CLI stops running the script (and any that source it)."""


@dataclasses.dataclass(frozen=True)
class AnalyzeTable:
    """``ANALYZE TABLE t [PARTITION (…)] COMPUTE STATISTICS [NOSCAN | FOR COLUMNS …]``."""

    table: TableName
    noscan: bool = False


@dataclasses.dataclass(frozen=True)
class SqlStatement:
    """Any statement sqlglot parses: queries, DDL, INSERT, multi-insert, DESCRIBE, USE…"""

    tree: exp.Expression
    text: str


@dataclasses.dataclass(frozen=True)
class Explain:
    """``EXPLAIN [EXTENDED] <query>``: describe how the query would read DynamoDB, without reading.
    ``EXPLAIN ANALYZE <query>`` (``analyze``) runs it and reports what was read and paid.

    ``statement`` is the explained statement, its positions relative to its own text.
    """

    statement: SqlStatement
    analyze: bool = False


Statement = (SetCommand | ShellCommand | SourceCommand | ResourceCommand | ShowTables
             | ShowDatabases | ShowCreateTable | ShowTblProperties | ShowColumns | SqlStatement | Explain
             | AnalyzeTable | Quit | ShowFunctions | DescribeFunction)

_SET = re.compile(r"^set(?:\s+(?P<rest>.*))?$", re.I | re.S)
_SOURCE = re.compile(r"^source\s+(?P<path>.+)$", re.I | re.S)
_RESOURCE = re.compile(r"^(add|list|delete)\s+(jar|jars|file|files|archive|archives)\b|^reset$", re.I)
_NAME = r"(?:`[^`]+`|[\w$]+)"
_QNAME = rf"(?P<table>{_NAME}(?:\.{_NAME})?)"
_SHOW_TABLES = re.compile(
    rf"^show\s+tables(?:\s+(?:in|from)\s+(?P<db>{_NAME}))?(?:\s+(?:like\s+)?'(?P<pat>[^']*)')?$", re.I)
_SHOW_DATABASES = re.compile(r"^show\s+(?:databases|schemas)(?:\s+(?:like\s+)?'(?P<pat>[^']*)')?$", re.I)
_SHOW_CREATE = re.compile(rf"^show\s+create\s+table\s+{_QNAME}$", re.I)
_SHOW_PROPS = re.compile(rf"^show\s+tblproperties\s+{_QNAME}"
                         rf"(?:\s*\(\s*(?:'(?P<key>[^']+)'|\"(?P<dkey>[^\"]+)\")\s*\))?$", re.I)
_SHOW_FUNCTIONS = re.compile(r"""^show\s+functions(?:\s+(?:like\s+)?(?:'(?P<pat>[^']*)'|"(?P<dpat>[^"]*)"))?$""",
                             re.I)
_DESCRIBE_FUNCTION = re.compile(r"^(?:describe|desc)\s+function(?:\s+(?P<ext>extended))?\s+(?P<name>[\w$]+)$", re.I)
_SHOW_COLUMNS = re.compile(rf"^show\s+columns\s+(?:in|from)\s+{_QNAME}$", re.I)
_ANALYZE = re.compile(rf"^analyze\s+table\s+{_QNAME}(?:\s+partition\s*\([^)]*\))?\s+compute\s+statistics"
                      rf"(?:\s+(?P<noscan>noscan)|\s+for\s+columns(?:\s+.*)?)?$", re.I | re.S)
_EXPLAIN = re.compile(r"^explain(?:\s+(?P<option>analyze|extended|formatted|dependency|authorization|cbo|ast|"
                      r"vectorization|locks))?\s+(?P<rest>.*)$", re.I | re.S)


def _table_name(text: str) -> TableName:
    parts = [p.strip("`").lower() for p in re.findall(_NAME, text)]
    return TableName(parts[-1], parts[0] if len(parts) > 1 else None)


def _strip_leading_comments(text: str) -> str:
    lines = text.split("\n")
    while lines and (not lines[0].strip() or lines[0].lstrip().startswith("--")):
        lines.pop(0)
    return "\n".join(lines).strip()


def parse_statement(text: str) -> Statement:
    """Classify and parse one statement (no trailing ``;``).

    Raises :class:`~ddbsql.errors.ParseError` with the line and column, relative to
    ``text``, of the first syntax error.
    """
    body = _strip_leading_comments(text)
    if body.startswith("!"):
        return ShellCommand(body[1:].strip())
    compact = " ".join(body.split())
    if compact.lower() in ("quit", "exit"):
        return Quit()
    m = _SET.match(compact)
    if m:
        rest = (m.group("rest") or "").strip()
        if not rest:
            return SetCommand()
        if rest == "-v":
            return SetCommand(verbose=True)
        if "=" in rest:
            key, _, value = body.split(None, 1)[1].partition("=")
            return SetCommand(key.strip(), value.strip())
        return SetCommand(rest)
    m = _SOURCE.match(compact)
    if m:
        return SourceCommand(m.group("path").strip().strip("'\""))
    if _RESOURCE.match(compact):
        return ResourceCommand(compact)
    m = _SHOW_TABLES.match(compact)
    if m:
        return ShowTables(m.group("db").strip("`").lower() if m.group("db") else None, m.group("pat"))
    m = _SHOW_DATABASES.match(compact)
    if m:
        return ShowDatabases(m.group("pat"))
    m = _SHOW_CREATE.match(compact)
    if m:
        return ShowCreateTable(_table_name(m.group("table")))
    m = _SHOW_PROPS.match(compact)
    if m:
        return ShowTblProperties(_table_name(m.group("table")), m.group("key") or m.group("dkey"))
    m = _SHOW_COLUMNS.match(compact)
    if m:
        return ShowColumns(_table_name(m.group("table")))
    m = _SHOW_FUNCTIONS.match(compact)
    if m:
        pattern = m.group("pat") if m.group("pat") is not None else m.group("dpat")
        return ShowFunctions(pattern)
    m = _DESCRIBE_FUNCTION.match(compact)
    if m:
        return DescribeFunction(m.group("name").lower(), bool(m.group("ext")))
    m = _ANALYZE.match(compact)
    if m:
        return AnalyzeTable(_table_name(m.group("table")), bool(m.group("noscan")))
    m = _EXPLAIN.match(body)
    if m:
        option = (m.group("option") or "").lower()
        if option not in ("", "extended", "analyze"):
            raise ParseError(f"EXPLAIN {option.upper()} is not supported (use EXPLAIN [ANALYZE] <query>)",
                             line=1, col=1)
        # the explained statement keeps its place in the text (EXPLAIN blanked out), so
        # positions in its errors are positions in what the user wrote
        start = text.index(body) + m.start("rest")
        rest = re.sub(r"[^\n]", " ", text[:start]) + text[start:]
        return Explain(SqlStatement(parse_sql(rest), rest), analyze=option == "analyze")
    partition_statement = parse_partition_statement(body)
    if partition_statement is not None:
        return partition_statement
    return SqlStatement(parse_sql(text), text)


def parse_sql(text: str) -> exp.Expression:
    """Parse one HiveQL statement with sqlglot; errors carry line/column in ``text``."""
    try:
        with quiet_sqlglot():  # sqlglot warns when it falls back to a Command; ddbsql reports its own errors
            trees = sqlglot.parse(text, read=DIALECT)
    except SqlglotParseError as exc:
        detail = exc.errors[0] if exc.errors else {}
        message = detail.get("description") or str(exc)
        if "SENTINEL" in message:  # sqlglot's end-of-input token
            message = "unexpected end of statement"
        highlight = detail.get("highlight")
        if highlight:
            message += f" near '{highlight}'"
        raise ParseError(message, line=detail.get("line"), col=detail.get("col")) from None
    except TokenError as exc:
        raise ParseError(str(exc)) from None
    trees = [t for t in trees if t is not None]
    if len(trees) != 1:
        raise ParseError("expected exactly one statement")
    tree = trees[0]
    if isinstance(tree, exp.Command):
        word = tree.name.upper()
        raise ParseError(f"unsupported statement: {word} {tree.expression.name if tree.expression else ''}".strip(),
                         line=1, col=1)
    return tree
