"""Where an INSERT writes: the :class:`WriteTarget` protocol every target follows (a
DynamoDB table, a warehouse table, a file table, a directory) and the typed outcome of
writing one."""
from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Protocol

from sqlglot import exp

from ..result import Result

if TYPE_CHECKING:
    from ..session import Session
    from ..binding.binder import SourceBinder


@dataclasses.dataclass
class WriteOutcome:
    """What writing one target gave: rows, summary lines and DB-API write reports, or the
    error it ended with (then the other fields say what it did before)."""

    name: str
    rowcount: int = 0
    messages: list[str] = dataclasses.field(default_factory=list)
    write_reports: list[dict] = dataclasses.field(default_factory=list)
    error: BaseException | None = None

    @classmethod
    def of(cls, name: str, result: Result) -> "WriteOutcome":
        return cls(name, max(result.rowcount, 0), list(result.messages), list(result.write_reports))

    @property
    def ok(self) -> bool:
        return self.error is None

    def result(self) -> Result:
        return Result("insert", rowcount=self.rowcount, messages=self.messages, write_reports=self.write_reports)


@dataclasses.dataclass(frozen=True)
class InsertQuery:
    """The query of a single INSERT as written (``source``), bound (``bound``) and the
    whole statement (``tree``): what lets a target that writes as a resumable job
    checkpoint a straight copy's read positions.  A multi-insert has none."""

    source: exp.Expression
    bound: exp.Expression
    tree: exp.Expression


class WriteTarget(Protocol):
    """One INSERT's target.

    ``shape`` turns the SQL of the INSERT's query into SQL giving exactly the rows the
    target stores (its columns, in order, of its types); ``write`` runs that SQL into the
    target on the statement's thread (``query``: a single INSERT's query, for targets
    that make use of it; None in a multi-insert).  ``concurrent`` targets (DynamoDB tables) can also
    be written from a thread of their own in a multi-insert (see :mod:`.insert`).
    """

    name: str
    node: exp.Expression | None
    concurrent: bool

    def shape(self, session: "Session", source_sql: str, text: str) -> str: ...

    def write(self, session: "Session", sql: str, binder: "SourceBinder", label: str,
              query: InsertQuery | None = None) -> WriteOutcome: ...
