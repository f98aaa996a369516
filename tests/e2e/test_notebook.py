"""A notebook session on DynamoDB Local, as a data scientist would run it: DataFrames
registered and joined with a DynamoDB table, the result inserted into another DynamoDB
table; pandas through the SQLAlchemy engine (``read_sql``, ``to_sql``); Polars from the
cursor.  Every result is compared with the same computation done in pandas on the
inputs, and the target table is read back with plain boto3."""
from __future__ import annotations

import decimal
import random
import warnings
from urllib.parse import quote

import boto3
import pandas as pd
import polars as pl
import pytest
import sqlalchemy as sa

import ddbsql

pytestmark = pytest.mark.e2e

HANDLER = "'org.apache.hadoop.hive.dynamodb.DynamoDBStorageHandler'"


def create(client, name: str, keys: list[tuple[str, str, str]]) -> None:
    client.create_table(TableName=name, KeySchema=[{"AttributeName": a, "KeyType": k} for a, _, k in keys],
                        AttributeDefinitions=[{"AttributeName": a, "AttributeType": t} for a, t, _ in keys],
                        BillingMode="PAY_PER_REQUEST")
    client.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 0.1, "MaxAttempts": 100})


def scan_all(client, name: str) -> list[dict]:
    items, start = [], {}
    while True:
        page = client.scan(TableName=name, ConsistentRead=True, **start)
        items += page["Items"]
        if "LastEvaluatedKey" not in page:
            return items
        start = {"ExclusiveStartKey": page["LastEvaluatedKey"]}


def test_notebook_session(dynamodb_local_endpoint, aws_credentials, tmp_path, unique_table_name):
    rng = random.Random(17)
    client = boto3.client("dynamodb", endpoint_url=dynamodb_local_endpoint, region_name="us-east-1")
    customers_ddb, sales_ddb = unique_table_name("customers"), unique_table_name("sales")
    create(client, customers_ddb, [("id", "N", "HASH")])
    create(client, sales_ddb, [("customer", "S", "HASH"), ("order_no", "N", "RANGE")])
    customers = {i: f"customer {i}" for i in range(1, 41)}
    for start in range(0, 40, 25):
        client.batch_write_item(RequestItems={customers_ddb: [
            {"PutRequest": {"Item": {"id": {"N": str(i)}, "name": {"S": customers[i]}}}}
            for i in list(customers)[start:start + 25]]})

    # the notebook's inputs: orders in pandas (exact decimals), regions in Polars
    orders = pd.DataFrame({"order_no": range(1, 301),
                           "customer_id": [rng.randint(1, 45) for _ in range(300)],   # 41..45: no such customer
                           "amount": [decimal.Decimal(rng.randint(1, 100_000)) / 100 for _ in range(300)]})
    regions = pl.DataFrame({"customer_id": list(range(1, 41)), "region": [rng.choice("NSEW") for _ in range(40)]})

    metastore = tmp_path / "metastore.db"
    conn = ddbsql.connect(endpoint_url=dynamodb_local_endpoint, region="us-east-1", metastore=metastore,
                          warehouse=tmp_path / "warehouse.duckdb",
                          hiveconf={"ddbsql.reject.dir": str(tmp_path / "rejects")})
    cur = conn.cursor()
    cur.execute(f"""CREATE EXTERNAL TABLE customers (id bigint, name string) STORED BY {HANDLER}
                    TBLPROPERTIES ("dynamodb.table.name" = "{customers_ddb}")""")
    cur.execute(f"""CREATE EXTERNAL TABLE sales (customer string, order_no bigint, region string,
                    amount decimal(10,2)) STORED BY {HANDLER}
                    TBLPROPERTIES ("dynamodb.table.name" = "{sales_ddb}")""")
    conn.register("orders", orders)
    conn.register("regions", regions)
    cur.execute("""INSERT INTO sales
                   SELECT c.name, o.order_no, r.region, o.amount
                   FROM orders o JOIN customers c ON c.id = o.customer_id
                                 JOIN regions r ON r.customer_id = o.customer_id""")

    # the same join, computed by pandas alone
    expected = (orders.merge(pd.DataFrame({"customer_id": list(customers), "customer": list(customers.values())}),
                             on="customer_id")
                .merge(regions.to_pandas(), on="customer_id"))
    expected = sorted(zip(expected["customer"], expected["order_no"], expected["region"], expected["amount"]))
    assert cur.rowcount == len(expected) and len(expected) < 300
    stored = sorted((i["customer"]["S"], int(i["order_no"]["N"]), i["region"]["S"], decimal.Decimal(i["amount"]["N"]))
                    for i in scan_all(client, sales_ddb))
    assert stored == expected

    # Polars from the cursor's Arrow stream
    cur.execute("SELECT region, sum(amount) AS total FROM sales GROUP BY region ORDER BY region")
    by_region = pl.DataFrame(cur)
    totals: dict[str, decimal.Decimal] = {}
    for _, _, region, amount in expected:
        totals[region] = totals.get(region, decimal.Decimal(0)) + amount
    assert list(zip(by_region["region"].to_list(), by_region["total"].to_list())) == sorted(totals.items())
    cur.execute("SELECT customer, order_no FROM sales")
    assert sorted(pl.from_arrow(cur.fetch_record_batches()).rows()) == [(c, n) for c, n, _, _ in expected]
    # polars.from_arrow on the cursor itself: Polars 2 reads an Arrow stream that is not a
    # pyarrow object as one Series of row structs, its fields the result's columns
    cur.execute("SELECT customer, order_no FROM sales")
    series = pl.from_arrow(cur)
    assert isinstance(series, pl.Series) and series.dtype == pl.Struct
    assert sorted(series.struct.unnest().rows()) == [(c, n) for c, n, _, _ in expected]
    conn.close()

    # pandas through the SQLAlchemy engine on the same catalog
    engine = sa.create_engine(f"ddbsql://?region=us-east-1&endpoint_url={quote(dynamodb_local_endpoint, safe='')}"
                              f"&metastore={quote(str(metastore), safe='')}"
                              f"&hiveconf.ddbsql.reject.dir={quote(str(tmp_path / 'rejects'), safe='')}")
    extra = pd.DataFrame({"customer": ["walk-in"] * 3, "order_no": [1, 2, 3], "region": ["N", "S", "N"],
                          "amount": [decimal.Decimal("1.10"), decimal.Decimal("2.20"), decimal.Decimal("3.30")]})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert extra.to_sql("sales", engine, if_exists="append", index=False) == 3
        back = pd.read_sql("SELECT customer, order_no, region, amount FROM sales", engine, coerce_float=False)
    expected += [("walk-in", n, r, a) for n, r, a in zip(extra["order_no"], extra["region"], extra["amount"])]
    assert sorted(back.itertuples(index=False, name=None)) == sorted(expected)
    assert len(scan_all(client, sales_ddb)) == len(expected)
    engine.dispose()
