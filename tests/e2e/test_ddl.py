"""Catalog statements against a real endpoint: CREATE checks DynamoDB, DESCRIBE/SHOW forms, persistence."""
from __future__ import annotations

import pytest

import ddbsql

from support.ddb_env import open_connection

pytestmark = pytest.mark.e2e

HANDLER = "'org.apache.hadoop.hive.dynamodb.DynamoDBStorageHandler'"


def create(env, name: str, table: str, extra: str = "") -> None:
    env.run(f"""CREATE EXTERNAL TABLE {name} (Customer string, day bigint, note string)
                STORED BY {HANDLER}
                TBLPROPERTIES ("dynamodb.table.name" = "{table}",
                               "dynamodb.column.mapping" = "Customer:Cust,day:Day,note:Note"{extra})""")


def test_create_requires_the_dynamodb_table(env, unique_table_name):
    with pytest.raises(ddbsql.ProgrammingError) as info:
        create(env, "t", unique_table_name)
    assert f"DynamoDB table '{unique_table_name}' does not exist in region us-east-1" in str(info.value)
    assert env.rows("SHOW TABLES") == []


def test_create_checks_key_types(env, unique_table_name):
    env.create_ddb_table(unique_table_name, ("Cust", "N"))
    with pytest.raises(ddbsql.ProgrammingError, match="column 'customer' is string but the hash key attribute 'Cust'"):
        create(env, "t", unique_table_name)


def test_unmapped_key_is_a_warning(env, unique_table_name):
    env.create_ddb_table(unique_table_name, ("Other", "S"))
    _, cursor = env.run(f"""CREATE EXTERNAL TABLE t (a string) STORED BY {HANDLER}
                            TBLPROPERTIES ("dynamodb.table.name" = "{unique_table_name}")""")
    assert any("hash key attribute 'Other'" in m and "rejected" in m for m in cursor.messages)


def test_bad_mappings_are_clear_errors(env, unique_table_name):
    env.create_ddb_table(unique_table_name, ("Cust", "S"))
    with pytest.raises(ddbsql.ProgrammingError, match="names column 'nope'"):
        create(env, "t", unique_table_name, ', "dynamodb.type.mapping" = "nope:SS"')
    with pytest.raises(ddbsql.ProgrammingError, match="can be stored as S or N"):
        env.run(f"""CREATE EXTERNAL TABLE t2 (Cust string, ts timestamp) STORED BY {HANDLER}
                    TBLPROPERTIES ("dynamodb.table.name" = "{unique_table_name}",
                                   "dynamodb.type.mapping" = "ts:BOOL")""")
    with pytest.raises(ddbsql.ProgrammingError, match=r"must be between 0.1 and 1.5"):
        create(env, "t3", unique_table_name, ', "dynamodb.throughput.read.percent" = "10"')


def test_describe_and_describe_formatted(env, unique_table_name):
    env.create_ddb_table(unique_table_name, ("Cust", "S"), ("Day", "N"))
    create(env, "t", unique_table_name)
    assert env.rows("DESCRIBE t") == [("customer", "string", "from deserializer"),
                                      ("day", "bigint", "from deserializer"),
                                      ("note", "string", "from deserializer")]
    formatted = env.rows("DESCRIBE FORMATTED t")
    flat = {(a.strip(), b.strip()) for a, b, _ in formatted}
    assert ("Table Type:", "EXTERNAL_TABLE") in flat
    assert ("Hash Key:", "Cust (S)") in flat and ("Range Key:", "Day (N)") in flat
    assert ("Billing Mode:", "PAY_PER_REQUEST") in flat
    assert ("", "dynamodb.table.name") in flat
    assert ("note", "Note") in flat                    # column mapping section


def test_show_create_table_recreates_the_table(env, unique_table_name):
    env.create_ddb_table(unique_table_name, ("Cust", "S"))
    create(env, "t", unique_table_name)
    ddl = "\n".join(r[0] for r in env.rows("SHOW CREATE TABLE t"))
    env.run("DROP TABLE t")
    env.run(ddl)
    assert env.rows("DESCRIBE t")[0] == ("customer", "string", "from deserializer")
    assert env.rows("SHOW TBLPROPERTIES t('dynamodb.table.name')") == [(unique_table_name,)]


def test_drop_external_table_keeps_the_data(env, unique_table_name):
    env.create_ddb_table(unique_table_name, ("Cust", "S"))
    env.put_items(unique_table_name, [{"Cust": {"S": "a"}}])
    create(env, "t", unique_table_name)
    env.run("DROP TABLE t")
    env.run("DROP TABLE IF EXISTS t")
    env.run("DROP TABLE never_existed")           # hive.exec.drop.ignorenonexistent=true, as in Hive
    assert len(env.scan_items(unique_table_name)) == 1


def test_databases_and_persistence(env, unique_table_name, tmp_path):
    env.create_ddb_table(unique_table_name, ("Cust", "S"))
    env.script(f"""
        CREATE DATABASE sales;
        CREATE DATABASE IF NOT EXISTS sales;
        USE sales;
        CREATE EXTERNAL TABLE orders (Customer string) STORED BY {HANDLER}
        TBLPROPERTIES ("dynamodb.table.name" = "{unique_table_name}", "dynamodb.column.mapping" = "Customer:Cust");
        CREATE TABLE staged AS SELECT 'x' AS k, 1 AS n;
    """)
    assert env.rows("SHOW DATABASES") == [("default",), ("dynamodb",), ("sales",)]
    assert env.rows("SHOW TABLES") == [("orders",), ("staged",)]
    assert env.rows("SHOW TABLES LIKE 'ord*|zzz'") == [("orders",)]
    env.conn.close()
    # a new process sees the same catalog and local tables
    again = open_connection(env.backend, env.tmp)
    try:
        cursor = again.cursor()
        cursor.execute("SELECT k, n FROM sales.staged")
        assert cursor.fetchall() == [("x", 1)]
        cursor.execute("ALTER TABLE sales.orders SET TBLPROPERTIES ('dynamodb.throughput.read.percent' = '0.25')")
        cursor.execute("SHOW TBLPROPERTIES sales.orders('dynamodb.throughput.read.percent')")
        assert cursor.fetchall() == [("0.25",)]
        # a value the setting would refuse is refused here too, and nothing changes
        with pytest.raises(ddbsql.ProgrammingError, match='"dynamodb.throughput.read.percent"="50": must be between'):
            cursor.execute("ALTER TABLE sales.orders SET TBLPROPERTIES ('dynamodb.throughput.read.percent' = '50')")
        cursor.execute('SHOW TBLPROPERTIES sales.orders("dynamodb.throughput.read.percent")')
        assert cursor.fetchall() == [("0.25",)]
        with pytest.raises(ddbsql.ProgrammingError, match="Database does not exist: nope"):
            cursor.execute("USE nope")
    finally:
        again.close()


def test_ddbsql_create_extension_makes_the_table(env, unique_table_name):
    env.run(f"""CREATE EXTERNAL TABLE t (id string, seq bigint, v string) STORED BY {HANDLER}
                TBLPROPERTIES ("dynamodb.table.name" = "{unique_table_name}", "ddbsql.create" = "true",
                               "ddbsql.hash.key" = "id", "ddbsql.range.key" = "seq")""")
    description = env.client().describe_table(TableName=unique_table_name)["Table"]
    assert {k["AttributeName"]: k["KeyType"] for k in description["KeySchema"]} == {"id": "HASH", "seq": "RANGE"}
    assert {a["AttributeName"]: a["AttributeType"] for a in description["AttributeDefinitions"]} == \
        {"id": "S", "seq": "N"}
