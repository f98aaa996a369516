"""Wiring of the built-in ``dynamodb`` databases into a session: one
:class:`~ddbsql.exec.directory.DynamoDBDirectory` per region, the session's settings,
its DescribeTable cache and read governors (see :mod:`ddbsql.catalog.builtin`)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from ...catalog.builtin import BuiltinCatalog, InferredTable, builtin_region
from ...catalog.mapping import REGION, TABLE_NAME
from ...catalog.model import TableDef, TableKind
from ...exec.directory import DynamoDBDirectory
from ..result import Result

if TYPE_CHECKING:
    from ..session import Session


class BuiltinTables:
    """The built-in databases of one session; remembers what this session inferred."""

    def __init__(self, session: "Session"):
        self.session = session
        self._directories: dict[str, DynamoDBDirectory] = {}
        #: the tables this session resolved, by (database, DynamoDB name): EXPLAIN shows their sample
        self.seen: dict[tuple[str, str], InferredTable] = {}

    def region(self, database: str) -> str:
        return builtin_region(database) or self.session.clients.region()

    def directory(self, database: str) -> DynamoDBDirectory:
        session = self.session
        region = self.region(database)
        directory = self._directories.get(region)
        if directory is None:
            client = session.clients.dynamodb(region)

            def describe(name: str):
                return session.facts(TableDef(database, name, (), TableKind.DYNAMODB,
                                              {TABLE_NAME: name, REGION: region}))

            def governor(facts):
                table = TableDef(database, facts.table_name, (), TableKind.DYNAMODB,
                                 {TABLE_NAME: facts.table_name, REGION: region})
                return session.governor_for(table, facts)

            directory = DynamoDBDirectory(client, region, client.meta.endpoint_url if session.options.aws.endpoint_url
                                          else None, session.retry_policy(), describe=describe, governor=governor,
                                          sample_size=1, segments=1, on_sample=session.report)
            self._directories[region] = directory
        settings = session.settings
        directory.sample_size = settings.get("ddbsql.dynamodb.sample.items")
        directory.segments = settings.get("ddbsql.dynamodb.sample.segments")
        directory.cancel = session.cancel_event
        directory.retry = session.retry_policy()
        return directory

    def table(self, database: str, name: str, *, refresh: bool = False) -> InferredTable:
        catalog = BuiltinCatalog(self.session.metastore, max_columns=self.session.settings.get(
            "ddbsql.dynamodb.max.columns"))
        directory = self.directory(database)
        found = catalog.table(database, name, directory, refresh=refresh)
        if not found.fresh and not self._keys_match(found):  # the table was made again with other keys
            found = catalog.table(database, found.table.name, directory, refresh=True)
        earlier = self.seen.get((database, found.table.name))
        if not (earlier is not None and earlier.fresh and earlier.taken_at == found.taken_at):
            self.seen[(database, found.table.name)] = found
        return found

    def _keys_match(self, found: InferredTable) -> bool:
        """Whether the cached columns' keys are still the table's (DescribeTable, reused
        for a minute: the planner asks for it anyway)."""
        keys = tuple(c.attribute for c in found.schema.columns if c.role)
        return keys == self.session.facts(found.table).key_attributes

    def names(self, database: str) -> list[str]:
        return sorted(self.directory(database).table_names())

    def store_properties(self, table: TableDef, properties: dict[str, str]) -> None:
        catalog = BuiltinCatalog(self.session.metastore, max_columns=1)
        catalog.store_properties(self.directory(table.database), table.name, properties)

    def run_refresh(self, name) -> Result:
        """``REFRESH TABLE``: sample a built-in table again; other tables' facts are re-read
        from DynamoDB at their next use."""
        database = (name.database or self.session.database).lower()
        if builtin_region(database) is None:
            self.session.catalog_table(name.written, database)  # exists, or a clear error
            self.session.forget_facts()
            return Result.done("ddl")
        found = self.table(database, name.written, refresh=True)
        return Result.done("ddl", f"columns of {found.table.qualified} inferred again: {found.sample_text()}")
