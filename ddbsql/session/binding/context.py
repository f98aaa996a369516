"""What binding a statement needs of the session running it: a narrow protocol, so the
binder and the storage objects depend on these facts and services, not on the session."""
from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any, Protocol

from ...catalog.facts import TableFacts
from ...catalog.model import TableDef
from ...config import Settings
from ...exec.engine import Engine
from ...exec.governor import Governor
from ...exec.retry import RetryPolicy

if TYPE_CHECKING:
    from sqlglot import exp

    from ...planner.scopes import ReferenceFilter
    from .binder import SourceBinder
    from .registered import Registry


class TableReader(Protocol):
    """How a statement reads one kind of table (the storage objects of
    :mod:`ddbsql.session.storage` are these)."""

    def bind(self, binder: "SourceBinder", table: TableDef, where: "ReferenceFilter", columns: set[str] | None,
             label: str) -> "exp.Table": ...


class StatementContext(Protocol):
    """The session as one statement's binding sees it."""

    #: the current database
    database: str
    engine: Engine
    settings: Settings
    #: ``allow_local_files`` and the AWS options (see ``SessionOptions``)
    options: Any
    #: the AWS client factory (region, endpoints, credentials)
    clients: Any
    #: the catalog (managed file tables live in the folder of its file)
    metastore: Any
    #: DataFrames and Arrow data registered under a name
    registry: "Registry"
    #: set when the running statement is cancelled
    cancel_event: threading.Event

    def catalog_table(self, name: str, database: str | None = None, *,
                      missing_ok: bool = False) -> TableDef | None: ...

    def dynamodb_client(self, table: TableDef): ...

    def region_of(self, table: TableDef) -> str: ...

    def retry_policy(self) -> RetryPolicy: ...

    def facts(self, table: TableDef, *, fresh: bool = False) -> TableFacts: ...

    def forget_facts(self) -> None: ...

    def governor_for(self, table: TableDef, facts: TableFacts | None = None,
                     index: str | None = None) -> Governor: ...

    def report(self, message: str) -> None: ...

    def table_storage(self, table: TableDef) -> TableReader:
        """The storage object of ``table``'s kind (it lives above binding, as it also
        writes: the session hands it down)."""
