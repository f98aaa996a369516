"""A damaged, foreign, newer or read-only metastore (and a damaged checkpoint): one clear
error naming the file, through the DB-API a PEP 249 error, never a sqlite3, JSON or
KeyError traceback."""
from __future__ import annotations

import json
import os
import shutil
import sqlite3
import stat
from pathlib import Path

import pytest

import ddbsql
from ddbsql.catalog.jobs import Checkpoint
from ddbsql.catalog.sqlite_files import METASTORE_VERSION
from ddbsql.catalog.store import Metastore
from ddbsql.errors import CatalogError


def connect(metastore) -> ddbsql.Connection:
    return ddbsql.connect(metastore=metastore, region="us-east-1")


def healthy(folder: Path) -> Path:
    path = folder / "metastore.db"
    with connect(path) as connection:
        cursor = connection.cursor()
        cursor.execute("CREATE DATABASE sales")
        cursor.execute("CREATE TABLE sales.t (a int)")
    return path


def damage_truncated(path: Path) -> Path:
    data = path.read_bytes()
    path.write_bytes(data[:len(data) // 3])
    return path


def damage_garbage(path: Path) -> Path:
    path.write_bytes(os.urandom(8192))
    return path


def damage_text(path: Path) -> Path:
    path.write_text("CREATE TABLE x;\nthis is not a database\n")
    return path


def damage_folder(path: Path) -> Path:
    path.unlink()
    path.mkdir()
    return path


def damage_dev_null(path: Path) -> Path:
    return Path("/dev/null")


def damage_under_a_file(path: Path) -> Path:
    return path / "metastore.db"          # its "folder" is a file


def damage_missing_column(path: Path) -> Path:
    db = sqlite3.connect(path)
    with db:
        db.execute("DROP TABLE tables")
        db.execute("CREATE TABLE tables (db TEXT, name TEXT)")
    db.close()
    return path


def damage_newer(path: Path) -> Path:
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {METASTORE_VERSION + 1}")
    db.close()
    return path


DAMAGE = {f.__name__.removeprefix("damage_"): f for f in (
    damage_truncated, damage_garbage, damage_text, damage_folder, damage_dev_null, damage_under_a_file,
    damage_missing_column, damage_newer)}


@pytest.mark.parametrize("damage", list(DAMAGE), ids=list(DAMAGE))
def test_a_damaged_metastore_is_one_clear_error(tmp_path, damage):
    path = DAMAGE[damage](healthy(tmp_path))
    with pytest.raises(ddbsql.Error) as caught:
        with connect(path) as connection:
            cursor = connection.cursor()
            cursor.execute("SHOW TABLES IN sales")
            cursor.fetchall()
            cursor.execute("SELECT * FROM sales.t")
            cursor.fetchall()
    error = caught.value
    assert not isinstance(error, ddbsql.InternalError), error
    assert "\n" not in str(error)
    if damage not in ("dev_null",):
        assert "metastore" in str(error)
    if damage == "newer":
        assert "newer ddbsql" in str(error)
    if damage == "missing_column":
        assert "lacks column(s) definition" in str(error)


def test_a_bad_table_definition_names_the_table(tmp_path):
    path = healthy(tmp_path)
    db = sqlite3.connect(path)
    with db:
        db.execute("UPDATE tables SET definition = '{\"truncated' WHERE name = 't'")
        db.execute("INSERT INTO tables VALUES ('sales', 'u', ?)", (json.dumps({"name": "u"}),))
    db.close()
    with connect(path) as connection:
        cursor = connection.cursor()
        cursor.execute("SHOW TABLES IN sales")
        assert cursor.fetchall() == [("t",), ("u",)]
        for table, shown in (("t", "not valid JSON"), ("u", "KeyError")):
            with pytest.raises(ddbsql.ProgrammingError, match=f"table sales.{table} is damaged.*{shown}"):
                cursor.execute(f"SELECT * FROM sales.{table}")


def test_a_read_only_metastore_reads_and_refuses_writes_clearly(tmp_path):
    if os.geteuid() == 0:
        pytest.skip("root writes read-only files")
    path = healthy(tmp_path)
    path.chmod(stat.S_IRUSR)
    try:
        with connect(path) as connection:
            cursor = connection.cursor()
            cursor.execute("SHOW TABLES IN sales")
            assert cursor.fetchall() == [("t",)]
            with pytest.raises(ddbsql.ProgrammingError, match="read-only"):
                cursor.execute("CREATE DATABASE more")
    finally:
        path.chmod(stat.S_IRUSR | stat.S_IWUSR)


def test_a_read_only_metastore_as_root_too(tmp_path):
    """SQLite's own read-only mode stands for a file root cannot be stopped from writing."""
    path = healthy(tmp_path)
    with connect(path):
        pass
    uri = f"file:{path}?mode=ro"
    store = Metastore.__new__(Metastore)
    store.path = path
    import threading
    store._lock = threading.Lock()
    store._jobs = None
    store._db = sqlite3.connect(uri, uri=True, check_same_thread=False)
    assert store.tables("sales") == ["t"]
    with pytest.raises(CatalogError, match="read-only"):
        store.create_database("more")
    store.close()


def test_an_unversioned_metastore_is_stamped(tmp_path):
    path = healthy(tmp_path)
    db = sqlite3.connect(path)
    db.execute("PRAGMA user_version = 0")
    db.close()
    Metastore(path).close()
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == METASTORE_VERSION
    db.close()


@pytest.mark.parametrize("damage", ["truncated", "garbage"])
def test_a_damaged_checkpoint_is_one_clear_error(tmp_path, damage):
    path = tmp_path / "jobs" / "abc.sqlite"
    checkpoint = Checkpoint(path)
    checkpoint.commit(0, [(b"k" * 16, True, 1, -1, 0)] * 2000)
    checkpoint.close()
    DAMAGE[damage](path)
    with pytest.raises(CatalogError, match="checkpoint .*job.resume=false"):
        reopened = Checkpoint(path)
        reopened.counts()
        reopened.acknowledged(0)
        reopened.segments(0)


def test_missing_metastore_folder_is_made(tmp_path):
    with connect(tmp_path / "a" / "b" / "metastore.db") as connection:
        connection.cursor().execute("SHOW TABLES")
    shutil.rmtree(tmp_path / "a")
