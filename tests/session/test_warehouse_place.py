"""Where a metastore's local tables live."""
from pathlib import Path

import ddbsql
from ddbsql.session.session import warehouse_beside


def test_default_name_keeps_its_historic_warehouse_and_others_get_their_own():
    assert warehouse_beside(Path("/x/metastore.db")) == Path("/x/warehouse.duckdb")
    assert warehouse_beside(Path("/x/team.db")) == Path("/x/team.warehouse.duckdb")


def test_two_metastores_in_one_folder_do_not_share_local_tables(tmp_path):
    for name, rows in (("a.db", "(1)"), ("b.db", "(2),(3)")):
        conn = ddbsql.connect(metastore=tmp_path / name, region="us-east-1")
        cursor = conn.cursor()
        cursor.execute("CREATE TABLE t (x int)")
        cursor.execute(f"INSERT INTO TABLE t VALUES {rows}")
        conn.close()
    for name, count in (("a.db", 1), ("b.db", 2)):
        conn = ddbsql.connect(metastore=tmp_path / name, region="us-east-1")
        cursor = conn.cursor()
        cursor.execute("SELECT count(*) FROM t")
        assert cursor.fetchall() == [(count,)]
        conn.close()
