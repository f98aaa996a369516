"""The completion engine: text + cursor + catalog facts → suggestions.  Pure: no terminal,
no I/O of its own (the catalog and directory listing are passed in)."""
from __future__ import annotations

import dataclasses
import os
import re
from typing import Callable, Iterable, Protocol

from ..catalog.mapping import KNOWN_PROPERTIES
from ..config import HONOURED
from ..sql.script import strip_comments

KEYWORDS = (
    "SELECT", "FROM", "WHERE", "GROUP BY", "ORDER BY", "HAVING", "LIMIT", "JOIN", "LEFT JOIN", "RIGHT JOIN",
    "FULL OUTER JOIN", "CROSS JOIN", "ON", "AS", "AND", "OR", "NOT", "IN", "IS NULL", "IS NOT NULL", "LIKE", "RLIKE",
    "BETWEEN", "CASE", "WHEN", "THEN", "ELSE", "END", "DISTINCT", "UNION ALL", "WITH", "OVER", "PARTITION BY",
    "INSERT INTO TABLE", "INSERT OVERWRITE TABLE", "INSERT OVERWRITE DIRECTORY", "VALUES", "CREATE EXTERNAL TABLE",
    "CREATE TABLE", "CREATE DATABASE", "STORED BY", "TBLPROPERTIES", "DROP TABLE", "DROP DATABASE", "IF EXISTS",
    "IF NOT EXISTS", "DESCRIBE", "DESCRIBE FORMATTED", "SHOW TABLES", "SHOW DATABASES", "SHOW CREATE TABLE",
    "SHOW TBLPROPERTIES", "USE", "ALTER TABLE", "SET", "EXPLAIN", "source", "CAST", "COUNT", "SUM", "AVG", "MIN",
    "MAX", "TRUE", "FALSE", "NULL",
)
FUNCTIONS = (
    "unix_timestamp", "from_unixtime", "to_date", "year", "month", "day", "hour", "datediff", "date_add", "date_sub",
    "length", "concat", "concat_ws", "substr", "upper", "lower", "trim", "lpad", "rpad", "regexp_extract",
    "regexp_replace", "split", "size", "array_contains", "get_json_object", "collect_set", "collect_list", "nvl",
    "coalesce", "if", "round", "floor", "ceil", "abs", "count", "sum", "avg", "min", "max", "row_number", "rank",
)
STORAGE_HANDLER = "'org.apache.hadoop.hive.dynamodb.DynamoDBStorageHandler'"
_TABLE_CONTEXT = {"from", "join", "table", "into", "describe", "formatted", "extended", "exists", "tblproperties"}
_DATABASE_CONTEXT = {"use", "database", "schema", "databases", "in"}
_WORD = re.compile(r"[\w.$`]*$")


@dataclasses.dataclass(frozen=True)
class Suggestion:
    """Replace the ``-start`` characters before the cursor with ``text``."""

    text: str
    start: int
    kind: str


class CatalogView(Protocol):
    """What completion needs to know about the catalog."""

    current_database: str

    def databases(self) -> Iterable[str]: ...

    def tables(self, database: str) -> Iterable[str]: ...

    def columns(self, database: str, table: str) -> Iterable[str]: ...


@dataclasses.dataclass
class StaticCatalog:
    """A :class:`CatalogView` over plain dictionaries (tests, snapshots)."""

    current_database: str = "default"
    layout: dict[str, dict[str, list[str]]] = dataclasses.field(default_factory=dict)

    def databases(self) -> list[str]:
        return sorted(self.layout)

    def tables(self, database: str) -> list[str]:
        return sorted(self.layout.get(database, {}))

    def columns(self, database: str, table: str) -> list[str]:
        return list(self.layout.get(database, {}).get(table, []))


_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _quoted(name: str) -> str:
    """A table or column name as it must be typed: in backquotes unless an identifier
    (DynamoDB table and attribute names may hold ``-`` and ``.``)."""
    return name if _IDENTIFIER.match(name) else f"`{name}`"


def _matches(candidates: Iterable[str], prefix: str, start: int, kind: str) -> list[Suggestion]:
    low = prefix.lower().lstrip("`")
    seen, out = set(), []
    for candidate in candidates:
        if kind in ("table", "column"):
            candidate = _quoted(candidate)
        if candidate.lower().lstrip("`").startswith(low) and candidate not in seen and candidate != prefix:
            seen.add(candidate)
            out.append(Suggestion(candidate, start, kind))
    return out


def _scope(statement: str, catalog: CatalogView) -> dict[str, tuple[str, str]]:
    """Aliases and names of the tables a statement reads: alias → (database, table)."""
    scope: dict[str, tuple[str, str]] = {}
    pattern = re.compile(r"\b(?:from|join|table|into)\s+((?:`[^`]+`|\w+)(?:\.(?:`[^`]+`|\w+))?)"
                         r"(?:\s+(?:as\s+)?(?!on\b|where\b|join\b|left\b|right\b|inner\b|full\b|cross\b|"
                         r"group\b|order\b|limit\b|select\b|insert\b)(\w+))?", re.I)
    for match in pattern.finditer(statement):
        parts = [p.strip("`").lower() for p in re.findall(r"`[^`]+`|\w+", match.group(1))]
        database, table = (parts[0], parts[-1]) if len(parts) > 1 else ("", parts[0])
        database = database or catalog.current_database
        scope[table] = (database, table)
        if match.group(2):
            scope[match.group(2).lower()] = (database, table)
    return scope


def suggest(text: str, cursor: int, catalog: CatalogView, *,
            list_dir: Callable[[str], list[str]] = os.listdir) -> list[Suggestion]:
    """Suggestions for the word being typed at ``cursor`` in ``text``."""
    before = strip_comments(text[:cursor])
    statement = before.rsplit(";", 1)[-1]
    stripped = statement.lstrip()
    word = _WORD.search(statement).group(0)
    start = -len(word)
    head = statement[:len(statement) - len(word)]
    tokens = re.findall(r"[\w.]+|[(),=']", head.lower())
    # the whole statement around the cursor: its FROM clause may come after the cursor
    whole = statement + strip_comments(text[cursor:]).split(";", 1)[0]
    first = tokens[0] if tokens else ""

    if first == "source" or stripped.lower().startswith("source "):
        path = stripped[len("source"):].strip()
        return _paths(path, list_dir)
    if first == "set":
        if "=" in head:
            return []
        return _matches(sorted(HONOURED) + ["hivevar:"], word, start, "setting")
    if "tblproperties" in tokens and head.count("(") > head.count(")"):
        quote = re.search(r"[\"']([\w.]*)$", statement)
        if quote and head.rstrip().endswith(("(", ",", '"', "'")):
            partial = quote.group(1)
            return _matches(KNOWN_PROPERTIES, partial, -len(partial), "property")
        return []
    if tokens and tokens[-1] == "by" and len(tokens) > 1 and tokens[-2] == "stored":
        return _matches([STORAGE_HANDLER], word, start, "keyword")

    previous = tokens[-1] if tokens else ""
    if previous in _DATABASE_CONTEXT:
        return _matches(catalog.databases(), word, start, "database")
    if "." in word:
        qualifier, _, partial = word.rpartition(".")
        qualifier = qualifier.strip("`").lower()
        if previous in _TABLE_CONTEXT and qualifier in catalog.databases():
            return _matches(catalog.tables(qualifier), partial, -len(partial), "table")
        target = _scope(whole, catalog).get(qualifier)
        if target:
            return _matches(catalog.columns(*target), partial, -len(partial), "column")
        return []
    if previous in _TABLE_CONTEXT:
        return (_matches(catalog.tables(catalog.current_database), word, start, "table")
                + _matches([d + "." for d in catalog.databases()], word, start, "database"))
    columns: list[str] = []
    for database, table in set(_scope(whole, catalog).values()):
        columns.extend(catalog.columns(database, table))
    upper = word[:1].isupper()
    keywords = [k if upper or not word else k.lower() for k in KEYWORDS]
    return (_matches(sorted(set(columns)), word, start, "column") + _matches(FUNCTIONS, word, start, "function")
            + _matches(keywords, word, start, "keyword"))


def _paths(partial: str, list_dir: Callable[[str], list[str]]) -> list[Suggestion]:
    partial = partial.strip("'\"")
    folder, _, name = partial.rpartition("/")
    try:
        entries = list_dir(os.path.expanduser(folder) if folder else ".")
    except OSError:
        return []
    return _matches(sorted(e for e in entries if not e.startswith(".") or name.startswith(".")), name, -len(name),
                    "path")
