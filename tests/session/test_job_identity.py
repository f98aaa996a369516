"""A write job's id: the same statement and shaping settings give the same id in any process."""
from __future__ import annotations

import types

from sqlglot import exp

from ddbsql.config import Settings
from ddbsql.session.writing.job_runs import job_id, statement_identity
from ddbsql.sql.parameters import as_mapping, bind_parameters, number_qmarks
from ddbsql.sql.statements import parse_statement


def session(**settings):
    return types.SimpleNamespace(database="default", settings=Settings(settings))


def ident(text: str, params=None, **settings) -> str:
    tree = parse_statement(number_qmarks(text) if params else text).tree
    if params:
        tree = bind_parameters(tree, as_mapping(params))
    return job_id(session(**settings), text, ["default.t"], statement_identity(tree))


def test_whitespace_does_not_matter_but_the_statement_and_write_mode_do():
    a = ident("INSERT INTO TABLE t SELECT id FROM s")
    assert a == ident("INSERT  INTO TABLE t\n  SELECT id FROM s")
    assert a != ident("INSERT INTO TABLE t SELECT id FROM s WHERE id > 'a'")
    assert a != ident("INSERT INTO TABLE t SELECT id FROM s", **{"ddbsql.write.mode": "insert-if-absent"})
    assert a == ident("INSERT INTO TABLE t SELECT id FROM s", **{"dynamodb.throughput.write.percent": "1.0"})


def test_parameters_are_part_of_the_identity():
    text = "INSERT INTO TABLE t SELECT id FROM s WHERE id = ?"
    assert ident(text, ["a"]) != ident(text, ["b"])
    assert ident(text, ["a"]) == ident(text, ["a"])
    assert isinstance(parse_statement("INSERT INTO TABLE t SELECT 1").tree, exp.Insert)
