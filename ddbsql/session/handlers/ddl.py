"""Catalog statements: CREATE, DROP, ALTER and USE for databases and tables."""
from __future__ import annotations

import dataclasses
import time
from typing import TYPE_CHECKING

import duckdb
from sqlglot import exp

from ...catalog.mapping import TABLE_NAME, default_ddb_type
from ...catalog.builtin import builtin_region
from ...catalog.mapping import bindings_for, check_against_table, check_table_name
from ...catalog.model import DYNAMODB_HANDLER, Column, TableDef, TableKind
from ...catalog.names import check_name
from ...config import check_properties, is_secret, truthy
from ...errors import (AlreadyExistsError, CatalogError, ConfigError, ExecutionError, ParseError, SemanticError,
                       TypeMappingError)
from ...exec.tables import create_table
from ...sql.table_names import TableName
from ...sql.partitions import AddPartitions, DropPartitions
from ...sql.partitions import spec_of_node
from ...types import from_arrow
from . import file_statements
from ..binding.execution import failure, hive_output_names
from ..result import Result
from ...sql.positions import position_of
from ..storage import kind_of
from .table_definitions import columns_of, table_properties
from ..binding.binder import SourceBinder

if TYPE_CHECKING:
    from ..session import Session



# ---------------------------------------------------------------- CREATE
def _secret_note(keys) -> list[str]:
    secret = sorted(k for k in keys if is_secret(k))
    if not secret:
        return []
    return [f"WARNING: TBLPROPERTIES {', '.join(secret)} not stored: credentials are never written to the "
            "metastore (ddbsql takes them from the AWS credential chain)"]


def run_create(session: "Session", tree: exp.Create, text: str) -> Result:
    try:
        result = _run_create(session, tree, text)
    except AlreadyExistsError as exc:  # created by another session or process meanwhile
        if not tree.args.get("exists"):
            raise
        return Result.done("ddl", f"{exc.message}; nothing done")
    properties = tree.args.get("properties")
    result.messages[:0] = _secret_note(p.name.lower() for p in (properties.expressions if properties else [])
                                       if type(p) is exp.Property)
    return result


def _run_create(session: "Session", tree: exp.Create, text: str) -> Result:
    kind = (tree.args.get("kind") or "").upper()
    if kind in ("DATABASE", "SCHEMA"):
        name = check_name(tree.this.name, "database")
        refuse_builtin(name, "CREATE DATABASE")
        session.metastore.create_database(name, if_not_exists=bool(tree.args.get("exists")))
        return Result.done("ddl")
    if kind != "TABLE":
        raise ParseError(f"CREATE {kind} is not supported", line=1, col=1)
    target = tree.this.this if isinstance(tree.this, exp.Schema) else tree.this
    database = (target.db or session.database).lower()
    refuse_builtin(database, "CREATE TABLE")
    name = check_name(target.name, "table")
    if not session.metastore.has_database(database):
        raise CatalogError(f"database '{database}' does not exist")
    exists = session.metastore.get(database, name)
    if exists is not None:
        if tree.args.get("exists"):
            return Result.done("ddl", f"table {database}.{name} already exists; nothing done")
        line, col = position_of(target, text)
        raise CatalogError(f"table {database}.{name} already exists", line=line, col=col)
    props, handler, other, comment = table_properties(tree)
    if handler is not None:
        if handler != DYNAMODB_HANDLER:
            raise SemanticError(f"unknown storage handler '{handler}' (ddbsql supports {DYNAMODB_HANDLER})")
        if tree.expression is not None:
            raise SemanticError("CREATE TABLE … AS SELECT cannot create a DynamoDB-backed table (Hive does not "
                                "allow it either): create the table, then INSERT … SELECT")
        if not isinstance(tree.this, exp.Schema):
            raise SemanticError("a DynamoDB table needs a column list")
        table = TableDef(database, name, columns_of(tree.this), TableKind.DYNAMODB, props, True, comment, time.time())
        return _create_dynamodb(session, table)
    if other or props.get("ddbsql.format"):
        return file_statements.run_create(session, tree, text, database, name, props, comment)
    return _create_local(session, tree, text, database, name, props, comment)


def _create_dynamodb(session: "Session", table: TableDef) -> Result:
    props = dict(table.properties)
    ddb_name = check_table_name(props.setdefault(TABLE_NAME, table.name))
    table = TableDef(table.database, table.name, table.columns, table.kind, props, True, table.comment, table.created)
    check_properties(props)
    bindings = bindings_for(table)
    messages = []
    if truthy(props.get("ddbsql.create")):
        created = _create_missing_table(session, table, bindings)
        if created:
            messages.append(f"created DynamoDB table {ddb_name} in {session.region_of(table)}")
    facts = session.facts(table, fresh=True)
    messages += [f"WARNING: {w}" for w in check_against_table(table, bindings, facts)]
    session.metastore.put(table)
    return Result.done("ddl", *messages)


def _create_missing_table(session: "Session", table: TableDef, bindings) -> bool:
    """ddbsql's opt-in extension: create the DynamoDB table if it does not exist."""
    props = table.properties
    try:
        session.facts(table, fresh=True)
        return False
    except CatalogError:
        pass
    by_attribute = {b.attribute: b for b in bindings if b.attribute}

    def key(prop: str) -> tuple[str, str] | None:
        attribute = props.get(prop)
        if not attribute:
            return None
        binding = by_attribute.get(attribute)
        if binding is None:
            raise CatalogError(f'{prop}="{attribute}" is not the DynamoDB attribute of any column')
        ddb_type = default_ddb_type(binding.hive_type)
        if ddb_type not in ("S", "N", "B") or binding.time_encoding is not None:
            raise TypeMappingError(f"key attribute '{attribute}' must be a string, number or binary column")
        return attribute, ddb_type

    hash_key = key("ddbsql.hash.key")
    if hash_key is None:
        raise CatalogError('"ddbsql.create"="true" needs "ddbsql.hash.key" (and optionally "ddbsql.range.key")')
    billing = (props.get("ddbsql.billing.mode") or "PAY_PER_REQUEST").upper()
    if billing not in ("PAY_PER_REQUEST", "PROVISIONED"):
        raise ConfigError('"ddbsql.billing.mode" must be PAY_PER_REQUEST or PROVISIONED')
    create_table(session.dynamodb_client(table), table_name=props[TABLE_NAME], hash_key=hash_key,
                 range_key=key("ddbsql.range.key"), billing_mode=billing,
                 read_capacity=int(props.get("ddbsql.read.capacity") or 5),
                 write_capacity=int(props.get("ddbsql.write.capacity") or 5), retry=session.retry_policy())
    return True


def _create_local(session: "Session", tree: exp.Create, text: str, database: str, name: str,
                  props: dict[str, str], comment: str | None) -> Result:
    engine = session.engine
    engine.ensure_schema(database)
    qualified = f'{engine.warehouse()}."{database}"."{name}"'
    if tree.expression is not None:  # CREATE TABLE … AS SELECT
        binder = SourceBinder(session, text)
        bound = hive_output_names(binder.bind(tree.expression))
        try:
            engine.con.execute(f"CREATE TABLE {qualified} AS {binder.to_duckdb(bound)}")
        except duckdb.Error as exc:
            raise failure(exc, binder) from None
        schema = engine.con.sql(f"SELECT * FROM {qualified} LIMIT 0").to_arrow_table().schema
        columns = tuple(Column(f.name.lower(), from_arrow(f.type), None, f.name) for f in schema)
        count = engine.con.execute(f"SELECT count(*) FROM {qualified}").fetchall()[0][0]
        messages = binder.warning_messages() + [f"Loaded {count} row(s) into {database}.{name}"]
    else:
        if not isinstance(tree.this, exp.Schema):
            raise SemanticError("CREATE TABLE needs a column list or AS SELECT")
        columns = columns_of(tree.this)
        ddl = ", ".join(f'"{c.name}" {c.type.duckdb_sql()}' for c in columns)
        try:
            engine.con.execute(f"CREATE TABLE {qualified} ({ddl})")
        except duckdb.Error as exc:
            raise ExecutionError(str(exc).split("\n", 1)[0]) from None
        count = -1
        messages = []
    session.metastore.put(TableDef(database, name, columns, TableKind.WAREHOUSE, props, False, comment, time.time()))
    return Result.done("ddl", *messages, rowcount=count)


# ---------------------------------------------------------------- DROP / USE / ALTER
def refuse_builtin(database: str, what: str) -> None:
    """A clear error for a statement that would change a built-in dynamodb database."""
    if builtin_region(database) is not None:
        raise CatalogError(f"{what} is not possible in database '{database}': it lists DynamoDB's own tables; "
                           f"use another database (SHOW CREATE TABLE {database}.<table> prints a definition "
                           "to start from)")


def run_drop(session: "Session", tree: exp.Drop, text: str) -> Result:
    kind = (tree.args.get("kind") or "").upper()
    if_exists = bool(tree.args.get("exists"))
    targets = tree.args.get("tables") or [tree.this]
    if kind in ("DATABASE", "SCHEMA"):
        name = targets[0].name.lower()
        refuse_builtin(name, "DROP DATABASE")
        dropped = session.metastore.drop_database(name, if_exists=if_exists, cascade=bool(tree.args.get("cascade")))
        if dropped:
            session.engine.con.execute(f'DROP SCHEMA IF EXISTS {session.engine.warehouse()}."{name}" CASCADE')
        if session.database == name:
            session.database = "default"
        return Result.done("ddl")
    if kind != "TABLE":
        raise ParseError(f"DROP {kind} is not supported", line=1, col=1)
    messages = []
    for target in targets:
        database = (target.db or session.database).lower()
        refuse_builtin(database, "DROP TABLE")
        name = target.name.lower()
        table = session.metastore.get(database, name)
        if table is None:
            if if_exists or session.settings.get("hive.exec.drop.ignorenonexistent"):
                continue
            line, col = position_of(target, text)
            raise CatalogError(f"Table not found '{database}.{name}'", line=line, col=col)
        kind_of(table).drop(session, table)
        session.metastore.remove(database, name)
    return Result.done("ddl", *messages)


def run_use(session: "Session", tree: exp.Use) -> Result:
    name = tree.this.name.lower()
    if builtin_region(name) is None and not session.metastore.has_database(name):
        raise CatalogError(f"Database does not exist: {name}")
    session.database = name
    return Result.done("ddl")


def run_alter(session: "Session", tree: exp.Alter, text: str) -> Result:
    target = tree.this
    refuse_builtin((target.db or session.database).lower(), "ALTER TABLE")
    table = session.catalog_table(target.name, target.db.lower() or None, missing_ok=True)
    if table is None:
        line, col = position_of(target, text)
        raise CatalogError(f"Table not found '{target.sql()}'", line=line, col=col)
    props = dict(table.properties)
    updated = table
    kind = kind_of(table)
    for action in tree.args.get("actions") or []:
        if isinstance(action, (exp.AddPartition, exp.DropPartition)):
            return _alter_partitions(session, table, tree, action)
        if isinstance(action, exp.AlterSet):
            if action.args.get("location") is not None:
                if target.args.get("partition") is not None:
                    raise ParseError("ALTER TABLE … SET LOCATION is supported for file tables only", line=1, col=1)
                updated = kind.set_location(session, updated, action.args["location"].name)
            for group in action.expressions:
                for prop in group.expressions if isinstance(group, exp.Properties) else [group]:
                    if type(prop) is exp.Property:
                        props[prop.name.lower()] = prop.args["value"].name
                    elif isinstance(prop, exp.SerdeProperties):
                        updated = kind.set_serde_properties(
                            updated, {p.name: p.args["value"].name for p in prop.expressions})
                    else:
                        raise ParseError(f"ALTER TABLE … SET {prop.key} is not supported", line=1, col=1)
        else:
            raise ParseError(f"ALTER TABLE {action.key.upper()} is not supported", line=1, col=1)
    updated = dataclasses.replace(updated, properties=props)
    kind.check_altered(session, updated)
    session.metastore.put(updated, replace=True)
    return Result.done("ddl", *_secret_note(props))


def _alter_partitions(session: "Session", table: TableDef, tree: exp.Alter, action: exp.Expression) -> Result:
    """ALTER TABLE … ADD/DROP PARTITION when it reaches here as a sqlglot tree."""
    ref = TableName(table.name, table.database)
    if isinstance(action, exp.AddPartition):
        location = action.args.get("location")
        text = location.this.name if location is not None else None
        statement = AddPartitions(ref, ((spec_of_node(action.this, dynamic=False), text),),
                                     bool(action.args.get("exists")))
    else:
        statement = DropPartitions(ref, tuple(spec_of_node(p, dynamic=False) for p in action.expressions),
                                      bool(action.args.get("exists")))
    return file_statements.run_partition_statement(session, statement)
