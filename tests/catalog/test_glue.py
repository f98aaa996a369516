"""The Glue store on moto's Glue: file tables with partitions, names, errors, and TableInput's shape."""
from __future__ import annotations

import uuid

import boto3
import pytest

from ddbsql.catalog.glue import GlueMetastore, table_from_glue, table_input, wants_glue
from ddbsql.catalog.model import Column, FileStorage, Partition, TableDef, TableKind
from ddbsql.catalog.store import Metastore
from ddbsql.errors import CatalogError
from ddbsql.types import parse_hive_type


@pytest.fixture
def store(moto_backend, tmp_path):
    client = boto3.client("glue", endpoint_url=moto_backend.url, region_name="us-east-1")
    glue = GlueMetastore(client, Metastore(tmp_path / "metastore.db"), region="us-east-1")
    name = f"db_{uuid.uuid4().hex[:10]}"
    glue.create_database(name)
    yield glue, client, name
    glue.close()


def test_setting_or_option_choose_glue():
    assert wants_glue("glue", None) and wants_glue("GLUE", None)
    assert wants_glue("/x/metastore.db", "com.amazonaws.glue.catalog.metastore.AWSGlueDataCatalogHiveClientFactory")
    assert not wants_glue("/x/metastore.db", None) and not wants_glue(None, "org.other.Factory")


def test_partitioned_file_table_round_trip(store):
    glue, client, database = store
    columns = (Column("id", parse_hive_type("int")), Column("dt", parse_hive_type("string")))
    storage = FileStorage("s3://bucket/events", "parquet", None, {}, ("dt",),
                          (Partition(("2024-01-01",)), Partition((None,)), Partition(("x",), "s3://bucket/elsewhere")))
    glue.put(TableDef(database, "events", columns, TableKind.FILE, {"k": "v"}, True, "events", 1.0, storage))
    stored = client.get_table(DatabaseName=database, Name="events")["Table"]
    assert stored["StorageDescriptor"]["SerdeInfo"]["SerializationLibrary"] == \
        "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"
    assert stored["PartitionKeys"] == [{"Name": "dt", "Type": "string"}]
    locations = {tuple(p["Values"]): p["StorageDescriptor"]["Location"]
                 for p in client.get_partitions(DatabaseName=database, TableName="events")["Partitions"]}
    assert locations == {("2024-01-01",): "s3://bucket/events/dt=2024-01-01",
                         ("__HIVE_DEFAULT_PARTITION__",): "s3://bucket/events/dt=__HIVE_DEFAULT_PARTITION__",
                         ("x",): "s3://bucket/elsewhere"}
    back = glue.get(database, "events")
    assert back.kind is TableKind.FILE and back.storage.format == "parquet"
    assert sorted(back.storage.partitions, key=str) == sorted(storage.partitions, key=str)
    assert back.properties == {"k": "v"} and back.comment == "events"
    # a partition dropped from the definition is dropped from Glue
    fewer = TableDef(**{**back.__dict__, "storage": FileStorage(**{**back.storage.__dict__,
                                                                  "partitions": back.storage.partitions[:1]})})
    glue.put(fewer, replace=True)
    assert len(client.get_partitions(DatabaseName=database, TableName="events")["Partitions"]) == 1
    assert glue.remove(database, "events") and glue.get(database, "events") is None


def test_local_tables_stay_in_the_local_file(store):
    glue, client, database = store
    local = TableDef(database, "scratch", (Column("n", parse_hive_type("int")),), TableKind.WAREHOUSE, {}, False)
    glue.put(local)
    assert client.get_tables(DatabaseName=database)["TableList"] == []
    assert glue.tables(database) == ["scratch"] and glue.get(database, "scratch").kind is TableKind.WAREHOUSE
    with pytest.raises(CatalogError, match="already exists"):
        glue.put(TableDef(database, "scratch", local.columns, TableKind.DYNAMODB, {}, True))
    with pytest.raises(CatalogError, match="not empty"):
        glue.drop_database(database)
    assert [t.name for t in glue.drop_database(database, cascade=True)] == ["scratch"]
    assert database not in glue.databases()


def test_glue_refusals_are_one_line(store, monkeypatch):
    glue, client, database = store
    with pytest.raises(CatalogError) as raised:
        GlueMetastore(boto3.client("glue", endpoint_url="http://127.0.0.1:9", region_name="us-east-1"),
                      glue.local, region="us-east-1").databases()
    assert raised.value.message.startswith("Glue GetDatabases failed in region us-east-1:")
    assert "\n" not in str(raised.value)


def test_table_input_is_emr_shaped_for_dynamodb_tables():
    table = TableDef("db", "orders", (Column("orderid", parse_hive_type("string"), None, "OrderId"),
                                      Column("item", parse_hive_type("map<string,string>"))),
                     TableKind.DYNAMODB, {"dynamodb.table.name": "Orders"}, True, None, 1700000000.0)
    data = table_input(table)
    assert data["TableType"] == "EXTERNAL_TABLE"
    assert data["Parameters"] == {"dynamodb.table.name": "Orders", "EXTERNAL": "TRUE",
                                  "transient_lastDdlTime": "1700000000",
                                  "storage_handler": "org.apache.hadoop.hive.dynamodb.DynamoDBStorageHandler",
                                  "dynamodb.column.mapping": "orderid:OrderId"}
    back = table_from_glue("db", {**data, "Name": "orders"})
    assert back.kind is TableKind.DYNAMODB and [c.name for c in back.columns] == ["orderid", "item"]
    assert back.properties == {"dynamodb.table.name": "Orders", "dynamodb.column.mapping": "orderid:OrderId"}
