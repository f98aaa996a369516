"""The PEP 249 exception tree, and the mapping from ddbsql's own errors onto it."""
from __future__ import annotations

from .. import errors


class Warning(Exception):  # noqa: A001 - the name PEP 249 requires
    pass


class Error(Exception):
    """Base of every DB-API error.  ``original`` is the ddbsql error behind it, with its
    statement, line and column."""

    def __init__(self, message: str, original: errors.DdbsqlError | None = None):
        super().__init__(message)
        self.original = original


class InterfaceError(Error):
    pass


class DatabaseError(Error):
    pass


class DataError(DatabaseError):
    pass


class OperationalError(DatabaseError):
    pass


class IntegrityError(DatabaseError):
    pass


class InternalError(DatabaseError):
    pass


class ProgrammingError(DatabaseError):
    pass


class NotSupportedError(DatabaseError):
    pass


_MAPPING: list[tuple[type, type]] = [
    (errors.ParseError, ProgrammingError),
    (errors.SemanticError, ProgrammingError),
    (errors.ConfigError, ProgrammingError),
    (errors.NotPermittedError, ProgrammingError),
    (errors.TooCostlyError, ProgrammingError),
    (errors.DynamoDBError, OperationalError),
    (errors.Cancelled, OperationalError),
    (errors.Unavailable, OperationalError),
    (errors.ExecutionError, DataError),
]


def translate(exc: errors.DdbsqlError) -> Error:
    """The DB-API exception for a ddbsql error (same message)."""
    for source, target in _MAPPING:
        if isinstance(exc, source):
            return target(str(exc), exc)
    return DatabaseError(str(exc), exc)


def internal_error(exc: Exception) -> Error:
    """An unexpected failure (a bug in ddbsql): still one line, with its cause kept for --debug."""
    original = errors.DdbsqlError(f"internal error ({type(exc).__name__}: {exc}); rerun with --debug for details")
    original.kind = "Internal error"
    return InternalError(str(original), original)
