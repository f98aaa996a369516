"""The ``ddbsql://`` SQLAlchemy dialect against moto's DynamoDB over HTTP: URL parameters,
reflection from the catalog and DescribeTable, pandas in and out, no transactions,
compiled SQL that ddbsql parses, and JupySQL's ``%sql``."""
from __future__ import annotations

import decimal
import sys
import warnings
from urllib.parse import quote

import pandas as pd
import pytest
import sqlalchemy as sa

from ddbsql.sqlalchemy import connect_arguments

pytestmark = pytest.mark.e2e

HANDLER = "'org.apache.hadoop.hive.dynamodb.DynamoDBStorageHandler'"


def test_url_parameters_are_connect_arguments():
    url = sa.engine.make_url("ddbsql:///sales?region=eu-west-1&profile=p&endpoint_url=http://h:1&local=true"
                             "&metastore=/m.db&hiveconf.dynamodb.throughput.write.percent=0.9&hivevar.day=1")
    assert connect_arguments(dict(url.query), url.database) == {
        "region": "eu-west-1", "profile": "p", "endpoint_url": "http://h:1", "local": True, "metastore": "/m.db",
        "database": "sales", "hiveconf": {"dynamodb.throughput.write.percent": "0.9"}, "hivevar": {"day": "1"}}
    with pytest.raises(ValueError, match="unknown ddbsql URL parameter 'regoin'"):
        connect_arguments({"regoin": "x"})


@pytest.fixture
def engine(moto_backend, tmp_path):
    url = (f"ddbsql://?region=us-east-1&endpoint_url={quote(moto_backend.url, safe='')}"
           f"&metastore={quote(str(tmp_path / 'm.db'), safe='')}&warehouse={quote(str(tmp_path / 'w.duckdb'), safe='')}"
           f"&hiveconf.ddbsql.reject.dir={quote(str(tmp_path / 'rejects'), safe='')}")
    eng = sa.create_engine(url)
    yield eng
    eng.dispose()


@pytest.fixture
def orders(engine, moto_backend, unique_table_name):
    """DynamoDB table keyed (cust, no) with a GSI on st and an LSI on placed, mapped as
    ``orders (customer string, order_no bigint, status string, placed string, total decimal(10,2), note string)``."""
    client = moto_backend.client()
    name = unique_table_name
    client.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "cust", "KeyType": "HASH"}, {"AttributeName": "no", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": a, "AttributeType": t}
                              for a, t in (("cust", "S"), ("no", "N"), ("st", "S"), ("placed", "S"))],
        GlobalSecondaryIndexes=[{"IndexName": "by_status", "KeySchema": [{"AttributeName": "st", "KeyType": "HASH"}],
                                 "Projection": {"ProjectionType": "ALL"}}],
        LocalSecondaryIndexes=[{"IndexName": "by_placed", "KeySchema": [
            {"AttributeName": "cust", "KeyType": "HASH"}, {"AttributeName": "placed", "KeyType": "RANGE"}],
            "Projection": {"ProjectionType": "KEYS_ONLY"}}],
        BillingMode="PAY_PER_REQUEST")
    with engine.connect() as conn:
        conn.exec_driver_sql(f"""CREATE EXTERNAL TABLE orders (customer string, order_no bigint, status string,
            placed string, total decimal(10,2), note string) COMMENT 'all orders' STORED BY {HANDLER}
            TBLPROPERTIES ("dynamodb.table.name" = "{name}",
                           "dynamodb.column.mapping" = "customer:cust,order_no:no,status:st,placed:placed,total:total,note:note")""")
    return client, name


def test_reflection(engine, orders):
    inspector = sa.inspect(engine)
    assert "default" in inspector.get_schema_names()
    assert inspector.get_table_names() == ["orders"] and inspector.has_table("orders")
    assert not inspector.has_table("missing")
    columns = {c["name"]: c["type"] for c in inspector.get_columns("orders")}
    assert list(columns) == ["customer", "order_no", "status", "placed", "total", "note"]
    assert isinstance(columns["order_no"], sa.BigInteger) and isinstance(columns["customer"], sa.String)
    assert isinstance(columns["total"], sa.Numeric) and (columns["total"].precision, columns["total"].scale) == (10, 2)
    assert inspector.get_pk_constraint("orders")["constrained_columns"] == ["customer", "order_no"]
    indexes = {i["name"]: (i["column_names"], i["dialect_options"]["ddbsql_kind"])
               for i in inspector.get_indexes("orders")}
    assert indexes == {"by_status": (["status"], "GSI"), "by_placed": (["customer", "placed"], "LSI")}
    assert inspector.get_table_comment("orders")["text"] == "all orders"
    assert inspector.get_foreign_keys("orders") == []
    with pytest.raises(sa.exc.NoSuchTableError):
        inspector.get_columns("missing")
    table = sa.Table("orders", sa.MetaData(), autoload_with=engine)
    assert [c.name for c in table.primary_key.columns] == ["customer", "order_no"]


def test_to_sql_appends_through_the_writer_and_read_sql_reads_back(engine, orders):
    client, name = orders
    frame = pd.DataFrame({"customer": ["a", "a", "b"], "order_no": [1, 2, 1], "status": ["new", "old", "new"],
                          "placed": ["2024-01-01", "2024-01-02", "2024-01-03"],
                          "total": [decimal.Decimal("1.50"), decimal.Decimal("22.25"), None], "note": ["x", None, "it's"]})
    with warnings.catch_warnings():
        warnings.simplefilter("error")        # pandas warns for connections it does not support
        assert frame.to_sql("orders", engine, if_exists="append", index=False) == 3
        back = pd.read_sql("SELECT customer, order_no, status, placed, total, note FROM orders "
                           "ORDER BY customer, order_no", engine, coerce_float=False)
        one = pd.read_sql(sa.text("SELECT note FROM orders WHERE customer = :c AND order_no = :n"), engine,
                          params={"c": "b", "n": 1})
    back = back.astype(object).where(back.notna(), None)
    assert back.to_dict("records") == [
        {"customer": "a", "order_no": 1, "status": "new", "placed": "2024-01-01", "total": decimal.Decimal("1.50"), "note": "x"},
        {"customer": "a", "order_no": 2, "status": "old", "placed": "2024-01-02", "total": decimal.Decimal("22.25"), "note": None},
        {"customer": "b", "order_no": 1, "status": "new", "placed": "2024-01-03", "total": None, "note": "it's"}]
    assert one["note"].tolist() == ["it's"]
    item = client.get_item(TableName=name, Key={"cust": {"S": "a"}, "no": {"N": "2"}}, ConsistentRead=True)["Item"]
    assert item["total"] == {"N": "22.25"} and "note" not in item
    with engine.connect() as conn:
        jobs = conn.connection.dbapi_connection.session.metastore.jobs().jobs()
    assert len(jobs) == 1                           # the DataFrame went in as one write


def test_core_expressions_compile_to_sql_ddbsql_runs(engine, orders):
    table = sa.Table("orders", sa.MetaData(), autoload_with=engine)
    with engine.begin() as conn:                   # begin/commit are no-ops
        conn.execute(table.insert(), [{"customer": "c", "order_no": i, "status": "new", "total": i} for i in range(5)])
    with engine.connect() as conn:
        query = (sa.select(table.c.order_no, sa.func.sum(table.c.total).label("s"))
                 .where(table.c.customer == "c", table.c.order_no.in_([1, 2, 3]))
                 .group_by(table.c.order_no).order_by(table.c.order_no.desc()).limit(2))
        assert [tuple(r) for r in conn.execute(query)] == [(3, decimal.Decimal("3.00")), (2, decimal.Decimal("2.00"))]
        assert conn.execute(sa.select(sa.func.count()).select_from(table)).scalar() == 5
        conn.rollback()                             # nothing to undo, nothing raised


def test_pool_returns_connections_without_error(engine, orders):
    for _ in range(3):
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT 1")).scalar() == 1


def test_new_local_tables_from_pandas(tmp_path):
    engine = sa.create_engine(f"ddbsql://?local=true&metastore={quote(str(tmp_path / 'm.db'), safe='')}")
    frame = pd.DataFrame({"name": ["cat", "bird"], "legs": [4, 2], "weight": [4.5, 0.1]})
    frame.to_sql("pets", engine, index=False)      # CREATE TABLE: a local table in the warehouse
    assert pd.read_sql("SELECT name, legs FROM pets ORDER BY legs", engine).to_dict("list") == {
        "name": ["bird", "cat"], "legs": [2, 4]}
    engine.dispose()


def test_jupysql_magic(tmp_path, monkeypatch):
    # JupySQL only expects ModuleNotFoundError from pyspark's optional Spark Connect part
    monkeypatch.setitem(sys.modules, "pyspark.sql.connect.dataframe", None)
    pytest.importorskip("sql.magic", reason="jupysql is not installed")
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    shell.run_line_magic("load_ext", "sql")
    shell.run_line_magic("config", "SqlMagic.displaylimit = 0")
    shell.run_line_magic("sql", f"ddbsql://?local=true&metastore={quote(str(tmp_path / 'm.db'), safe='')}")
    shell.run_cell_magic("sql", "", "CREATE TABLE pets (name string, legs int)")
    shell.run_cell_magic("sql", "", "INSERT INTO pets VALUES ('cat', 4), ('bird', 2)")
    result = shell.run_cell_magic("sql", "", "SELECT name, legs FROM pets ORDER BY legs")
    assert result.DataFrame().to_dict("list") == {"name": ["bird", "cat"], "legs": [2, 4]}
    shell.run_line_magic("sql", "--close ddbsql://?local=true&metastore="
                         f"{quote(str(tmp_path / 'm.db'), safe='')}")
