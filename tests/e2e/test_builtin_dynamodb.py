"""The built-in ``dynamodb`` database: DynamoDB tables created outside ddbsql, queried without DDL."""
from __future__ import annotations

import collections
import random
from decimal import Decimal

import pytest

import ddbsql
from support.ddb_env import Env, open_connection
from support.ddb_proxy import DynamoDBProxy


def _items(n: int = 120, seed: int = 7) -> list[dict]:
    """Composite key, sparse attributes, an attribute of two types, sets, a list and a map."""
    rng = random.Random(seed)
    items = []
    for i in range(n):
        item = {"Customer": {"S": f"c{i % 9}"}, "OrderNo": {"N": str(i)},
                "Total": {"N": str(Decimal(rng.randrange(1, 100000)) / 100)}}
        if i % 3 == 0:
            item["Tags"] = {"SS": sorted({f"t{i % 4}", "all"})}
        if i % 5 == 0:
            item["Coupon"] = {"S": f"K{i}"}
        item["Ref"] = {"S": f"r{i}"} if i % 2 else {"N": str(i * 10)}
        if i % 11 == 0:
            item["ship-to.city"] = {"S": "Lyon"}
        if i % 7 == 0:
            item["Lines"] = {"L": [{"N": "1"}, {"N": str(i)}]}
        items.append(item)
    return items


@pytest.fixture
def orders(env, unique_table_name):
    name = unique_table_name("Orders")
    env.create_ddb_table(name, hash_key=("Customer", "S"), range_key=("OrderNo", "N"))
    items = _items()
    env.put_items(name, items)
    return name, items


def test_aggregates_match_an_independent_computation(env, orders):
    name, items = orders
    totals = collections.defaultdict(Decimal)
    counts = collections.Counter()
    coupons = collections.Counter()
    for item in items:
        customer = item["Customer"]["S"]
        totals[customer] += Decimal(item["Total"]["N"])
        counts[customer] += 1
        coupons[customer] += "Coupon" in item
    rows = env.rows(f"SELECT customer, count(*), sum(total), count(coupon) FROM dynamodb.`{name}` "
                    "GROUP BY customer ORDER BY customer")
    assert rows == [(c, counts[c], totals[c], coupons[c]) for c in sorted(counts)]
    # sets, the two-typed attribute as text, a non-identifier attribute behind backquotes
    tagged = sum("Tags" in i and "all" in i["Tags"]["SS"] for i in items)
    assert env.rows(f"SELECT count(*) FROM dynamodb.`{name}` WHERE array_contains(tags, 'all')") == [(tagged,)]
    # a column of two types is filtered by DuckDB on its text, never pushed down as one type
    assert env.rows(f"SELECT count(*) FROM dynamodb.`{name}` WHERE ref = '20'") == [(1,)]
    assert env.rows(f"SELECT count(*) FROM dynamodb.`{name}` WHERE ref = 'r1'") == [(1,)]
    # ANALYZE samples again and keeps its statistics with the inferred columns, not as a user's table
    env.run(f"ANALYZE TABLE dynamodb.`{name}` COMPUTE STATISTICS")
    assert env.rows("SHOW TABLES") == []
    assert ("numrows", "120") in env.rows(f"SHOW TBLPROPERTIES dynamodb.`{name}`")
    refs = sorted(next(iter(i["Ref"].values())) for i in items)
    assert sorted(r[0] for r in env.rows(f"SELECT ref FROM dynamodb.`{name}`")) == refs
    cities = sum("ship-to.city" in i for i in items)
    assert env.rows(f"SELECT count(`ship-to.city`) FROM dynamodb.`{name}`") == [(cities,)]
    # the item column holds every attribute, sampled or not
    assert env.rows(f"SELECT count(*) FROM dynamodb.`{name}` WHERE item['Lines'] IS NOT NULL") == \
        [(sum("Lines" in i for i in items),)]


def test_describe_shows_keys_first_shares_and_the_item_column(env, orders):
    name, items = orders
    rows = env.rows(f"DESCRIBE dynamodb.`{name}`")
    assert rows[0] == ("customer", "string", "hash key")
    assert rows[1] == ("orderno", "bigint", "range key")
    assert rows[-1] == ("item", "map<string,string>", "every attribute of the item")
    described = {r[0]: r for r in rows}
    assert described["tags"][1:] == ("array<string>", "in 33% of sampled items")
    assert described["ref"][1:] == ("string", "in 100% of sampled items; mixed types, read as text")
    assert described["total"][1] == "decimal(38,2)"
    formatted = env.rows(f"DESCRIBE FORMATTED dynamodb.`{name}`")
    sample = next(r[1] for r in formatted if r[0] == "Sample:")
    assert sample.startswith("120 item(s) from 8 Scan segment(s)")


def test_names_case_backquotes_and_candidates(env, unique_table_name):
    base = unique_table_name("cases")
    dotted = base + ".v2-eu"
    # DynamoDB Local cannot hold two names that differ only in case (real DynamoDB and moto can)
    clash = env.backend.name == "moto"
    names = (base.upper(), base.lower(), dotted) if clash else (base.upper(), dotted)
    for name in names:
        env.create_ddb_table(name)
        env.put_items(name, [{"id": {"S": name}}])
    assert env.rows(f"SELECT id FROM dynamodb.`{dotted}`") == [(dotted,)]
    assert env.rows(f"SELECT id FROM dynamodb.`{base.upper()}`") == [(base.upper(),)]
    mixed = f"{base[0].upper()}{base[1:].lower()}"
    if clash:
        with pytest.raises(ddbsql.DatabaseError) as raised:
            env.rows(f"SELECT id FROM dynamodb.`{mixed}`")
        message = str(raised.value)
        assert "ambiguous" in message and f"`{base.upper()}`" in message and f"`{base.lower()}`" in message
        assert "\n" not in message
    else:  # the one table equal ignoring case
        assert env.rows(f"SELECT id FROM dynamodb.`{mixed}`") == [(base.upper(),)]
    with pytest.raises(ddbsql.DatabaseError) as raised:
        env.rows(f"SELECT * FROM dynamodb.`{base}_missing`")
    assert "does not exist in region us-east-1 at " + env.backend.url in str(raised.value)


def test_key_lookups_send_getitem_and_query_never_scan(moto_backend, tmp_path, unique_table_name):
    with DynamoDBProxy(moto_backend.url) as proxy:
        conn = open_connection(type(moto_backend)("moto", proxy.url), tmp_path)
        env = Env(moto_backend, conn, tmp_path)
        name = unique_table_name("lookup")
        env.create_ddb_table(name, hash_key=("Customer", "S"), range_key=("OrderNo", "N"))
        items = _items(60)
        env.put_items(name, items)
        env.rows(f"DESCRIBE dynamodb.`{name}`")            # the schema sample: a Scan, once
        scans = proxy.count("request", "Scan")
        assert scans >= 1
        assert env.rows(f"SELECT total FROM dynamodb.`{name}` WHERE customer = 'c1' AND orderno = 10") == \
            [(Decimal(items[10]["Total"]["N"]),)]
        assert proxy.count("request", "GetItem") == 1
        got = env.rows(f"SELECT orderno FROM dynamodb.`{name}` WHERE customer = 'c2' ORDER BY orderno")
        assert got == [(i,) for i in range(60) if i % 9 == 2]
        assert proxy.count("request", "Query") >= 1
        assert env.rows(f"SELECT count(*) FROM dynamodb.`{name}` WHERE customer IN ('c1', 'c2') "
                        "AND orderno IN (10, 11)") == [(2,)]
        assert proxy.count("request", "Scan") == scans
        plan = env.rows(f"EXPLAIN SELECT * FROM dynamodb.`{name}` WHERE customer = 'c1' AND orderno = 10")
        assert ("operation", "GetItem") in [(r[1], r[2]) for r in plan]
        sample = next(r[2] for r in plan if r[1] == "columns inferred from")
        assert "RCU (ConsumedCapacity)" in sample and "kept until REFRESH TABLE" in sample
        conn.close()
        # the schema is kept in the metastore: a new connection does not sample again
        conn = open_connection(type(moto_backend)("moto", proxy.url), tmp_path)
        Env(moto_backend, conn, tmp_path).rows(f"SELECT count(*) FROM dynamodb.`{name}` WHERE customer = 'c1'")
        assert proxy.count("request", "Scan") == scans
        conn.close()


def test_show_create_renamed_reads_the_same_rows(env, orders):
    name, _ = orders
    ddl = "\n".join(r[0] for r in env.rows(f"SHOW CREATE TABLE dynamodb.`{name}`"))
    assert ddl.startswith(f"CREATE EXTERNAL TABLE `{name.lower()}`(")
    assert "'dynamodb.table.name'='" + name + "'" in ddl and "'dynamodb.column.mapping'=" in ddl
    assert "'dynamodb.region'='us-east-1'" in ddl
    env.run(ddl.replace(f"`{name.lower()}`(", "`copy_of_orders`(", 1))
    columns = "customer, orderno, total, tags, coupon, ref, `ship-to.city`, lines, item"
    original = env.rows(f"SELECT {columns} FROM dynamodb.`{name}` ORDER BY customer, orderno")
    assert env.rows(f"SELECT {columns} FROM copy_of_orders ORDER BY customer, orderno") == original
    assert len(original) == 120


def test_insert_into_a_dynamodb_table_and_refresh(env, orders, unique_table_name):
    name, items = orders
    target = unique_table_name("Target")
    env.create_ddb_table(target, hash_key=("Customer", "S"), range_key=("OrderNo", "N"))
    env.put_items(target, [{"Customer": {"S": "seed"}, "OrderNo": {"N": "0"}, "Total": {"N": "1.5"}}])
    assert [r[0] for r in env.rows(f"DESCRIBE dynamodb.`{target}`")] == ["customer", "orderno", "total", "item"]
    env.run(f"INSERT INTO dynamodb.`{target}` SELECT customer, orderno, total, item FROM dynamodb.`{name}` "
            "WHERE orderno < 30")
    assert env.rows(f"SELECT count(*) FROM dynamodb.`{target}`") == [(31,)]
    copied = {(i["Customer"]["S"], int(i["OrderNo"]["N"])): i for i in env.scan_items(target)}
    assert copied[("c0", 27)]["Tags"] == {"SS": ["all", "t3"]}
    # new attributes are columns after REFRESH TABLE (ANALYZE TABLE too)
    assert "tags" not in [r[0] for r in env.rows(f"DESCRIBE dynamodb.`{target}`")]
    env.run(f"REFRESH TABLE dynamodb.`{target}`")
    assert "tags" in [r[0] for r in env.rows(f"DESCRIBE dynamodb.`{target}`")]


def test_another_region_without_ddl(env, unique_table_name):
    name = unique_table_name("regional")
    env.create_ddb_table(name, region="eu-west-1")
    env.put_items(name, [{"id": {"S": str(i)}, "v": {"N": str(i)}} for i in range(5)], region="eu-west-1")
    target = unique_table_name("home")
    env.create_ddb_table(target)
    env.put_items(target, [{"id": {"S": "x"}, "v": {"N": "0"}}])
    assert name in [r[0] for r in env.rows("SHOW TABLES IN dynamodb_eu_west_1")]
    if env.backend.name == "moto":  # DynamoDB Local runs with -sharedDb: one database for all regions
        assert name not in [r[0] for r in env.rows("SHOW TABLES IN dynamodb")]
    env.run(f"INSERT INTO dynamodb.`{target}` SELECT id, v, item FROM dynamodb_eu_west_1.`{name}`")
    assert sorted(env.rows(f"SELECT id, v FROM dynamodb.`{target}`")) == \
        sorted([("x", 0)] + [(str(i), i) for i in range(5)])
    ddl = "\n".join(r[0] for r in env.rows(f"SHOW CREATE TABLE dynamodb_eu_west_1.`{name}`"))
    assert "'dynamodb.region'='eu-west-1'" in ddl


def test_many_sparse_attributes_are_capped(env, unique_table_name):
    name = unique_table_name("sparse")
    env.create_ddb_table(name)
    env.put_items(name, [{"id": {"S": str(i)}, f"attr{i:03d}": {"N": str(i)}, "common": {"S": "c"}}
                         for i in range(150)])
    env.run("SET ddbsql.dynamodb.max.columns=20")
    columns = [r[0] for r in env.rows(f"DESCRIBE dynamodb.`{name}`")]
    assert columns[:2] == ["id", "common"] and len(columns) == 1 + 20 + 1 and columns[-1] == "item"
    formatted = {r[0]: r for r in env.rows(f"DESCRIBE FORMATTED dynamodb.`{name}`")}
    assert "past ddbsql.dynamodb.max.columns" in formatted["Not Columns:"][2]
    # an attribute left out is still read, in the item column
    assert env.rows(f"SELECT item['attr149'] FROM dynamodb.`{name}` WHERE id = '149'") == [('{"n":"149"}',)]


def test_catalog_changes_in_the_builtin_database_are_refused(env, orders):
    name, _ = orders
    for statement in (f"DROP TABLE dynamodb.`{name}`", "CREATE TABLE dynamodb.t (a string)",
                      f"ALTER TABLE dynamodb.`{name}` SET TBLPROPERTIES ('a'='b')", "DROP DATABASE dynamodb",
                      "CREATE DATABASE dynamodb_eu_west_1"):
        with pytest.raises(ddbsql.DatabaseError) as raised:
            env.run(statement)
        assert "it lists DynamoDB's own tables" in str(raised.value), statement
    # nothing was copied into the metastore as a user's table
    assert env.rows("SHOW TABLES") == []
    env.run("USE dynamodb")
    assert env.rows(f"SELECT count(*) FROM `{name}`") == [(120,)]


def test_shell_completes_dynamodb_tables_and_columns(env, orders):
    from types import SimpleNamespace

    from ddbsql.cli.completion import suggest
    from ddbsql.cli.repl import DbapiCatalog

    name, _ = orders
    catalog = DbapiCatalog(SimpleNamespace(connection=env.conn))
    assert "dynamodb" in catalog.databases()
    typed = f"SELECT * FROM dynamodb.`{name[:12]}"
    shown = name if name.replace("_", "a").isalnum() else f"`{name}`"   # '-' in DynamoDB Local's names
    assert shown in [s.text for s in suggest(typed, len(typed), catalog)]
    text = f"SELECT o.cou FROM dynamodb.`{name}` o"
    assert [s.text for s in suggest(text, len("SELECT o.cou"), catalog)] == ["coupon"]
    text = f"SELECT o.ship FROM dynamodb.`{name}` o"
    assert [s.text for s in suggest(text, len("SELECT o.ship"), catalog)] == ["`ship-to.city`"]


def test_secondary_indexes_are_used_without_ddl(env, unique_table_name):
    name = unique_table_name("indexed")
    env.client().create_table(
        TableName=name, BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": a, "AttributeType": t} for a, t in
                              (("pk", "S"), ("sk", "N"), ("Status", "S"), ("When", "N"))],
        GlobalSecondaryIndexes=[{"IndexName": "by_status", "Projection": {"ProjectionType": "ALL"},
                                 "KeySchema": [{"AttributeName": "Status", "KeyType": "HASH"}]}],
        LocalSecondaryIndexes=[{"IndexName": "by_when", "Projection": {"ProjectionType": "ALL"},
                                "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                                              {"AttributeName": "When", "KeyType": "RANGE"}]}])
    env.client().get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 100})
    env.put_items(name, [{"pk": {"S": f"p{i % 4}"}, "sk": {"N": str(i)}, "Status": {"S": "open" if i % 3 else "done"},
                          "When": {"N": str(100 - i)}} for i in range(30)])
    plan = {(r[1]): r[2] for r in env.rows(f"EXPLAIN SELECT sk FROM dynamodb.`{name}` WHERE status = 'done'")}
    assert plan["operation"] == "Query" and "by_status" in str(plan)
    assert env.rows(f"SELECT count(*) FROM dynamodb.`{name}` WHERE status = 'done'") == [(10,)]
    plan = {(r[1]): r[2] for r in env.rows(f"EXPLAIN SELECT sk FROM dynamodb.`{name}` WHERE pk = 'p1' AND `when` > 90")}
    assert plan["operation"] == "Query" and "by_when" in str(plan)
    assert sorted(env.rows(f"SELECT sk FROM dynamodb.`{name}` WHERE pk = 'p1' AND `when` > 90")) == [(1,), (5,), (9,)]


def test_a_table_made_again_with_other_keys_is_sampled_again(env, unique_table_name):
    name = unique_table_name("remade")
    env.create_ddb_table(name, hash_key=("a", "S"))
    env.put_items(name, [{"a": {"S": "x"}, "b": {"N": "1"}}])
    assert [r[0] for r in env.rows(f"DESCRIBE dynamodb.`{name}`")] == ["a", "b", "item"]
    env.client().delete_table(TableName=name)
    env.client().get_waiter("table_not_exists").wait(TableName=name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 100})
    env.create_ddb_table(name, hash_key=("b", "N"))
    env.put_items(name, [{"b": {"N": "2"}, "c": {"S": "y"}}])
    env.conn.session.forget_facts()       # DescribeTable answers are reused for a minute
    assert [r[0] for r in env.rows(f"DESCRIBE dynamodb.`{name}`")] == ["b", "c", "item"]
    assert env.rows(f"SELECT b, c FROM dynamodb.`{name}` WHERE b = 2") == [(2, "y")]
