import pytest
from sqlglot import exp

from ddbsql.errors import ParseError
from ddbsql.sql import statements as st


@pytest.mark.parametrize("text, expected", [
    ("SET", st.SetCommand()),
    ("set -v", st.SetCommand(verbose=True)),
    ("set hivevar:ttl = 31536000", st.SetCommand("hivevar:ttl", "31536000")),
    ("SET dynamodb.throughput.write.percent = 0.5", st.SetCommand("dynamodb.throughput.write.percent", "0.5")),
    ("SET a=b=c", st.SetCommand("a", "b=c")),
    ("SET hive.cli.print.header", st.SetCommand("hive.cli.print.header")),
    ('!echo "hi there"', st.ShellCommand('echo "hi there"')),
    ("!echo", st.ShellCommand("echo")),
    ("source /tmp/x.sql", st.SourceCommand("/tmp/x.sql")),
    ("ADD JAR s3://bucket/udf.jar", st.ResourceCommand("ADD JAR s3://bucket/udf.jar")),
    ("show tables", st.ShowTables()),
    ("SHOW TABLES IN sales LIKE 'ord*'", st.ShowTables("sales", "ord*")),
    ("show databases", st.ShowDatabases()),
    ("SHOW CREATE TABLE sales.orders", st.ShowCreateTable(st.TableName("orders", "sales"))),
    ("SHOW TBLPROPERTIES t('dynamodb.table.name')", st.ShowTblProperties(st.TableName("t"), "dynamodb.table.name")),
    ('SHOW TBLPROPERTIES t("dynamodb.table.name")', st.ShowTblProperties(st.TableName("t"), "dynamodb.table.name")),
    ("ANALYZE TABLE db.t COMPUTE STATISTICS", st.AnalyzeTable(st.TableName("t", "db"))),
    ("analyze table t partition (d='x') compute statistics noscan", st.AnalyzeTable(st.TableName("t"), True)),
    ("ANALYZE TABLE t COMPUTE STATISTICS FOR COLUMNS a, b", st.AnalyzeTable(st.TableName("t"))),
])
def test_commands(text, expected):
    assert st.parse_statement(text) == expected


def test_sql_statements_are_parsed_by_sqlglot():
    statement = st.parse_statement("FROM a INSERT INTO b SELECT * INSERT INTO c SELECT *")
    assert isinstance(statement, st.SqlStatement)
    assert isinstance(statement.tree, exp.MultitableInserts)


def test_parse_error_has_line_and_column():
    with pytest.raises(ParseError) as info:
        st.parse_statement("SELECT a,\n  b FROM t WHERE (")
    assert info.value.line == 2
    assert info.value.col is not None


def test_unsupported_command_is_a_parse_error():
    with pytest.raises(ParseError, match="unsupported statement"):
        st.parse_statement("SHOW LOCKS")
