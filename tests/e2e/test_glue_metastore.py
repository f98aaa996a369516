"""The Glue Data Catalog as the metastore, on moto's Glue (served with DynamoDB and S3 on one port)."""
from __future__ import annotations

import subprocess
import sys
import uuid

import boto3
import pytest

import ddbsql
from support.ddb_env import Env, open_connection

GLUE_FACTORY = "com.amazonaws.glue.catalog.metastore.AWSGlueDataCatalogHiveClientFactory"
HANDLER = "org.apache.hadoop.hive.dynamodb.DynamoDBStorageHandler"


@pytest.fixture
def glue(moto_backend, monkeypatch):
    """A Glue client on moto; ddbsql finds the same endpoint through AWS_ENDPOINT_URL_GLUE."""
    monkeypatch.setenv("AWS_ENDPOINT_URL_GLUE", moto_backend.url)
    return boto3.client("glue", endpoint_url=moto_backend.url, region_name="us-east-1")


@pytest.fixture
def database(glue):
    name = f"emr_{uuid.uuid4().hex[:10]}"
    glue.create_database(DatabaseInput={"Name": name})
    return name


@pytest.fixture
def glue_env(moto_backend, glue, tmp_path):
    conn = open_connection(moto_backend, tmp_path, hiveconf={"hive.metastore.client.factory.class": GLUE_FACTORY})
    yield Env(moto_backend, conn, tmp_path)
    conn.close()


def _emr_table(glue, database: str, name: str, ddb_table: str, **parameters) -> None:
    """A DynamoDB-handler table as EMR's Hive stores it in Glue."""
    glue.create_table(DatabaseName=database, TableInput={
        "Name": name, "TableType": "EXTERNAL_TABLE", "Owner": "hadoop",
        "Parameters": {"EXTERNAL": "TRUE", "storage_handler": HANDLER, "dynamodb.table.name": ddb_table,
                       "dynamodb.column.mapping": "order_id:OrderId,customer:Customer,total:Total",
                       "transient_lastDdlTime": "1700000000", **parameters},
        "StorageDescriptor": {
            "Columns": [{"Name": "order_id", "Type": "string"}, {"Name": "customer", "Type": "string"},
                        {"Name": "total", "Type": "decimal(10,2)"}],
            "Location": f"hdfs://ip-10-0-0-1.ec2.internal:8020/user/hive/warehouse/{database}.db/{name}",
            "SerdeInfo": {"SerializationLibrary": "org.apache.hadoop.hive.dynamodb.DynamoDBSerDe",
                          "Parameters": {"serialization.format": "1"}},
            "Compressed": False, "NumberOfBuckets": -1, "StoredAsSubDirectories": False}})


def test_emr_table_in_glue_is_queried_with_the_emr_setting(glue_env, glue, database, unique_table_name):
    ddb = unique_table_name("orders")
    glue_env.create_ddb_table(ddb, hash_key=("OrderId", "S"))
    glue_env.put_items(ddb, [{"OrderId": {"S": f"o{i}"}, "Customer": {"S": f"c{i % 3}"}, "Total": {"N": f"{i}.25"}}
                             for i in range(12)])
    _emr_table(glue, database, "orders", ddb)
    assert (database,) in glue_env.rows("SHOW DATABASES")
    assert glue_env.rows(f"SHOW TABLES IN {database}") == [("orders",)]
    rows = glue_env.rows(f"SELECT customer, count(*), sum(total) FROM {database}.orders GROUP BY customer "
                         "ORDER BY customer")
    assert [(c, n, str(s)) for c, n, s in rows] == [("c0", 4, "19.00"), ("c1", 4, "23.00"), ("c2", 4, "27.00")]
    assert glue_env.rows(f"SELECT total FROM {database}.orders WHERE order_id = 'o5'")[0][0] == \
        pytest.approx(5.25)


def test_tables_created_altered_and_dropped_through_ddbsql_land_in_glue(glue_env, glue, database,
                                                                          unique_table_name):
    ddb = unique_table_name("made")
    glue_env.create_ddb_table(ddb, hash_key=("OrderId", "S"))
    glue_env.run(f"""CREATE EXTERNAL TABLE {database}.made (OrderId string, total double)
                     STORED BY '{HANDLER}' TBLPROPERTIES ("dynamodb.table.name" = "{ddb}")""")
    table = glue.get_table(DatabaseName=database, Name="made")["Table"]
    params = table["Parameters"]
    assert params["storage_handler"] == HANDLER and params["EXTERNAL"] == "TRUE"
    assert params["dynamodb.table.name"] == ddb
    # the attribute spelling is kept where EMR also reads it: in the column mapping
    assert params["dynamodb.column.mapping"] == "orderid:OrderId"
    assert table["TableType"] == "EXTERNAL_TABLE"
    assert table["StorageDescriptor"]["SerdeInfo"]["SerializationLibrary"] == \
        "org.apache.hadoop.hive.dynamodb.DynamoDBSerDe"
    assert [(c["Name"], c["Type"]) for c in table["StorageDescriptor"]["Columns"]] == \
        [("orderid", "string"), ("total", "double")]
    glue_env.run(f"INSERT INTO {database}.made VALUES ('x', 1.5)")
    assert glue_env.scan_items(ddb) == [{"OrderId": {"S": "x"}, "total": {"N": "1.5"}}]
    glue_env.run(f"ALTER TABLE {database}.made SET TBLPROPERTIES ('dynamodb.throughput.write.percent'='0.9')")
    assert glue.get_table(DatabaseName=database, Name="made")["Table"]["Parameters"][
        "dynamodb.throughput.write.percent"] == "0.9"
    # a local table lives in the local warehouse, beside the Glue tables of its database
    glue_env.run(f"CREATE TABLE {database}.scratch AS SELECT 1 AS n")
    assert glue_env.rows(f"SHOW TABLES IN {database}") == [("made",), ("scratch",)]
    assert [t["Name"] for t in glue.get_tables(DatabaseName=database)["TableList"]] == ["made"]
    glue_env.run(f"DROP TABLE {database}.made")
    assert glue.get_tables(DatabaseName=database)["TableList"] == []
    # a database made through ddbsql is Glue's
    name = f"made_{uuid.uuid4().hex[:8]}"
    glue_env.run(f"CREATE DATABASE {name}")
    assert glue.get_database(Name=name)["Database"]["Name"] == name
    glue_env.run(f"DROP DATABASE {name}")
    assert name not in [d["Name"] for d in glue.get_databases()["DatabaseList"]]


def test_glue_round_trip_ddbsql_table_read_back_as_emr_would(glue_env, glue, database, unique_table_name, tmp_path,
                                                              moto_backend):
    """A table ddbsql wrote to Glue reads the same from a second, fresh ddbsql (any Glue reader)."""
    ddb = unique_table_name("round")
    glue_env.create_ddb_table(ddb, hash_key=("Key", "S"))
    glue_env.put_items(ddb, [{"Key": {"S": "a"}, "Tags": {"SS": ["x", "y"]}}])
    glue_env.run(f"""CREATE EXTERNAL TABLE {database}.round (Key string, tags array<string>, item map<string,string>)
                     STORED BY '{HANDLER}' TBLPROPERTIES ("dynamodb.table.name" = "{ddb}",
                     "dynamodb.column.mapping" = "tags:Tags", "dynamodb.type.mapping" = "tags:SS")""")
    other = open_connection(moto_backend, tmp_path / "other", hiveconf={
        "hive.metastore.client.factory.class": GLUE_FACTORY})
    try:
        rows = Env(moto_backend, other, tmp_path).rows(f"SELECT key, tags, item['Tags'] FROM {database}.round")
    finally:
        other.close()
    assert rows == [("a", ["x", "y"], '{"sS":["x","y"]}')]


def test_s3_file_table_stored_by_emr_in_glue(glue_env, glue, database, moto_backend):
    s3 = boto3.client("s3", endpoint_url=moto_backend.url, region_name="us-east-1")
    bucket = f"b-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="sales/dt=2024-01-01/000000_0", Body=b"1,alice,5\n2,bob,7\n")
    s3.put_object(Bucket=bucket, Key="sales/dt=2024-01-02/000000_0", Body=b"3,carol,9\n")
    sd = {"Columns": [{"Name": "id", "Type": "int"}, {"Name": "name", "Type": "string"},
                      {"Name": "amount", "Type": "int"}],
          "Location": f"s3://{bucket}/sales", "InputFormat": "org.apache.hadoop.mapred.TextInputFormat",
          "OutputFormat": "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
          "SerdeInfo": {"SerializationLibrary": "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe",
                        "Parameters": {"field.delim": ",", "serialization.format": ","}}}
    glue.create_table(DatabaseName=database, TableInput={
        "Name": "sales", "TableType": "EXTERNAL_TABLE", "Parameters": {"EXTERNAL": "TRUE"},
        "StorageDescriptor": sd, "PartitionKeys": [{"Name": "dt", "Type": "string"}]})
    for day in ("2024-01-01", "2024-01-02"):
        glue.create_partition(DatabaseName=database, TableName="sales", PartitionInput={
            "Values": [day], "StorageDescriptor": {**sd, "Location": f"s3://{bucket}/sales/dt={day}"}})
    assert glue_env.rows(f"SELECT dt, sum(amount) FROM {database}.sales GROUP BY dt ORDER BY dt") == \
        [("2024-01-01", 12), ("2024-01-02", 9)]


def test_unknown_storage_handler_or_parameter_is_one_clear_line(glue_env, glue, database, unique_table_name):
    _emr_table(glue, database, "odd", "whatever", **{"dynamodb.secret.feature": "1"})
    with pytest.raises(ddbsql.DatabaseError) as raised:
        glue_env.rows(f"SELECT * FROM {database}.odd")
    assert f"Glue table {database}.odd: parameter 'dynamodb.secret.feature'" in str(raised.value)
    glue.create_table(DatabaseName=database, TableInput={
        "Name": "hbase", "TableType": "EXTERNAL_TABLE",
        "Parameters": {"storage_handler": "org.apache.hadoop.hive.hbase.HBaseStorageHandler"},
        "StorageDescriptor": {"Columns": [{"Name": "k", "Type": "string"}]}})
    with pytest.raises(ddbsql.DatabaseError) as raised:
        glue_env.rows(f"SELECT * FROM {database}.hbase")
    message = str(raised.value)
    assert "storage_handler='org.apache.hadoop.hive.hbase.HBaseStorageHandler'" in message and "\n" not in message


def test_command_line_metastore_glue(glue, database, moto_backend, tmp_path, unique_table_name):
    ddb = unique_table_name("cli")
    client = moto_backend.client()
    client.create_table(TableName=ddb, KeySchema=[{"AttributeName": "OrderId", "KeyType": "HASH"}],
                        AttributeDefinitions=[{"AttributeName": "OrderId", "AttributeType": "S"}],
                        BillingMode="PAY_PER_REQUEST")
    client.put_item(TableName=ddb, Item={"OrderId": {"S": "o1"}, "Customer": {"S": "c1"}, "Total": {"N": "2"}})
    _emr_table(glue, database, "orders", ddb)
    for option in (["--metastore", "glue"], ["-hiveconf", f"hive.metastore.client.factory.class={GLUE_FACTORY}"]):
        done = subprocess.run([sys.executable, "-m", "ddbsql", "--endpoint-url", moto_backend.url, "--region",
                               "us-east-1", *option, "-e", f"SELECT customer, total FROM {database}.orders"],
                              capture_output=True, text=True, timeout=120,
                              env={**__import__("os").environ, "DDBSQL_HOME": str(tmp_path)})
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip() == "c1\t2.00", option
