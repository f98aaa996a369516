import pytest
from sqlglot import exp

from ddbsql.errors import ParseError
from ddbsql.sql.statements import (AnalyzeTable, ResourceCommand, SetCommand, ShellCommand, ShowCreateTable,
                                   ShowDatabases, ShowTables, ShowTblProperties, SourceCommand, SqlStatement,
                                   TableName, parse_statement)


@pytest.mark.parametrize("text, expected", [
    ("SET", SetCommand()),
    ("set -v", SetCommand(verbose=True)),
    ("set hivevar:ttl = 31536000", SetCommand("hivevar:ttl", "31536000")),
    ("SET dynamodb.throughput.write.percent = 0.5", SetCommand("dynamodb.throughput.write.percent", "0.5")),
    ("SET a=b=c", SetCommand("a", "b=c")),
    ("SET hive.cli.print.header", SetCommand("hive.cli.print.header")),
    ('!echo "hi there"', ShellCommand('echo "hi there"')),
    ("!echo", ShellCommand("echo")),
    ("source /tmp/x.sql", SourceCommand("/tmp/x.sql")),
    ("ADD JAR s3://bucket/udf.jar", ResourceCommand("ADD JAR s3://bucket/udf.jar")),
    ("show tables", ShowTables()),
    ("SHOW TABLES IN sales LIKE 'ord*'", ShowTables("sales", "ord*")),
    ("show databases", ShowDatabases()),
    ("SHOW CREATE TABLE sales.orders", ShowCreateTable(TableName("orders", "sales"))),
    ("SHOW TBLPROPERTIES t('dynamodb.table.name')", ShowTblProperties(TableName("t"), "dynamodb.table.name")),
    ('SHOW TBLPROPERTIES t("dynamodb.table.name")', ShowTblProperties(TableName("t"), "dynamodb.table.name")),
    ("ANALYZE TABLE db.t COMPUTE STATISTICS", AnalyzeTable(TableName("t", "db"))),
    ("analyze table t partition (d='x') compute statistics noscan", AnalyzeTable(TableName("t"), True)),
    ("ANALYZE TABLE t COMPUTE STATISTICS FOR COLUMNS a, b", AnalyzeTable(TableName("t"))),
])
def test_commands(text, expected):
    assert parse_statement(text) == expected


def test_sql_statements_are_parsed_by_sqlglot():
    statement = parse_statement("FROM a INSERT INTO b SELECT * INSERT INTO c SELECT *")
    assert isinstance(statement, SqlStatement)
    assert isinstance(statement.tree, exp.MultitableInserts)


def test_parse_error_has_line_and_column():
    with pytest.raises(ParseError) as info:
        parse_statement("SELECT a,\n  b FROM t WHERE (")
    assert info.value.line == 2
    assert info.value.col is not None


def test_unsupported_command_is_a_parse_error():
    with pytest.raises(ParseError, match="unsupported statement"):
        parse_statement("SHOW LOCKS")
