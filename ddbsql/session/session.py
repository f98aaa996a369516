"""The session: one user's settings, current database, catalog and engine, and the
dispatch of each statement to what carries it out."""
from __future__ import annotations

import dataclasses
import threading
import time
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

from sqlglot import exp

from ..catalog.builtin import builtin_region
from ..catalog.facts import TableFacts
from ..catalog.glue import GlueMetastore, wants_glue
from ..catalog.mapping import ENDPOINT, REGION, TABLE_NAME
from ..catalog.model import DEFAULT_DATABASE, TableDef
from ..catalog.stats import TableStats
from ..catalog.store import Metastore, default_home
from ..config import Settings
from ..errors import CatalogError, DdbsqlError, ParseError
from ..exec.clients import AwsOptions, ClientFactory
from ..exec.credentials import TableCredentials
from ..exec.engine import Engine
from ..exec.governor import Governor, GovernorRegistry, ThroughputSpec, process_registry
from ..exec.retry import RetryPolicy
from ..exec.tables import describe_table
from ..sql.statements import (AnalyzeTable, DescribeFunction, Explain, Quit, RefreshTable, ResourceCommand,
                              SetCommand, ShellCommand, ShowColumns, ShowCreateTable, ShowDatabases, ShowFunctions,
                              ShowTables, ShowTblProperties, SourceCommand, SqlStatement, parse_statement)
from ..sql.parameters import as_mapping, bind_parameters, number_qmarks
from ..sql.positions import Edits, to_original
from ..sql.substitute import substitute_mapped
from ..sql.partitions import AddPartitions, DropPartitions, RepairTable, ShowPartitions
from .binding.registered import Registry
from .binding.builtin_tables import BuiltinTables
from .handlers import (analyze_statement, commands, ddl, dml_statements, explain_statement, file_statements,
                       function_statements, insert, query, show)
from .result import Result
from .storage import TableStorage, kind_of

#: Seconds a DescribeTable answer is reused before asking DynamoDB again.
FACTS_TTL = 60.0


@dataclasses.dataclass
class SessionOptions:
    """How a session reaches AWS and where it keeps its files.

    ``allow_shell`` permits ``!cmd``; ``allow_local_files`` permits ``source`` and
    other statements that read or write local paths; ``allow_env`` lets ``${env:X}``
    read the process environment.  All default to off (the DB-API default); the command
    line turns them on.
    """

    aws: AwsOptions = dataclasses.field(default_factory=AwsOptions)
    metastore: str | Path | None = None
    warehouse: str | Path | None = None
    database: str = DEFAULT_DATABASE
    allow_shell: bool = False
    allow_local_files: bool = False
    allow_env: bool = False
    retry: RetryPolicy | None = None
    progress: Callable[[str], None] | None = None
    #: the throughput governors (default: the one registry every session of the process shares)
    governors: GovernorRegistry | None = None


def warehouse_beside(metastore: Path) -> Path:
    """The DuckDB file of a metastore's local tables: ``warehouse.duckdb`` beside the
    default ``metastore.db``, ``<name>.warehouse.duckdb`` beside any other, so two
    metastores in one folder keep their local tables apart."""
    if metastore.name == "metastore.db":
        return metastore.with_name("warehouse.duckdb")
    return metastore.with_name(metastore.stem + ".warehouse.duckdb")


class Session:
    """Runs statements one at a time (a session is used by one thread at a time)."""

    def __init__(self, options: SessionOptions | None = None, settings: Settings | None = None):
        self.options = options or SessionOptions()
        self.settings = settings or Settings()
        home = default_home()
        self.clients = ClientFactory(self.options.aws)
        glue = wants_glue(self.options.metastore, self.settings.get("hive.metastore.client.factory.class"))
        metastore = self.options.metastore
        if metastore is None or (glue and str(metastore).lower() == "glue"):
            metastore = home / "metastore.db"
        self.metastore = Metastore(metastore)
        if glue:  # the Glue Data Catalog; local tables, jobs and inferred schemas stay in the file
            self.metastore = GlueMetastore(self.clients.glue(), self.metastore, region=self.clients.region())
        warehouse = self.options.warehouse
        if warehouse is None and str(metastore) != ":memory:":
            warehouse = warehouse_beside(Path(metastore))
        self.engine = Engine(warehouse)
        self.database = self.options.database
        if not self.metastore.has_database(self.database):
            raise CatalogError(f"database '{self.database}' does not exist")
        self.cancel_event = threading.Event()
        self.governors = self.options.governors or process_registry()
        self._facts: dict[tuple, tuple[float, TableFacts]] = {}
        self._current: Result | None = None
        self.builtin = BuiltinTables(self)
        #: DataFrames and Arrow data statements read by name (see :mod:`.registered`)
        self.registry = Registry()

    # running statements
    def execute(self, text: str, parameters: Sequence[Any] | Mapping[str, Any] | None = None) -> Result:
        """Run one statement (no trailing ``;``) and return its result.

        Errors are :class:`~ddbsql.errors.DdbsqlError` with positions relative to ``text``.
        """
        self.begin_statement()
        substitution = substitute_mapped(text, self.settings.lookup, allow_env=self.options.allow_env)
        substituted = substitution.text
        notes = [f"WARNING: variable ${{{name}}} is not defined; left as written" for name in substitution.undefined]
        positional = parameters is not None and not isinstance(parameters, Mapping)
        renamed = Edits()
        if positional:
            substituted = number_qmarks(substituted, renamed)
        try:
            try:
                return self._execute(substituted, parameters, positional, notes)
            except RecursionError:
                raise ParseError("the statement nests too deeply to process (parentheses, subqueries or operators "
                                 "hundreds of levels deep)") from None
        except DdbsqlError as exc:
            exc.message = self.settings.redact(exc.message)
            exc.args = (exc.message,)
            # positions found in the rewritten text point at what the user wrote
            if exc.line is not None and exc.statement is None and substitution.edits is not None:
                exc.line, exc.col = to_original(exc.line, exc.col, substituted, text, substitution.edits, renamed)
            raise

    def _execute(self, substituted: str, parameters, positional: bool, notes: list[str]) -> Result:
        statement = parse_statement(substituted)
        explain = statement if isinstance(statement, Explain) else None
        if explain:  # parameters bind into the explained statement
            statement = statement.statement
        if parameters is not None:
            if not isinstance(statement, SqlStatement):
                raise ParseError("parameters can only be bound into SQL statements")
            if positional:
                names = [str(p.this) for p in statement.tree.find_all(exp.Placeholder)]
                if any(not name.startswith("__p") for name in names):
                    raise ParseError("named placeholders (:name) need a mapping of parameters")
                wanted = len(names)
                if wanted != len(parameters):
                    raise ParseError(f"the statement has {wanted} placeholder(s) but {len(parameters)} "
                                     "parameter(s) were given")
            statement = SqlStatement(bind_parameters(statement.tree, as_mapping(parameters)), statement.text)
        elif isinstance(statement, SqlStatement) and any(True for _ in statement.tree.find_all(exp.Placeholder)):
            raise ParseError("the statement has parameter placeholders but no parameters were given")
        if explain:
            statement = Explain(statement, analyze=explain.analyze)
        try:
            result = self._dispatch(statement)
        except DdbsqlError as exc:
            if notes:  # the warning may well explain the failure: keep it with the error
                exc.with_note("; ".join(n.removeprefix("WARNING: ") for n in notes))
            raise
        result.messages[:0] = notes
        if self.settings.secret_values():
            result.messages = [self.settings.redact(m) for m in result.messages]
        self._current = result
        return result

    def _dispatch(self, statement) -> Result:
        handler = _handler(STATEMENT_HANDLERS, statement)
        if handler is not None:
            return handler(self, statement)
        tree, text = statement.tree, statement.text
        handler = _handler(SQL_HANDLERS, tree)
        if handler is not None:
            return handler(self, tree, text)
        if isinstance(tree, (exp.Column, exp.Identifier, exp.Alias, exp.Literal)):
            word = statement.text.split(None, 1)[0] if statement.text.split() else ""
            raise ParseError(f"'{word}' does not start a HiveQL statement", line=1, col=1)
        raise ParseError(f"unsupported statement: {tree.key.upper()}", line=1, col=1)

    def begin_statement(self) -> None:
        """Close the previous statement's result and give the next one its own cancel event."""
        self.release()
        # a fresh event per statement: the previous one stays set for whatever of the
        # cancelled statement is still winding down (scan threads, DuckDB's reader)
        self.cancel_event = threading.Event()
        self.engine.wait_seconds = self.settings.get("ddbsql.warehouse.wait.seconds")

    def release(self) -> None:
        """Close the previous statement's result (streams, scan threads)."""
        if self._current is not None:
            current, self._current = self._current, None
            current.close()
        self.engine.release()

    def cancel(self) -> None:
        """Ask the running statement to stop (safe from any thread): scans and writes stop after
        their current request, DuckDB stops its query."""
        self.cancel_event.set()
        self.engine.interrupt()

    def close(self) -> None:
        self.cancel()
        self.release()
        self.engine.close()
        self.metastore.close()

    # facts other modules ask for
    def catalog_table(self, name: str, database: str | None = None, *, missing_ok: bool = False) -> TableDef | None:
        """The table ``database.name``; ``name`` as written (a table of a built-in
        ``dynamodb`` database is matched case-sensitively first, others ignoring case)."""
        database = (database or self.database).lower()
        if builtin_region(database) is not None:
            return self.builtin.table(database, name).table
        name = name.lower()
        table = self.metastore.get(database, name)
        if table is None and not missing_ok:
            raise CatalogError(f"Table not found '{database}.{name}'")
        return table

    def table_storage(self, table: TableDef) -> TableStorage:
        """The storage object of ``table``'s kind: how it is read, written and described."""
        return kind_of(table)

    def dynamodb_client(self, table: TableDef):
        """The client of ``table``'s region and endpoint, signing as the table's credentials."""
        return self.clients.dynamodb(table.properties.get(REGION), table.properties.get(ENDPOINT),
                                     self.credentials_of(table))

    def credentials_of(self, table: TableDef) -> TableCredentials | None:
        """Who ``table``'s requests are made as: its role or profile, the SET access keys."""
        return TableCredentials.resolve(table.properties, self.settings.lookup)

    def region_of(self, table: TableDef) -> str:
        return self.clients.region(table.properties.get(REGION))

    def retry_policy(self) -> RetryPolicy:
        base = self.options.retry or RetryPolicy()
        return dataclasses.replace(base, max_seconds=self.settings.get("ddbsql.retry.max.seconds"))

    def facts(self, table: TableDef, *, fresh: bool = False) -> TableFacts:
        """DescribeTable facts of a DynamoDB table, reused for :data:`FACTS_TTL` seconds."""
        name = table.properties.get(TABLE_NAME, table.name)
        credentials = self.credentials_of(table)
        key = (name, table.properties.get(REGION), table.properties.get(ENDPOINT),
               credentials.identity if credentials else None)
        cached = self._facts.get(key)
        now = time.monotonic()
        if cached and not fresh and now - cached[0] < FACTS_TTL:
            return self._with_stats(table, cached[1])
        facts = describe_table(self.dynamodb_client(table), name, self.retry_policy(), region=self.region_of(table))
        self._facts[key] = (now, facts)
        return self._with_stats(table, facts)

    @staticmethod
    def _with_stats(table: TableDef, facts: TableFacts) -> TableFacts:
        """``facts`` with the ANALYZE statistics kept in ``table``'s TBLPROPERTIES."""
        stats = TableStats.from_properties(table.properties)
        return dataclasses.replace(facts, stats=stats) if stats is not None else facts

    def governor_for(self, table: TableDef, facts: TableFacts | None = None, index: str | None = None) -> Governor:
        """The process-wide throughput governor of ``table``'s DynamoDB table (``index``: of
        its GSI, whose reads spend the GSI's own capacity), set to this session's settings
        and the table's TBLPROPERTIES (which win)."""
        facts = facts or self.facts(table)
        client = self.dynamodb_client(table)
        region = self.region_of(table)
        name = facts.table_name
        # a capacity refresh runs on a worker's thread: never let it retry for long
        retry = dataclasses.replace(self.retry_policy(), max_seconds=5.0)
        spec = ThroughputSpec.resolve(self.settings.get, table.properties)
        found = facts.index(index)
        credentials = self.credentials_of(table)
        return self.governors.get(region, client.meta.endpoint_url, name, spec=spec, facts=facts,
                                  account=credentials.identity if credentials else None,
                                  describe=lambda: describe_table(client, name, retry, region=region),
                                  refresh_seconds=self.settings.get("ddbsql.capacity.refresh.seconds"),
                                  index=found.name if found is not None and found.kind == "GSI" else None)

    def forget_facts(self) -> None:
        self._facts.clear()

    def report(self, message: str) -> None:
        """Progress text for a human, if someone listens."""
        if self.options.progress:
            self.options.progress(message)


def _explain(session: Session, statement: Explain) -> Result:
    return explain_statement.run_explain(session, statement.statement, analyze=statement.analyze)


def _quit(session: Session, statement: Quit) -> Result:
    return Result.done("quit")


def _resource(session: Session, statement: ResourceCommand) -> Result:
    return Result.done("command", f"ignored: {statement.text} (ddbsql needs no jars or files)")


def _refresh(session: Session, statement: RefreshTable) -> Result:
    return session.builtin.run_refresh(statement.table)


def _use(session: Session, tree: exp.Use, text: str) -> Result:
    return ddl.run_use(session, tree)


#: statement type -> handler(session, statement): the statements ddbsql parses itself
STATEMENT_HANDLERS: dict[type, Callable[..., Result]] = {
    SetCommand: commands.run_set, ShellCommand: commands.run_shell, SourceCommand: commands.run_source,
    Explain: _explain, Quit: _quit, AnalyzeTable: analyze_statement.run_analyze,
    RefreshTable: _refresh,
    ResourceCommand: _resource,
    ShowTables: show.run_show, ShowDatabases: show.run_show, ShowCreateTable: show.run_show,
    ShowTblProperties: show.run_show, ShowColumns: show.run_show,
    ShowFunctions: function_statements.run, DescribeFunction: function_statements.run,
    RepairTable: file_statements.run_partition_statement, AddPartitions: file_statements.run_partition_statement,
    DropPartitions: file_statements.run_partition_statement, ShowPartitions: file_statements.run_partition_statement,
}

#: sqlglot tree type -> handler(session, tree, text): the statements sqlglot parses
SQL_HANDLERS: dict[type, Callable[..., Result]] = {
    exp.Insert: insert.run_insert_statement, exp.MultitableInserts: insert.run_insert_statement,
    exp.Select: query.run_query, exp.Union: query.run_query, exp.Except: query.run_query,
    exp.Intersect: query.run_query, exp.Subquery: query.run_query, exp.Values: query.run_query,
    exp.LoadData: file_statements.run_load, exp.Create: ddl.run_create, exp.Drop: ddl.run_drop,
    exp.Describe: show.run_describe, exp.Use: _use, exp.Alter: ddl.run_alter,
    exp.Update: dml_statements.run_dml, exp.Delete: dml_statements.run_dml, exp.Merge: dml_statements.run_dml,
}


def _handler(table: dict[type, Callable[..., Result]], node: object) -> Callable[..., Result] | None:
    """The handler of ``node``'s type or of its nearest base class in ``table``."""
    for cls in type(node).__mro__:
        handler = table.get(cls)
        if handler is not None:
            return handler
    return None
