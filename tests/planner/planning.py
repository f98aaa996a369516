"""Pure planning from SQL text, for the planner tests: parse, attribute the WHERE, plan."""
from __future__ import annotations

import re

from sqlglot import exp

from ddbsql.catalog.facts import IndexFacts, TableFacts
from ddbsql.catalog.mapping import bindings_for
from ddbsql.catalog.model import Column, TableDef
from ddbsql.planner.access import AccessPlan, plan_access
from ddbsql.planner.scopes import NO_FILTER, reference_filters
from ddbsql.sql.statements import parse_sql
from ddbsql.types import parse_hive_type


def table_def(name: str, columns: str, mapping: str, **props: str) -> TableDef:
    cols = []
    for part in re.split(r",\s*(?![^()<>]*[)>])", columns):
        col, typ = part.strip().split(" ", 1)
        cols.append(Column(col, parse_hive_type(typ), spelling=col))
    properties = {"dynamodb.table.name": name.capitalize(), "dynamodb.column.mapping": mapping, **props}
    return TableDef("default", name, tuple(cols), "dynamodb", properties)


ORDERS = table_def(
    "orders",
    "customer string, order_no bigint, total decimal(10,2), status string, coupon string, placed string, "
    "region string, paid boolean, score double, yr int, dotted string, hashx string, spaced string, qty int, "
    "tags array<string>",
    "customer:Customer,order_no:OrderNo,total:Total,status:Status,coupon:Coupon,placed:Placed,region:Region,"
    "paid:Paid,score:Score,yr:year,dotted:a.b,hashx:#x,spaced:two words,qty:Qty,tags:Tags")
ORDERS_FACTS = TableFacts(
    "Orders", "Customer", "OrderNo",
    {"Customer": "S", "OrderNo": "N", "Status": "S", "Placed": "S", "Coupon": "S", "Region": "S", "Qty": "N"},
    "PAY_PER_REQUEST", item_count=10_000, size_bytes=10_000_000,
    indexes=(IndexFacts("by_status", "GSI", "Status", "Placed", "ALL"),
             IndexFacts("by_coupon", "GSI", "Coupon", None, "KEYS_ONLY"),
             IndexFacts("by_region", "GSI", "Region", "Qty", "INCLUDE", ("Total",)),
             IndexFacts("by_placed", "LSI", "Customer", "Placed", "ALL")))

USERS = table_def("users", "id string, name string, age int, item map<string,string>", "id:id,name:name,age:age")
USERS_FACTS = TableFacts("Users", "id", None, {"id": "S"}, "PROVISIONED", 5, 5, item_count=100, size_bytes=50_000)

EVENTS = table_def("events", "device bigint, ts string, kind string", "device:Device,ts:Ts,kind:Kind")
EVENTS_FACTS = TableFacts("Events", "Device", "Ts", {"Device": "N", "Ts": "S"}, "PAY_PER_REQUEST",
                          item_count=1_000_000, size_bytes=400_000_000)

TABLES = {"orders": (ORDERS, ORDERS_FACTS), "users": (USERS, USERS_FACTS), "events": (EVENTS, EVENTS_FACTS)}


def plans_for(sql: str, **options) -> list[tuple[str, AccessPlan]]:
    """(alias, plan) of every DynamoDB table reference of ``sql``, in tree order."""
    tree = parse_sql(sql)
    refs = [(t, TABLES[t.name.lower()]) for t in tree.find_all(exp.Table) if t.name.lower() in TABLES]
    filters = reference_filters(tree, {id(t): frozenset(c.name for c in d.columns) for t, (d, _) in refs})
    plans = []
    for table, (definition, facts) in refs:
        bindings = bindings_for(definition)
        needed = _needed(tree, table, definition, bindings, len(refs) == 1)
        plans.append((table.alias_or_name, plan_access(facts, bindings, needed, filters.get(id(table), NO_FILTER),
                                                       **options)))
    return plans


def _needed(tree, table, definition, bindings, only):
    """Columns the query names that this table has (approximate: by name, whatever the qualifier)."""
    alias = table.alias_or_name.lower()
    names = set()
    for column in tree.find_all(exp.Column):
        if column.table and column.table.lower() != alias:
            continue
        names.add(column.name.lower())
    star = any(isinstance(e, exp.Star) for select in tree.find_all(exp.Select) for e in select.expressions)
    if star and only:
        return list(bindings)
    chosen = [b for b in bindings if b.name in names]
    return chosen or [next(b for b in bindings if b.attribute == TABLES[definition.name][1].hash_key)]
