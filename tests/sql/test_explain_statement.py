"""EXPLAIN is recognised before sqlglot (which would make it an opaque Command)."""
import pytest

from ddbsql.errors import ParseError
from ddbsql.sql.statements import Explain, SqlStatement, parse_statement


def test_explain_wraps_the_parsed_query():
    statement = parse_statement("-- why\nEXPLAIN\n  SELECT a FROM t WHERE a = 1")
    assert isinstance(statement, Explain)
    assert isinstance(statement.statement, SqlStatement)
    assert statement.statement.tree.sql(dialect="hive") == "SELECT a FROM t WHERE a = 1"


def test_explain_extended_is_the_same():
    assert isinstance(parse_statement("explain extended select 1"), Explain)


def test_explain_analyze_is_flagged():
    statement = parse_statement("EXPLAIN ANALYZE SELECT a FROM t")
    assert isinstance(statement, Explain) and statement.analyze
    assert not parse_statement("EXPLAIN SELECT a FROM t").analyze


def test_other_explain_forms_are_refused_clearly():
    with pytest.raises(ParseError, match="EXPLAIN CBO is not supported"):
        parse_statement("EXPLAIN CBO SELECT 1")


def test_syntax_errors_in_the_explained_query_are_reported():
    with pytest.raises(ParseError):
        parse_statement("EXPLAIN SELECT FROM WHERE")
