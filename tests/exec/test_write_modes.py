"""One write-mode resolution for SQL's INSERT and the Spark data source."""
from __future__ import annotations

import pytest

from ddbsql.catalog.model import Column, TableDef
from ddbsql.config import Settings
from ddbsql.errors import ConfigError, SemanticError
from ddbsql.exec.write_modes import resolve_write_mode
from ddbsql.exec.writer import DELETE, INSERT_IF_ABSENT, NEWER_WINS, PUT
from ddbsql.types import parse_hive_type

TABLE = TableDef("default", "t", (Column("id", parse_hive_type("string")), Column("v", parse_hive_type("bigint"))),
                 "dynamodb", {"dynamodb.table.name": "Things"})


def _get(**values):
    settings = Settings()
    for key, value in values.items():
        settings.set(key.replace("_", "."), value)
    return settings.get


def test_modes_resolve_from_settings():
    assert resolve_write_mode(_get(), TABLE, False)[0].kind == PUT
    assert resolve_write_mode(_get(ddbsql_write_mode="insert-if-absent"), TABLE, False)[0].kind == INSERT_IF_ABSENT
    mode, replace = resolve_write_mode(_get(ddbsql_write_mode="newer-wins", ddbsql_write_version_column="v"),
                                       TABLE, False)
    assert (mode.kind, mode.version_attribute, replace) == (NEWER_WINS, "v", False)
    assert resolve_write_mode(_get(ddbsql_write_mode="replace"), TABLE, True) == (resolve_write_mode(
        _get(), TABLE, True)[0], True)
    assert resolve_write_mode(_get(ddbsql_write_mode="replace"), TABLE, False)[1] is False
    assert resolve_write_mode(_get(dynamodb_deletion_mode="true"), TABLE, True)[0].kind == DELETE


def test_deletion_mode_refuses_another_mode():
    with pytest.raises(ConfigError, match="cannot be combined with ddbsql.write.mode=insert-if-absent"):
        resolve_write_mode(_get(dynamodb_deletion_mode="true", ddbsql_write_mode="insert-if-absent"), TABLE, False)


def test_newer_wins_needs_a_version_column_of_the_table():
    with pytest.raises(ConfigError, match="needs ddbsql.write.version.column"):
        resolve_write_mode(_get(ddbsql_write_mode="newer-wins"), TABLE, False)
    with pytest.raises(SemanticError, match="'nope' is not a column of default.t"):
        resolve_write_mode(_get(ddbsql_write_mode="newer-wins", ddbsql_write_version_column="nope"), TABLE, False)


def test_spark_resolves_modes_as_sql_does():
    source = pytest.importorskip("ddbsql.spark.source")
    from ddbsql.spark.options import resolve

    base = {"columns": "id string, v bigint", "dynamodb.table.name": "Things"}
    with pytest.raises(ConfigError, match="cannot be combined"):
        source.write_mode(resolve({**base, "dynamodb.deletion.mode": "true",
                                   "ddbsql.write.mode": "insert-if-absent"}), False)
    assert source.write_mode(resolve({**base, "dynamodb.deletion.mode": "true"}), False).kind == DELETE
    with pytest.raises(ConfigError, match="replace is not supported through Spark"):
        source.write_mode(resolve({**base, "ddbsql.write.mode": "replace"}), True)
    assert source.write_mode(resolve({**base, "ddbsql.write.mode": "replace"}), False).kind == PUT
