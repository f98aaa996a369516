import pytest

from ddbsql.catalog.model import Column, TableDef
from ddbsql.catalog.store import Metastore, hive_pattern_matches
from ddbsql.errors import CatalogError
from ddbsql.types import parse_hive_type


def make(name="t", db="default") -> TableDef:
    return TableDef(db, name, (Column("a", parse_hive_type("map<string,array<decimal(38,2)>>"), "c", "A"),),
                    "dynamodb", {"dynamodb.table.name": "T"}, True, "comment", 1.0)


def test_round_trip_and_persistence(tmp_path):
    path = tmp_path / "m.db"
    store = Metastore(path)
    store.create_database("sales")
    store.put(make(db="sales"))
    store.close()
    again = Metastore(path)
    assert again.get("sales", "t") == make(db="sales")
    assert again.databases() == ["default", "sales"]
    assert again.tables("sales") == ["t"]


def test_errors(tmp_path):
    store = Metastore(tmp_path / "m.db")
    store.put(make())
    with pytest.raises(CatalogError, match="already exists"):
        store.put(make())
    store.put(make(), replace=True)
    with pytest.raises(CatalogError, match="does not exist"):
        store.put(make(db="nope"))
    store.create_database("d")
    store.put(make(db="d"))
    with pytest.raises(CatalogError, match="not empty"):
        store.drop_database("d")
    assert [t.name for t in store.drop_database("d", cascade=True)] == ["t"]
    with pytest.raises(CatalogError, match="cannot be dropped"):
        store.drop_database("default")


@pytest.mark.parametrize("pattern, name, matches", [
    ("ord*", "orders", True), ("ORD*", "orders", True), ("*ers|x", "orders", True), ("x|y", "orders", False),
])
def test_hive_patterns(pattern, name, matches):
    assert hive_pattern_matches(pattern, name) is matches
