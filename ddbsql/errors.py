"""The one error family every ddbsql layer raises.

A user error is one line: what went wrong, and where (statement number, line, column)
when that is known.  Layers below the session raise with positions relative to the
statement text; the script runner shifts them to positions in the file with
:meth:`DdbsqlError.located`.
"""
from __future__ import annotations


class DdbsqlError(Exception):
    """Base of every error ddbsql reports to a user.

    ``position`` is relative to the statement text unless ``statement`` is set by
    the runner, after which it is relative to the script.
    """

    kind = "Error"

    def __init__(self, message: str, *, line: int | None = None, col: int | None = None,
                 statement: int | None = None, source: str | None = None):
        super().__init__(message)
        self.message = message
        self.line = line
        self.col = col
        self.statement = statement
        self.source = source

    def located(self, *, statement: int, line_offset: int, col_offset: int,
                source: str | None = None) -> "DdbsqlError":
        """Shift the position by the statement's start in its script, in place.

        ``line_offset`` is the 1-based line where the statement starts, ``col_offset``
        the 1-based column of its first character (applies to its first line only).
        """
        if self.statement is not None:
            return self
        self.statement = statement
        self.source = source
        if self.line is not None:
            if self.line == 1 and self.col is not None:
                self.col += col_offset - 1
            self.line += line_offset - 1
        else:
            self.line, self.col = line_offset, col_offset
        return self

    def in_context(self, context: str) -> "DdbsqlError":
        """Name what the error concerns (``context: message``), in place; returns self."""
        return self._reworded(f"{context}: {self.message}")

    def with_note(self, note: str) -> "DdbsqlError":
        """Add what else the user should know (``message; note``), in place; returns self."""
        return self._reworded(f"{self.message}; {note}")

    def _reworded(self, message: str) -> "DdbsqlError":
        self.message = message
        self.args = (message,)
        return self

    def __str__(self) -> str:
        where = []
        if self.source:
            where.append(self.source)
        if self.statement is not None:
            where.append(f"statement {self.statement}")
        if self.line is not None:
            pos = f"line {self.line}"
            if self.col is not None:
                pos += f", column {self.col}"
            where.append(pos)
        prefix = f"{self.kind} in {', '.join(where)}: " if where else f"{self.kind}: "
        return prefix + self.message


class ParseError(DdbsqlError):
    """The statement text is not valid HiveQL (or not supported by ddbsql)."""

    kind = "Parse error"


class SemanticError(DdbsqlError):
    """Valid syntax that names something that does not exist or does not fit."""

    kind = "Semantic error"


class CatalogError(SemanticError):
    """A table, database or mapping problem found in the catalog."""


class AlreadyExistsError(CatalogError):
    """A database or table of that name exists (found when storing it: another session or
    process may have created it a moment before)."""


class TypeMappingError(SemanticError):
    """A Hive type that has no DynamoDB form, or a mapping that contradicts the table."""


class ConfigError(DdbsqlError):
    """A setting with a value ddbsql cannot use."""

    kind = "Configuration error"


class DynamoDBError(DdbsqlError):
    """DynamoDB refused a request, after retries where retrying made sense."""

    kind = "DynamoDB error"


class ExecutionError(DdbsqlError):
    """The query engine failed while running a valid statement."""

    kind = "Execution error"


class NotPermittedError(DdbsqlError):
    """A statement that reaches outside the database and the connection did not allow it."""

    kind = "Not permitted"


class Unavailable(DdbsqlError):
    """Something the statement needs is held by another process (the local table
    warehouse) or cannot be reached; waiting and retrying may succeed."""

    kind = "Unavailable"


class TooCostlyError(DdbsqlError):
    """A read the plan estimates above a configured ceiling (``ddbsql.scan.max.rcu``),
    refused before anything is sent."""

    kind = "Refused"


class Cancelled(DdbsqlError):
    """The user cancelled the running statement."""

    kind = "Cancelled"
