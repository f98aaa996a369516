"""The ``ddbsql://`` SQLAlchemy dialect, over ddbsql's DB-API module.

URL: ``ddbsql://[/DATABASE][?KEY=VALUE&…]``.  The query parameters are
:func:`ddbsql.connect`'s keyword arguments (``region``, ``profile``, ``endpoint_url``,
``s3_endpoint_url``, ``metastore``, ``warehouse``, ``database``, ``local``,
``allow_shell``, ``allow_local_files``); ``hiveconf.KEY=V`` and ``hivevar.KEY=V`` set
one Hive setting or variable each.  The URL's database part is the current database.

There are no transactions: ``commit`` and ``rollback`` do nothing (the pool's reset on
return is harmless), and every statement is applied as it runs.  Reflection reads the
catalog: tables and columns, the primary key from the DynamoDB table's key schema and
indexes from its global and local secondary indexes (key attributes mapped to columns).
Identifiers are quoted with backticks, as in Hive.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import pool, types as sqltypes
from sqlalchemy.engine import default, reflection as sa_reflection
from sqlalchemy.exc import NoSuchTableError
from sqlalchemy.sql import compiler

from ..dbapi import reflection
from ..types import parse_hive_type

#: connect() arguments that are flags, and the words that turn them on
_FLAGS = ("local", "allow_shell", "allow_local_files")
_TRUE = ("1", "true", "yes", "on")
_TEXT = ("region", "profile", "endpoint_url", "s3_endpoint_url", "metastore", "warehouse", "database")


def connect_arguments(query: dict[str, str | tuple[str, ...]], database: str | None = None) -> dict[str, Any]:
    """:func:`ddbsql.connect` keyword arguments from a URL's query parameters."""
    kwargs: dict[str, Any] = {}
    hiveconf: dict[str, str] = {}
    hivevar: dict[str, str] = {}
    for key, value in query.items():
        if isinstance(value, tuple):
            value = value[-1]
        if key in _FLAGS:
            kwargs[key] = value.lower() in _TRUE
        elif key in _TEXT:
            kwargs[key] = value
        elif key.startswith("hiveconf."):
            hiveconf[key[len("hiveconf."):]] = value
        elif key.startswith("hivevar."):
            hivevar[key[len("hivevar."):]] = value
        else:
            raise ValueError(f"unknown ddbsql URL parameter {key!r} (connect() takes {', '.join(_TEXT + _FLAGS)}, "
                             "hiveconf.KEY and hivevar.KEY)")
    if database:
        kwargs["database"] = database
    if hiveconf:
        kwargs["hiveconf"] = hiveconf
    if hivevar:
        kwargs["hivevar"] = hivevar
    return kwargs


class HiveIdentifierPreparer(compiler.IdentifierPreparer):
    def __init__(self, dialect):
        super().__init__(dialect, initial_quote="`", escape_quote="`")


class HiveTypeCompiler(compiler.GenericTypeCompiler):
    """Hive type names for DDL (``CREATE TABLE`` of a local table)."""

    def visit_VARCHAR(self, type_, **kw):
        return "STRING"

    visit_NVARCHAR = visit_CHAR = visit_NCHAR = visit_TEXT = visit_CLOB = visit_UUID = visit_VARCHAR

    def visit_string(self, type_, **kw):
        return "STRING"

    def visit_FLOAT(self, type_, **kw):
        return "DOUBLE"

    def visit_REAL(self, type_, **kw):
        return "FLOAT"

    def visit_DOUBLE(self, type_, **kw):
        return "DOUBLE"

    visit_DOUBLE_PRECISION = visit_DOUBLE

    def visit_INTEGER(self, type_, **kw):
        return "INT"

    def visit_DATETIME(self, type_, **kw):
        return "TIMESTAMP"

    def visit_TIMESTAMP(self, type_, **kw):
        return "TIMESTAMP"

    def visit_BLOB(self, type_, **kw):
        return "BINARY"

    visit_BINARY = visit_VARBINARY = visit_BLOB

    def visit_NUMERIC(self, type_, **kw):
        if type_.precision is None:
            return "DECIMAL(38,10)"
        return f"DECIMAL({type_.precision},{type_.scale or 0})"

    visit_DECIMAL = visit_NUMERIC

    def visit_JSON(self, type_, **kw):
        return "STRING"


class HiveDDLCompiler(compiler.DDLCompiler):
    """Hive's ``CREATE TABLE`` has columns and types only: no constraints, defaults or NOT NULL."""

    def get_column_specification(self, column, **kw):
        return f"{self.preparer.format_column(column)} {self.dialect.type_compiler_instance.process(column.type)}"

    def visit_primary_key_constraint(self, constraint, **kw):
        return ""

    def visit_foreign_key_constraint(self, constraint, **kw):
        return ""

    def visit_unique_constraint(self, constraint, **kw):
        return ""

    def visit_check_constraint(self, constraint, **kw):
        return ""

    def create_table_constraints(self, table, **kw):
        return ""


_TYPES = {
    "string": sqltypes.String, "varchar": sqltypes.String, "char": sqltypes.String,
    "tinyint": sqltypes.SmallInteger, "smallint": sqltypes.SmallInteger, "int": sqltypes.Integer,
    "bigint": sqltypes.BigInteger, "float": sqltypes.Float, "double": sqltypes.Double,
    "boolean": sqltypes.Boolean, "binary": sqltypes.LargeBinary, "timestamp": sqltypes.DateTime,
    "date": sqltypes.Date,
}


def sqlalchemy_type(hive: str) -> sqltypes.TypeEngine:
    """The SQLAlchemy type of a Hive type name; arrays, maps and structs are NullType."""
    parsed = parse_hive_type(hive)
    if parsed.name == "decimal":
        return sqltypes.Numeric(parsed.params[0], parsed.params[1])
    kind = _TYPES.get(parsed.name)
    return kind() if kind is not None else sqltypes.NullType()


class DdbsqlDialect(default.DefaultDialect):
    name = "ddbsql"
    driver = "ddbsql"
    supports_statement_cache = True
    paramstyle = "qmark"
    default_paramstyle = "qmark"
    supports_native_boolean = True
    supports_native_decimal = True
    supports_alter = False
    supports_sequences = False
    supports_default_values = False
    supports_empty_insert = False
    supports_multivalues_insert = True
    supports_comments = True
    supports_schemas = True
    supports_sane_rowcount = True
    supports_sane_multi_rowcount = True
    postfetch_lastrowid = False
    insert_returning = update_returning = delete_returning = False
    use_insertmanyvalues = False
    requires_name_normalize = False
    preparer = HiveIdentifierPreparer
    type_compiler_cls = HiveTypeCompiler
    ddl_compiler = HiveDDLCompiler

    @classmethod
    def import_dbapi(cls):
        import ddbsql
        return ddbsql

    @classmethod
    def get_pool_class(cls, url):
        # local=true starts a DynamoDB endpoint per connection: one connection keeps one set of data
        if str(url.query.get("local", "")).lower() in _TRUE:
            return pool.StaticPool
        return pool.QueuePool

    def create_connect_args(self, url):
        return [], connect_arguments(dict(url.query), url.database)

    # no transactions
    def do_begin(self, dbapi_connection):
        pass

    def do_commit(self, dbapi_connection):
        pass

    def do_rollback(self, dbapi_connection):
        pass

    def get_isolation_level(self, dbapi_connection):
        return "AUTOCOMMIT"

    def get_default_isolation_level(self, dbapi_conn):
        return "AUTOCOMMIT"

    def get_isolation_level_values(self, dbapi_conn):
        return ["AUTOCOMMIT"]

    def set_isolation_level(self, dbapi_connection, level):
        if level != "AUTOCOMMIT":
            raise NotImplementedError("ddbsql has no transactions: every statement is applied as it runs")

    def _get_server_version_info(self, connection):
        import ddbsql
        return tuple(int(p) for p in ddbsql.__version__.split(".")[:3] if p.isdigit())

    def _get_default_schema_name(self, connection):
        return reflection.current_database(_dbapi(connection))

    # reflection
    def has_table(self, connection, table_name, schema=None, **kw):
        return reflection.table(_dbapi(connection), table_name, schema) is not None

    @sa_reflection.cache
    def get_schema_names(self, connection, **kw):
        return reflection.databases(_dbapi(connection))

    @sa_reflection.cache
    def get_table_names(self, connection, schema=None, **kw):
        return reflection.tables(_dbapi(connection), schema)

    def get_view_names(self, connection, schema=None, **kw):
        return []

    @sa_reflection.cache
    def get_columns(self, connection, table_name, schema=None, **kw):
        self._require(connection, table_name, schema)
        return [{"name": c.name, "type": sqlalchemy_type(c.type), "nullable": True, "default": None,
                 "comment": c.comment}
                for c in reflection.columns(_dbapi(connection), table_name, schema)]

    @sa_reflection.cache
    def get_pk_constraint(self, connection, table_name, schema=None, **kw):
        self._require(connection, table_name, schema)
        columns = reflection.primary_key(_dbapi(connection), table_name, schema)
        return {"constrained_columns": list(columns), "name": None}

    def get_foreign_keys(self, connection, table_name, schema=None, **kw):
        self._require(connection, table_name, schema)
        return []

    @sa_reflection.cache
    def get_indexes(self, connection, table_name, schema=None, **kw):
        self._require(connection, table_name, schema)
        return [{"name": index.name, "column_names": list(index.columns), "unique": False,
                 "dialect_options": {"ddbsql_kind": index.kind}}
                for index in reflection.indexes(_dbapi(connection), table_name, schema)]

    def get_unique_constraints(self, connection, table_name, schema=None, **kw):
        self._require(connection, table_name, schema)
        return []

    def get_check_constraints(self, connection, table_name, schema=None, **kw):
        self._require(connection, table_name, schema)
        return []

    def get_table_comment(self, connection, table_name, schema=None, **kw):
        definition = self._require(connection, table_name, schema)
        return {"text": definition.comment}

    def _require(self, connection, table_name, schema):
        definition = reflection.table(_dbapi(connection), table_name, schema)
        if definition is None:
            raise NoSuchTableError(f"{schema}.{table_name}" if schema else table_name)
        return definition


def _dbapi(connection):
    """The ddbsql DB-API connection under a SQLAlchemy connection."""
    return connection.connection.dbapi_connection
