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
from .dialect import DIALECT, normalize
from .table_names import TableName
from .partitions import parse_partition_statement
from .script import spans
from .translate import quiet_sqlglot


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
class RefreshTable:
    """``REFRESH TABLE t``: forget what is cached about ``t`` (for a table of the built-in
    dynamodb database, sample its items again)."""

    table: TableName


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
             | AnalyzeTable | RefreshTable | Quit | ShowFunctions | DescribeFunction)

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
_REFRESH = re.compile(rf"^refresh\s+table\s+{_QNAME}$", re.I)
_EXPLAIN = re.compile(r"^explain(?:\s+(?P<option>analyze|extended|formatted|dependency|authorization|cbo|ast|"
                      r"vectorization|locks))?\s+(?P<rest>.*)$", re.I | re.S)


def _table_name(text: str) -> TableName:
    parts = [p.strip("`") for p in re.findall(_NAME, text)]
    return TableName(parts[-1].lower(), parts[0].lower() if len(parts) > 1 else None, parts[-1])


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
            if not key.strip():
                raise ParseError("SET needs a key before '=' (SET key=value)", line=1, col=1)
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
    m = _REFRESH.match(compact)
    if m:
        return RefreshTable(_table_name(m.group("table")))
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
        message = _SQLGLOT_CLASS.sub("", message)
        highlight = detail.get("highlight")
        if highlight:
            message += f" near '{highlight}'"
        unknown = _unknown_first_word(text)
        if unknown is not None:
            raise unknown from None
        raise ParseError(message, line=detail.get("line"), col=detail.get("col")) from None
    except TokenError as exc:
        raise _token_error(text, exc) from None
    trees = [t for t in trees if t is not None]
    if len(trees) != 1:
        raise ParseError("expected exactly one statement")
    tree = normalize(trees[0])
    if isinstance(tree, exp.Command):
        word = str(tree.this).upper()
        rest = tree.expression
        rest = rest.name if isinstance(rest, exp.Expression) else str(rest or "")
        rest = " ".join(rest.split()[:4]) + (" …" if len(rest.split()) > 4 else "")
        raise ParseError(f"unsupported statement: {word} {rest}".strip(), line=1, col=1)
    return tree


_SQLGLOT_CLASS = re.compile(r"\s*for <class '[^']*'>")
#: words a HiveQL statement can start with (a failing statement starting otherwise is
#: reported as a mistyped keyword, not with the parser's guess at an expression)
_STATEMENT_WORDS = frozenset(
    "select with from insert create drop alter describe desc use show explain load msck set values analyze "
    "truncate map reduce source add list delete reset quit exit import export grant revoke".split())


def _unknown_first_word(text: str) -> ParseError | None:
    """A ParseError naming the statement's first word when no statement starts with it."""
    for span in spans(text):
        if span.kind == "comment" or not text[span.start:span.end].strip():
            continue
        if span.kind != "code":
            return None
        piece = text[span.start:span.end]
        m = re.search(r"\S+", piece)
        word = re.match(r"[A-Za-z_]+", m.group(0))
        if word is None or word.group(0).lower() in _STATEMENT_WORDS:
            return None
        offset = span.start + m.start()
        line = text.count("\n", 0, offset) + 1
        col = offset - (text.rfind("\n", 0, offset) + 1) + 1
        return ParseError(f"'{word.group(0)}' does not start a HiveQL statement (a mistyped keyword?)",
                          line=line, col=col)
    return None


def _token_error(text: str, exc: TokenError) -> ParseError:
    """The tokenizer's failure, at the quote a string or name never closes when that is it."""
    for span in spans(text):
        if span.kind == "quoted" and not span.closed:
            line = text.count("\n", 0, span.start) + 1
            col = span.start - (text.rfind("\n", 0, span.start) + 1) + 1
            what = "name" if text[span.start] == "`" else "string"
            return ParseError(f"unterminated {what}: the {text[span.start]} here is never closed", line=line, col=col)
    return ParseError(f"cannot read the statement: {str(exc).splitlines()[0]}")
