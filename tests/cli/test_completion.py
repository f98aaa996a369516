import pytest

from ddbsql.cli.completion import StaticCatalog, suggest

CATALOG = StaticCatalog("default", {
    "default": {"orders": ["customer_id", "order_id", "total"], "customers": ["customer_id", "name"]},
    "sales": {"leads": ["lead_id", "source"]},
})


def texts(text, cursor=None, **kwargs):
    cursor = len(text) if cursor is None else cursor
    return [s.text for s in suggest(text, cursor, CATALOG, **kwargs)]


def test_tables_after_from_and_join():
    assert texts("SELECT * FROM ord") == ["orders"]
    assert "customers" in texts("SELECT * FROM orders o JOIN c")
    assert "sales." in texts("SELECT * FROM s")


def test_tables_of_a_named_database():
    assert texts("SELECT * FROM sales.l") == ["leads"]


def test_columns_of_tables_in_scope_including_after_the_cursor():
    text = "SELECT cu FROM orders"
    assert texts(text, cursor=len("SELECT cu")) == ["customer_id"]
    assert texts("SELECT o.to FROM orders o", cursor=len("SELECT o.to")) == ["total"]
    assert texts("SELECT * FROM orders o JOIN customers c ON c.") == ["customer_id", "name"]


def test_keywords_follow_the_case_typed():
    assert "SELECT" in texts("SEL")
    assert "select" in texts("sel")


def test_databases_after_use():
    assert texts("USE s") == ["sales"]


def test_set_keys():
    assert "dynamodb.throughput.read.percent" in texts("SET dynamodb.throughput.r")
    assert texts("SET hive.cli.print.header=") == []


def test_tblproperties_keys_inside_quotes():
    text = 'CREATE EXTERNAL TABLE t (a string) STORED BY x TBLPROPERTIES ("dynamodb.col'
    assert texts(text) == ["dynamodb.column.mapping"]
    assert "dynamodb.region" in texts(text.rsplit('"', 1)[0] + '"dynamodb.table.name"="x", "dynamodb.r')


def test_storage_handler_after_stored_by():
    assert texts("CREATE EXTERNAL TABLE t (a string) STORED BY ") == [
        "'org.apache.hadoop.hive.dynamodb.DynamoDBStorageHandler'"]


def test_paths_after_source():
    listing = {".": ["job.sql", "jobs", "other.txt"], "jobs": ["a.sql"]}
    assert texts("source jo", list_dir=listing.__getitem__) == ["job.sql", "jobs"]
    assert texts("source jobs/", list_dir=listing.__getitem__) == ["a.sql"]


def test_only_the_current_statement_counts():
    assert texts("SELECT * FROM customers; SELECT na") == []
    assert texts("SELECT * FROM customers; SELECT na FROM customers", cursor=len("SELECT * FROM customers; SELECT na")) \
        == ["name"]


@pytest.mark.parametrize("text", ["", "SELECT 'unterminated", "-- just a comment"])
def test_never_raises(text):
    suggest(text, len(text), CATALOG)



def test_dynamodb_names_that_are_not_identifiers_come_in_backquotes():
    catalog = StaticCatalog("default", {"dynamodb": {"Orders": ["customer", "order-id", "item"],
                                                     "orders-v2.eu": ["id"]}})
    assert [s.text for s in suggest("SELECT * FROM dynamodb.`orders", 30, catalog)] == ["Orders", "`orders-v2.eu`"]
    assert [s.text for s in suggest("SELECT * FROM dynamodb.Or", 25, catalog)] == ["Orders", "`orders-v2.eu`"]
    catalog.layout["dynamodb"]["orders"] = catalog.layout["dynamodb"]["Orders"]
    text = "SELECT o.ord FROM dynamodb.Orders o"
    assert [s.text for s in suggest(text, len("SELECT o.ord"), catalog)] == ["`order-id`"]
